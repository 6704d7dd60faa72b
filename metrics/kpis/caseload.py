"""KPIs of 监测对象: the register (stock, flows, reviews, early warnings)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from data_access.analytics import serve
from data_access.queries import caseload, review_waits
from metrics.domain import returns as return_rules
from metrics.domain.attainment import Direction
from metrics.kpis.core import Kpi, KpiValues, Measure, QueryContext
from metrics.kpis.facts import (
    _count,
    _fact_flow,
    _fact_stock,
    _lines,
    _stock,
)


def caseload_households(ctx: QueryContext) -> KpiValues:
    return KpiValues(_count(_stock(ctx), "floor_households", "monitored_households"))


def caseload_persons(ctx: QueryContext) -> KpiValues:
    return KpiValues(_count(_stock(ctx), "floor_persons", "monitored_persons"))


def floor_households(ctx: QueryContext) -> KpiValues:
    return KpiValues(_count(_stock(ctx), "floor_households"))


def _flows(ctx: QueryContext, kind: str) -> KpiValues:
    facts = _fact_flow(ctx, "caseload")
    if facts is not None:
        column = {"entry": "entries", "exit": "exits"}[kind]
        return KpiValues({t: Measure(float(r[column])) for t, r in facts.items()})
    rows = caseload.flows(ctx.conn, towns=ctx.towns, start=ctx.start, end=ctx.as_of, by=ctx.level)
    return KpiValues({t: Measure(float(r.get(kind, 0))) for t, r in rows.items()})


def new_entries(ctx: QueryContext) -> KpiValues:
    return _flows(ctx, "entry")


def exits(ctx: QueryContext) -> KpiValues:
    return _flows(ctx, "exit")


def overdue_reviews(ctx: QueryContext) -> KpiValues:
    facts = _fact_stock(ctx, "caseload")
    if facts is not None:
        return KpiValues(_count(facts, "overdue"))
    as_of = datetime.combine(ctx.as_of, time(23, 59, 59))
    rows = caseload.pipeline(
        ctx.conn,
        towns=ctx.towns,
        as_of=as_of,
        overdue_before=as_of - timedelta(days=int(ctx.settings["review_overdue_days"])),
        by=ctx.level,
    )
    return KpiValues(_count(rows, "village_overdue", "town_overdue", "city_overdue"))


def warning_params(ctx: QueryContext) -> dict[str, Any]:
    return caseload.warning_params(
        as_of=ctx.as_of,
        near_ratio=ctx.settings["warning_near_line_ratio"],
        drop_ratio=ctx.settings["warning_income_drop_ratio"],
        medical_share=ctx.settings["warning_medical_share"],
        **_lines(ctx),
    )


def warning_households(ctx: QueryContext) -> KpiValues:
    facts = _fact_stock(ctx, "caseload")
    if facts is not None:
        return KpiValues(_count(facts, "warning_any"))
    rows = caseload.warnings(ctx.conn, towns=ctx.towns, params=warning_params(ctx), by=ctx.level)
    return KpiValues(_count(rows, "any"))


def review_days(ctx: QueryContext) -> KpiValues:
    """Mean whole days from submission to 区镇审核认定 of the cases approved in the period:
    days summed over cases / cases, additive across towns (a median is not; the page shows
    the median and the longest wait per stage)."""
    facts = _fact_flow(ctx, "caseload")
    if facts is not None:
        return KpiValues({u: Measure(float(r["review_days"]), float(r["review_cases"])) for u, r in facts.items()})
    histograms = ctx.shared(
        "review_waits.finished",
        lambda: review_waits.finished(ctx.conn, towns=ctx.towns, start=ctx.start, end=ctx.as_of, by=ctx.level),
    )
    out: dict[str, Measure] = {}
    for (unit, stage), counts in histograms.items():
        if stage == "approval":
            out[unit] = Measure(float(sum(d * n for d, n in counts.items())), float(sum(counts.values())))
    return KpiValues(out)


def return_windows(ctx: QueryContext) -> tuple[tuple[Any, Any, int], ...]:
    """The two exit cohorts /caseload shows: watched for the window, and for twice the window."""
    return return_rules.windows(ctx.as_of, int(ctx.settings["return_window_months"]))


def return_cohorts(ctx: QueryContext) -> dict[tuple[str, str, int], tuple[int, int]]:
    return ctx.shared(
        "returns.cohorts",
        lambda: serve.return_cohorts(
            ctx.conn, towns=ctx.towns, as_of=ctx.as_of, windows=return_windows(ctx), by=ctx.level
        ),
    )


def returns_rate(ctx: QueryContext) -> KpiValues:
    facts = _fact_stock(ctx, "caseload")
    if facts is not None:
        return KpiValues({u: Measure(float(r["returned"]), float(r["return_exits"])) for u, r in facts.items()})
    out: dict[str, Measure] = {}
    for (unit, _cause, generation), (exited, back) in return_cohorts(ctx).items():
        if generation == 0:
            out[unit] = out.get(unit, Measure(0.0, 0.0)) + Measure(float(back), float(exited))
    return KpiValues(out)


DOMAIN_KPIS: tuple[Kpi, ...] = (
    Kpi(
        key="caseload_households",
        label="监测对象户数",
        unit="户",
        department="民政局",
        direction=Direction.LOWER,
        domain="caseload",
        clause="二(一).1、二(一).3",
        meaning="期末在册、月家庭人均收入低于相对贫困监测线（2倍低保标准）的家庭户数，含低保和低保边缘。",
        formula=(
            "期末最后一次生效事件为“新增”的家庭中，最近一次收入评估 I < 监测线 M 的户数；M 取期末生效的低保标准×倍数"
        ),
        feed="caseload",
        accumulates=False,
        compute=caseload_households,
    ),
    Kpi(
        key="caseload_persons",
        label="监测对象人数",
        unit="人",
        department="民政局",
        direction=Direction.LOWER,
        domain="caseload",
        clause="二(一).1",
        meaning="监测对象家庭的共同生活人口数。",
        formula="监测对象户的最近一次收入评估中的家庭人口数之和",
        feed="caseload",
        accumulates=False,
        compute=caseload_persons,
    ),
    Kpi(
        key="floor_households",
        short_label="低保户数",
        label="低保户数（兜底线以下）",
        unit="户",
        department="民政局",
        direction=Direction.NEUTRAL,
        domain="caseload",
        clause="二(一).1、三.1",
        meaning="期末在册、月家庭人均收入低于低保标准（兜底线）的家庭户数。",
        formula="在册家庭中最近一次收入评估 I < 低保标准 S 的户数",
        feed="caseload",
        accumulates=False,
        compute=floor_households,
    ),
    Kpi(
        key="new_entries",
        label="新增监测对象",
        unit="户",
        department="民政局",
        direction=Direction.NEUTRAL,
        domain="caseload",
        clause="二(一).3",
        meaning="期内经区镇审核认定生效的新增对象户数。",
        formula="生效日期在期内的“新增”事件数",
        feed="caseload",
        accumulates=True,
        compute=new_entries,
    ),
    Kpi(
        key="exits",
        label="退出监测对象",
        unit="户",
        department="民政局",
        direction=Direction.HIGHER,
        domain="caseload",
        clause="二(一).3",
        meaning="期内经区镇审核认定生效的退出对象户数。",
        formula="生效日期在期内的“退出”事件数",
        feed="caseload",
        accumulates=True,
        compute=exits,
    ),
    Kpi(
        key="overdue_reviews",
        label="审核超期件数",
        unit="件",
        department="民政局",
        direction=Direction.LOWER,
        domain="caseload",
        clause="二(一).3",
        meaning="期末仍在村(社区)初审、区镇审核认定或市级备案环节等待、且等待天数超过设置值的新增/退出件数。",
        formula="期末未完成备案的事件中，自上一环节完成（或提交）起等待超过“审核超期天数”的件数",
        feed="caseload",
        accumulates=False,
        compute=overdue_reviews,
    ),
    Kpi(
        key="warning_households",
        label="风险预警户数",
        unit="户",
        department="民政局",
        direction=Direction.NEUTRAL,
        domain="caseload",
        clause="二(一).2",
        meaning="在册家庭中刚过监测线、收入骤降或大额医疗支出（阈值为设置项）的户数，任一项即计入。",
        formula="监测线 ≤ I < 监测线×系数；或 I 较上次评估下降 ≥ 比例；或年内医疗支出 ≥ 比例×家庭同期收入",
        feed="caseload",
        accumulates=False,
        compute=warning_households,
    ),
    Kpi(
        key="review_days",
        short_label="审核认定平均用时",
        label="审核认定平均用时（提交至区镇审核认定）",
        unit="天",
        department="民政局",
        direction=Direction.LOWER,
        domain="caseload",
        clause="二(一).3",
        meaning=(
            "期内完成区镇审核认定的新增、退出件，从村(社区)受理提交到区镇审核认定平均用了多少天；"
            "各环节（村初审、区镇认定、市级备案）的中位数和最长等待见“审核等待时间”表。"
        ),
        formula="Σ（区镇审核认定日期 − 提交日期，按日历天）÷ 期内区镇审核认定的件数",
        feed="caseload",
        accumulates=False,  # a mean: a goal is due in full, never paced
        compute=review_days,
        ratio=True,
        decimals=1,
    ),
    Kpi(
        key="returns_rate",
        label="返贫率（退出后观察期内再次纳入）",
        short_label="返贫率",
        unit="%",
        department="民政局",
        direction=Direction.LOWER,
        domain="caseload",
        clause="一、总体要求（巩固脱贫成果）、二(一).3",
        meaning=(
            "退出监测的家庭在观察期（设置项，默认 12 个月）内又被重新纳入的比例：观察的是期末前 24 至 12 个月间"
            "退出的家庭（每户都已满观察期），按退出事件计，归属家庭所在区镇。"
        ),
        formula=(
            "退出生效日期在（期末−2×观察期，期末−观察期］内的退出件中，同户其后首次“新增”生效日期 ≤ 退出日期 + 观察期"
            "（同日计入，月末顺延至当月最后一天）且不晚于期末的件数 ÷ 该区间退出件数 × 100%"
        ),
        feed="caseload",
        accumulates=False,
        compute=returns_rate,
        scale=100.0,
        decimals=1,
    ),
)

# The headline KPIs: this domain's page cards and briefing figures, in order.
CARDS: tuple[str, ...] = (
    "caseload_households",
    "caseload_persons",
    "floor_households",
    "new_entries",
    "exits",
    "overdue_reviews",
    "warning_households",
    "returns_rate",
)
