"""Import batches and their per-row change log, so every load can be traced and undone."""

from datetime import datetime

from pydantic import NaiveDatetime
from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel


class ImportBatch(SQLModel, table=True):
    """One committed load of one department file (数据导入批次)."""

    __tablename__ = "import_batch"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True, max_length=40)  # key in data_access.ingest.kinds
    department: str = Field(max_length=80)
    file_name: str = Field(max_length=200)
    file_sha256: str = Field(index=True, max_length=64)
    rows_total: int = 0
    rows_added: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    loaded_by: str = Field(max_length=40)
    loaded_at: NaiveDatetime = Field(default_factory=datetime.now, index=True)
    # JSON: feed -> {"before": feed_status row or null, "after": row}, to restore on undo.
    feed_state: str = Field(default="{}", sa_type=Text)
    status: str = Field(default="committed", max_length=12)  # committed / undone
    undone_at: NaiveDatetime | None = None
    undone_by: str | None = Field(default=None, max_length=40)


class ImportChange(SQLModel, table=True):
    """A row a batch added or updated; updates keep the old values for undo."""

    __tablename__ = "import_change"
    # Undo checks whether a later batch touched the same rows: a (table, row) lookup.
    __table_args__ = (Index("ix_import_change_table_row", "table_name", "row_key"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="import_batch.id", index=True)
    table_name: str = Field(max_length=40)
    row_key: str = Field(max_length=40)  # the row's primary key as text (ids and village codes)
    action: str = Field(max_length=8)  # add / update
    old_values: str | None = Field(default=None, sa_type=Text)  # JSON, updates only
