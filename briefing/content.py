"""The meeting pack's content, built once and drawn by both the PowerPoint and Word writers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.engine import Connection

from briefing import narrative
from briefing.meta import ExportMeta
from data_access import remarks as meeting_remarks
from data_access import signoff, supervision
from data_access.models.governance import CITY_SCOPE
from data_access.queries import reference
from data_access.reference import CITY_NAME, FEEDS
from data_access.remarks import Remark
from data_access.supervision import Task
from metrics.domain.periods import Period
from metrics.evaluate import Figure
from metrics.overview import SCORECARD_KPIS
from metrics.registry import DOMAIN_CARDS, DOMAIN_CHART_KPI, DOMAINS, KPI_BY_KEY, Kpi
from metrics.supervision import current_figures
from metrics.views import domain_view
from metrics.what_if import Scenario, WhatIfError, WhatIfResult, what_if

HEADLINES_PER_SLIDE = 4

# The 政策测算 part of the pack (PowerPoint slide, Word and PDF section): one table, the same text.
WHAT_IF_TITLE = "政策测算（测算）"
WHAT_IF_HEADERS = (
    "区镇",
    "低保（现，户）",
    "低保（测算，户）",
    "监测对象（现，户）",
    "监测对象（测算，户）",
    "变动（户）",
    "变动（人）",
    "低保补差年度（现，万元）",
    "低保补差年度（测算，万元）",
    "变化（万元）",
)
WHAT_IF_NOTE = (
    "测算结果，不是统计数据，不代表已调整标准；新标准须经管理员在“标准管理”页录入后执行。"
    "生活救助（三.1）：低于低保标准的家庭纳入城乡低保，按 (低保标准 − 月人均收入) × 家庭人口 × 12 个月"
    "计算年度低保补差；分组按二(一).1。"
)


@dataclass(frozen=True)
class ChartData:
    title: str  # with scope and period: a chart copied out of the pack still says what it shows
    kpi: Kpi
    categories: list[str]
    values: list[float | None]
    targets: list[float | None]
    statuses: list[str]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    figures: list[Figure]
    chart: ChartData
    narrative: list[str]


@dataclass(frozen=True)
class Pack:
    meta: ExportMeta
    sections: list[Section]
    scorecard_units: list[str]
    scorecard: list[list[Figure]]  # rows follow scorecard_units, columns SCORECARD_KPIS
    scorecard_kpis: list[Kpi]
    feeds: list[dict[str, object]]
    # From seeing to acting: follow-ups with today's figure, departments' sign-off, remarks.
    tasks: list[tuple[Task, Figure | None]] = field(default_factory=list)
    signoffs: dict[str, str] = field(default_factory=dict)  # feed -> 已确认（…）/ 未确认
    remarks: list[Remark] = field(default_factory=list)
    town_names: dict[str, str] = field(default_factory=dict)  # code -> name
    # 政策测算 (测算, not statistics): a scenario the user added on /policy in this session.
    what_if: WhatIfResult | None = None


def build_pack(
    conn: Connection,
    *,
    towns: tuple[str, ...],
    period: Period,
    scope: str,
    is_demo: bool | None = None,
    scenario: Scenario | None = None,
) -> Pack:
    feeds = reference.feeds(conn)
    names = {str(t["code"]): str(t["name"]) for t in reference.towns(conn)}
    scope_name = CITY_NAME if scope == CITY_SCOPE else names.get(scope, scope)
    data_date = max((f["data_date"] for f in feeds), default=date.today())
    period = period.through(data_date)
    data_date = min(data_date, period.end)  # the period's own data date, not the store's
    if is_demo is None:
        is_demo = reference.settings(conn).get("dataset") == "demo"
    meta = ExportMeta(period=period, scope_name=scope_name, data_date=data_date, is_demo=is_demo)
    sections = []
    for key, title in DOMAINS.items():
        chart_key = DOMAIN_CHART_KPI[key]
        view = domain_view(
            conn, towns=towns, period=period, scope=scope, card_keys=DOMAIN_CARDS[key], league_keys=(chart_key,)
        )
        unit_names = dict(view.units)
        per_unit = {code: view.league[code][chart_key] for code, _ in view.units}
        chart = ChartData(
            title=f"{meta.scope_name}各{'区镇' if view.level == 'town' else '村(社区)'}{KPI_BY_KEY[chart_key].label}"
            f"（{KPI_BY_KEY[chart_key].unit}，{period.label}）",
            kpi=KPI_BY_KEY[chart_key],
            categories=[unit_names[c] for c in per_unit],
            values=[f.value for f in per_unit.values()],
            targets=[f.target for f in per_unit.values()],
            statuses=[str(f.status) for f in per_unit.values()],
        )
        text = [narrative.headline(view.cards[0], scope_name)]
        chart_total = next((f for f in view.cards if f.kpi.key == chart_key), None)
        if chart_total is not None and chart_total is not view.cards[0]:
            text.append(narrative.headline(chart_total, scope_name))
        behind = narrative.behind(per_unit, unit_names)
        if behind:
            text.append(behind)
        sections.append(Section(key, title, view.cards[:HEADLINES_PER_SLIDE], chart, text))
    score = domain_view(conn, towns=towns, period=period, scope=scope, card_keys=(), league_keys=SCORECARD_KPIS)
    in_scope = towns if scope == CITY_SCOPE else (scope,)
    tasks = supervision.tasks_in_towns(conn, towns=in_scope)
    now = current_figures(conn, towns=towns, tasks=tasks)
    states = signoff.states(conn, periods=[period.key])
    return Pack(
        meta=meta,
        sections=sections,
        scorecard_units=[name for _, name in score.units],
        scorecard=[[score.league[code][k] for k in SCORECARD_KPIS] for code, _ in score.units],
        scorecard_kpis=[KPI_BY_KEY[k] for k in SCORECARD_KPIS],
        feeds=feeds,
        tasks=[(t, now.get(t.id)) for t in tasks],
        signoffs={
            feed: states[("feed", feed, period.key)].label if ("feed", feed, period.key) in states else "未确认"
            for feed in FEEDS
        },
        remarks=meeting_remarks.remarks(conn, scopes=[scope], period=period.key),
        town_names=names,
        what_if=_what_if(conn, towns=in_scope, period=period, scenario=scenario),
    )


def _what_if(
    conn: Connection, *, towns: tuple[str, ...], period: Period, scenario: Scenario | None
) -> WhatIfResult | None:
    """The scenario for the pack's own period and scope; none when the period has no caseload data."""
    if scenario is None:
        return None
    try:
        return what_if(conn, towns=towns, period=period, scenario=scenario)
    except WhatIfError:
        return None


def what_if_lines(result: WhatIfResult) -> list[str]:
    """What the scenario is, in one sentence, then the note."""
    now, new = result.current, result.proposed
    return [
        f"现行：低保标准 {now.floor_fen / 100:,.2f} 元/人·月，监测线 {now.monitoring_line_fen / 100:,.2f} 元/人·月；"
        f"测算：低保标准 {new.floor_fen / 100:,.2f} 元/人·月，监测线 {new.monitoring_line_fen / 100:,.2f} 元/人·月，"
        f"三.2 临时救助门槛 {result.temporary_line_fen / 100:,.2f} 元/人·月。"
        f"按 {result.as_of:%Y-%m-%d} 在册家庭最近一次收入评估测算。",
        WHAT_IF_NOTE,
    ]


def what_if_rows(pack: Pack) -> list[list[str]]:
    """WHAT_IF_HEADERS' rows: each town, then 合计."""
    result = pack.what_if
    if result is None:
        return []
    units = [(pack.town_names.get(u.code, u.code), u) for u in result.units]
    units.append(("合计", result.total))
    return [
        [
            name,
            f"{unit.today.households['floor']:,}",
            f"{unit.scenario.households['floor']:,}",
            f"{unit.today.monitored_households:,}",
            f"{unit.scenario.monitored_households:,}",
            f"{unit.moved_households:,}",
            f"{unit.moved_persons:,}",
            f"{unit.today.living_budget_fen / 1_000_000:,.2f}",
            f"{unit.scenario.living_budget_fen / 1_000_000:,.2f}",
            f"{unit.living_budget_change_fen / 1_000_000:+,.2f}",
        ]
        for name, unit in units
    ]
