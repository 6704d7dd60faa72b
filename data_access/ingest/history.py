"""Undo of a load and the batch history.

Undo is one transaction: it deletes the rows the batch added and restores the ones it
updated, unless a later batch has touched them since.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, bindparam, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError

from data_access import analytics, audit
from data_access.ingest.commit import _cause, _feed_row, _from_json, _json_value, _now, _serialise
from data_access.ingest.kinds import KINDS, FeedKind
from data_access.models import FeedStatus, ImportBatch
from data_access.tables import table_of


class UndoRefused(Exception):
    """The batch cannot be undone; the message says why in Chinese."""


@dataclass(frozen=True)
class UndoResult:
    batch_id: int
    deleted: int
    restored: int
    message: str


def undo(engine: Engine, batch_id: int, *, user: str, now: datetime | None = None) -> UndoResult:
    """Undo a whole batch. Raises UndoRefused when it is gone, already undone or overtaken."""
    moment = _now(now)
    user = (user or "").strip()[:40]
    if not user:
        raise ValueError("请填写撤销人")
    try:
        with engine.begin() as conn:
            _serialise(conn)
            deleted, restored = _undo(conn, batch_id, user=user, now=moment)
    except IntegrityError as exc:
        raise UndoRefused(
            f"批次 {batch_id} 新增的记录已被其他数据引用（例如后来导入的家庭成员或救助发放），"
            f"请先撤销引用它们的批次。数据库：{_cause(exc)}"
        ) from exc
    except DBAPIError as exc:
        raise UndoRefused(f"撤销失败，已全部撤回：{_cause(exc)}") from exc
    message = f"已撤销批次 {batch_id}：删除新增的 {deleted:,} 行，恢复更新前的 {restored:,} 行。"
    audit.record(engine, username=user, action="import_undo", target=str(batch_id), detail=message)
    return UndoResult(batch_id, deleted, restored, message)


def _undo(conn: Connection, batch_id: int, *, user: str, now: datetime) -> tuple[int, int]:
    batches = table_of(ImportBatch)
    batch = conn.execute(select(batches).where(batches.c.id == batch_id)).mappings().first()
    if batch is None:
        raise UndoRefused(f"没有批次 {batch_id}")
    if batch["status"] != "committed":
        raise UndoRefused(f"批次 {batch_id} 已于 {batch['undone_at']:%Y-%m-%d %H:%M} 由 {batch['undone_by']} 撤销")
    later = (
        conn.execute(
            text(
                "SELECT DISTINCT c2.batch_id FROM import_change c1 "
                "JOIN import_change c2 ON c2.table_name = c1.table_name AND c2.row_key = c1.row_key "
                "AND c2.batch_id > c1.batch_id "
                "JOIN import_batch b ON b.id = c2.batch_id AND b.status = 'committed' "
                "WHERE c1.batch_id = :batch ORDER BY c2.batch_id"
            ),
            {"batch": batch_id},
        )
        .scalars()
        .all()
    )
    if later:
        raise UndoRefused(
            f"批次 {batch_id} 之后的批次 {'、'.join(map(str, later))} 又修改了同一批记录：请先撤销这些批次"
        )
    kind = KINDS.get(batch["kind"])
    if kind is None:
        raise UndoRefused(f"批次 {batch_id} 的数据类型“{batch['kind']}”已不存在，无法撤销")
    table = kind.table
    pk = next(iter(table.primary_key.columns))
    cast = (lambda key: int(key)) if pk.type.python_type is int else (lambda key: key)
    changes = conn.execute(
        text("SELECT row_key, action, old_values FROM import_change WHERE batch_id = :batch ORDER BY id"),
        {"batch": batch_id},
    ).all()
    added = [cast(k) for k, action, _ in changes if action == "add"]
    updated = [(cast(k), _from_json(table, json.loads(old))) for k, action, old in changes if action == "update"]
    stamps = {"updated_at": now, "updated_by": user} if kind.stamped else {}

    history: list[tuple[dict[str, Any] | None, dict[str, Any] | None]] = []
    current = _current(conn, kind, [*added, *(k for k, _ in updated)])
    if kind.on_change is not None:
        history = [(current.get(k), None) for k in added] + [(current.get(k), old) for k, old in updated]
    # Which facts the undo touches, found before its rows (and their links) are gone.
    touch = analytics.touched(conn, kind.table_name, [*current.values(), *(old for _, old in updated)])
    if updated:
        fields = [*updated[0][1], *stamps]
        stmt = table.update().where(pk == bindparam("row_pk")).values({f: bindparam(f"v_{f}") for f in fields})
        conn.execute(stmt, [{"row_pk": k, **{f"v_{f}": {**old, **stamps}[f] for f in fields}} for k, old in updated])
    deleted = 0
    if added:
        key_sql = "CAST(row_key AS INTEGER)" if pk.type.python_type is int else "row_key"
        deleted = conn.execute(
            text(
                f"DELETE FROM {kind.table_name} WHERE {pk.name} IN "
                f"(SELECT {key_sql} FROM import_change WHERE batch_id = :batch AND action = 'add')"
            ),
            {"batch": batch_id},
        ).rowcount
    _restore_feeds(conn, json.loads(batch["feed_state"] or "{}"))
    conn.execute(
        batches.update().where(batches.c.id == batch_id), {"status": "undone", "undone_at": now, "undone_by": user}
    )
    if kind.on_change is not None and history:
        kind.on_change(conn, history, user=user, at=now, source=f"撤销导入批次 {batch_id}")
    analytics.refresh_touch(conn, touch)
    return int(deleted), len(updated)


def _current(conn: Connection, kind: FeedKind, keys: list[Any]) -> dict[Any, dict[str, Any]]:
    table = kind.table
    pk = next(iter(table.primary_key.columns))
    out = {}
    for start in range(0, len(keys), 2000):
        stmt = select(pk, *[table.c[f] for f in kind.stored]).where(pk.in_(keys[start : start + 2000]))
        for record in conn.execute(stmt):
            out[record[0]] = dict(zip(kind.stored, record[1:], strict=True))
    return out


def _restore_feeds(conn: Connection, state: dict[str, Any]) -> None:
    """Put each feed back as it was before the batch, unless a later load has moved it since."""
    table = table_of(FeedStatus)
    for feed, change in state.items():
        current = _feed_row(conn, feed)
        after = change["after"]
        if current is None or {k: _json_value(v) for k, v in current.items()} != after:
            continue  # a later load owns this feed's date now
        before = change["before"]
        if before is None:
            conn.execute(table.delete().where(table.c.feed == feed))
        else:
            values = _from_json(table, before)
            conn.execute(table.update().where(table.c.feed == feed), values)


# --------------------------------------------------------------------------- history


def batches(conn: Connection, *, limit: int = 200) -> list[dict[str, Any]]:
    """The latest loads, newest first."""
    table = table_of(ImportBatch)
    rows = conn.execute(select(table).order_by(table.c.id.desc()).limit(limit)).mappings().all()
    return [dict(r) for r in rows]
