"""Shared pieces of the SQL layer: visible-town binding and dialect differences."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import TextClause

LEVELS = ("town", "village")


def unit_column(by: str, alias: str) -> str:
    """The grouping column: a town code or a village code on the given table alias."""
    if by not in LEVELS:
        raise ValueError(f"unknown level {by!r}")
    return f"{alias}.{by}_code"


class ScopeError(ValueError):
    """A query was asked for without any visible town."""


def scoped(sql: str, *, towns: Collection[str], **expanding: Collection[Any]) -> TextClause:
    """A text() statement whose :towns (and other listed params) bind as IN-lists."""
    if not towns:
        raise ScopeError("没有可查看的区镇")
    clause = text(sql).bindparams(bindparam("towns", expanding=True))
    for name in expanding:
        clause = clause.bindparams(bindparam(name, expanding=True))
    return clause


def run(conn: Connection, sql: str, *, towns: Collection[str], params: Mapping[str, Any] | None = None) -> list[Any]:
    stmt = scoped(sql, towns=towns)
    bound = {k: _sqlite_value(v) for k, v in (params or {}).items()} if _is_sqlite(conn) else dict(params or {})
    return list(conn.execute(stmt, {"towns": sorted(towns), **bound}))


def execute(conn: Connection, sql: str, *, towns: Collection[str], params: Mapping[str, Any] | None = None) -> None:
    """As run(), for a statement that returns no rows (INSERT ... SELECT)."""
    stmt = scoped(sql, towns=towns)
    bound = {k: _sqlite_value(v) for k, v in (params or {}).items()} if _is_sqlite(conn) else dict(params or {})
    conn.execute(stmt, {"towns": sorted(towns), **bound})


def _is_sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


def _sqlite_value(value: Any) -> Any:
    # Match how SQLAlchemy stores dates in SQLite, so text comparisons order correctly
    # (and do not rely on sqlite3's deprecated default adapters).
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def month_key(conn: Connection, column: str) -> str:
    """SQL giving 'YYYY-MM' for a date column, per dialect."""
    if conn.dialect.name == "postgresql":
        return f"to_char({column}, 'YYYY-MM')"
    return f"strftime('%Y-%m', {column})"


def year_of(conn: Connection, column: str) -> str:
    if conn.dialect.name == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"
    return f"CAST(strftime('%Y', {column}) AS INTEGER)"


def month_of(conn: Connection, column: str) -> str:
    """SQL giving the month number (1-12) of a date column, per dialect."""
    if conn.dialect.name == "postgresql":
        return f"CAST(EXTRACT(MONTH FROM {column}) AS INTEGER)"
    return f"CAST(strftime('%m', {column}) AS INTEGER)"


def add_months(conn: Connection, column: str, months: int) -> str:
    """SQL for a date column plus a whole number of months, per dialect."""
    months = int(months)
    if conn.dialect.name == "postgresql":
        return f"({column} + INTERVAL '{months} months')::date"
    return f"date({column}, '+{months} months')"
