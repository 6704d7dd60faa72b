"""Write facts: full rebuild, and incremental refresh of the towns and months a change
touched. Always called on the caller's connection, inside its transaction, so a reader sees
the old facts or the new ones, never a mix (delete + insert of each touched slice)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, text
from sqlalchemy.engine import Connection

from data_access.analytics import build, months
from data_access.analytics.params import BuildParams
from data_access.models import AnalyticsMonth, AnalyticsState, FeedStatus
from data_access.models.analytics import (
    FactCaseloadMonth,
    FactCauseMonth,
    FactDividendYear,
    FactEmploymentMonth,
    FactHousingSpan,
    FactMedicalMonth,
    FactPlacementSpan,
    FactReliefMonth,
    FactReturnMonth,
    FactReviewWaitMonth,
)
from data_access.tables import table_of

MONTH_FACTS = {
    "fact_caseload_month": table_of(FactCaseloadMonth),
    "fact_cause_month": table_of(FactCauseMonth),
    "fact_review_wait_month": table_of(FactReviewWaitMonth),
    "fact_return_month": table_of(FactReturnMonth),
    "fact_relief_month": table_of(FactReliefMonth),
    "fact_employment_month": table_of(FactEmploymentMonth),
    "fact_medical_month": table_of(FactMedicalMonth),
    "fact_placement_span": table_of(FactPlacementSpan),
    "fact_housing_span": table_of(FactHousingSpan),
}
YEAR_FACTS = table_of(FactDividendYear)
STATE = table_of(AnalyticsState)
META = table_of(AnalyticsMonth)
CHUNK = 2_000

# The dated activity the first month is taken from when no --from is given.
_EARLIEST = (
    "SELECT MIN(d) FROM ("
    " SELECT MIN(submitted_at) AS d FROM case_event UNION ALL SELECT MIN(paid_on) FROM relief_payment"
    " UNION ALL SELECT MIN(started_on) FROM placement UNION ALL SELECT MIN(started_on) FROM training) x"
)


# The import's lock (data_access.ingest.commit.ADVISORY_LOCK): on PostgreSQL a standard change
# or a rebuild waits for a running import instead of rewriting the same slices beside it.
# Advisory locks are re-entrant, so an import that holds it already passes straight through.
WRITE_LOCK = 2_020_080_501


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})


def enabled(conn: Connection) -> bool:
    return conn.execute(select(STATE.c.id)).first() is not None


def built_months(conn: Connection) -> dict[int, tuple[int, int, str]]:
    """month -> (floor fen, line fen, settings text) of every month built."""
    rows = conn.execute(select(META.c.month, META.c.floor_fen, META.c.line_fen, META.c.params))
    return {int(m): (int(f), int(ln), p) for m, f, ln, p in rows}


def _as_date(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _first_month(conn: Connection, from_month: int | None) -> int | None:
    if from_month is not None:
        return from_month
    earliest = _as_date(conn.execute(text(_EARLIEST)).scalar())
    return months.key(earliest) if earliest else None


def _last_month(conn: Connection) -> int | None:
    """The month of the latest department data date: every figure the app shows ends by it."""
    latest = _as_date(conn.execute(select(func.max(table_of(FeedStatus).c.data_date))).scalar())
    return months.key(latest) if latest else None


def _all_towns(conn: Connection) -> list[str]:
    return [r[0] for r in conn.execute(text("SELECT code FROM town ORDER BY code"))]


def complete(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every column in every row: a measure a row does not mention is zero."""
    names = [c.name for c in table.columns]
    return [{n: r.get(n, 0) for n in names} for r in rows]


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), CHUNK):
        conn.execute(insert(table), complete(table, rows[i : i + CHUNK]))


def _write_months(conn: Connection, wanted: dict[int, Collection[str]], p: BuildParams) -> None:
    """Recompute the given (month -> towns) slices: delete, then insert, per table."""
    every = set(_all_towns(conn))
    build.open_active(conn)  # a failure rolls the transaction back, the temporary table with it
    _write_slices(conn, wanted, p, every)
    build.close_active(conn)


def _write_slices(conn: Connection, wanted: dict[int, Collection[str]], p: BuildParams, every: set[str]) -> None:
    for month, towns in sorted(wanted.items()):
        towns = sorted(set(towns) & every)
        lines = p.lines(months.last_day(month))
        for table in MONTH_FACTS.values():
            stmt = delete(table).where(table.c.month == month)
            conn.execute(stmt if set(towns) == every else stmt.where(table.c.town_code.in_(towns)))
        conn.execute(delete(META).where(META.c.month == month))
        if lines is None or not towns:
            continue  # no 低保标准 yet: the month stays on raw rows
        for name, rows in build.month_rows(conn, month, towns, p).items():
            _insert(conn, MONTH_FACTS[name], rows)
        conn.execute(insert(META), {"month": month, "floor_fen": lines[0], "line_fen": lines[1], "params": p.text})


def _write_years(conn: Connection, towns: Collection[str]) -> None:
    towns = sorted(set(towns) & set(_all_towns(conn)))
    conn.execute(delete(YEAR_FACTS).where(YEAR_FACTS.c.town_code.in_(towns)))
    if not towns:
        return
    for year in build.dividend_years(conn):
        _insert(conn, YEAR_FACTS, build.year_rows(conn, year, towns))


def rebuild(conn: Connection, *, from_month: int | None = None) -> int:
    """Drop every fact and build them all again; returns the number of months built."""
    _lock(conn)
    for table in (*MONTH_FACTS.values(), YEAR_FACTS, META, STATE):
        conn.execute(delete(table))
    conn.execute(insert(STATE), {"id": 1, "from_month": from_month, "built_at": datetime.now().replace(microsecond=0)})
    first, last = _first_month(conn, from_month), _last_month(conn)
    towns = _all_towns(conn)
    _write_years(conn, towns)
    if first is None or last is None or first > last:
        return 0
    _write_months(conn, {m: towns for m in months.between(first, last)}, BuildParams.from_store(conn))
    return len(built_months(conn))


def refresh(
    conn: Connection, *, towns: Collection[str] | None, since: date | None, yearly: bool = True, monthly: bool = True
) -> None:
    """Bring facts up to date after a change to the raw rows of `towns` (None: all towns)
    dated `since` or later (None: any date). Months not yet built up to the latest data date
    are built for every town; a month built with other rules is rebuilt whole."""
    if not enabled(conn):
        return  # the store reads raw rows until `python -m data_access.analytics rebuild`
    _lock(conn)
    every = _all_towns(conn)
    touched = set(every if towns is None else towns)
    if yearly and touched:
        _write_years(conn, touched)
    if not monthly:
        return
    state_from = conn.execute(select(STATE.c.from_month)).scalar()
    first, last = _first_month(conn, state_from), _last_month(conn)
    if first is None or last is None:
        return
    built = built_months(conn)
    beyond = [m for m in built if m > last or m < first]
    if beyond:  # an undo moved the data date back: those months are no longer shown
        for table in (*MONTH_FACTS.values(), META):
            conn.execute(delete(table).where(table.c.month.in_(beyond)))
    p = BuildParams.from_store(conn)
    wanted: dict[int, Collection[str]] = {}
    start = first if since is None else max(first, months.key(since))
    for month in months.between(first, last):
        lines = p.lines(months.last_day(month))
        if lines is None:
            continue  # before the first 低保标准: raw rows serve it
        meta = built.get(month)
        if meta is None or (meta[0], meta[1], meta[2]) != (*lines, p.text):
            wanted[month] = every  # new month, or built with another standard or settings
        elif month >= start and touched:
            wanted[month] = touched
    if wanted:
        _write_months(conn, wanted, p)
