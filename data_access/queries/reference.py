"""Reference look-ups: towns, standards, goals, settings, feeds, and the data version."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection


def towns(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        text("SELECT code, name, short_name, kind, code_is_placeholder FROM town ORDER BY sort_order, code")
    )
    return [dict(r._mapping) for r in rows]


def standards(conn: Connection) -> list[tuple[date, int, float, str]]:
    rows = conn.execute(
        text(
            "SELECT effective_from, amount_fen, monitoring_multiplier, source FROM living_standard "
            "ORDER BY effective_from"
        )
    )
    return [(_as_date(r[0]), int(r[1]), float(r[2]), r[3]) for r in rows]


def goals(
    conn: Connection, *, kpi_keys: Collection[str], scopes: Collection[str], periods: Collection[str]
) -> dict[tuple[str, str, str], float]:
    """Targets keyed by (kpi_key, scope_code, period)."""
    if not kpi_keys or not scopes or not periods:
        return {}
    from sqlalchemy import bindparam

    stmt = text(
        "SELECT kpi_key, scope_code, period, target FROM goal "
        "WHERE kpi_key IN :keys AND scope_code IN :scopes AND period IN :periods"
    ).bindparams(
        bindparam("keys", expanding=True), bindparam("scopes", expanding=True), bindparam("periods", expanding=True)
    )
    rows = conn.execute(stmt, {"keys": list(kpi_keys), "scopes": list(scopes), "periods": list(periods)})
    return {(k, s, p): float(t) for k, s, p, t in rows}


def settings(conn: Connection) -> dict[str, str]:
    return {k: v for k, v in conn.execute(text("SELECT key, value FROM setting"))}


def feeds(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        text(
            "SELECT feed, department, label, data_date, loaded_at, source, is_demo FROM feed_status "
            "ORDER BY department, feed"
        )
    )
    out = []
    for r in rows:
        d = dict(r._mapping)
        d["data_date"] = _as_date(d["data_date"])
        out.append(d)
    return out


def data_version(conn: Connection) -> str:
    """Changes whenever feeds, goals, standards or settings change: a cache key, not a figure.

    Every import commit adds an import_batch row and every undo stamps one, so loads of
    undated files (households, budgets) and undos also move the key.
    """
    row = conn.execute(
        text(
            "SELECT (SELECT MAX(loaded_at) FROM feed_status), (SELECT COUNT(*) FROM goal), "
            "(SELECT MAX(updated_at) FROM goal), (SELECT COUNT(*) FROM living_standard), "
            "(SELECT MAX(updated_at) FROM setting), (SELECT MAX(id) FROM import_batch), "
            "(SELECT COUNT(undone_at) FROM import_batch)"
        )
    ).one()
    return "|".join(str(v) for v in row)


def _as_date(value: object) -> date:
    # SQLite hands back ISO strings through text(); PostgreSQL hands back dates.
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
