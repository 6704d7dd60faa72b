"""Caseload: who is on the register at a date, their group, entries, exits, the review pipeline."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy.engine import Connection

from data_access.queries.common import run

# A household is on the register at :as_of when its latest effective event is an entry.
# Its income is its latest assessment on or before :as_of. Both lookups are index seeks
# (household_id, date), which keeps this fast on SQLite and PostgreSQL alike.
ACTIVE_HOUSEHOLDS = """
SELECT h.id AS household_id, h.town_code, h.village_code,
       ia.per_capita_income_fen AS income_fen,
       COALESCE(ia.household_size, 0) AS persons,
       CASE WHEN ia.per_capita_income_fen IS NULL THEN 'unknown'
            WHEN ia.per_capita_income_fen < :floor_fen THEN 'floor'
            WHEN ia.per_capita_income_fen < :line_fen THEN 'monitored'
            ELSE 'above' END AS grp
FROM household h
LEFT JOIN income_assessment ia ON ia.id = (
    SELECT x.id FROM income_assessment x
    WHERE x.household_id = h.id AND x.assessed_on <= :as_of
    ORDER BY x.assessed_on DESC, x.id DESC LIMIT 1)
WHERE h.town_code IN :towns
  AND (SELECT e.kind FROM case_event e
       WHERE e.household_id = h.id AND e.effective_date IS NOT NULL AND e.effective_date <= :as_of
       ORDER BY e.effective_date DESC, e.id DESC LIMIT 1) = 'entry'
"""


def active_params(*, as_of: date, floor_fen: int, line_fen: int) -> dict[str, object]:
    return {"as_of": as_of, "floor_fen": floor_fen, "line_fen": line_fen}


def stock_by_town(
    conn: Connection, *, towns: Collection[str], as_of: date, floor_fen: int, line_fen: int
) -> dict[str, dict[str, int]]:
    """Households and persons on the register at as_of, by town and group."""
    sql = f"""
    SELECT a.town_code, a.grp, COUNT(*) AS households, SUM(a.persons) AS persons
    FROM ({ACTIVE_HOUSEHOLDS}) a
    GROUP BY a.town_code, a.grp
    """
    out: dict[str, dict[str, int]] = {}
    params = active_params(as_of=as_of, floor_fen=floor_fen, line_fen=line_fen)
    for town_code, grp, households, persons in run(conn, sql, towns=towns, params=params):
        row = out.setdefault(town_code, {})
        row[f"{grp}_households"] = int(households)
        row[f"{grp}_persons"] = int(persons or 0)
    return out


def flows_by_town(conn: Connection, *, towns: Collection[str], start: date, end: date) -> dict[str, dict[str, int]]:
    """Entries and exits that took effect between start and end (inclusive), by town."""
    sql = """
    SELECT e.town_code, e.kind, COUNT(*) FROM case_event e
    WHERE e.town_code IN :towns AND e.effective_date BETWEEN :start AND :end
    GROUP BY e.town_code, e.kind
    """
    out: dict[str, dict[str, int]] = {}
    for town_code, kind, n in run(conn, sql, towns=towns, params={"start": start, "end": end}):
        out.setdefault(town_code, {})[kind] = int(n)
    return out


def register_count_by_town(conn: Connection, *, towns: Collection[str], as_of: date) -> dict[str, int]:
    """Households on the register at as_of whatever their income (entries minus exits)."""
    sql = """
    SELECT e.town_code,
           SUM(CASE WHEN e.kind = 'entry' THEN 1 ELSE -1 END)
    FROM case_event e
    WHERE e.town_code IN :towns AND e.effective_date IS NOT NULL AND e.effective_date <= :as_of
    GROUP BY e.town_code
    """
    return {t: int(n) for t, n in run(conn, sql, towns=towns, params={"as_of": as_of})}


def pipeline_by_town(
    conn: Connection, *, towns: Collection[str], as_of: datetime, overdue_before: datetime
) -> dict[str, dict[str, int]]:
    """Cases waiting at each review stage at as_of, and how many have waited too long.

    Stage order (二(一).3): 村/社区 initial review -> 区镇 approval -> 市级备案.
    A case waits at a stage from the moment the previous stage finished.
    """
    sql = """
    SELECT town_code, stage, COUNT(*) AS waiting,
           SUM(CASE WHEN since < :overdue_before THEN 1 ELSE 0 END) AS overdue
    FROM (
      SELECT e.town_code,
             CASE WHEN e.village_reviewed_at IS NULL OR e.village_reviewed_at > :as_of THEN 'village'
                  WHEN e.town_approved_at IS NULL OR e.town_approved_at > :as_of THEN 'town'
                  ELSE 'city' END AS stage,
             CASE WHEN e.village_reviewed_at IS NULL OR e.village_reviewed_at > :as_of THEN e.submitted_at
                  WHEN e.town_approved_at IS NULL OR e.town_approved_at > :as_of THEN e.village_reviewed_at
                  ELSE e.town_approved_at END AS since
      FROM case_event e
      WHERE e.town_code IN :towns AND e.submitted_at <= :as_of
        AND (e.city_filed_at IS NULL OR e.city_filed_at > :as_of)
    ) w
    GROUP BY town_code, stage
    """
    out: dict[str, dict[str, int]] = {}
    params = {"as_of": as_of, "overdue_before": overdue_before}
    for town_code, stage, waiting, overdue in run(conn, sql, towns=towns, params=params):
        row = out.setdefault(town_code, {})
        row[f"{stage}_waiting"] = int(waiting)
        row[f"{stage}_overdue"] = int(overdue or 0)
    return out


def monthly_flows(conn: Connection, *, towns: Collection[str], start: date, end: date) -> dict[str, dict[str, int]]:
    """Entries and exits per month ('YYYY-MM') over a range, for trend charts."""
    from data_access.queries.common import month_key

    sql = f"""
    SELECT {month_key(conn, "e.effective_date")} AS month, e.kind, COUNT(*)
    FROM case_event e
    WHERE e.town_code IN :towns AND e.effective_date BETWEEN :start AND :end
    GROUP BY 1, e.kind
    """
    out: dict[str, dict[str, int]] = {}
    for month, kind, n in run(conn, sql, towns=towns, params={"start": start, "end": end}):
        out.setdefault(month, {})[kind] = int(n)
    return out
