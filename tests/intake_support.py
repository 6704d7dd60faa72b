"""Helpers for the data-intake tests (imports, goals, standards): writable demo stores of
their own (the session demo stores are shared and must stay untouched), file builders, row
counts, and signing in an AppTest session when the app has sign-in."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from sqlalchemy import Engine, func, select, text
from sqlmodel import SQLModel

from tests.conftest import fresh_store_url, migrated_engine

INTAKE_SCALE = 0.02  # ~300 households: every table filled, seconds to build on either backend


def seeded_store(backend: str, name: str, tmp_dir, *, scale: float = INTAKE_SCALE) -> Engine:
    """A migrated store with its own small demo city, free to be written to."""
    from metrics.seed import seed_demo

    engine = migrated_engine(fresh_store_url(backend, name, tmp_dir))
    seed_demo(engine, scale=scale)
    return engine


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows in every table: equal before and after a load that must not write."""
    with engine.connect() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in SQLModel.metadata.tables.items()
        }


def heads(engine: Engine, n: int = 5) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT head_id_number FROM household ORDER BY id LIMIT :n"), {"n": n})
        return [str(r[0]) for r in rows]


def members(engine: Engine, n: int = 5) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id_number FROM member ORDER BY id LIMIT :n"), {"n": n})
        return [str(r[0]) for r in rows]


def csv_bytes(rows: Sequence[Sequence[object]], *, encoding: str = "utf-8-sig", delimiter: str = ",") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(
    rows: Sequence[Sequence[object]],
    *,
    title: str | None = None,
    merge_title: bool = False,
    empty_first_sheet: bool = False,
) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    if empty_first_sheet:
        sheet.title = "空白"
        sheet = workbook.create_sheet("数据")
    if title is not None:
        sheet.append([title])
        if merge_title:
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(2, len(rows[0]) if rows else 2))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def signed_in(at) -> None:
    """Start the AppTest session signed in as an administrator (the writing pages need one)."""
    from data_access.access import Principal
    from tests.conftest import signed_in as sign

    sign(at, Principal("intake_tester", "导入测试员", "admin"))


def open_page(monkeypatch, engine: Engine, page: str):
    """Run one of the writing pages through app.py as an administrator, against `engine`."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120)
    signed_in(at)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at
