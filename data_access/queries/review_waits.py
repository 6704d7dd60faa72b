"""How long applications wait at each review stage (二(一).3: 村(社区)初审 -> 区镇审核认定 ->
市级备案), as histograms of whole days per unit and stage: small, additive across units, and
enough for the median, the longest wait and the mean.

A stage starts when the previous one finished (the first when the case was submitted) and
ends at its own timestamp. Days are calendar days between the two dates."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time

from sqlalchemy.engine import Connection

from data_access.queries.caseload import waiting_cases
from data_access.queries.common import run, unit_column

# stage -> (column that ends it, column it starts from)
STAGE_SPANS = {
    "village": ("e.village_reviewed_at", "e.submitted_at"),
    "town": ("e.town_approved_at", "e.village_reviewed_at"),
    "city": ("e.city_filed_at", "e.town_approved_at"),
    "approval": ("e.town_approved_at", "e.submitted_at"),  # 提交 -> 区镇审核认定 (the whole review)
}

Histograms = dict[tuple[str, str], dict[int, int]]  # (unit, stage) -> {days: cases}


def day_diff(conn: Connection, later: str, earlier: str) -> str:
    """SQL for whole calendar days from `earlier` to `later` (dates or timestamps)."""
    if conn.dialect.name == "postgresql":
        return f"(CAST({later} AS date) - CAST({earlier} AS date))"
    return f"CAST(julianday(date({later})) - julianday(date({earlier})) AS INTEGER)"


def finished(conn: Connection, *, towns: Collection[str], start: date, end: date, by: str = "town") -> Histograms:
    """Stages completed between start and end (inclusive, by the completing timestamp)."""
    col = unit_column(by, "h")
    parts = [
        f"""SELECT {col} AS unit, '{stage}' AS stage, {day_diff(conn, done, since)} AS days
        FROM case_event e JOIN household h ON h.id = e.household_id
        WHERE e.town_code IN :towns AND {since} IS NOT NULL AND {done} BETWEEN :start AND :end"""
        for stage, (done, since) in STAGE_SPANS.items()
    ]
    union = " UNION ALL ".join(parts)
    sql = f"SELECT w.unit, w.stage, w.days, COUNT(*) FROM ({union}) w GROUP BY w.unit, w.stage, w.days"
    params = {"start": datetime.combine(start, time.min), "end": datetime.combine(end, time.max)}
    return histograms(run(conn, sql, towns=towns, params=params))


def waiting(conn: Connection, *, towns: Collection[str], as_of: date, by: str = "town") -> Histograms:
    """Cases still waiting at the end of as_of, by the stage they wait at and days waited so far
    (the same stage rule as caseload.pipeline)."""
    col = unit_column(by, "h")
    sql = f"""
    SELECT d.unit, d.stage, d.days, COUNT(*) FROM (
    SELECT w.unit, w.stage, {day_diff(conn, ":as_of_day", "w.since")} AS days
    FROM ({waiting_cases(col)}) w
    ) d
    GROUP BY d.unit, d.stage, d.days
    """
    params = {"as_of": datetime.combine(as_of, time.max), "as_of_day": as_of}
    return histograms(run(conn, sql, towns=towns, params=params))


def histograms(rows: list[tuple[str, str, int, int]]) -> Histograms:
    out: Histograms = {}
    for unit, stage, days, n in rows:
        counts = out.setdefault((str(unit), str(stage)), {})
        counts[int(days)] = counts.get(int(days), 0) + int(n)
    return out
