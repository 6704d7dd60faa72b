"""返贫: households that exited the register (a 'exit' event) and came back (a later 'entry').

The rule (metrics.domain.returns.returned_within): a return counts within N months when the
re-entry takes effect after the exit and at most N calendar months after it, the same day of
the month included (month ends clipped). In SQL: months between the two dates < N, or = N with
the re-entry's day of month <= the exit's. Units are the household's town or village; the
cause is the household's 致贫原因."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from data_access.queries.common import month_of, run, unit_column, year_of


def _day_of(conn: Connection, column: str) -> str:
    if conn.dialect.name == "postgresql":
        return f"CAST(EXTRACT(DAY FROM {column}) AS INTEGER)"
    return f"CAST(strftime('%d', {column}) AS INTEGER)"


def _within(conn: Connection, exit_on: str, back_on: str, months: str) -> str:
    """SQL truth of returned_within(exit_on, back_on, months) for a non-null back_on > exit_on."""
    diff = (
        f"(({year_of(conn, back_on)} * 12 + {month_of(conn, back_on)})"
        f" - ({year_of(conn, exit_on)} * 12 + {month_of(conn, exit_on)}))"
    )
    return f"({diff} < {months} OR ({diff} = {months} AND {_day_of(conn, back_on)} <= {_day_of(conn, exit_on)}))"


def cohorts(
    conn: Connection,
    *,
    towns: Collection[str],
    as_of: date,
    windows: tuple[tuple[date, date, int], ...],
    by: str = "town",
) -> dict[tuple[str, str, int], tuple[int, int]]:
    """Per (unit, cause, cohort index): (exits, returned within that cohort's window).

    windows: contiguous, newest first: (after, through, months) - exits effective after
    `after` up to `through`, watched for `months`. A return is the household's first entry
    after the exit, effective on or before as_of. Counted per exit event."""
    col = unit_column(by, "h")
    cases = " ".join(f"WHEN x.effective_date > :after{i} THEN {i}" for i in range(len(windows)))
    months = " ".join(f"WHEN z.cohort = {i} THEN :months{i}" for i in range(len(windows)))
    sql = f"""
    SELECT z.unit, z.cause, z.cohort, COUNT(*),
           SUM(CASE WHEN z.back_on IS NOT NULL AND {_within(conn, "z.exit_on", "z.back_on", f"(CASE {months} END)")}
                    THEN 1 ELSE 0 END)
    FROM (
      SELECT {col} AS unit, h.cause, x.effective_date AS exit_on,
             CASE {cases} END AS cohort,
             (SELECT MIN(r.effective_date) FROM case_event r
              WHERE r.household_id = x.household_id AND r.kind = 'entry'
                AND r.effective_date > x.effective_date AND r.effective_date <= :as_of) AS back_on
      FROM case_event x JOIN household h ON h.id = x.household_id
      WHERE x.town_code IN :towns AND x.kind = 'exit'
        AND x.effective_date > :oldest AND x.effective_date <= :newest
    ) z
    GROUP BY z.unit, z.cause, z.cohort
    """
    params: dict[str, Any] = {"as_of": as_of, "oldest": windows[-1][0], "newest": windows[0][1]}
    for i, (after, _through, n) in enumerate(windows):
        params[f"after{i}"] = after
        params[f"months{i}"] = n
    return {
        (str(unit), str(cause), int(c)): (int(n), int(back or 0))
        for unit, cause, c, n, back in run(conn, sql, towns=towns, params=params)
    }


def _returns_sql(conn: Connection, col: str, months: str) -> str:
    """Entries effective in [start, end] of households whose latest earlier exit is within
    `months` before them: (unit, village, household, exit date, exit reason, re-entry date, reason)."""
    latest_exit = """(SELECT {what} FROM case_event x
         WHERE x.household_id = r.household_id AND x.kind = 'exit' AND x.effective_date IS NOT NULL
           AND x.effective_date < r.effective_date
         ORDER BY x.effective_date DESC, x.id DESC LIMIT 1)"""
    return f"""
    SELECT z.* FROM (
      SELECT {col} AS unit, h.village_code, r.household_id, r.effective_date AS back_on, r.reason AS back_reason,
             {latest_exit.format(what="x.effective_date")} AS exit_on,
             {latest_exit.format(what="x.reason")} AS exit_reason
      FROM case_event r JOIN household h ON h.id = r.household_id
      WHERE r.town_code IN :towns AND r.kind = 'entry' AND r.effective_date BETWEEN :start AND :end
    ) z
    WHERE z.exit_on IS NOT NULL AND {_within(conn, "z.exit_on", "z.back_on", months)}
    """


def returned(
    conn: Connection, *, towns: Collection[str], start: date, end: date, months: int, by: str = "town"
) -> dict[str, int]:
    """Per unit: re-entries effective in [start, end] within `months` of the household's last exit."""
    sql = f"SELECT q.unit, COUNT(*) FROM ({_returns_sql(conn, unit_column(by, 'h'), ':months')}) q GROUP BY q.unit"
    params = {"start": start, "end": end, "months": int(months)}
    return {str(u): int(n) for u, n in run(conn, sql, towns=towns, params=params)}


def returned_households(
    conn: Connection, *, towns: Collection[str], village: str, start: date, end: date, months: int
) -> list[dict[str, Any]]:
    """One village's re-entries in [start, end] (household id, exit and re-entry dates and reasons)."""
    sql = (
        f"SELECT q.household_id, q.exit_on, q.exit_reason, q.back_on, q.back_reason "
        f"FROM ({_returns_sql(conn, unit_column('town', 'h'), ':months')}) q "
        f"WHERE q.village_code = :village ORDER BY q.back_on, q.household_id"
    )
    params = {"start": start, "end": end, "months": int(months), "village": village}
    return [
        {
            "household_id": int(h),
            "exit_on": _as_date(x),
            "exit_reason": str(xr),
            "back_on": _as_date(b),
            "back_reason": str(br),
        }
        for h, x, xr, b, br in run(conn, sql, towns=towns, params=params)
    ]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
