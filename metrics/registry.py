"""The declarative KPI registry: one record per KPI, read by every page, export and the
指标说明 page. A new KPI is one entry here (plus, if needed, one SQL function)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.engine import Connection

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


@dataclass(frozen=True)
class KpiValues:
    by_town: dict[str, Measure]
    basis: str | None = None  # e.g. which year a yearly KPI used


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


def _lines(ctx: QueryContext) -> dict[str, object]:
    return {"floor_fen": ctx.standard.floor_fen, "line_fen": ctx.standard.monitoring_line_fen}


def _stock(ctx: QueryContext) -> dict[str, dict[str, int]]:
    return caseload.stock_by_town(ctx.conn, towns=ctx.towns, as_of=ctx.as_of, **_lines(ctx))


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
    rows = caseload.flows_by_town(ctx.conn, towns=ctx.towns, start=ctx.start, end=ctx.as_of)
    return KpiValues({t: Measure(float(r.get(kind, 0))) for t, r in rows.items()})


def new_entries(ctx: QueryContext) -> KpiValues:
    return _flows(ctx, "entry")


def exits(ctx: QueryContext) -> KpiValues:
    return _flows(ctx, "exit")


def relief_spending(ctx: QueryContext) -> KpiValues:
    rows = relief.spending_by_town(ctx.conn, towns=ctx.towns, start=ctx.start, end=ctx.as_of)
    return KpiValues({t: Measure(float(r["amount_fen"])) for t, r in rows.items()})


def relief_budget_execution(ctx: QueryContext) -> KpiValues:
    spent = relief.spending_by_town(ctx.conn, towns=ctx.towns, start=date(ctx.as_of.year, 1, 1), end=ctx.as_of)
    budget = relief.budget_by_town(ctx.conn, towns=ctx.towns, year=ctx.as_of.year)
    out = {t: Measure(float(spent.get(t, {}).get("amount_fen", 0)), float(b)) for t, b in budget.items()}
    return KpiValues(out, basis=f"{ctx.as_of.year}年1月1日至{ctx.as_of:%Y年%m月%d日}")


def placement_rate(ctx: QueryContext) -> KpiValues:
    rows = employment.placement_rate_by_town(ctx.conn, towns=ctx.towns, as_of=ctx.as_of, **_lines(ctx))
    return KpiValues(_ratio(rows))


def new_placements(ctx: QueryContext) -> KpiValues:
    rows = employment.new_placements_by_town(ctx.conn, towns=ctx.towns, start=ctx.start, end=ctx.as_of)
    return KpiValues({t: Measure(float(n)) for t, n in rows.items()})


def dividend_compliance(ctx: QueryContext) -> KpiValues:
    # Cooperatives report once a year: use the period's year, or the latest reported before it.
    year = dividends.latest_year(ctx.conn, towns=ctx.towns, up_to=ctx.as_of.year)
    if year is None:
        return KpiValues({}, basis="尚无年度分红数据")
    rows = dividends.compliance_by_town(ctx.conn, towns=ctx.towns, year=year)
    return KpiValues(_ratio(rows), basis=f"{year}年度")


def pension_coverage(ctx: QueryContext) -> KpiValues:
    min_age = int(ctx.settings["pension_min_age"])
    born_before = _years_before(ctx.as_of, min_age)
    rows = social.pension_coverage_by_town(
        ctx.conn, towns=ctx.towns, as_of=ctx.as_of, born_before=born_before, **_lines(ctx)
    )
    return KpiValues(_ratio(rows))


def medical_coverage(ctx: QueryContext) -> KpiValues:
    rows = social.medical_coverage_by_town(ctx.conn, towns=ctx.towns, as_of=ctx.as_of, **_lines(ctx))
    return KpiValues(_ratio(rows))


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
            "期末最后一次生效事件为“新增”的家庭中，最近一次收入评估 I < 监测线 M 的户数；"
            "M 取期末生效的低保标准×倍数"
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
        key="new_placements",
        label="新增就业安置",
        unit="人",
        department="人社局",
        direction=Direction.HIGHER,
        domain="employment",
        clause="二(二).2",
        meaning="期内新开始的就业安置人数（用人单位吸纳、弹性岗位、公益性岗位、劳务合作社）。",
        formula="安置开始日期在期内的安置记录数",
        feed="employment",
        accumulates=True,
        compute=new_placements,
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
)

KPI_BY_KEY: dict[str, Kpi] = {k.key: k for k in KPIS}

# The four figures the overview leads with (issue: caseload, relief, placements, dividends).
OVERVIEW_KPIS: tuple[str, ...] = ("caseload_households", "relief_spending", "placement_rate", "dividend_compliance")


def get(key: str) -> Kpi:
    return KPI_BY_KEY[key]
