"""KPIs of 集体经济分红: cooperatives against 五.2, dividends, 富民 dividends."""

from __future__ import annotations

from data_access.analytics import read
from data_access.queries import dividends
from metrics.domain.attainment import Direction
from metrics.kpis.core import Kpi, KpiValues, Measure, QueryContext
from metrics.kpis.facts import (
    FEN_TO_WAN,
    _built,
    _count,
    _ratio,
)


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


DOMAIN_KPIS: tuple[Kpi, ...] = (
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
)

# The headline KPIs: this domain's page cards and briefing figures, in order.
CARDS: tuple[str, ...] = (
    "dividend_compliance",
    "dividends_total",
    "fumin_households",
)
