"""KPIs of 就业帮扶: key targets, placement, retention, 一人一策, training."""

from __future__ import annotations

from data_access.analytics import months, read
from data_access.queries import employment
from metrics.domain.attainment import Direction
from metrics.kpis.core import Kpi, KpiValues, Measure, QueryContext
from metrics.kpis.facts import (
    _built,
    _count,
    _fact_flow,
    _fact_stock,
    _lines,
)


def _funnel(ctx: QueryContext) -> dict[str, dict[str, int]]:
    facts = _fact_stock(ctx, "employment")
    if facts is not None:
        return facts
    return ctx.shared(
        "funnel",
        lambda: employment.funnel(
            ctx.conn,
            towns=ctx.towns,
            as_of=ctx.as_of,
            retention_months=int(ctx.settings["retention_months"]),
            by=ctx.level,
            **_lines(ctx),
        ),
    )


def key_targets(ctx: QueryContext) -> KpiValues:
    return KpiValues(_count(_funnel(ctx), "targets"))


def placement_rate(ctx: QueryContext) -> KpiValues:
    return KpiValues({t: Measure(float(r["employed"]), float(r["targets"])) for t, r in _funnel(ctx).items()})


def retention_rate(ctx: QueryContext) -> KpiValues:
    return KpiValues({t: Measure(float(r["retained"]), float(r["retention_base"])) for t, r in _funnel(ctx).items()})


def plan_share(ctx: QueryContext) -> KpiValues:
    return KpiValues({t: Measure(float(r["with_plan"]), float(r["targets"])) for t, r in _funnel(ctx).items()})


def job_supply_ratio(ctx: QueryContext) -> KpiValues:
    """Open vacancies in the 岗位储备库 per job seeker (a key target not in work) at as_of."""
    pool = ctx.shared("job_pool", lambda: employment.job_pool(ctx.conn, towns=ctx.towns, as_of=ctx.as_of))
    funnel = _funnel(ctx)
    return KpiValues(
        {t: Measure(float(pool.get(t, (0, 0))[1]), float(r["targets"] - r["employed"])) for t, r in funnel.items()}
    )


def _placement_span(ctx: QueryContext) -> str | None:
    """Which stored span start..as_of is: distinct persons do not add across months."""
    if not months.is_month_end(ctx.as_of) or months.key(ctx.as_of) not in _built(ctx):
        return None
    return months.span_name(ctx.start, ctx.as_of)


def new_placements(ctx: QueryContext) -> KpiValues:
    """Distinct persons placed in the span (a person placed twice counts once)."""
    span = _placement_span(ctx)
    if span is not None:
        rows = read.placed_persons(ctx.conn, towns=ctx.towns, month=months.key(ctx.as_of), span=span, by=ctx.level)
    else:
        rows = employment.placed_persons(ctx.conn, towns=ctx.towns, start=ctx.start, end=ctx.as_of, by=ctx.level)
    return KpiValues({t: Measure(float(n)) for t, n in rows.items()})


def trainings_started(ctx: QueryContext) -> KpiValues:
    facts = _fact_flow(ctx, "employment")
    if facts is not None:
        return KpiValues(_count(facts, "trainings_started"))
    rows = employment.trainings(ctx.conn, towns=ctx.towns, start=ctx.start, end=ctx.as_of, by=ctx.level)
    return KpiValues(_count(rows, "started"))


DOMAIN_KPIS: tuple[Kpi, ...] = (
    Kpi(
        key="placement_rate",
        short_label="就业安置率",
        label="就业重点帮扶对象安置率",
        unit="%",
        department="人社局",
        direction=Direction.HIGHER,
        domain="employment",
        clause="二(二).1—二(二).2",
        meaning="有劳动能力和就业意愿的监测对象家庭劳动力中，期末处于就业安置状态的比例。",
        formula="期末在岗（安置开始 ≤ 期末且未结束）的重点帮扶对象 ÷ 重点帮扶对象 × 100%",
        feed="employment",
        accumulates=False,
        compute=placement_rate,
        scale=100.0,
        decimals=1,
    ),
    Kpi(
        key="key_targets",
        label="就业重点帮扶对象",
        unit="人",
        department="人社局",
        direction=Direction.NEUTRAL,
        domain="employment",
        clause="二(二).1",
        meaning="监测对象家庭中有劳动能力和就业意愿的劳动力人数。",
        formula="期末在册且收入低于监测线家庭中，有劳动能力且有就业意愿的成员数",
        feed="employment",
        accumulates=False,
        compute=key_targets,
    ),
    Kpi(
        key="retention_rate",
        label="稳定就业率",
        unit="%",
        short_label="稳岗率",
        department="人社局",
        direction=Direction.HIGHER,
        domain="employment",
        clause="二(二).4",
        meaning="安置满观察期（设置项，默认6个月）的重点帮扶对象中，岗位持续满观察期的比例。",
        formula="安置开始满观察期且岗位持续满观察期的人数 ÷ 安置开始满观察期的人数 × 100%",
        feed="employment",
        accumulates=False,
        compute=retention_rate,
        scale=100.0,
        decimals=1,
    ),
    Kpi(
        key="plan_share",
        label="“一人一策”覆盖率",
        unit="%",
        short_label="一人一策覆盖率",
        department="人社局",
        direction=Direction.HIGHER,
        domain="employment",
        clause="二(二).4",
        meaning="重点帮扶对象中已制定个性化帮扶方案（一人一策）的比例。",
        formula="有一人一策的重点帮扶对象 ÷ 重点帮扶对象 × 100%",
        feed="employment",
        accumulates=False,
        compute=plan_share,
        scale=100.0,
        decimals=1,
    ),
    Kpi(
        key="new_placements",
        label="新增就业安置",
        unit="人",
        department="人社局",
        direction=Direction.HIGHER,
        domain="employment",
        clause="二(二).2",
        meaning=(
            "期内新开始就业安置的人数（用人单位吸纳、弹性岗位、公益性岗位、劳务合作社）；同一人期内多次安置只计一人。"
        ),
        formula="安置开始日期在期内的安置记录所涉及的不同人数（按人去重）",
        feed="employment",
        accumulates=True,
        compute=new_placements,
    ),
    Kpi(
        key="trainings_started",
        label="技能培训人次",
        unit="人次",
        department="人社局",
        direction=Direction.HIGHER,
        domain="employment",
        clause="二(二).3",
        meaning="期内开班的免费职业技能培训人次。",
        formula="开始日期在期内的培训记录数",
        feed="employment",
        accumulates=True,
        compute=trainings_started,
    ),
    Kpi(
        key="job_supply_ratio",
        short_label="岗位供需比",
        label="岗位储备库供需比",
        unit="岗/人",
        department="人社局",
        direction=Direction.HIGHER,
        domain="employment",
        clause="二(二).4",
        meaning="期末岗位储备库中未补足的空缺岗位与待就业的重点帮扶对象（有劳动能力和就业意愿、期末未在岗）之比"
        "（二(二).4：建立岗位储备库，精准对接就业需求）；小于1表示岗位不足。岗位按区镇储备，村(社区)不单列。",
        formula="期末在库岗位的空缺人数 ÷（重点帮扶对象 − 期末在岗的重点帮扶对象）",
        feed="employment",
        accumulates=False,
        compute=job_supply_ratio,
        ratio=True,
        decimals=2,
    ),
)

# The headline KPIs: this domain's page cards and briefing figures, in order.
CARDS: tuple[str, ...] = (
    "placement_rate",
    "key_targets",
    "new_placements",
    "retention_rate",
    "plan_share",
    "trainings_started",
)
