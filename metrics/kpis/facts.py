"""Shared helpers of the KPI computations: reading the fact layer (data_access.analytics) when
it serves a span exactly, else raw rows; counts and ratios as Measures."""

from __future__ import annotations

from datetime import date
from typing import Any

from data_access.analytics import months, read
from data_access.analytics.params import params_json
from data_access.analytics.refresh import built_months
from data_access.queries import caseload
from metrics.kpis.core import Measure, QueryContext

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
    built: dict[int, tuple[int, int, str]] = ctx.memo[key]
    return built


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
        "cadre_linked",
        "cadre_visited",
        "return_exits",
        "returned",
        "pairing_running",
        "industry_linked",
        "elderly",
        "elderly_visited",
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
        "pension_subsidy_enrolled",
        "pension_subsidised",
    ),
    "medical": (
        "medical_covered",
        "medical_eligible",
        "ltc_covered",
        "ltc_eligible",
        "medical_subsidy_enrolled",
        "medical_subsidised",
        "anti_poverty_covered",
        "anti_poverty_eligible",
    ),
}
FLOW_COLUMNS = {
    "caseload": ("entries", "exits", "review_days", "review_cases"),
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


def _lines(ctx: QueryContext) -> dict[str, Any]:
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


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
