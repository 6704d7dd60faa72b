"""KPIs of 救助支出: spending, budget execution, 户次/人次, 应助尽助."""

from __future__ import annotations

from datetime import date, timedelta

from data_access.queries import relief
from metrics.domain.attainment import Direction
from metrics.kpis.core import Kpi, KpiValues, Measure, QueryContext
from metrics.kpis.facts import (
    FEN_TO_WAN,
    _count,
    _fact_flow,
    _fact_stock,
    _lines,
)


def _spending(ctx: QueryContext) -> dict[str, dict[str, int]]:
    facts = _fact_flow(ctx, "relief")
    if facts is not None:
        return facts
    return ctx.shared(
        "spending", lambda: relief.spending(ctx.conn, towns=ctx.towns, start=ctx.start, end=ctx.as_of, by=ctx.level)
    )


def relief_spending(ctx: QueryContext) -> KpiValues:
    return KpiValues(_count(_spending(ctx), "amount_fen"))


def relief_payments(ctx: QueryContext) -> KpiValues:
    return KpiValues(_count(_spending(ctx), "payments"))


def relief_persons(ctx: QueryContext) -> KpiValues:
    return KpiValues(_count(_spending(ctx), "persons"))


def relief_average(ctx: QueryContext) -> KpiValues:
    return KpiValues({t: Measure(float(r["amount_fen"]), float(r["payments"])) for t, r in _spending(ctx).items()})


def relief_budget_execution(ctx: QueryContext) -> KpiValues:
    # Budgets are set per town; a village has none, so this KPI stays at town level.
    basis = f"{ctx.as_of.year}年1月1日至{ctx.as_of:%Y年%m月%d日}"
    if ctx.level != "town":
        return KpiValues({}, basis=basis)
    year_start = date(ctx.as_of.year, 1, 1)
    spent = _fact_flow(ctx, "relief", start=year_start)
    if spent is None:
        spent = relief.spending(ctx.conn, towns=ctx.towns, start=year_start, end=ctx.as_of)
    budget = relief.budget_by_town(ctx.conn, towns=ctx.towns, year=ctx.as_of.year)
    out = {t: Measure(float(spent.get(t, {}).get("amount_fen", 0)), float(b)) for t, b in budget.items()}
    return KpiValues(out, basis=basis)


GAP_RULE_WINDOWS = {"living": "gap_window_monthly_days"}


def gap_since(ctx: QueryContext, rule: str) -> date:
    key = GAP_RULE_WINDOWS.get(rule, "gap_window_yearly_days")
    return ctx.as_of - timedelta(days=int(ctx.settings[key]) - 1)


def relief_gaps(ctx: QueryContext) -> KpiValues:
    """Households meeting a relief rule with no payment of that type (summed over the rules)."""
    facts = _fact_stock(ctx, "relief")
    if facts is not None:
        return KpiValues(_count(facts, "gap_unpaid"))
    total: dict[str, Measure] = {}
    for rule in relief.GAP_RULES:
        rows = relief.gaps(
            ctx.conn,
            towns=ctx.towns,
            rule=rule,
            as_of=ctx.as_of,
            since=gap_since(ctx, rule),
            by=ctx.level,
            **_lines(ctx),
        )
        for unit, (_, unpaid) in rows.items():
            total[unit] = total.get(unit, Measure(0.0)) + Measure(float(unpaid))
    return KpiValues(total)


DOMAIN_KPIS: tuple[Kpi, ...] = (
    Kpi(
        key="relief_spending",
        label="救助支出",
        unit="万元",
        department="民政局",
        direction=Direction.HIGHER,
        domain="relief",
        clause="三.1—三.7、组织保障.2",
        meaning="期内七类救助（生活、临时、医疗、教育、住房、法律、保险）实际发放金额；目标按预算进度折算。",
        formula="发放日期在期内的救助发放金额之和（元 ÷ 10,000）；年度目标按已过天数占比折算",
        feed="relief_civil",
        accumulates=True,
        compute=relief_spending,
        scale=FEN_TO_WAN,
        decimals=2,
    ),
    Kpi(
        key="relief_budget_execution",
        short_label="预算执行率",
        label="救助预算执行率",
        unit="%",
        department="财政局",
        direction=Direction.HIGHER,
        domain="relief",
        clause="组织保障.2",
        meaning="本年度截至期末的救助支出占本年度救助预算的比例；年度目标（通常100%）按时间进度折算。",
        formula="本年1月1日至期末救助发放金额 ÷ 本年度各类救助预算之和 × 100%",
        feed="relief_civil",
        accumulates=False,
        compute=relief_budget_execution,
        year_to_date=True,
        scale=100.0,
        decimals=1,
    ),
    Kpi(
        key="relief_payments",
        label="救助户次",
        unit="户次",
        department="民政局",
        direction=Direction.NEUTRAL,
        domain="relief",
        clause="三.1—三.7",
        meaning="期内七类救助的发放笔数（一户一次发放计一户次）。",
        formula="发放日期在期内的救助发放记录数",
        feed="relief_civil",
        accumulates=True,
        compute=relief_payments,
    ),
    Kpi(
        key="relief_persons",
        label="救助人次",
        unit="人次",
        department="民政局",
        direction=Direction.NEUTRAL,
        domain="relief",
        clause="三.1—三.7",
        meaning="期内七类救助覆盖的人次。",
        formula="发放日期在期内的救助发放记录的覆盖人数之和",
        feed="relief_civil",
        accumulates=True,
        compute=relief_persons,
    ),
    Kpi(
        key="relief_average",
        label="户均救助金额",
        unit="元/户次",
        department="民政局",
        direction=Direction.NEUTRAL,
        domain="relief",
        clause="三.1—三.7",
        meaning="期内每户次救助的平均发放金额。",
        formula="期内救助发放金额 ÷ 期内救助户次",
        feed="relief_civil",
        accumulates=False,
        compute=relief_average,
        scale=0.01,
        ratio=True,
    ),
    Kpi(
        key="relief_gaps",
        label="应助未助",
        unit="户次",
        department="民政局",
        direction=Direction.LOWER,
        domain="relief",
        clause="三.1—三.4",
        meaning="期末符合生活、临时、医疗、教育救助条件，但回看期内未获得该类救助的户次（应助尽助）。",
        formula=(
            "按三.1、三.2、三.3、三.4 各规则判定符合条件的在册家庭中，回看期内无该类发放记录的户数之和；"
            "三.2 指收入不低于监测线、扣除医疗支出后低于监测线的支出型困难家庭"
        ),
        feed="relief_civil",
        accumulates=False,
        compute=relief_gaps,
    ),
)

# The headline KPIs: this domain's page cards and briefing figures, in order.
CARDS: tuple[str, ...] = (
    "relief_spending",
    "relief_budget_execution",
    "relief_payments",
    "relief_persons",
    "relief_average",
    "relief_gaps",
)
