"""Goals in the store: read them per KPI and period, record their history (old value, new
value, who, when). The KPI-aware service (edits, checks, additivity) is metrics.goals."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from data_access.models import Goal, GoalHistory
from data_access.tables import table_of


def record_history(
    conn: Connection,
    changes: Iterable[tuple[dict[str, Any] | None, dict[str, Any] | None]],
    *,
    user: str,
    at: datetime,
    source: str,
) -> int:
    """One goal_history row per (old, new) pair that really changed; None = absent."""
    rows = []
    for old, new in changes:
        ref = new or old
        if ref is None:
            continue
        old_target, new_target = (old or {}).get("target"), (new or {}).get("target")
        old_note, new_note = (old or {}).get("note"), (new or {}).get("note")
        if old is not None and new is not None and old_target == new_target and old_note == new_note:
            continue
        rows.append(
            {
                "kpi_key": ref["kpi_key"],
                "scope_code": ref["scope_code"],
                "period": ref["period"],
                "old_target": old_target,
                "new_target": new_target,
                "old_note": old_note,
                "new_note": new_note,
                "changed_by": user[:40],
                "changed_at": at,
                "source": source[:60],
            }
        )
    if rows:
        conn.execute(table_of(GoalHistory).insert(), rows)
    return len(rows)


def goals_for(conn: Connection, *, kpi_key: str, period: str) -> dict[str, dict[str, Any]]:
    """scope code -> {target, note, updated_at, updated_by} for one KPI and period."""
    table = table_of(Goal)
    rows = conn.execute(
        select(table.c.scope_code, table.c.target, table.c.note, table.c.updated_at, table.c.updated_by).where(
            table.c.kpi_key == kpi_key, table.c.period == period
        )
    )
    return {str(s): {"target": float(t), "note": n or "", "updated_at": u, "updated_by": b} for s, t, n, u, b in rows}


def goal_periods(conn: Connection) -> list[str]:
    """Periods that have goals, newest first."""
    rows = conn.execute(text("SELECT DISTINCT period FROM goal")).scalars().all()
    return sorted((str(p) for p in rows), key=lambda p: (p[:4], p), reverse=True)


def history(conn: Connection, *, kpi_key: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
    table = table_of(GoalHistory)
    stmt = select(table).order_by(table.c.id.desc()).limit(limit)
    if kpi_key:
        stmt = stmt.where(table.c.kpi_key == kpi_key)
    return [dict(r) for r in conn.execute(stmt).mappings()]
