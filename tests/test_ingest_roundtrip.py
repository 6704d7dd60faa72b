"""Round trip, on SQLite and PostgreSQL: export the demo city with the templates (one file
per kind, CSV and XLSX alternately), wipe the store, import every file, and every KPI for
the city and each town, over several periods, comes out the same."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import select, text
from sqlmodel import SQLModel

from data_access.ingest import KINDS, LOAD_ORDER, commit, dry_run, export_file
from data_access.models.governance import CITY_SCOPE
from metrics.domain.periods import Period
from metrics.evaluate import Evaluator
from metrics.registry import KPIS
from tests.conftest import TEST_SCALE
from tests.intake_support import seeded_store, table_counts

PERIODS = ("2024-07", "2025", "2026-Q2", "2026-Q3")
# Public reference data stays; everything a department sends is wiped and re-imported.
KEPT = {"town", "living_standard", "setting"}


def _figures(engine) -> dict[tuple[str, str, str], float | None]:
    out = {}
    with engine.connect() as conn:
        towns = tuple(sorted(r[0] for r in conn.execute(select(SQLModel.metadata.tables["town"].c.code))))
        for key in PERIODS:
            evaluator = Evaluator(conn, towns=towns, period=Period.parse(key))
            for kpi in KPIS:
                for scope in (CITY_SCOPE, *towns):
                    out[(key, kpi.key, scope)] = evaluator.value(kpi, scope)
    return out


def _goals(engine) -> list[tuple]:
    table = SQLModel.metadata.tables["goal"]
    with engine.connect() as conn:
        return sorted(
            conn.execute(select(table.c.kpi_key, table.c.scope_code, table.c.period, table.c.target, table.c.note))
        )


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_export_wipe_import_gives_the_same_kpis(backend, tmp_path):
    engine = seeded_store(backend, "ingest_roundtrip", tmp_path, scale=TEST_SCALE)
    try:
        before, goals_before = _figures(engine), _goals(engine)
        counts_before = table_counts(engine)
        files, exported = {}, {}
        with engine.connect() as conn:
            for i, key in enumerate(LOAD_ORDER):
                fmt = "xlsx" if i % 2 else "csv"
                files[key] = (export_file(conn, KINDS[key], fmt=fmt), f"{key}.{fmt}")
                # Several kinds may share a table (帮扶服务记录): each exports its own rows.
                exported[key] = len(conn.execute(text(KINDS[key].export_sql)).all())

        wiped = {k.table_name for k in KINDS.values()} | {"feed_status"}
        assert not wiped & KEPT
        with engine.begin() as conn:
            for table in reversed(SQLModel.metadata.sorted_tables):
                if table.name in wiped:
                    conn.execute(table.delete())
        assert all(table_counts(engine)[name] == 0 for name in wiped)

        for key in LOAD_ORDER:
            data, name = files[key]
            result = commit(engine, data, name, key, user="round-trip")
            assert result.plan.rows_total == exported[key] > 0, key
            assert len(result.plan.adds) == result.plan.rows_total, key

        counts_after = table_counts(engine)
        for name in wiped - {"feed_status"}:
            assert counts_after[name] == counts_before[name], name
        after = _figures(engine)
        differ = [
            (k, before[k], after[k])
            for k in before
            if not (
                before[k] == after[k]
                or (before[k] is not None and after[k] is not None and math.isclose(before[k], after[k]))
            )
        ]
        assert not differ, differ[:10]
        assert sum(v is not None for v in after.values()) > len(after) * 0.9  # the comparison had figures to compare
        assert _goals(engine) == goals_before

        # Loading the same files again would change nothing.
        for key in LOAD_ORDER:
            data, name = files[key]
            plan = dry_run(engine, data, name, key)
            assert plan.ok and not plan.changes and plan.unchanged == plan.rows_total, key
    finally:
        engine.dispose()
