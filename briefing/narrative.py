"""Generated Chinese narrative: what changed and which units are behind, from the same
figures the pages show (so a number in the text is the number on the chart)."""

from __future__ import annotations

from metrics import format as fmt
from metrics.domain.attainment import STATUS_LABELS, Direction, Status
from metrics.evaluate import Figure


def change_phrase(figure: Figure, label: str) -> str | None:
    """较上季度减少 2.1% / 较上月提高 1.5 个百分点 / 与上年度持平."""
    delta = figure.change if label != figure.last_year_label else figure.change_on_last_year
    if delta is None:
        return None
    if round(delta, 1) == 0:
        return f"{label}持平"
    kpi = figure.kpi
    if kpi.is_rate:
        verb = "提高" if delta > 0 else "下降"
        return f"{label}{verb} {abs(delta):.1f} 个百分点"
    verb = "增加" if delta > 0 else "减少"
    return f"{label}{verb} {abs(delta):.1f}%"


def headline(figure: Figure, scope_name: str) -> str:
    kpi = figure.kpi
    parts = [f"{scope_name}{kpi.label} {fmt.kpi_value(kpi, figure.value)}"]
    for phrase in (change_phrase(figure, figure.previous_label), change_phrase(figure, figure.last_year_label)):
        if phrase:
            parts.append(phrase)
    sentence = "，".join(parts)
    if figure.incomplete:
        # Missing data is said as such, never as falling behind.
        return sentence + f"（{figure.incomplete}，暂不评判是否达标）。"
    if figure.target is not None and figure.attainment is not None:
        sentence += (
            f"；目标 {fmt.kpi_value(kpi, figure.target)}，完成度 {fmt.ratio(figure.attainment)}"
            f"（{STATUS_LABELS[figure.status]}）"
        )
    if figure.basis:
        sentence += f"（{figure.basis}）"
    return sentence + "。"


def behind(figures: dict[str, Figure], names: dict[str, str]) -> str | None:
    """Which units are behind their goal on this KPI, and which are close."""
    incomplete = [f for f in figures.values() if f.status is Status.INCOMPLETE]
    if incomplete:
        # The same departments' data are missing for every unit: no unit is called behind.
        return f"{incomplete[0].incomplete}，各单位{incomplete[0].kpi.label}暂不作达标评判。"
    with_goal = {code: f for code, f in figures.items() if f.status is not Status.NONE}
    if not with_goal:
        return None
    kpi = next(iter(with_goal.values())).kpi
    red = [names[c] for c, f in with_goal.items() if f.status is Status.RED]
    amber = [names[c] for c, f in with_goal.items() if f.status is Status.AMBER]
    wording = "高于控制目标" if kpi.direction is Direction.LOWER else "低于目标"
    if not red and not amber:
        return f"各单位{kpi.label}均达到目标。"
    parts = []
    if red:
        parts.append(f"{'、'.join(red)}{kpi.label}{wording}")
    if amber:
        parts.append(f"{'、'.join(amber)}接近目标")
    return "；".join(parts) + "。"
