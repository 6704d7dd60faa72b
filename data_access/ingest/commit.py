"""Dry run and commit of a load.

A commit is one transaction: the plan is rebuilt inside it (the store may have changed since
the dry run), and written only when no row has an error; then every added and updated row is
logged, the batch recorded and the department's feed_status moved on. Any failure rolls the
whole load back. Undo and the batch history are in data_access.ingest.history.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Engine, Table, bindparam, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError

from data_access import analytics, audit, signoff
from data_access.ingest.fields import ParseContext
from data_access.ingest.kinds import KINDS, FeedKind
from data_access.ingest.plan import Plan, build_plan
from data_access.ingest.reader import read
from data_access.models import FeedStatus, ImportBatch, ImportChange
from data_access.reference import FEEDS
from data_access.tables import table_of

ADVISORY_LOCK = 2_020_080_501  # PostgreSQL: one import or undo at a time
FEED_COLUMNS = ("feed", "department", "label", "data_date", "loaded_at", "source", "is_demo")


class ImportRejected(Exception):
    """The file has errors: nothing was written."""

    def __init__(self, plan: Plan) -> None:
        super().__init__(plan.summary())
        self.plan = plan


class ImportFailed(Exception):
    """The store refused the write (or was unreachable): the transaction was rolled back."""


@dataclass(frozen=True)
class LoadResult:
    plan: Plan
    batch_id: int | None  # None: nothing needed writing
    message: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _kind(kind: FeedKind | str) -> FeedKind:
    if isinstance(kind, FeedKind):
        return kind
    if kind not in KINDS:
        raise KeyError(f"没有“{kind}”这种数据类型，可选：{'、'.join(KINDS)}")
    return KINDS[kind]


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now()).replace(microsecond=0)


def dry_run(engine: Engine, data: bytes, file_name: str, kind: FeedKind | str, *, now: datetime | None = None) -> Plan:
    """What a commit would do, without writing anything."""
    feed_kind, moment = _kind(kind), _now(now)
    content = read(data, file_name)
    with engine.connect() as conn:
        return build_plan(
            conn,
            feed_kind,
            content,
            file_name=file_name,
            sha256=sha256(data),
            ctx=ParseContext(today=moment.date(), now=moment),
        )


def _serialise(conn: Connection) -> None:
    """Take the store's write lock before reading, so two loads cannot both add the same rows."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
    else:
        # SQLite: a (no-op) write opens the write transaction now, not at the first insert.
        conn.execute(text("UPDATE import_batch SET status = status WHERE id = -1"))


def commit(
    engine: Engine,
    data: bytes,
    file_name: str,
    kind: FeedKind | str,
    *,
    user: str,
    now: datetime | None = None,
) -> LoadResult:
    """Load a file all-or-nothing. Raises ImportRejected (with the plan) or ImportFailed."""
    feed_kind, moment = _kind(kind), _now(now)
    user = (user or "").strip()
    if not user:
        raise ValueError("请填写导入人")
    content = read(data, file_name)
    digest = sha256(data)
    try:
        with engine.begin() as conn:
            _serialise(conn)
            plan = build_plan(
                conn,
                feed_kind,
                content,
                file_name=file_name,
                sha256=digest,
                ctx=ParseContext(today=moment.date(), now=moment),
            )
            if not plan.ok:
                # A rejected file changes nothing, the audit log included (row counts stay equal).
                raise ImportRejected(plan)
            if not plan.changes:
                return LoadResult(plan, None, _nothing_to_do(conn, plan))
            # 数据确认: a period a department has confirmed is locked (checked in this transaction).
            signoff.check_unlocked(conn, feed_spans=_feed_spans(plan))
            batch_id = _write(conn, plan, user=user[:40], now=moment)
    except signoff.PeriodLocked as exc:
        raise ImportFailed(str(exc)) from exc
    except (ImportRejected, ValueError):
        raise
    except IntegrityError as exc:
        raise ImportFailed(f"数据库拒绝写入，已全部撤回：{_cause(exc)}") from exc
    except DBAPIError as exc:
        raise ImportFailed(f"写入数据库失败，已全部撤回：{_cause(exc)}") from exc
    message = f"已导入批次 {batch_id}：新增 {len(plan.adds):,} 行，更新 {len(plan.updates):,} 行。"
    audit.record(engine, username=user[:40], action="import", target=file_name, detail=f"{feed_kind.key}：{message}")
    return LoadResult(plan, batch_id, message)


def _feed_spans(plan: Plan) -> dict[str, tuple[date, date]]:
    """Per feed, the earliest and latest data date the file's changes touch (old values too:
    moving a row out of a confirmed period changes that period)."""
    kind = plan.kind
    spans: dict[Any, Any] = {}
    rows = [*plan.adds, *(u.new for u in plan.updates), *(u.old for u in plan.updates)]
    for row in rows:
        feed = kind.feed_for(row)
        day = kind.date_of(row) if kind.date_of else None
        if feed is None or not isinstance(day, date):
            continue
        first, last = spans.get(feed, (day, day))
        spans[feed] = (min(first, day), max(last, day))
    return spans


def _cause(exc: DBAPIError) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]


def _nothing_to_do(conn: Connection, plan: Plan) -> str:
    batches = table_of(ImportBatch)
    earlier = conn.execute(
        select(batches.c.id, batches.c.loaded_at)
        .where(batches.c.file_sha256 == plan.sha256, batches.c.kind == plan.kind.key)
        .where(batches.c.status == "committed")
        .order_by(batches.c.id.desc())
        .limit(1)
    ).first()
    text_ = f"没有需要写入的变化：文件中的 {plan.rows_total:,} 行与系统中已有记录完全相同"
    if earlier is not None:
        text_ += f"（同一文件已于 {earlier[1]:%Y-%m-%d %H:%M} 作为批次 {earlier[0]} 导入）"
    return text_ + "，未记录新批次。"


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _from_json(kind_table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """Old values back to Python types, by the table's column types."""
    out = {}
    for name, value in values.items():
        column_type = kind_table.c[name].type
        if value is not None and isinstance(column_type, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(column_type, Date):
            value = date.fromisoformat(value)
        out[name] = value
    return out


def _write(conn: Connection, plan: Plan, *, user: str, now: datetime) -> int:
    kind = plan.kind
    table = kind.table
    pk = next(iter(table.primary_key.columns))
    stamps = {"updated_at": now, "updated_by": user} if kind.stamped else {}
    batch_id = conn.execute(
        table_of(ImportBatch).insert().returning(table_of(ImportBatch).c.id),
        {
            "kind": kind.key,
            "department": plan.department[:80],
            "file_name": plan.file_name[:200],
            "file_sha256": plan.sha256,
            "rows_total": plan.rows_total,
            "rows_added": len(plan.adds),
            "rows_updated": len(plan.updates),
            "rows_unchanged": plan.unchanged,
            "loaded_by": user,
            "loaded_at": now,
            "feed_state": "{}",
            "status": "committed",
        },
    ).scalar_one()
    changes: list[dict[str, Any]] = []
    if plan.adds:
        ids = _insert(conn, table, [{**row, **stamps} for row in plan.adds])
        changes += [{"row_key": str(i), "action": "add", "old_values": None} for i in ids]
    if plan.updates:
        fields = [*kind.stored, *stamps]
        stmt = table.update().where(pk == bindparam("row_pk")).values({f: bindparam(f"v_{f}") for f in fields})
        conn.execute(
            stmt, [{"row_pk": u.row_id, **{f"v_{f}": {**u.new, **stamps}[f] for f in fields}} for u in plan.updates]
        )
        changes += [
            {
                "row_key": str(u.row_id),
                "action": "update",
                "old_values": json.dumps({k: _json_value(v) for k, v in u.old.items()}, ensure_ascii=False),
            }
            for u in plan.updates
        ]
    conn.execute(
        table_of(ImportChange).insert(),
        [{"batch_id": batch_id, "table_name": kind.table_name, **c} for c in changes],
    )
    state = _move_feeds(conn, plan, now=now)
    conn.execute(
        table_of(ImportBatch).update().where(table_of(ImportBatch).c.id == batch_id),
        {"feed_state": json.dumps(state, ensure_ascii=False)},
    )
    if kind.on_change is not None:
        pairs = [(None, row) for row in plan.adds] + [(u.old, u.new) for u in plan.updates]
        kind.on_change(conn, pairs, user=user, at=now, source=f"导入批次 {batch_id}")
    # The fact tables follow in the same transaction: readers see the old load or the new one.
    changed = [*plan.adds, *(u.old for u in plan.updates), *(u.new for u in plan.updates)]
    analytics.refresh_rows(conn, kind.table_name, changed)
    return int(batch_id)


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[Any]:
    """Insert rows in bulk and return their primary keys."""
    pk = next(iter(table.primary_key.columns))
    if pk.name in rows[0]:
        conn.execute(table.insert(), rows)  # natural keys (village codes) are given
        return [row[pk.name] for row in rows]
    if conn.dialect.name == "sqlite":
        # SQLite cannot batch INSERT ... RETURNING in parameter order (SQLAlchemy falls back to
        # one statement per row). The write lock is ours (_serialise), so the new rows are
        # exactly those above the previous maximum id.
        before = conn.execute(select(func.coalesce(func.max(pk), 0))).scalar_one()
        conn.execute(table.insert(), rows)
        ids = conn.execute(select(pk).where(pk > before).order_by(pk)).scalars().all()
        if len(ids) != len(rows):
            raise ImportFailed("写入的行数与计划不符，已全部撤回")
        return list(ids)
    # PostgreSQL: batched multi-row INSERT ... RETURNING, ids in parameter order.
    return list(conn.execute(table.insert().returning(pk, sort_by_parameter_order=True), rows).scalars().all())


def _feed_row(conn: Connection, feed: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(*[table_of(FeedStatus).c[c] for c in FEED_COLUMNS]).where(table_of(FeedStatus).c.feed == feed)
    ).first()
    return dict(zip(FEED_COLUMNS, row, strict=True)) if row is not None else None


def _move_feeds(conn: Connection, plan: Plan, *, now: datetime) -> dict[str, Any]:
    """Each feed the rows belong to: data date = the latest date loaded (never moved back by
    a correction of older months, unless the current date is the demo's), loaded now."""
    table = table_of(FeedStatus)
    state: dict[str, Any] = {}
    for feed, latest in sorted(plan.feed_dates.items()):
        before = _feed_row(conn, feed)
        if latest is None:
            if before is None:
                continue  # an undated file (households) cannot give a feed its first date
            after = {**before, "loaded_at": now, "source": plan.file_name[:200]}
        else:
            latest = min(latest, now.date())
            keep = before is not None and not before["is_demo"] and before["data_date"] > latest
            department, label = FEEDS.get(feed, (plan.kind.department, plan.kind.label))
            after = {
                "feed": feed,
                "department": department,
                "label": label,
                "data_date": before["data_date"] if keep and before else latest,
                "loaded_at": now,
                "source": plan.file_name[:200],
                "is_demo": False,
            }
        if before is None:
            conn.execute(table.insert(), after)
        else:
            conn.execute(table.update().where(table.c.feed == feed), after)
        state[feed] = {
            "before": {k: _json_value(v) for k, v in before.items()} if before else None,
            "after": {k: _json_value(v) for k, v in after.items()},
        }
    return state
