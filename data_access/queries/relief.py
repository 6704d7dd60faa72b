"""Relief spending, recipients and budgets (clause 三)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy.engine import Connection

from data_access.queries.common import month_key, run


def spending_by_town(conn: Connection, *, towns: Collection[str], start: date, end: date) -> dict[str, dict[str, int]]:
    """Amount (fen), payments (户次) and persons (人次) paid between start and end, by town."""
    sql = """
    SELECT r.town_code, SUM(r.amount_fen), COUNT(*), SUM(r.persons_covered)
    FROM relief_payment r
    WHERE r.town_code IN :towns AND r.paid_on BETWEEN :start AND :end
    GROUP BY r.town_code
    """
    return {
        t: {"amount_fen": int(a or 0), "payments": int(n), "persons": int(p or 0)}
        for t, a, n, p in run(conn, sql, towns=towns, params={"start": start, "end": end})
    }


def spending_by_month(conn: Connection, *, towns: Collection[str], start: date, end: date) -> dict[str, int]:
    """Amount (fen) per month 'YYYY-MM' over a range."""
    sql = f"""
    SELECT {month_key(conn, "r.paid_on")} AS month, SUM(r.amount_fen)
    FROM relief_payment r
    WHERE r.town_code IN :towns AND r.paid_on BETWEEN :start AND :end
    GROUP BY 1
    """
    return {m: int(a or 0) for m, a in run(conn, sql, towns=towns, params={"start": start, "end": end})}


def budget_by_town(conn: Connection, *, towns: Collection[str], year: int) -> dict[str, int]:
    sql = """
    SELECT b.town_code, SUM(b.amount_fen) FROM relief_budget b
    WHERE b.town_code IN :towns AND b.year = :year
    GROUP BY b.town_code
    """
    return {t: int(a or 0) for t, a in run(conn, sql, towns=towns, params={"year": year})}
