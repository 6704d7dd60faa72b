"""Facts or raw rows, behind the raw query functions' own signatures: the page breakdowns
(metrics.domains) can call these instead of data_access.queries and get the same result,
from facts when the facts were built for exactly these arguments (month-aligned span, every
month built, the same lines, windows and thresholds), from raw rows otherwise."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from data_access.analytics import months
from data_access.analytics.build import years_before
from data_access.analytics.refresh import built_months
from data_access.queries import caseload, employment, relief, returns, review_waits, social
from data_access.queries.common import run, unit_column
from data_access.reference import HOUSING_CAUSES
from metrics.domain import returns as return_rules


def _span(conn: Connection, start: date, end: date, *, layout: int = 0) -> tuple[int, int] | None:
    """(first, last) month when start..end is whole months, every one built (with at least this
    fact layout: the migration that added the columns read)."""
    if start.day != 1 or not months.is_month_end(end) or start > end:
        return None
    first, last = months.key(start), months.key(end)
    built = built_months(conn)
    if layout and any(m in built and _layout(built[m][2]) < layout for m in months.between(first, last)):
        return None
    return (first, last) if all(m in built for m in months.between(first, last)) else None


def _layout(params: str) -> int:
    return int(json.loads(params).get("fact_layout", 0))


def _stock_meta(
    conn: Connection, as_of: date, floor_fen: int | None, line_fen: int | None, *, layout: int = 0
) -> dict[str, float] | None:
    """The settings a month-end stock was built with, when it was built with these lines (None:
    any lines, for a figure that does not depend on them) and at least this fact layout (the
    migration that added the columns read)."""
    if not months.is_month_end(as_of):
        return None
    meta = built_months(conn).get(months.key(as_of))
    if meta is None or (floor_fen is not None and (meta[0], meta[1]) != (floor_fen, line_fen)):
        return None
    loaded: dict[str, float] = json.loads(meta[2])
    return loaded if _layout(meta[2]) >= layout else None


def _sum(
    conn: Connection,
    table: str,
    columns: Sequence[str],
    towns: Collection[str],
    first: int,
    last: int,
    by: str,
    *,
    extra: str = "",
) -> list[Any]:
    col = unit_column(by, "f")
    sums = ", ".join(f"SUM(f.{c})" for c in columns)
    sql = f"""
    SELECT {col}{extra}, {sums} FROM {table} f
    WHERE f.town_code IN :towns AND f.month BETWEEN :first AND :last
    GROUP BY {col}{extra}
    """
    return run(conn, sql, towns=towns, params={"first": first, "last": last})


def spending(conn: Connection, *, towns: Collection[str], start: date, end: date, by: str = "town") -> dict[Any, Any]:
    span = _span(conn, start, end)
    if span is None:
        return relief.spending(conn, towns=towns, start=start, end=end, by=by)
    rows = _sum(conn, "fact_relief_month", ("amount_fen", "payments", "persons"), towns, *span, by)
    return {u: {"amount_fen": int(a or 0), "payments": int(n), "persons": int(p or 0)} for u, a, n, p in rows if n}


def spending_by_type(
    conn: Connection, *, towns: Collection[str], start: date, end: date, by: str = "town"
) -> dict[Any, Any]:
    span = _span(conn, start, end)
    if span is None:
        return relief.spending_by_type(conn, towns=towns, start=start, end=end, by=by)
    rows = _sum(
        conn, "fact_relief_month", ("amount_fen", "payments", "persons"), towns, *span, by, extra=", f.relief_type"
    )
    # Types with gap counts but no payment in the span have no raw row: leave them out too.
    return {
        (u, k): {"amount_fen": int(a or 0), "payments": int(n or 0), "persons": int(p or 0)}
        for u, k, a, n, p in rows
        if n
    }


def spending_by_month_and_type(conn: Connection, *, towns: Collection[str], start: date, end: date) -> dict[Any, Any]:
    span = _span(conn, start, end)
    if span is None:
        return relief.spending_by_month_and_type(conn, towns=towns, start=start, end=end)
    sql = """
    SELECT f.month, f.relief_type, SUM(f.amount_fen), SUM(f.payments) FROM fact_relief_month f
    WHERE f.town_code IN :towns AND f.month BETWEEN :first AND :last
    GROUP BY f.month, f.relief_type
    """
    rows = run(conn, sql, towns=towns, params={"first": span[0], "last": span[1]})
    return {(f"{m // 100}-{m % 100:02d}", k): int(a or 0) for m, k, a, n in rows if n}


def flows(conn: Connection, *, towns: Collection[str], start: date, end: date, by: str = "town") -> dict[Any, Any]:
    span = _span(conn, start, end)
    if span is None:
        return caseload.flows(conn, towns=towns, start=start, end=end, by=by)
    out: dict[str, dict[str, int]] = {}
    for u, entries, exits in _sum(conn, "fact_caseload_month", ("entries", "exits"), towns, *span, by):
        row = _moves(entries, exits)
        if row:
            out[u] = row
    return out


def _moves(entries: Any, exits: Any) -> dict[str, int]:
    """A unit's summed fact flows in caseload.flows()'s shape (kinds with none left out)."""
    return {k: int(v) for k, v in (("entry", entries), ("exit", exits)) if v}


def flows_by_month(
    conn: Connection, *, towns: Collection[str], spans: Sequence[tuple[date, date]], by: str = "town"
) -> list[dict[Any, Any]]:
    """flows() for each (start, end) of consecutive calendar months: the whole months that are
    built in one fact query (a trend is one query, not one per month), any other (a running
    month's days so far, a month not built) as flows() reads it."""
    built = built_months(conn)
    whole = [months.key(a) for a, b in spans if a.day == 1 and months.is_month_end(b) and months.key(a) in built]
    found: dict[int, dict[str, dict[str, int]]] = {}
    if whole:
        col = unit_column(by, "f")
        sql = f"""
        SELECT f.month, {col}, SUM(f.entries), SUM(f.exits) FROM fact_caseload_month f
        WHERE f.town_code IN :towns AND f.month BETWEEN :first AND :last
        GROUP BY f.month, {col}
        """
        for month, u, entries, exits in run(conn, sql, towns=towns, params={"first": whole[0], "last": whole[-1]}):
            row = _moves(entries, exits)
            if row and int(month) in whole:
                found.setdefault(int(month), {})[u] = row
    return [
        found.get(months.key(a), {}) if months.key(a) in whole else flows(conn, towns=towns, start=a, end=b, by=by)
        for a, b in spans
    ]


def register_count(conn: Connection, *, towns: Collection[str], as_of: date, by: str = "town") -> dict[str, int]:
    """Entries minus exits up to a month end: the months' net flows summed from the first event on."""
    built = built_months(conn)
    first_event = conn.execute(text("SELECT MIN(effective_date) FROM case_event")).scalar()
    served = months.is_month_end(as_of) and built and first_event is not None
    if served:
        first, last = min(built), months.key(as_of)
        served = months.key(_day(first_event)) >= first and all(m in built for m in months.between(first, last))
    if not served:
        return caseload.register_count(conn, towns=towns, as_of=as_of, by=by)
    rows = _sum(conn, "fact_caseload_month", ("entries", "exits"), towns, min(built), months.key(as_of), by)
    return {u: int(e or 0) - int(x or 0) for u, e, x in rows if e or x}


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def stock_and_causes(
    conn: Connection, *, towns: Collection[str], as_of: date, floor_fen: int, line_fen: int, by: str = "town"
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """caseload.stock_and_causes(): every group of the register, and floor-group and monitored
    households by 致贫原因, at a month end built with these lines."""
    if _stock_meta(conn, as_of, floor_fen, line_fen, layout=16) is None:
        return caseload.stock_and_causes(conn, towns=towns, as_of=as_of, floor_fen=floor_fen, line_fen=line_fen, by=by)
    m = months.key(as_of)
    groups = _named_counts(conn, towns, m, by, caseload.GROUPS, ("households", "persons"))
    by_cause: dict[str, dict[str, int]] = {}
    for u, cause, n in _sum(conn, "fact_cause_month", ("households",), towns, m, m, by, extra=", f.cause"):
        if n:
            by_cause.setdefault(u, {})[cause] = int(n)
    return groups, by_cause


def pipeline(
    conn: Connection, *, towns: Collection[str], as_of: datetime, overdue_before: datetime, by: str = "town"
) -> dict[str, dict[str, int]]:
    """caseload.pipeline() at the last second of a month end, with the overdue days it was built with."""
    day = as_of.date()
    settings = _stock_meta(conn, day, None, None, layout=16) if as_of.time() == time(23, 59, 59) else None
    if settings is None or overdue_before != as_of - timedelta(days=int(settings["review_overdue_days"])):
        return caseload.pipeline(conn, towns=towns, as_of=as_of, overdue_before=overdue_before, by=by)
    m = months.key(day)
    return _named_counts(conn, towns, m, by, caseload.REVIEW_STAGES, ("waiting", "overdue"))


def _named_counts(
    conn: Connection, towns: Collection[str], month: int, by: str, names: Sequence[str], measures: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Per unit, the month's `{name}_{measure}` caseload columns in the raw queries' shape: a
    group or stage is named only when its first measure (households, waiting cases) is not 0."""
    cols = [f"{n}_{k}" for n in names for k in measures]
    out: dict[str, dict[str, int]] = {}
    for u, *values in _sum(conn, "fact_caseload_month", cols, towns, month, month, by):
        counts = dict(zip(cols, (int(v or 0) for v in values), strict=True))
        row = {f"{n}_{k}": counts[f"{n}_{k}"] for n in names if counts[f"{n}_{measures[0]}"] for k in measures}
        if row:
            out[u] = row
    return out


def waits_finished(
    conn: Connection, *, towns: Collection[str], start: date, end: date, by: str = "town"
) -> review_waits.Histograms:
    """review_waits.finished(): the months' 'done' histograms summed (whole months only)."""
    span = _span(conn, start, end, layout=16)
    if span is None:
        return review_waits.finished(conn, towns=towns, start=start, end=end, by=by)
    return _waits(conn, towns, "done", *span, by)


def waits_waiting(
    conn: Connection, *, towns: Collection[str], as_of: date, by: str = "town"
) -> review_waits.Histograms:
    """review_waits.waiting() at a month end: that month's 'waiting' histograms."""
    if _stock_meta(conn, as_of, None, None, layout=16) is None:
        return review_waits.waiting(conn, towns=towns, as_of=as_of, by=by)
    m = months.key(as_of)
    return _waits(conn, towns, "waiting", m, m, by)


def _waits(
    conn: Connection, towns: Collection[str], kind: str, first: int, last: int, by: str
) -> review_waits.Histograms:
    col = unit_column(by, "f")
    sql = f"""
    SELECT {col}, f.stage, f.days, SUM(f.cases) FROM fact_review_wait_month f
    WHERE f.town_code IN :towns AND f.month BETWEEN :first AND :last AND f.kind = :kind
    GROUP BY {col}, f.stage, f.days
    """
    rows = run(conn, sql, towns=towns, params={"first": first, "last": last, "kind": kind})
    return review_waits.histograms(rows)


def return_cohorts(
    conn: Connection,
    *,
    towns: Collection[str],
    as_of: date,
    windows: tuple[tuple[date, date, int], ...],
    by: str = "town",
) -> dict[tuple[str, str, int], tuple[int, int]]:
    """returns.cohorts() at a month end, for the two windows the facts were built with."""
    settings = _stock_meta(conn, as_of, None, None, layout=16)
    if settings is None or windows != return_rules.windows(as_of, int(settings["return_window_months"])):
        return returns.cohorts(conn, towns=towns, as_of=as_of, windows=windows, by=by)
    m = months.key(as_of)
    rows = _sum(conn, "fact_return_month", ("exits", "returned"), towns, m, m, by, extra=", f.cause, f.cohort")
    return {(str(u), str(cause), int(c)): (int(n), int(back or 0)) for u, cause, c, n, back in rows if n}


def housing_candidates(
    conn: Connection,
    *,
    towns: Collection[str],
    causes: Collection[str],
    start: date,
    as_of: date,
    floor_fen: int,
    line_fen: int,
    by: str = "town",
) -> dict[str, tuple[int, int]]:
    """relief.housing_candidates() for 三.5's causes over a month, quarter or year to a month end."""
    span = months.span_name(start, as_of)
    if (
        span is None
        or tuple(causes) != HOUSING_CAUSES
        or _stock_meta(conn, as_of, floor_fen, line_fen, layout=16) is None
    ):
        return relief.housing_candidates(
            conn, towns=towns, causes=causes, start=start, as_of=as_of, floor_fen=floor_fen, line_fen=line_fen, by=by
        )
    col = unit_column(by, "f")
    sql = f"""
    SELECT {col}, SUM(f.candidates), SUM(f.supported) FROM fact_housing_span f
    WHERE f.town_code IN :towns AND f.month = :month AND f.span = :span
    GROUP BY {col}
    """
    rows = run(conn, sql, towns=towns, params={"month": months.key(as_of), "span": span})
    return {str(u): (int(n), int(paid or 0)) for u, n, paid in rows if n}


def gaps(
    conn: Connection,
    *,
    towns: Collection[str],
    rule: str,
    as_of: date,
    since: date,
    floor_fen: int,
    line_fen: int,
    by: str = "town",
) -> dict[str, tuple[int, int]]:
    settings = _stock_meta(conn, as_of, floor_fen, line_fen)
    window = None
    if settings is not None:
        window = settings["gap_window_monthly_days" if rule == "living" else "gap_window_yearly_days"]
    if window is None or since != as_of - timedelta(days=int(window) - 1):
        return relief.gaps(
            conn, towns=towns, rule=rule, as_of=as_of, since=since, floor_fen=floor_fen, line_fen=line_fen, by=by
        )
    m = months.key(as_of)
    col = unit_column(by, "f")
    sql = f"""
    SELECT {col}, SUM(f.gap_eligible), SUM(f.gap_unpaid) FROM fact_relief_month f
    WHERE f.town_code IN :towns AND f.month = :month AND f.relief_type = :rule
    GROUP BY {col}
    """
    rows = run(conn, sql, towns=towns, params={"month": m, "rule": rule})
    return {u: (int(n), int(x or 0)) for u, n, x in rows if n}


def warnings(conn: Connection, *, towns: Collection[str], params: dict[str, Any], by: str = "town") -> dict[Any, Any]:
    as_of = params["as_of"]
    settings = _stock_meta(conn, as_of, params["floor_fen"], params["line_fen"]) if isinstance(as_of, date) else None
    if settings is None or params != caseload.warning_params(
        as_of=as_of,
        floor_fen=params["floor_fen"],
        line_fen=params["line_fen"],
        near_ratio=settings["warning_near_line_ratio"],
        drop_ratio=settings["warning_income_drop_ratio"],
        medical_share=settings["warning_medical_share"],
    ):
        return caseload.warnings(conn, towns=towns, params=params, by=by)
    m = months.key(as_of)
    cols = ("warning_near_line", "warning_income_drop", "warning_medical", "warning_any")
    keys = ("near_line", "income_drop", "medical", "any")
    return {
        r[0]: {k: int(v) for k, v in zip(keys, r[1:], strict=True)}
        for r in _sum(conn, "fact_caseload_month", cols, towns, m, m, by)
        if any(r[1:])
    }


def funnel(
    conn: Connection,
    *,
    towns: Collection[str],
    as_of: date,
    floor_fen: int,
    line_fen: int,
    retention_months: int = 6,
    by: str = "town",
) -> dict[str, dict[str, int]]:
    settings = _stock_meta(conn, as_of, floor_fen, line_fen)
    if settings is None or int(settings["retention_months"]) != retention_months:
        return employment.funnel(
            conn,
            towns=towns,
            as_of=as_of,
            floor_fen=floor_fen,
            line_fen=line_fen,
            retention_months=retention_months,
            by=by,
        )
    m = months.key(as_of)
    keys = ("targets", "trained", "placed", "employed", "retention_base", "retained", "with_plan")
    return {
        r[0]: {k: int(v) for k, v in zip(keys, r[1:], strict=True)}
        for r in _sum(conn, "fact_employment_month", keys, towns, m, m, by)
        if r[1]
    }


def coverage(
    conn: Connection,
    *,
    towns: Collection[str],
    scheme: str,
    as_of: date,
    floor_fen: int,
    line_fen: int,
    born_before: date,
    by: str = "town",
) -> dict[str, tuple[int, int]]:
    settings = _stock_meta(conn, as_of, floor_fen, line_fen)
    if settings is None or born_before != years_before(as_of, int(settings["pension_min_age"])):
        return social.coverage(
            conn,
            towns=towns,
            scheme=scheme,
            as_of=as_of,
            floor_fen=floor_fen,
            line_fen=line_fen,
            born_before=born_before,
            by=by,
        )
    m = months.key(as_of)
    table = "fact_employment_month" if scheme == "pension" else "fact_medical_month"
    rows = _sum(conn, table, (f"{scheme}_covered", f"{scheme}_eligible"), towns, m, m, by)
    return {u: (int(c or 0), int(n)) for u, c, n in rows if n}
