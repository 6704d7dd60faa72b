"""Collective-economy dividends (clause 五.2) and 富民合作社 dividends to households."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy.engine import Connection

from data_access.queries.common import run, unit_column

# Mirrors metrics.domain.rules.dividend_target in integer arithmetic (exactly 5 % / 30 % meet it);
# tests check the two agree on every cooperative.
TARGET_MET_SQL = """(
  (p.dividends_fen IS NOT NULL AND p.dividends_fen > 0 AND cy.dividends_fen * 100 >= p.dividends_fen * 105)
  OR (cy.net_income_fen > 0 AND cy.dividends_fen * 100 >= cy.net_income_fen * 30))"""


def latest_year(conn: Connection, *, towns: Collection[str], up_to: int) -> int | None:
    sql = """
    SELECT MAX(cy.year) FROM cooperative_year cy JOIN cooperative c ON c.id = cy.cooperative_id
    WHERE c.town_code IN :towns AND cy.year <= :up_to
    """
    rows = run(conn, sql, towns=towns, params={"up_to": up_to})
    return int(rows[0][0]) if rows and rows[0][0] is not None else None


def compliance_by_town(
    conn: Connection, *, towns: Collection[str], year: int, by: str = "town"
) -> dict[str, tuple[int, int]]:
    """(cooperatives meeting the target, cooperatives reporting) for a year, by unit."""
    col = unit_column(by, "c")
    sql = f"""
    SELECT {col},
           SUM(CASE WHEN {TARGET_MET_SQL} THEN 1 ELSE 0 END) AS met,
           COUNT(*) AS reporting
    FROM cooperative_year cy
    JOIN cooperative c ON c.id = cy.cooperative_id
    LEFT JOIN cooperative_year p ON p.cooperative_id = cy.cooperative_id AND p.year = cy.year - 1
    WHERE c.town_code IN :towns AND cy.year = :year
    GROUP BY {col}
    """
    return {t: (int(m or 0), int(n)) for t, m, n in run(conn, sql, towns=towns, params={"year": year})}


def town_totals(conn: Connection, *, towns: Collection[str], year: int, by: str = "town") -> dict[str, dict[str, int]]:
    """Per unit: dividends this year and last (same cooperatives), net income, weak villages."""
    col = unit_column(by, "c")
    sql = f"""
    SELECT {col}, SUM(cy.dividends_fen), SUM(cy.net_income_fen), SUM(p.dividends_fen),
           SUM(CASE WHEN c.economically_weak THEN 1 ELSE 0 END)
    FROM cooperative_year cy
    JOIN cooperative c ON c.id = cy.cooperative_id
    LEFT JOIN cooperative_year p ON p.cooperative_id = cy.cooperative_id AND p.year = cy.year - 1
    WHERE c.town_code IN :towns AND cy.year = :year
    GROUP BY {col}
    """
    return {
        t: {
            "dividends_fen": int(d or 0),
            "net_income_fen": int(n or 0),
            "previous_fen": int(p or 0),
            "weak": int(w or 0),
        }
        for t, d, n, p, w in run(conn, sql, towns=towns, params={"year": year})
    }


def cooperatives(conn: Connection, *, towns: Collection[str], year: int) -> list[dict[str, Any]]:
    """One row per cooperative reporting for the year, with last year's dividends."""
    sql = """
    SELECT c.id, c.name, c.town_code, c.village_code, c.economically_weak,
           cy.net_income_fen, cy.dividends_fen, p.dividends_fen AS previous_fen
    FROM cooperative_year cy
    JOIN cooperative c ON c.id = cy.cooperative_id
    LEFT JOIN cooperative_year p ON p.cooperative_id = cy.cooperative_id AND p.year = cy.year - 1
    WHERE c.town_code IN :towns AND cy.year = :year
    ORDER BY c.town_code, c.village_code
    """
    return [dict(r._mapping) for r in run(conn, sql, towns=towns, params={"year": year})]


def fumin(conn: Connection, *, towns: Collection[str], year: int, by: str = "town") -> dict[str, tuple[int, int]]:
    """Per unit: (households paid, amount fen) of 富民合作社 dividends for a year."""
    source = "fumin_dividend f JOIN household h ON h.id = f.household_id" if by == "village" else "fumin_dividend f"
    col = unit_column(by, "h" if by == "village" else "f")
    sql = f"""
    SELECT {col}, COUNT(DISTINCT f.household_id), SUM(f.amount_fen) FROM {source}
    WHERE f.town_code IN :towns AND f.year = :year
    GROUP BY {col}
    """
    return {t: (int(n), int(a or 0)) for t, n, a in run(conn, sql, towns=towns, params={"year": year})}
