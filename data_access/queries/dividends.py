"""Collective-economy dividends (clause 五.2)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.engine import Connection

from data_access.queries.common import run

# Mirrors metrics.rules.dividend_target in integer arithmetic (exactly 5 % / 30 % meet it);
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


def compliance_by_town(conn: Connection, *, towns: Collection[str], year: int) -> dict[str, tuple[int, int]]:
    """(cooperatives meeting the target, cooperatives reporting) for a year, by town."""
    sql = f"""
    SELECT c.town_code,
           SUM(CASE WHEN {TARGET_MET_SQL} THEN 1 ELSE 0 END) AS met,
           COUNT(*) AS reporting
    FROM cooperative_year cy
    JOIN cooperative c ON c.id = cy.cooperative_id
    LEFT JOIN cooperative_year p ON p.cooperative_id = cy.cooperative_id AND p.year = cy.year - 1
    WHERE c.town_code IN :towns AND cy.year = :year
    GROUP BY c.town_code
    """
    return {t: (int(m or 0), int(n)) for t, m, n in run(conn, sql, towns=towns, params={"year": year})}
