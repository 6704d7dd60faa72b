"""Which months the fact layer should hold but holds built with other rules (or not at all):
read by /healthz, and by `make run` to rebuild after a migration added fact columns."""

from __future__ import annotations

from sqlalchemy import Connection, func, select, text

from data_access.analytics import months
from data_access.analytics.params import BuildParams
from data_access.analytics.refresh import META, STATE, built_months
from data_access.queries.reference import _as_date as as_date


def data_month(conn: Connection) -> int | None:
    latest = conn.execute(text("SELECT MAX(data_date) FROM feed_status")).scalar()
    return months.key(as_date(latest)) if latest is not None else None


def built_through(conn: Connection) -> int | None:
    through = conn.execute(select(func.max(META.c.month))).scalar()
    return int(through) if through else None


def stale_months(conn: Connection) -> list[int]:
    """Months from the first built to the latest data date's month that are missing or were
    built with other lines or settings than those in force (readers take raw rows for them:
    slower, never wrong). Empty when the fact layer is off or there is no data."""
    if conn.execute(select(STATE.c.id)).first() is None:
        return []
    last = data_month(conn)
    if last is None:
        return []
    built = built_months(conn)
    first = conn.execute(select(STATE.c.from_month)).scalar() or (min(built) if built else last)
    p = BuildParams.from_store(conn)
    stale = []
    for month in months.between(first, last):
        lines = p.lines(months.last_day(month))
        if lines is None:
            continue  # before the first 低保标准: raw rows serve it by design
        meta = built.get(month)
        if meta is None or meta != (*lines, p.text):
            stale.append(month)
    return stale
