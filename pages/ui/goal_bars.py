"""A rate per unit against its goals, as bars (the employment and social-forces pages): each
unit coloured by status with its own goal marked; in a town, the town's goal drawn across its
villages when they have none of their own."""

from __future__ import annotations

from briefing import charts
from pages.ui.filters import Filters
from pages.ui.page import chart

GOAL_NOTE = "横线为目标"
VILLAGE_NOTE = "村(社区)未单列目标，虚线为全镇目标"
NO_GOAL_NOTE = "未设目标"


def goal_bars(view, filters: Filters, *, kpi_key: str, title: str, name: str, key: str) -> None:
    codes = [code for code, _ in view.units]
    figures = [view.league[c][kpi_key] for c in codes]
    town_goal = next((c for c in view.cards if c.kpi.key == kpi_key), None) if view.level == "village" else None
    reference = (town_goal.target, "全镇目标") if town_goal is not None and town_goal.target is not None else None
    if any(r.target is not None for r in figures):
        note = GOAL_NOTE
    else:
        note = VILLAGE_NOTE if reference is not None else NO_GOAL_NOTE
    fig = charts.bars_vs_goal(
        names=[n for _, n in view.units],
        codes=codes,
        values=[r.value for r in figures],
        targets=[r.target for r in figures],
        statuses=[r.status for r in figures],
        unit="%",
        title=f"{title}（{note}，{filters.period.label}）",
        reference=reference,
    )
    chart(fig, filters, name=name, key=key)
