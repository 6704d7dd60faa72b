"""应退未退: households still on the register whose latest income is already at or above the
monitoring line (二(一).3: they are due an exit review). They are the difference between the
register (the flow table's 期末在册) and the monitored households on the cards."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy.engine import Connection

from data_access.queries.caseload import ACTIVE_HOUSEHOLDS, active_params
from data_access.queries.common import run

MAX_LIST = 500


def due_exit_households(
    conn: Connection, *, towns: Collection[str], village: str, as_of: date, floor_fen: int, line_fen: int
) -> list[tuple[int, int]]:
    """(household id, latest per-capita income in fen) of one village's 应退未退 households."""
    sql = f"""
    SELECT a.household_id, a.income_fen FROM ({ACTIVE_HOUSEHOLDS}) a
    WHERE a.grp = 'above' AND a.village_code = :village
    ORDER BY a.household_id
    """
    params = {**active_params(as_of=as_of, floor_fen=floor_fen, line_fen=line_fen), "village": village}
    return [(int(h), int(i)) for h, i in run(conn, sql, towns=towns, params=params)][:MAX_LIST]
