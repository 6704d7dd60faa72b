"""The store's rows in each kind's template layout: what a department would send, so a
store can be exported, wiped and re-imported (the round trip), or checked by a clerk."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import text
from sqlalchemy.engine import Connection

from data_access.ingest.kinds import FeedKind
from data_access.ingest.templates import to_csv, to_xlsx


def export_rows(conn: Connection, kind: FeedKind) -> Iterator[list[str]]:
    """One list of cell texts per stored row, in the template's column order."""
    types = [c.type for c in kind.columns]
    for record in conn.execute(text(kind.export_sql)):
        yield [column_type.format(value) for column_type, value in zip(types, record, strict=True)]


def export_file(conn: Connection, kind: FeedKind, *, fmt: str = "csv") -> bytes:
    rows = export_rows(conn, kind)
    if fmt == "csv":
        return to_csv(kind, rows)
    if fmt == "xlsx":
        return to_xlsx(kind, rows)
    raise ValueError(f"不支持的格式：{fmt}")
