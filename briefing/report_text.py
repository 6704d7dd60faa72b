"""The text of a 汇报 (report to the leading group), generated from the registry and the figures.

Every sentence carries the KPI keys it states, so a reader (or a test) can trace each number
to its figure. Four parts, as staff write them: 一、总体情况; 二、主要指标完成情况; 三、存在的问题;
四、下步工作建议. Missing data is named as such and never as falling behind.

The pieces are in briefing.report_parts, parts 三 and 四 in briefing.report_problems.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Connection

from briefing.content import Pack
from briefing.report_parts import (
    NO_CHARTS,
    SCORECARD_MARKS,
    SCORECARD_NOTE,
    STATUS_PHRASES,
    Block,
    Part,
    Report,
    Sentence,
    _find,
    _headlines,
    cn_date,
    figure_sentence,
    numeral,
    value_text,
)
from briefing.report_problems import (
    due_exit_sentence,
    incomplete_sentences,
    reconciliation,
    relief_gap_sentence,
    suggestions,
    units_behind,
)
from data_access.models.governance import CITY_SCOPE
from metrics import format as fmt
from metrics.domain.attainment import STATUS_LABELS, Status
from metrics.evaluate import Figure
from metrics.registry import KPI_BY_KEY
from metrics.views import evaluator_for, units_for

__all__ = [
    "NO_CHARTS",
    "SCORECARD_NOTE",
    "Block",
    "Part",
    "Report",
    "Sentence",
    "build_report",
    "cn_date",
    "headline_rows",
    "scorecard_rows",
]


def overview(pack: Pack) -> list[Block]:
    meta = pack.meta
    sentences = [
        Sentence(
            f"现将{meta.scope_name}{meta.period.label}建立解决相对贫困长效机制主要指标情况汇报如下"
            f"（数据截至{cn_date(meta.data_date)}）。"
        )
    ]
    households, persons, floor = (
        _find(pack, k) for k in ("caseload_households", "caseload_persons", "floor_households")
    )
    if households is not None and households.value is not None:
        text = f"{meta.scope_name}共有监测对象 {value_text(households)}"
        keys = [households.kpi.key]
        if persons is not None and persons.value is not None:
            text += f"、{value_text(persons)}"
            keys.append(persons.kpi.key)
        if floor is not None and floor.value is not None:
            text += f"，其中低保户 {value_text(floor)}"
            keys.append(floor.kpi.key)
        sentences.append(Sentence(text + "。", tuple(keys)))
    spending, payments = _find(pack, "relief_spending"), _find(pack, "relief_payments")
    if spending is not None and spending.value is not None:
        text = f"本期发放各类救助资金 {value_text(spending)}"
        keys = [spending.kpi.key]
        if payments is not None and payments.value is not None:
            text += f"，共 {value_text(payments)}"
            keys.append(payments.kpi.key)
        sentences.append(Sentence(text + "。", tuple(keys)))
    sentences.extend(_tally(_headlines(pack)))
    return [Block(None, sentences, table="headlines")]


def _tally(figures: list[Figure]) -> list[Sentence]:
    """How many headline figures meet, near or miss their goals; incomplete ones are counted apart."""
    keys = tuple(f.kpi.key for f in figures)
    count = {s: [f for f in figures if f.status is s] for s in Status}
    judged = len(count[Status.GREEN]) + len(count[Status.AMBER]) + len(count[Status.RED])
    text = (
        f"表1所列 {len(figures)} 项主要指标中，对照目标评判的 {judged} 项："
        f"达到目标 {len(count[Status.GREEN])} 项，接近目标 {len(count[Status.AMBER])} 项，"
        f"落后于目标 {len(count[Status.RED])} 项"
    )
    if count[Status.INCOMPLETE]:
        text += f"；另有 {len(count[Status.INCOMPLETE])} 项因部门数据尚未报齐，暂不评判"
    out = [Sentence(text + "。", keys)]
    if count[Status.RED]:
        names = "、".join(f.kpi.label for f in count[Status.RED])
        out.append(Sentence(f"落后于目标的是：{names}。", tuple(f.kpi.key for f in count[Status.RED])))
    return out


# -- 二、主要指标完成情况 ------------------------------------------------------------------------
def by_domain(pack: Pack) -> list[Block]:
    return [
        Block(f"（{numeral(i)}）{section.title}", [figure_sentence(f) for f in section.figures], chart=i - 1)
        for i, section in enumerate(pack.sections, start=1)
    ]


# -- 三、存在的问题 ----------------------------------------------------------------------------


def headline_rows(pack: Pack) -> tuple[list[str], list[list[str]]]:
    headers = ["指标", "完成值", "目标", "完成度", "状态"]
    rows = [
        [
            f.kpi.label,
            fmt.kpi_value(f.kpi, f.value),
            fmt.kpi_value(f.kpi, f.target) if f.target is not None else "—",
            fmt.ratio(f.attainment),
            STATUS_LABELS[f.status],
        ]
        for section in pack.sections
        for f in section.figures
    ]
    return headers, rows


def scorecard_rows(pack: Pack) -> tuple[list[str], list[list[str]]]:
    headers = ["单位", *(f"{k.short}（{k.unit}）" for k in pack.scorecard_kpis)]
    rows = [[name, *(_cell(f) for f in row)] for name, row in zip(pack.scorecard_units, pack.scorecard, strict=True)]
    return headers, rows


def _cell(figure: Figure) -> str:
    """The value with a mark when behind, close or incomplete (a 三线表 carries no colour)."""
    value = fmt.number(figure.value, figure.kpi.decimals)
    mark = SCORECARD_MARKS.get(figure.status)
    return f"{value} {mark}" if mark else value


# -- the whole report -------------------------------------------------------------------
def build_report(
    conn: Connection, pack: Pack, *, towns: tuple[str, ...], scope: str, issued: date | None = None
) -> Report:
    meta = pack.meta
    unit_word = "区镇" if scope == CITY_SCOPE else "村(社区)"
    evaluator = evaluator_for(conn, towns=towns, period=meta.period, scope=scope)
    units = units_for(conn, towns=towns, scope=scope)
    names = dict(units)
    gap_kpi = KPI_BY_KEY["relief_gaps"]
    gap = evaluator.figure(gap_kpi, scope, compare=False)  # no change is stated: skip the earlier periods
    per_unit = evaluator.unit_figures(gap_kpi, tuple(names))
    rec = reconciliation(evaluator)

    problems: list[tuple[str, list[Sentence], str | None]] = []  # (heading, sentences, table)
    behind = units_behind(pack, unit_word)
    if behind:
        problems.append((f"部分指标和{unit_word}进度落后", behind, "scorecard"))
    problems.append(("应助未助", [relief_gap_sentence(gap, [(names[c], f) for c, f in per_unit.items()])], None))
    if rec is not None:
        problems.append(("应退未退", [due_exit_sentence(rec, names)], None))
    every = _headlines(pack) + [f for row in pack.scorecard for f in row] + [gap]
    incomplete = incomplete_sentences(every)
    if incomplete:
        problems.append(("部分数据尚未报齐", incomplete, None))
    if not behind:
        judged = any(f.status in STATUS_PHRASES for row in pack.scorecard for f in row)
        said = (
            f"各{unit_word}设有目标的主要指标均达到目标。"
            if judged
            else f"各{unit_word}未单独设定目标，表2所列数值仅供对照，不作达标评判。"
        )
        problems.insert(
            0, (f"各{unit_word}主要指标", [Sentence(said, tuple(k.key for k in pack.scorecard_kpis))], "scorecard")
        )
    problem_blocks = [
        Block(f"（{numeral(i)}）{title}", sentences, table=table, split=len(sentences) > 1)
        for i, (title, sentences, table) in enumerate(problems, start=1)
    ]
    issuer = f"{meta.scope_name}建立解决相对贫困长效机制工作领导小组办公室"
    return Report(
        title=f"关于{meta.scope_name}{meta.period.label}建立解决相对贫困长效机制工作情况的汇报",
        pack=pack,
        parts=[
            Part("一、总体情况", overview(pack)),
            Part("二、主要指标完成情况", by_domain(pack)),
            Part("三、存在的问题", problem_blocks),
            Part("四、下步工作建议", suggestions(pack, gap, rec, incomplete, unit_word)),
        ],
        issuer=issuer,
        issued=issued or meta.generated_at.date(),
        unit_word=unit_word,
    )
