"""三、存在的问题 and 四、下步工作建议 of a 汇报: units behind, 应助未助, 应退未退, data not yet
complete, lagging KPIs and open 督办 items, and the suggestions that follow from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from briefing.content import Pack
from briefing.report_parts import STATUS_PHRASES, TOP_UNITS, Block, Sentence, _headlines, cn_date, numeral, value_text
from data_access.queries import caseload
from metrics import format as fmt
from metrics.domain.attainment import Direction, Status
from metrics.evaluate import Evaluator, Figure
from metrics.registry import KPI_BY_KEY, Kpi


def units_behind(pack: Pack, unit_word: str) -> list[Sentence]:
    """Per scorecard KPI, the units behind (with value and attainment) and those close to goal.
    Only RED and AMBER figures: a unit whose data are incomplete is never listed here."""
    out = []
    for j, kpi in enumerate(pack.scorecard_kpis):
        column = list(zip(pack.scorecard_units, (row[j] for row in pack.scorecard), strict=True))
        red = [(name, f) for name, f in column if f.status is Status.RED]
        amber = [name for name, f in column if f.status is Status.AMBER]
        if not red and not amber:
            continue
        wording = "高于控制目标" if kpi.direction is Direction.LOWER else "低于目标"
        parts = []
        if red:
            listed = "、".join(f"{name}（{value_text(f)}，完成度 {fmt.ratio(f.attainment)}）" for name, f in red)
            parts.append(f"{listed}{wording}")
        if amber:
            parts.append(f"{'、'.join(amber)}接近目标")
        out.append(Sentence(f"{kpi.label}：" + "；".join(parts) + "。", (kpi.key,)))
    return out


def relief_gap_sentence(gap: Figure, per_unit: list[tuple[str, Figure]]) -> Sentence:
    key = gap.kpi.key
    if gap.value is None:
        return Sentence(f"应助未助情况暂无数据（{gap.value_reason}）。", (key,))
    if gap.incomplete:
        return Sentence(f"应助未助 {value_text(gap)}，{gap.incomplete}，待数据报齐后核实。", (key,))
    if gap.value == 0:
        return Sentence("经比对，期末未发现符合救助条件而未获救助的家庭（应助未助为 0）。", (key,))
    text = f"经比对，期末仍有 {value_text(gap)}符合救助条件但回看期内未获得相应救助（应助未助）"
    top = sorted(((n, f) for n, f in per_unit if f.value), key=lambda nf: -(nf[1].value or 0))[:TOP_UNITS]
    if top:
        text += "，较多的是" + "、".join(f"{name}（{value_text(f)}）" for name, f in top)
    return Sentence(text + "。", (key,))


@dataclass(frozen=True)
class Reconciliation:
    registered: int  # 期末在册户数
    monitored: int  # 监测对象
    due_exit: int  # 应退未退: on the register with income above the monitoring line
    by_unit: dict[str, int]  # unit code -> 应退未退


def reconciliation(evaluator: Evaluator) -> Reconciliation | None:
    """在册 = 监测对象 + 应退未退 (+ 未评估), the identity of CaseloadDetail.reconciliation,
    from the one stock query (the whole caseload detail is not needed here)."""
    ctx = evaluator.context(KPI_BY_KEY["caseload_households"])
    if ctx is None:
        return None
    groups = caseload.stock(
        ctx.conn,
        towns=ctx.towns,
        as_of=ctx.as_of,
        floor_fen=ctx.standard.floor_fen,
        line_fen=ctx.standard.monitoring_line_fen,
        by=ctx.level,
    )
    monitored = sum(g.get("floor_households", 0) + g.get("monitored_households", 0) for g in groups.values())
    due = {code: g.get("above_households", 0) for code, g in groups.items()}
    unknown = sum(g.get("unknown_households", 0) for g in groups.values())
    return Reconciliation(monitored + sum(due.values()) + unknown, monitored, sum(due.values()), due)


def due_exit_sentence(rec: Reconciliation, names: dict[str, str]) -> Sentence:
    keys = ("caseload_households",)
    if rec.due_exit == 0:
        return Sentence(f"期末在册 {rec.registered:,} 户均在监测线以下，未发现应退未退家庭。", keys)
    text = (
        f"期末在册 {rec.registered:,} 户中，监测对象 {rec.monitored:,} 户，另有 {rec.due_exit:,} 户收入已高于监测线、"
        "尚未按程序退出（应退未退）"
    )
    top = sorted(((c, n) for c, n in rec.by_unit.items() if n), key=lambda cn: -cn[1])[:TOP_UNITS]
    if top:
        text += "，较多的是" + "、".join(f"{names.get(c, c)}（{n:,} 户）" for c, n in top)
    return Sentence(text + "。", keys)


def incomplete_sentences(figures: list[Figure]) -> list[Sentence]:
    """Figures whose department feeds stop before the period end, grouped by the note."""
    by_note: dict[str, list[Kpi]] = {}
    for f in figures:
        if f.incomplete and f.kpi not in by_note.setdefault(f.incomplete, []):
            by_note[f.incomplete].append(f.kpi)
    return [
        Sentence(
            f"{note}：{'、'.join(k.label for k in kpis)}暂不作达标评判，待数据报齐后更新，不属于工作落后。",
            tuple(k.key for k in kpis),
        )
        for note, kpis in by_note.items()
    ]


# -- 四、下步工作建议 --------------------------------------------------------------------------
def lagging(pack: Pack) -> list[tuple[Kpi, Figure | None, list[str]]]:
    """KPIs behind: the scope's own figure RED/AMBER, or units RED; with the units behind."""
    red_units: dict[str, list[str]] = {}
    for name, row in zip(pack.scorecard_units, pack.scorecard, strict=True):
        for f in row:
            if f.status is Status.RED:
                red_units.setdefault(f.kpi.key, []).append(name)
    out: list[tuple[Kpi, Figure | None, list[str]]] = []
    seen = set()
    for f in _headlines(pack):
        if f.status in (Status.RED, Status.AMBER) or f.kpi.key in red_units:
            out.append((f.kpi, f, red_units.get(f.kpi.key, [])))
            seen.add(f.kpi.key)
    for kpi in pack.scorecard_kpis:
        if kpi.key in red_units and kpi.key not in seen:
            out.append((kpi, None, red_units[kpi.key]))
    return out


def task_sentences(pack: Pack, today: date) -> list[Sentence]:
    """Open 督办 items of the scope, overdue first: who, what, by when, and the figure today."""
    open_tasks = [(t, f) for t, f in pack.tasks if t.status(today) != "closed"]
    open_tasks.sort(key=lambda tf: (tf[0].status(today) != "overdue", tf[0].deadline))
    out = []
    for task, figure in open_tasks:
        kpi = KPI_BY_KEY.get(task.kpi_key)
        if kpi is None:
            continue
        town = pack.town_names.get(task.town_code, task.town_code)
        owner = pack.town_names.get(task.owner, task.owner) if task.owner_kind == "town" else task.owner
        when = f"期限{cn_date(task.deadline)}" + ("，已逾期" if task.status(today) == "overdue" else "")
        text = f"{town}{kpi.label}督办事项（责任单位：{owner}，{when}）：{task.requirement.strip().rstrip('。')}"
        if figure is not None and figure.value is not None:
            text += f"；目前{kpi.label} {value_text(figure)}"
        out.append(Sentence(text + "。", (kpi.key,), quoted=True))
    return out


def suggestions(
    pack: Pack,
    gap: Figure | None,
    rec: Reconciliation | None,
    incomplete: list[Sentence],
    unit_word: str,
    today: date | None = None,
) -> list[Block]:
    blocks: list[tuple[str, Sentence | list[Sentence]]] = []
    for kpi, figure, units in lagging(pack):
        if kpi.direction is Direction.LOWER:
            title = f"控制{kpi.label}"
        else:
            title = f"加快{kpi.label}进度" if kpi.accumulates else f"提高{kpi.label}"
        text = ""
        if figure is not None and figure.attainment is not None and figure.status in STATUS_PHRASES:
            text = f"{kpi.label}完成度 {fmt.ratio(figure.attainment)}，{STATUS_PHRASES[figure.status]}。"
        text += f"建议由{kpi.department}牵头，对照方案{kpi.clause}"
        if units:
            text += f"，重点督促{'、'.join(units)}"
        text += "加快工作进度，确保完成目标。"
        blocks.append((title, Sentence(text, (kpi.key,))))
    if gap is not None and gap.value and not gap.incomplete:
        kpi = gap.kpi
        blocks.append(
            (
                "落实应助尽助",
                Sentence(
                    f"对应助未助的 {value_text(gap)}逐户核查，符合条件的及时纳入相应救助"
                    f"（{kpi.department}，方案{kpi.clause}）。",
                    (kpi.key,),
                ),
            )
        )
    if rec is not None and rec.due_exit:
        blocks.append(
            (
                "规范应退尽退",
                Sentence(
                    f"对收入已高于监测线的 {rec.due_exit:,} 户及时复核，"
                    "符合条件的按程序办理退出（民政局，方案二(一).3）。",
                    ("caseload_households",),
                ),
            )
        )
    if incomplete:
        departments = []
        for s in incomplete:
            for key in s.kpis:
                if KPI_BY_KEY[key].department not in departments:
                    departments.append(KPI_BY_KEY[key].department)
        blocks.append(
            (
                "按时报送数据",
                Sentence(
                    f"请{'、'.join(departments)}按时报送本期数据，以便对相关指标作完整评判。",
                    tuple(k for s in incomplete for k in s.kpis),
                ),
            )
        )
    tasks = task_sentences(pack, today or pack.meta.generated_at.date())
    if tasks:
        blocks.append(("抓好督办事项落实", tasks))
    if not blocks:
        blocks.append(
            (
                "巩固工作成效",
                Sentence(
                    f"主要指标均达到目标，各{unit_word}未出现落后于目标的情况，建议继续做好动态监测和常态化帮扶。",
                    tuple(f.kpi.key for f in _headlines(pack)),
                ),
            )
        )
    out = []
    for i, (title, said) in enumerate(blocks, start=1):
        sentences = said if isinstance(said, list) else [said]
        out.append(Block(f"（{numeral(i)}）{title}", sentences, split=len(sentences) > 1))
    return out


# -- tables (三线表 in Word, plain tables in the PDF) -----------------------------------------
