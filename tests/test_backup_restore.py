"""The real deploy/backup.sh and deploy/restore.sh: a demo store dumped and restored into a new
database gives every KPI of the registry (city and each town, several periods), the same rows in
every table and the same sequences; retention removes only dumps older than its days."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from data_access.db import make_engine
from data_access.models.governance import CITY_SCOPE
from metrics.domain.periods import Period
from metrics.evaluate import Evaluator
from metrics.registry import KPIS
from tests.conftest import TEST_SCALE, migrated_engine, unavailable

pytestmark = pytest.mark.postgres

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
PERIODS = ("2025", "2026-Q3", "2026-09")  # a year, a quarter and a month, all with data


def server_url() -> str:
    """TEST_DATABASE_URL's server, as SQLAlchemy wants it (the database part is replaced)."""
    base = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not base:
        unavailable("未设置 TEST_DATABASE_URL（PostgreSQL 测试库），跳过备份恢复测试")
    for tool in ("pg_dump", "pg_restore", "psql"):
        if shutil.which(tool) is None:
            unavailable(f"未安装 {tool}（apt-get install postgresql-client），跳过备份恢复测试")
    return base.replace("postgresql://", "postgresql+psycopg://", 1) if base.startswith("postgresql://") else base


def database_url(server: str, name: str) -> str:
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def drop_database(server: str, name: str) -> None:
    admin = make_engine(database_url(server, "postgres"))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def create_database(server: str, name: str) -> str:
    """A new, empty database on the test server (backups are of whole databases, not schemas)."""
    drop_database(server, name)
    admin = make_engine(database_url(server, "postgres"))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        unavailable(f"无法在 PostgreSQL 上创建数据库：{exc}")
    finally:
        admin.dispose()
    return database_url(server, name)


@pytest.fixture(scope="module")
def databases() -> Iterator[tuple[str, str, str]]:
    """(server, source URL with the demo city, name for the restored copy); both dropped after."""
    from metrics.seed import seed_demo

    server = server_url()
    suffix = uuid.uuid4().hex[:8]
    source, restored = f"kd_backup_src_{suffix}", f"kd_backup_dst_{suffix}"
    url = create_database(server, source)
    engine = migrated_engine(url)
    seed_demo(engine, scale=TEST_SCALE)
    engine.dispose()
    yield server, url, restored
    for name in (source, restored):
        drop_database(server, name)


def run(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(DEPLOY / script), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def snapshot(url: str) -> dict[str, object]:
    """Every table's row count, every sequence, and every KPI figure for city and towns."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            tables = conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
            ).scalars()
            counts = {t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one() for t in tables}
            sequences = dict(conn.execute(text("SELECT sequencename, last_value FROM pg_sequences")).all())
            towns = tuple(conn.execute(text("SELECT code FROM town ORDER BY code")).scalars())
            figures = {}
            for key in PERIODS:
                evaluator = Evaluator(conn, towns=towns, period=Period.parse(key))
                for kpi in KPIS:
                    for scope in (CITY_SCOPE, *towns):
                        figure = evaluator.figure(kpi, scope)
                        # Everything the pages show of a figure (the KPI record itself is shared).
                        figures[(key, kpi.key, scope)] = {
                            f.name: getattr(figure, f.name) for f in dataclasses.fields(figure) if f.name != "kpi"
                        }
    finally:
        engine.dispose()
    return {"counts": counts, "sequences": sequences, "figures": figures}


def test_backup_then_restore_gives_the_same_figures(databases, tmp_path):
    server, source_url, restored = databases
    backups = tmp_path / "backups"
    backups.mkdir()
    # Retention: a dump older than RETENTION_DAYS goes, a younger one stays.
    old, recent = backups / "kunshan-20200101T000000Z.dump", backups / "kunshan-20200102T000000Z.dump"
    for path, days in ((old, 8), (recent, 6)):
        path.write_bytes(b"old")
        stamp = time.time() - days * 86400
        os.utime(path, (stamp, stamp))

    done = run("backup.sh", str(backups), env={"DATABASE_URL": source_url, "RETENTION_DAYS": "7"})
    assert done.returncode == 0, done.stderr
    dump = Path(done.stdout.strip().splitlines()[-1])
    assert dump.parent == backups and dump.stat().st_size > 0
    assert dump.stat().st_mode & 0o077 == 0  # personal data: the service user only
    assert not old.exists() and recent.exists()
    assert not list(backups.glob("*.partial"))

    done = run("restore.sh", str(dump), restored, env={"DATABASE_URL": source_url})
    assert done.returncode == 0, done.stderr
    # Never into an existing database (the live store cannot be overwritten by a slip).
    again = run("restore.sh", str(dump), restored, env={"DATABASE_URL": source_url})
    assert again.returncode == 3 and "already exists" in again.stderr

    before, after = snapshot(source_url), snapshot(database_url(server, restored))
    assert before["counts"]["household"] > 0 and before["counts"]["alembic_version"] == 1
    assert after["counts"] == before["counts"]
    assert after["sequences"] == before["sequences"]
    assert len(before["figures"]) == len(PERIODS) * len(KPIS) * (1 + before["counts"]["town"])
    different = {k: (v, after["figures"].get(k)) for k, v in before["figures"].items() if after["figures"].get(k) != v}
    assert different == {}
    assert sum(1 for f in before["figures"].values() if f["value"] is not None) > len(KPIS)  # real figures


def test_restore_refuses_a_file_that_is_not_a_dump(tmp_path):
    server = server_url()
    junk = tmp_path / "kunshan-junk.dump"
    junk.write_bytes(b"not a dump")
    name = f"kd_backup_junk_{uuid.uuid4().hex[:8]}"
    done = run("restore.sh", str(junk), name, env={"DATABASE_URL": database_url(server, "postgres")})
    assert done.returncode != 0
    engine = make_engine(database_url(server, "postgres"))
    with engine.connect() as conn:  # refused before anything was created
        assert conn.execute(text("SELECT COUNT(*) FROM pg_database WHERE datname = :n"), {"n": name}).scalar() == 0
    engine.dispose()
