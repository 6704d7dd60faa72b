"""What the KPI registry reads: sums of fact rows by town or village for a month (stocks) or
a run of months (flows). One query per table and span; the caller decides whether the facts
serve its span (see `built` in refresh and the registry)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from data_access.queries.common import run, unit_column

_TABLES = {
    "caseload": "fact_caseload_month",
    "relief": "fact_relief_month",
    "employment": "fact_employment_month",
    "medical": "fact_medical_month",
}


def months_sum(
    conn: Connection,
    *,
    table: str,
    columns: Sequence[str],
    towns: Collection[str],
    first: int,
    last: int,
    by: str = "town",
) -> dict[str, dict[str, int]]:
    """Per unit: each column summed over months first..last (one month for a stock)."""
    col = unit_column(by, "f")
    sums = ", ".join(f"SUM(f.{c})" for c in columns)
    sql = f"""
    SELECT {col}, {sums} FROM {_TABLES[table]} f
    WHERE f.town_code IN :towns AND f.month BETWEEN :first AND :last
    GROUP BY {col}
    """
    rows = run(conn, sql, towns=towns, params={"first": first, "last": last})
    return {r[0]: {c: int(v or 0) for c, v in zip(columns, r[1:], strict=True)} for r in rows}


def by_month(
    conn: Connection,
    *,
    table: str,
    columns: Sequence[str],
    towns: Collection[str],
    first: int,
    last: int,
    by: str = "town",
) -> dict[int, dict[str, dict[str, int]]]:
    """month -> unit -> each column: a whole trend in one query."""
    col = unit_column(by, "f")
    sums = ", ".join(f"SUM(f.{c})" for c in columns)
    sql = f"""
    SELECT f.month, {col}, {sums} FROM {_TABLES[table]} f
    WHERE f.town_code IN :towns AND f.month BETWEEN :first AND :last
    GROUP BY f.month, {col}
    """
    out: dict[int, dict[str, dict[str, int]]] = {}
    for r in run(conn, sql, towns=towns, params={"first": first, "last": last}):
        out.setdefault(int(r[0]), {})[r[1]] = {c: int(v or 0) for c, v in zip(columns, r[2:], strict=True)}
    return out


def placed_persons(
    conn: Connection, *, towns: Collection[str], month: int, span: str, by: str = "town"
) -> dict[str, Any]:
    """Per unit: distinct persons placed in the span ('month', 'quarter', 'year') ending with month."""
    col = unit_column(by, "f")
    sql = f"""
    SELECT {col}, SUM(f.persons) FROM fact_placement_span f
    WHERE f.town_code IN :towns AND f.month = :month AND f.span = :span
    GROUP BY {col}
    """
    return {u: int(n or 0) for u, n in run(conn, sql, towns=towns, params={"month": month, "span": span})}


def dividend_latest_year(conn: Connection, *, towns: Collection[str], up_to: int) -> int | None:
    sql = "SELECT MAX(f.year) FROM fact_dividend_year f WHERE f.town_code IN :towns AND f.year <= :up_to"
    sql += " AND f.coops_reporting > 0"
    rows = run(conn, sql, towns=towns, params={"up_to": up_to})
    return int(rows[0][0]) if rows and rows[0][0] is not None else None


def dividend_year(conn: Connection, *, towns: Collection[str], year: int, by: str = "town") -> dict[str, Any]:
    col = unit_column(by, "f")
    sql = f"""
    SELECT {col}, SUM(f.coops_met), SUM(f.coops_reporting), SUM(f.dividends_fen), SUM(f.fumin_households)
    FROM fact_dividend_year f WHERE f.town_code IN :towns AND f.year = :year
    GROUP BY {col}
    """
    keys = ("coops_met", "coops_reporting", "dividends_fen", "fumin_households")
    return {
        r[0]: {k: int(v or 0) for k, v in zip(keys, r[1:], strict=True)}
        for r in run(conn, sql, towns=towns, params={"year": year})
    }


def feed_months(
    conn: Connection, *, towns: Collection[str], first: int, last: int, by: str = "town"
) -> dict[str, dict[str, list[int]]]:
    """feed -> unit -> the months (yyyymm) with any fact row from that feed: which department's
    data a figure stands on, month by month (for completeness notes)."""
    col = unit_column(by, "f")
    parts = " UNION ".join(
        f"SELECT f.feed, {col} AS unit, f.month FROM {table} f "
        "WHERE f.town_code IN :towns AND f.month BETWEEN :first AND :last"
        for table in (*_TABLES.values(), "fact_placement_span")
    )
    out: dict[str, dict[str, list[int]]] = {}
    for feed, unit, month in run(
        conn,
        f"SELECT feed, unit, month FROM ({parts}) x ORDER BY month",
        towns=towns,
        params={"first": first, "last": last},
    ):
        out.setdefault(feed, {}).setdefault(unit, []).append(int(month))
    return out
