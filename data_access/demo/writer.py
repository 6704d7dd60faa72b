"""The demo writer (buffers rows per table, assigns ids, inserts in chunks) and the relief
ledger that sizes the budgets."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from data_access.demo.base import CHUNK_ROWS

# --------------------------------------------------------------------------- writer


class _Writer:
    """Buffers rows per table and inserts them in chunks, parents before children.

    Ids are assigned here, so no insert needs a round trip for its key.
    """

    def __init__(self, connection: Connection, chunk_rows: int = CHUNK_ROWS) -> None:
        self._conn = connection
        self._chunk_rows = chunk_rows
        self._order = list(SQLModel.metadata.sorted_tables)  # foreign keys are checked per statement
        self._buffers: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._last_id: dict[str, int] = defaultdict(int)
        self.counts: dict[str, int] = {}

    def new_id(self, model: type[SQLModel]) -> int:
        name = str(model.__tablename__)
        self._last_id[name] += 1
        return self._last_id[name]

    def add(self, model: type[SQLModel], row: dict[str, Any]) -> None:
        name = str(model.__tablename__)
        self.counts.setdefault(name, 0)
        buffer = self._buffers[name]
        buffer.append(row)
        if len(buffer) >= self._chunk_rows:
            self.flush()

    def flush(self) -> None:
        for table in self._order:
            rows = self._buffers.get(table.name)
            if rows:
                self._conn.execute(table.insert(), rows)
                self.counts[table.name] += len(rows)
                self._buffers[table.name] = []

    def tables_with_ids(self) -> list[str]:
        return [name for name, last in self._last_id.items() if last > 0]


class _Ledger:
    """Relief spending per (year, town, type): the basis of the budgets."""

    def __init__(self) -> None:
        self.spent: dict[tuple[int, str, str], int] = defaultdict(int)

    def add(self, year: int, town_code: str, relief_type: str, amount_fen: int) -> None:
        self.spent[(year, town_code, relief_type)] += amount_fen

    def expected(self, year: int, town_code: str, relief_type: str) -> float:
        # The history covers only Nov-Dec 2021 and Jan-Oct 2026: plan those years on a full one.
        if year <= 2021:
            return self.spent[(2022, town_code, relief_type)] * 0.96
        if year >= 2026:
            return self.spent[(2025, town_code, relief_type)] * 1.05
        return float(self.spent[(year, town_code, relief_type)])
