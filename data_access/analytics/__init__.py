"""The fact layer (issue 9): pre-aggregated KPI parts per village x month, refreshed inside
the transaction of every change to the raw rows.

- `rebuild(conn)`: every fact from raw rows (seeding, `python -m data_access.analytics rebuild`).
- `refresh_rows(conn, table, rows)`: after an import or undo wrote these rows (old and new).
- `refresh_standard(conn, effective_from)`, `refresh_settings(conn)`: after rule changes.
- `check.differences(conn)`: stored facts against a fresh computation.
- `read`: what the KPI registry reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from data_access.analytics.refresh import built_months, enabled, rebuild, refresh
from data_access.analytics.touched import Touch, touched

__all__ = [
    "Touch",
    "built_months",
    "enabled",
    "rebuild",
    "refresh",
    "refresh_rows",
    "refresh_settings",
    "refresh_standard",
    "refresh_touch",
    "touched",
]


def refresh_touch(conn: Connection, touch: Touch) -> None:
    if not touch.empty:
        refresh(conn, towns=touch.towns, since=touch.since, yearly=touch.yearly, monthly=touch.monthly)


def refresh_rows(conn: Connection, table: str, rows: Iterable[dict[str, Any] | None]) -> None:
    """Refresh the facts the given raw rows (before and after a change) feed."""
    refresh_touch(conn, touched(conn, table, rows))


def refresh_standard(conn: Connection, effective_from: date) -> None:
    """A new 低保标准 changes the groups of every town from the month it takes effect."""
    refresh(conn, towns=None, since=effective_from, yearly=False)


def refresh_settings(conn: Connection) -> None:
    """Settings feed the stocks of every month: months built with other values are rebuilt."""
    refresh(conn, towns=(), since=None, yearly=False)
