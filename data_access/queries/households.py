"""Household and member lists for the village level. Personal data leaves masked."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from data_access import audit
from data_access.access import Principal
from data_access.masking import mask_id_number, mask_name, mask_phone

# Lists are for follow-up work in one village; a cap keeps a page responsive.
MAX_ROWS = 500


def _allowed(
    conn: Connection,
    *,
    principal: Principal,
    towns: Collection[str],
    departments: Collection[str],
    unmask: bool,
    what: str,
    count: int,
) -> bool:
    """Check the right to the list (raises AccessDenied); return whether to unmask (and log it)."""
    for town in towns:
        principal.check_list(town=town, departments=departments)
    full = unmask and all(principal.may_unmask(town=t, departments=departments) for t in towns)
    if full and count:
        audit.record(
            conn.engine,
            username=principal.username,
            action="unmask",
            target=",".join(sorted(towns)),
            detail=f"{what}：{count} 条",
        )
    return full


def _keep(value: str, full: bool, mask: Callable[[str], str]) -> str:
    return value if full else mask(value)


def households(
    conn: Connection,
    *,
    towns: Collection[str],
    ids: Sequence[int],
    principal: Principal,
    departments: Collection[str],
    unmask: bool = False,
) -> list[dict[str, Any]]:
    """Household rows (head, ID, phone, village, cause), masked unless the principal may
    and asks to see them in full (which is logged)."""
    if not ids:
        return []
    full = _allowed(
        conn, principal=principal, towns=towns, departments=departments, unmask=unmask, what="家庭名单", count=len(ids)
    )
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
            "head_name": _keep(r.head_name, full, mask_name),
            "id_number": _keep(r.head_id_number, full, mask_id_number),
            "phone": _keep(r.phone, full, mask_phone),
            "cause": r.cause,
            "village": r.village,
        }
        for r in rows
    ]


def members(
    conn: Connection,
    *,
    towns: Collection[str],
    ids: Sequence[int],
    principal: Principal,
    departments: Collection[str],
    unmask: bool = False,
) -> list[dict[str, Any]]:
    """Member rows (name, ID, household head), masked unless unmasking is allowed and asked."""
    if not ids:
        return []
    full = _allowed(
        conn, principal=principal, towns=towns, departments=departments, unmask=unmask, what="人员名单", count=len(ids)
    )
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
            "name": _keep(r.name, full, mask_name),
            "id_number": _keep(r.id_number, full, mask_id_number),
            "gender": r.gender,
            "birth_year": str(r.birth_date)[:4],
            "head_name": _keep(r.head_name, full, mask_name),
            "village": r.village,
        }
        for r in rows
    ]


def villages(conn: Connection, *, towns: Collection[str]) -> list[dict[str, Any]]:
    stmt = text("SELECT code, town_code, name, kind FROM village WHERE town_code IN :towns ORDER BY code").bindparams(
        bindparam("towns", expanding=True)
    )
    return [dict(r._mapping) for r in conn.execute(stmt, {"towns": sorted(towns)})]
