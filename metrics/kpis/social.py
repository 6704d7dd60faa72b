"""KPIs of 社会保障衔接: pension, medical and long-term-care coverage."""

from __future__ import annotations

from data_access.queries import social
from metrics.domain.attainment import Direction
from metrics.kpis.core import Kpi, KpiValues, Measure, QueryContext
from metrics.kpis.facts import (
    _fact_stock,
    _lines,
    _ratio,
    _years_before,
)


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


DOMAIN_KPIS: tuple[Kpi, ...] = (
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

# The headline KPIs: this domain's page cards and briefing figures, in order.
CARDS: tuple[str, ...] = (
    "pension_coverage",
    "medical_coverage",
    "ltc_coverage",
)
