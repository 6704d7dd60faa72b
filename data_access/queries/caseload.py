"""Caseload: who is on the register at a date, their group, entries, exits, the review
pipeline, causes and early warnings. Results are keyed by town or village code (`by`)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Connection

from data_access.queries.common import run, unit_column

# A household is on the register at :as_of when its latest effective event is an entry.
# Its income is its latest assessment on or before :as_of. Both lookups are index seeks
# (household_id, date), which keeps this fast on SQLite and PostgreSQL alike.
ACTIVE_HOUSEHOLDS = """
SELECT h.id AS household_id, h.town_code, h.village_code, h.cause,
       ia.per_capita_income_fen AS income_fen,
       COALESCE(ia.household_size, 0) AS persons,
       ia.assessed_on, ia.medical_spending_ytd_fen AS medical_fen,
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


GROUPS = ("floor", "monitored", "above", "unknown")  # ACTIVE_HOUSEHOLDS' grp values
REVIEW_STAGES = ("village", "town", "city")  # 二(一).3, in order (pipeline's stage values)


def active_params(*, as_of: date, floor_fen: int, line_fen: int) -> dict[str, Any]:
    return {"as_of": as_of, "floor_fen": floor_fen, "line_fen": line_fen}


def from_active(sql: str, active: str | None) -> str:
    """The statement reading the register from `active`, a table the caller filled with
    ACTIVE_HOUSEHOLDS' rows for the same date and lines (the fact builder computes the
    register once per month end and reuses it for every figure)."""
    if active is None:
        return sql
    source = f"({ACTIVE_HOUSEHOLDS})"
    if source not in sql:
        raise ValueError("statement does not read the register")
    return sql.replace(source, f"(SELECT * FROM {active} WHERE town_code IN :towns)")


def stock(
    conn: Connection,
    *,
    towns: Collection[str],
    as_of: date,
    floor_fen: int,
    line_fen: int,
    by: str = "town",
    active: str | None = None,
) -> dict[str, dict[str, int]]:
    """Households and persons on the register at as_of, by unit and group."""
    groups, _ = stock_and_causes(
        conn, towns=towns, as_of=as_of, floor_fen=floor_fen, line_fen=line_fen, by=by, active=active
    )
    return groups


def stock_and_causes(
    conn: Connection,
    *,
    towns: Collection[str],
    as_of: date,
    floor_fen: int,
    line_fen: int,
    by: str = "town",
    active: str | None = None,
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """stock() and, for floor-group and monitored households, their count by 致贫原因 — from one
    pass over the register: working out who is on the register at a date is the costly part."""
    col = unit_column(by, "a")
    sql = f"""
    SELECT {col}, a.grp, a.cause, COUNT(*), SUM(a.persons) FROM ({ACTIVE_HOUSEHOLDS}) a
    GROUP BY {col}, a.grp, a.cause
    """
    sql = from_active(sql, active)
    groups: dict[str, dict[str, int]] = {}
    by_cause: dict[str, dict[str, int]] = {}
    params = active_params(as_of=as_of, floor_fen=floor_fen, line_fen=line_fen)
    for code, grp, cause, households, persons in run(conn, sql, towns=towns, params=params):
        row = groups.setdefault(code, {})
        row[f"{grp}_households"] = row.get(f"{grp}_households", 0) + int(households)
        row[f"{grp}_persons"] = row.get(f"{grp}_persons", 0) + int(persons or 0)
        if grp in ("floor", "monitored"):
            unit = by_cause.setdefault(code, {})
            unit[cause] = unit.get(cause, 0) + int(households)
    return groups, by_cause


def flows(
    conn: Connection, *, towns: Collection[str], start: date, end: date, by: str = "town"
) -> dict[str, dict[str, int]]:
    """Entries and exits that took effect between start and end (inclusive), by unit."""
    col = unit_column(by, "h")
    sql = f"""
    SELECT {col}, e.kind, COUNT(*) FROM case_event e JOIN household h ON h.id = e.household_id
    WHERE e.town_code IN :towns AND e.effective_date BETWEEN :start AND :end
    GROUP BY {col}, e.kind
    """
    out: dict[str, dict[str, int]] = {}
    for code, kind, n in run(conn, sql, towns=towns, params={"start": start, "end": end}):
        out.setdefault(code, {})[kind] = int(n)
    return out


def exit_reasons(conn: Connection, *, towns: Collection[str], start: date, end: date) -> dict[tuple[str, str], int]:
    """(kind, reason) -> count of events effective in the range."""
    sql = """
    SELECT e.kind, e.reason, COUNT(*) FROM case_event e
    WHERE e.town_code IN :towns AND e.effective_date BETWEEN :start AND :end
    GROUP BY e.kind, e.reason
    """
    return {(k, r): int(n) for k, r, n in run(conn, sql, towns=towns, params={"start": start, "end": end})}


def register_count(conn: Connection, *, towns: Collection[str], as_of: date, by: str = "town") -> dict[str, int]:
    """Households on the register at as_of whatever their income (entries minus exits)."""
    col = unit_column(by, "h")
    sql = f"""
    SELECT {col}, SUM(CASE WHEN e.kind = 'entry' THEN 1 ELSE -1 END)
    FROM case_event e JOIN household h ON h.id = e.household_id
    WHERE e.town_code IN :towns AND e.effective_date IS NOT NULL AND e.effective_date <= :as_of
    GROUP BY {col}
    """
    return {t: int(n) for t, n in run(conn, sql, towns=towns, params={"as_of": as_of})}


def waiting_cases(col: str) -> str:
    """Cases in the review pipeline at :as_of, one row each: unit (`col`), the stage it waits
    at and since when. Shared by the pipeline counts and the waiting times (二(一).3)."""
    return f"""
      SELECT {col} AS unit,
             CASE WHEN e.village_reviewed_at IS NULL OR e.village_reviewed_at > :as_of THEN 'village'
                  WHEN e.town_approved_at IS NULL OR e.town_approved_at > :as_of THEN 'town'
                  ELSE 'city' END AS stage,
             CASE WHEN e.village_reviewed_at IS NULL OR e.village_reviewed_at > :as_of THEN e.submitted_at
                  WHEN e.town_approved_at IS NULL OR e.town_approved_at > :as_of THEN e.village_reviewed_at
                  ELSE e.town_approved_at END AS since
      FROM case_event e JOIN household h ON h.id = e.household_id
      WHERE e.town_code IN :towns AND e.submitted_at <= :as_of
        AND (e.city_filed_at IS NULL OR e.city_filed_at > :as_of)
    """


def pipeline(
    conn: Connection, *, towns: Collection[str], as_of: datetime, overdue_before: datetime, by: str = "town"
) -> dict[str, dict[str, int]]:
    """Cases waiting at each review stage at as_of, and how many have waited too long.

    Stage order (二(一).3): 村/社区 initial review -> 区镇 approval -> 市级备案.
    A case waits at a stage from the moment the previous stage finished.
    """
    col = unit_column(by, "h")
    sql = f"""
    SELECT unit, stage, COUNT(*) AS waiting,
           SUM(CASE WHEN since < :overdue_before THEN 1 ELSE 0 END) AS overdue
    FROM ({waiting_cases(col)}) w
    GROUP BY unit, stage
    """
    out: dict[str, dict[str, int]] = {}
    params = {"as_of": as_of, "overdue_before": overdue_before}
    for code, stage, waiting, overdue in run(conn, sql, towns=towns, params=params):
        row = out.setdefault(code, {})
        row[f"{stage}_waiting"] = int(waiting)
        row[f"{stage}_overdue"] = int(overdue or 0)
    return out


# Early warnings (二(一).2): thresholds are settings. A household is flagged when it is on
# the register and (a) just above the line, (b) its income fell sharply since the previous
# assessment, or (c) its medical spending this year is a large share of its income.
WARNINGS_SQL = f"""
SELECT a.household_id, a.town_code, a.village_code,
       CASE WHEN a.income_fen >= :line_fen AND a.income_fen < :near_line_fen THEN 1 ELSE 0 END AS near_line,
       CASE WHEN p.per_capita_income_fen > 0
                 AND a.income_fen <= p.per_capita_income_fen * (1 - :drop_ratio) THEN 1 ELSE 0 END AS income_drop,
       CASE WHEN a.income_fen IS NOT NULL AND a.persons > 0 AND a.medical_fen > 0
                 AND a.medical_fen >= :medical_share * a.income_fen * a.persons * :months THEN 1 ELSE 0 END AS medical
FROM ({ACTIVE_HOUSEHOLDS}) a
LEFT JOIN income_assessment p ON p.id = (
    SELECT y.id FROM income_assessment y
    WHERE y.household_id = a.household_id AND y.assessed_on < a.assessed_on
    ORDER BY y.assessed_on DESC, y.id DESC LIMIT 1)
"""


def warning_params(
    *, as_of: date, floor_fen: int, line_fen: int, near_ratio: float, drop_ratio: float, medical_share: float
) -> dict[str, Any]:
    return {
        **active_params(as_of=as_of, floor_fen=floor_fen, line_fen=line_fen),
        "near_line_fen": round(line_fen * near_ratio),
        "drop_ratio": drop_ratio,
        "medical_share": medical_share,
        # Medical spending is January-to-date, so compare with income over the same months.
        "months": as_of.month,
    }


def warnings(
    conn: Connection, *, towns: Collection[str], params: dict[str, Any], by: str = "town", active: str | None = None
) -> dict[str, Any]:
    """Per unit: households flagged by each warning and by any of them."""
    col = unit_column(by, "w")
    sql = f"""
    SELECT {col}, SUM(w.near_line), SUM(w.income_drop), SUM(w.medical),
           SUM(CASE WHEN w.near_line + w.income_drop + w.medical > 0 THEN 1 ELSE 0 END)
    FROM ({WARNINGS_SQL}) w
    GROUP BY {col}
    """
    sql = from_active(sql, active)
    return {
        code: {"near_line": int(a or 0), "income_drop": int(b or 0), "medical": int(c or 0), "any": int(d or 0)}
        for code, a, b, c, d in run(conn, sql, towns=towns, params=params)
    }


def warning_households(
    conn: Connection, *, towns: Collection[str], village: str, params: dict[str, Any]
) -> list[tuple[int, bool, bool, bool]]:
    """(household id, near line, income drop, medical) for flagged households in one village."""
    sql = f"""
    SELECT w.household_id, w.near_line, w.income_drop, w.medical FROM ({WARNINGS_SQL}) w
    WHERE w.village_code = :village AND w.near_line + w.income_drop + w.medical > 0
    ORDER BY w.household_id
    """
    rows = run(conn, sql, towns=towns, params={**params, "village": village})
    return [(int(h), bool(a), bool(b), bool(c)) for h, a, b, c in rows]
