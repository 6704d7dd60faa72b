"""Employment of key targets (clause 二(二))."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy.engine import Connection

from data_access.queries.caseload import ACTIVE_HOUSEHOLDS, active_params
from data_access.queries.common import run


def placement_rate_by_town(
    conn: Connection, *, towns: Collection[str], as_of: date, floor_fen: int, line_fen: int
) -> dict[str, tuple[int, int]]:
    """(employed, key targets) at as_of, by town.

    Key targets (就业重点帮扶对象, 二(二).1): members with labour capacity and willingness to
    work in households on the register below the monitoring line.
    """
    sql = f"""
    SELECT a.town_code,
           SUM(CASE WHEN EXISTS (
                 SELECT 1 FROM placement p
                 WHERE p.member_id = m.id AND p.started_on <= :as_of
                   AND (p.ended_on IS NULL OR p.ended_on > :as_of)) THEN 1 ELSE 0 END) AS employed,
           COUNT(*) AS targets
    FROM ({ACTIVE_HOUSEHOLDS}) a
    JOIN member m ON m.household_id = a.household_id
    WHERE a.grp IN ('floor', 'monitored') AND m.labour_capacity AND m.willing_to_work
    GROUP BY a.town_code
    """
    params = active_params(as_of=as_of, floor_fen=floor_fen, line_fen=line_fen)
    return {t: (int(e or 0), int(n)) for t, e, n in run(conn, sql, towns=towns, params=params)}


def new_placements_by_town(conn: Connection, *, towns: Collection[str], start: date, end: date) -> dict[str, int]:
    sql = """
    SELECT p.town_code, COUNT(*) FROM placement p
    WHERE p.town_code IN :towns AND p.started_on BETWEEN :start AND :end
    GROUP BY p.town_code
    """
    return {t: int(n) for t, n in run(conn, sql, towns=towns, params={"start": start, "end": end})}
