"""The declarative KPI registry: one record per KPI, read by every page, export and the
指标说明 page. A new KPI is one entry here (plus, if needed, one SQL function)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from data_access.analytics import months, read
from data_access.analytics.params import params_json
from data_access.analytics.refresh import built_months
from data_access.queries import caseload, dividends, employment, relief, social
from metrics.attainment import Direction
from metrics.periods import Period
from metrics.rules import Standard
from metrics.settings import Settings


@dataclass(frozen=True)
class Measure:
    """A KPI's numerator (and denominator, for rates) in one town: additive across towns."""

    num: float
    den: float | None = None

    def __add__(self, other: Measure) -> Measure:
        den = None if self.den is None and other.den is None else (self.den or 0) + (other.den or 0)
        return Measure(self.num + other.num, den)


@dataclass(frozen=True)
class QueryContext:
    conn: Connection
    towns: tuple[str, ...]
    period: Period
    start: date  # first day counted (period start)
    as_of: date  # last day counted: period end, clipped to the KPI's data date
    standard: Standard  # 低保标准 in force at as_of
    settings: Settings
    level: str = "town"  # group results by town code or by village code
    # Results shared by several KPIs of one evaluator (e.g. spending, 户次, 人次 come from one
    # query): computed once per (query, period) and reused.
    memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    # False: compute from raw rows even where facts could serve (tests, `check`).
    use_facts: bool = True

    def shared(self, name: str, compute: Callable[[], Any]) -> Any:
        key = (name, self.start, self.as_of, self.level, self.towns)
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


@dataclass(frozen=True)
class KpiValues:
    by_town: dict[str, Measure]
    basis: str | None = None  # e.g. which year a yearly KPI used
    year: int | None = None  # the reporting year of a yearly KPI


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: str
    department: str  # 责任单位
    direction: Direction
    domain: str  # caseload / relief / employment / dividends / social
    clause: str  # where in the plan it comes from
    meaning: str
    formula: str
    feed: str  # which department feed dates it
    accumulates: bool  # True: summed over the period (flow); False: state at period end
    # True: the value runs from January 1 to the data date whatever the period, so its
    # goal is paced by the elapsed share of the year (budget execution).
    compute: Callable[[QueryContext], KpiValues] = field(repr=False)
    short_label: str = ""  # for card titles and table headers; defaults to label
    year_to_date: bool = False
    # True: reported once a year; any period shows the latest year reported (its basis says
    # which), rather than going blank while the year's report is not yet in.
    reported_yearly: bool = False
    ratio: bool = False  # a quotient that is not a percentage (e.g. 元/户次)
    scale: float = 1.0  # display = num * scale (or num / den * scale)
    decimals: int = 0

    @property
    def short(self) -> str:
        return self.short_label or self.label

    def value(self, measure: Measure | None) -> float | None:
        if measure is None:
            return None
        if measure.den is None:
            return measure.num * self.scale
        if measure.den == 0:
            return None
        return measure.num / measure.den * self.scale

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"


DOMAINS = {
    "caseload": "监测对象",
    "relief": "救助支出",
    "employment": "就业帮扶",
    "dividends": "集体经济分红",
    "social": "社会保障衔接",
}
FEN_TO_WAN = 1 / 1_000_000  # 1 万元 = 10,000 yuan = 1,000,000 fen


# -- the fact layer (data_access.analytics) ---------------------------------------------
# A KPI reads facts when they serve its span exactly: month-aligned, every month built, and
# (for stocks) built with the same 低保标准 and settings as this context; otherwise raw rows.


def _built(ctx: QueryContext) -> dict[int, tuple[int, int, str]]:
    if not ctx.use_facts:
        return {}
    key = ("analytics_built",)
    if key not in ctx.memo:
        ctx.memo[key] = built_months(ctx.conn)
    return ctx.memo[key]


def _stock_month(ctx: QueryContext) -> int | None:
    """The month whose end-of-month stock facts equal this context's state at as_of."""
    if not months.is_month_end(ctx.as_of):
        return None
    month = months.key(ctx.as_of)
    meta = _built(ctx).get(month)
    expected = (ctx.standard.floor_fen, ctx.standard.monitoring_line_fen, params_json(ctx.settings.values))
    return month if meta is not None and meta == expected else None


def _flow_months(ctx: QueryContext, start: date | None = None) -> tuple[int, int] | None:
    """(first, last) month when start..as_of is whole months, all built."""
    start = start or ctx.start
    if start.day != 1 or not months.is_month_end(ctx.as_of) or start > ctx.as_of:
        return None
    first, last = months.key(start), months.key(ctx.as_of)
    built = _built(ctx)
    return (first, last) if all(m in built for m in months.between(first, last)) else None


def _fact_stock(ctx: QueryContext, table: str) -> dict[str, dict[str, int]] | None:
    """Per unit: the table's stock columns at the end of as_of's month (None: not served)."""
    month = _stock_month(ctx)
    if month is None:
        return None
    columns = STOCK_COLUMNS[table]
    return ctx.shared(
        f"fact_stock_{table}",
        lambda: read.months_sum(
            ctx.conn, table=table, columns=columns, towns=ctx.towns, first=month, last=month, by=ctx.level
        ),
    )


def _fact_flow(ctx: QueryContext, table: str, start: date | None = None) -> dict[str, dict[str, int]] | None:
    """Per unit: the table's flow columns summed over start..as_of (None: not served)."""
    span = _flow_months(ctx, start)
    if span is None:
        return None
    columns = FLOW_COLUMNS[table]
    return ctx.shared(
        f"fact_flow_{table}_{span[0]}",
        lambda: read.months_sum(
            ctx.conn, table=table, columns=columns, towns=ctx.towns, first=span[0], last=span[1], by=ctx.level
        ),
    )


# The columns each KPI family reads: one query per table and span serves all of them.
STOCK_COLUMNS = {
    "caseload": (
        "floor_households",
        "floor_persons",
        "monitored_households",
        "monitored_persons",
        "overdue",
        "warning_any",
    ),
    "relief": ("gap_unpaid",),
    "employment": (
        "targets",
        "employed",
        "retention_base",
        "retained",
        "with_plan",
        "pension_covered",
        "pension_eligible",
    ),
    "medical": ("medical_covered", "medical_eligible", "ltc_covered", "ltc_eligible"),
}
FLOW_COLUMNS = {
    "caseload": ("entries", "exits"),
    "relief": ("amount_fen", "payments", "persons"),
    "employment": ("trainings_started",),
}


def prefetch_months(ctx: QueryContext, first: date, last: date) -> None:
    """Load the month facts of every month from first's to last's in one query per table, into
    the memo the per-month contexts of a trend share (their ctx.memo): a 24-month trend then
    costs four queries, not four per month. Months the facts do not serve are left alone."""
    if not _built(ctx):
        return
    span = (months.key(first), months.key(last))
    for table in dict.fromkeys([*STOCK_COLUMNS, *FLOW_COLUMNS]):
        wanted = tuple(dict.fromkeys([*STOCK_COLUMNS.get(table, ()), *FLOW_COLUMNS.get(table, ())]))
        found = read.by_month(
            ctx.conn, table=table, columns=wanted, towns=ctx.towns, first=span[0], last=span[1], by=ctx.level
        )
        for month in months.between(*span):
            rows = found.get(month, {})
            start, end = months.first_day(month), months.last_day(month)
            if table in STOCK_COLUMNS:
                picked = {u: {c: r[c] for c in STOCK_COLUMNS[table]} for u, r in rows.items()}
                ctx.memo[(f"fact_stock_{table}", start, end, ctx.level, ctx.towns)] = picked
            if table in FLOW_COLUMNS:
                picked = {u: {c: r[c] for c in FLOW_COLUMNS[table]} for u, r in rows.items()}
                ctx.memo[(f"fact_flow_{table}_{month}", start, end, ctx.level, ctx.towns)] = picked


def _lines(ctx: QueryContext) -> dict[str, object]:
    return {"floor_fen": ctx.standard.floor_fen, "line_fen": ctx.standard.monitoring_line_fen}


def _stock(ctx: QueryContext) -> dict[str, dict[str, int]]:
    facts = _fact_stock(ctx, "caseload")
    if facts is not None:
        return facts
    return ctx.shared(
        "stock", lambda: caseload.stock(ctx.conn, towns=ctx.towns, as_of=ctx.as_of, by=ctx.level, **_lines(ctx))
    )


def _count(rows: dict[str, dict[str, int]], *keys: str) -> dict[str, Measure]:
    return {t: Measure(float(sum(r.get(k, 0) for k in keys))) for t, r in rows.items()}


def _ratio(rows: dict[str, tuple[int, int]]) -> dict[str, Measure]:
    return {t: Measure(float(n), float(d)) for t, (n, d) in rows.items()}


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


def warning_params(ctx: QueryContext) -> dict[str, object]:
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


def _placement_span(ctx: QueryContext) -> str | None:
    """Which stored span start..as_of is: distinct persons do not add across months."""
    if not months.is_month_end(ctx.as_of) or months.key(ctx.as_of) not in _built(ctx):
        return None
    month = months.key(ctx.as_of)
    for span, first in (
        ("month", months.first_day(month)),
        ("quarter", months.quarter_start(month)),
        ("year", date(ctx.as_of.year, 1, 1)),
    ):
        if ctx.start == first:
            return span
    return None


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


def _dividend_year(ctx: QueryContext) -> int | None:
    # Cooperatives report once a year: use the period's year, or the latest reported before it.
    if _built(ctx):
        return ctx.shared(
            "fact_dividend_latest",
            lambda: read.dividend_latest_year(ctx.conn, towns=ctx.towns, up_to=ctx.as_of.year),
        )
    return dividends.latest_year(ctx.conn, towns=ctx.towns, up_to=ctx.as_of.year)


def _dividend_facts(ctx: QueryContext, year: int) -> dict[str, dict[str, int]] | None:
    if not _built(ctx):
        return None
    return ctx.shared(
        f"fact_dividend_{year}", lambda: read.dividend_year(ctx.conn, towns=ctx.towns, year=year, by=ctx.level)
    )


def dividend_compliance(ctx: QueryContext) -> KpiValues:
    year = _dividend_year(ctx)
    if year is None:
        return KpiValues({}, basis="尚无年度分红数据")
    facts = _dividend_facts(ctx, year)
    if facts is not None:
        rows = {t: (r["coops_met"], r["coops_reporting"]) for t, r in facts.items()}
    else:
        rows = dividends.compliance_by_town(ctx.conn, towns=ctx.towns, year=year, by=ctx.level)
    return KpiValues(_ratio(rows), basis=f"{year}年度", year=year)


def dividends_total(ctx: QueryContext) -> KpiValues:
    year = _dividend_year(ctx)
    if year is None:
        return KpiValues({}, basis="尚无年度分红数据")
    facts = _dividend_facts(ctx, year)
    rows = facts if facts is not None else dividends.town_totals(ctx.conn, towns=ctx.towns, year=year, by=ctx.level)
    return KpiValues(_count(rows, "dividends_fen"), basis=f"{year}年度", year=year)


def fumin_households(ctx: QueryContext) -> KpiValues:
    year = _dividend_year(ctx)
    if year is None:
        return KpiValues({}, basis="尚无年度分红数据")
    facts = _dividend_facts(ctx, year)
    if facts is not None:
        counts = {t: r["fumin_households"] for t, r in facts.items()}
    else:
        counts = {t: n for t, (n, _) in dividends.fumin(ctx.conn, towns=ctx.towns, year=year, by=ctx.level).items()}
    return KpiValues({t: Measure(float(n)) for t, n in counts.items()}, basis=f"{year}年度", year=year)


def _coverage(ctx: QueryContext, scheme: str) -> KpiValues:
    facts = _fact_stock(ctx, "employment" if scheme == "pension" else "medical")
    if facts is not None:
        return KpiValues(
            {t: Measure(float(r[f"{scheme}_covered"]), float(r[f"{scheme}_eligible"])) for t, r in facts.items()}
        )
    born_before = _years_before(ctx.as_of, int(ctx.settings["pension_min_age"]))
    rows = social.coverage(
        ctx.conn, towns=ctx.towns, scheme=scheme, as_of=ctx.as_of, born_before=born_before, by=ctx.level, **_lines(ctx)
    )
    return KpiValues(_ratio(rows))


def pension_coverage(ctx: QueryContext) -> KpiValues:
    return _coverage(ctx, "pension")


def medical_coverage(ctx: QueryContext) -> KpiValues:
    return _coverage(ctx, "medical")


def ltc_coverage(ctx: QueryContext) -> KpiValues:
    return _coverage(ctx, "ltc")


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


KPIS: tuple[Kpi, ...] = (
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
        key="dividend_compliance",
        short_label="分红达标率",
        label="分红达标合作社占比",
        unit="%",
        department="农业农村局",
        direction=Direction.HIGHER,
        domain="dividends",
        clause="五.2",
        meaning="社区股份合作社红利分配总额同比增长≥5%或达到净收益的30%及以上的合作社占比（年度）。",
        formula="达标合作社数 ÷ 报送年度数据的合作社数 × 100%；取所选期间所在年度，未报送时取最近年度",
        feed="agriculture",
        accumulates=False,
        compute=dividend_compliance,
        reported_yearly=True,
        scale=100.0,
        decimals=1,
    ),
    Kpi(
        key="dividends_total",
        label="股份合作社红利分配总额",
        unit="万元",
        short_label="红利分配总额",
        department="农业农村局",
        direction=Direction.HIGHER,
        domain="dividends",
        clause="五.2",
        meaning="社区股份合作社年度红利分配总额（年度数据）。",
        formula="报送年度各合作社红利分配总额之和（元 ÷ 10,000）",
        feed="agriculture",
        accumulates=False,
        compute=dividends_total,
        scale=FEN_TO_WAN,
        decimals=2,
        reported_yearly=True,
    ),
    Kpi(
        key="fumin_households",
        label="富民合作社分红受益户",
        unit="户",
        short_label="富民分红户数",
        department="农业农村局",
        direction=Direction.HIGHER,
        domain="dividends",
        clause="五.2",
        meaning="获得富民合作社干股分红的低保、低保边缘家庭户数（年度）。",
        formula="报送年度获得富民合作社干股分红的家庭户数",
        feed="agriculture",
        accumulates=False,
        compute=fumin_households,
        reported_yearly=True,
    ),
    Kpi(
        key="pension_coverage",
        short_label="养老保险覆盖率",
        label="城乡居民养老保险覆盖率",
        unit="%",
        department="人社局",
        direction=Direction.HIGHER,
        domain="social",
        clause="四.1",
        meaning="监测对象家庭中16周岁及以上非在校成员参加城乡居民或职工养老保险的比例（“一个不少”，目标100%）。",
        formula="期末参保的适龄成员 ÷ 适龄成员 × 100%（起始年龄为设置项）",
        feed="employment",
        accumulates=False,
        compute=pension_coverage,
        scale=100.0,
        decimals=1,
    ),
    Kpi(
        key="medical_coverage",
        short_label="医保参保率",
        label="居民医保参保率",
        unit="%",
        department="医保局",
        direction=Direction.HIGHER,
        domain="social",
        clause="四.3",
        meaning="低保、低保边缘家庭成员参加居民医保的比例（应保尽保，目标100%）。",
        formula="期末参加居民医保的成员 ÷ 低保及低保边缘家庭成员 × 100%",
        feed="medical",
        accumulates=False,
        compute=medical_coverage,
        scale=100.0,
        decimals=1,
    ),
    Kpi(
        key="ltc_coverage",
        label="长期护理保险覆盖率",
        unit="%",
        short_label="长护险覆盖率",
        department="医保局",
        direction=Direction.HIGHER,
        domain="social",
        clause="四.3",
        meaning="监测对象家庭中重度残疾（失能）成员纳入长期护理保险的比例（目标100%）。",
        formula="期末参加长期护理保险的重度残疾成员 ÷ 重度残疾成员 × 100%",
        feed="medical",
        accumulates=False,
        compute=ltc_coverage,
        scale=100.0,
        decimals=1,
    ),
)

KPI_BY_KEY: dict[str, Kpi] = {k.key: k for k in KPIS}

# The four figures the overview leads with (issue: caseload, relief, placements, dividends).
OVERVIEW_KPIS: tuple[str, ...] = ("caseload_households", "relief_spending", "placement_rate", "dividend_compliance")


def get(key: str) -> Kpi:
    return KPI_BY_KEY[key]


# Per domain: the headline KPIs (page cards, briefing figures) and the KPI its town chart shows.
DOMAIN_CARDS: dict[str, tuple[str, ...]] = {
    "caseload": (
        "caseload_households",
        "caseload_persons",
        "floor_households",
        "new_entries",
        "exits",
        "overdue_reviews",
        "warning_households",
    ),
    "relief": (
        "relief_spending",
        "relief_budget_execution",
        "relief_payments",
        "relief_persons",
        "relief_average",
        "relief_gaps",
    ),
    "employment": (
        "placement_rate",
        "key_targets",
        "new_placements",
        "retention_rate",
        "plan_share",
        "trainings_started",
    ),
    "dividends": ("dividend_compliance", "dividends_total", "fumin_households"),
    "social": ("pension_coverage", "medical_coverage", "ltc_coverage"),
}
DOMAIN_CHART_KPI: dict[str, str] = {
    "caseload": "caseload_households",
    "relief": "relief_spending",
    "employment": "placement_rate",
    "dividends": "dividend_compliance",
    "social": "pension_coverage",
}
