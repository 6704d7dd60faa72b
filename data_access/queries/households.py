"""Household and member lists for the village level. Personal data leaves masked."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from data_access.masking import mask_id_number, mask_name, mask_phone

# Lists are for follow-up work in one village; a cap keeps a page responsive.
MAX_ROWS = 500


def households(conn: Connection, *, towns: Collection[str], ids: Sequence[int]) -> list[dict[str, object]]:
    """Masked household rows (head, ID, phone, village, cause) for the given ids."""
    if not ids:
        return []
    stmt = text(
        """
        SELECT h.id, h.head_name, h.head_id_number, h.phone, h.cause, v.name AS village, h.town_code
        FROM household h JOIN village v ON v.code = h.village_code
        WHERE h.town_code IN :towns AND h.id IN :ids
        ORDER BY h.id
        """
    ).bindparams(bindparam("towns", expanding=True), bindparam("ids", expanding=True))
    rows = conn.execute(stmt, {"towns": sorted(towns), "ids": list(ids)[:MAX_ROWS]})
    return [
        {
            "id": r.id,
            "head_name": mask_name(r.head_name),
            "id_number": mask_id_number(r.head_id_number),
            "phone": mask_phone(r.phone),
            "cause": r.cause,
            "village": r.village,
        }
        for r in rows
    ]


def members(conn: Connection, *, towns: Collection[str], ids: Sequence[int]) -> list[dict[str, object]]:
    """Masked member rows (name, ID, household head) for the given member ids."""
    if not ids:
        return []
    stmt = text(
        """
        SELECT m.id, m.name, m.id_number, m.gender, m.birth_date, h.head_name, v.name AS village
        FROM member m JOIN household h ON h.id = m.household_id JOIN village v ON v.code = h.village_code
        WHERE h.town_code IN :towns AND m.id IN :ids
        ORDER BY m.household_id, m.id
        """
    ).bindparams(bindparam("towns", expanding=True), bindparam("ids", expanding=True))
    rows = conn.execute(stmt, {"towns": sorted(towns), "ids": list(ids)[:MAX_ROWS]})
    return [
        {
            "id": r.id,
            "name": mask_name(r.name),
            "id_number": mask_id_number(r.id_number),
            "gender": r.gender,
            "birth_year": str(r.birth_date)[:4],
            "head_name": mask_name(r.head_name),
            "village": r.village,
        }
        for r in rows
    ]


def villages(conn: Connection, *, towns: Collection[str]) -> list[dict[str, object]]:
    stmt = text("SELECT code, town_code, name, kind FROM village WHERE town_code IN :towns ORDER BY code").bindparams(
        bindparam("towns", expanding=True)
    )
    return [dict(r._mapping) for r in conn.execute(stmt, {"towns": sorted(towns)})]
