"""GET /healthz: 200 on a sound store (SQLite and PostgreSQL); 503 naming the failed check
when the store file is removed or the server cannot be reached, when migrations are behind or
facts stale; 200 again once the store is back. No secrets in the body."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from alembic import command
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.testclient import TestClient

from data_access.db import make_engine, sqlite_path
from data_access.migrate import alembic_config
from pages.web import api, health
from tests.conftest import fresh_store_url


def _client() -> TestClient:
    return TestClient(Starlette(routes=[*health.ROUTES, *api.ROUTES]))


def _images_ok() -> bool:
    return health.check_image_export().ok


def _expect_only(body: dict, failed: list[str]) -> None:
    """The failures asked for, plus image export where this machine has no Chromium."""
    extra = [] if _images_ok() else ["image_export"]
    assert body["failed"] == [*failed, *extra]
    assert body["status"] == ("fail" if failed else "degraded" if extra else "ok")


def test_healthy_store_answers_200(demo_engine, monkeypatch):
    url = demo_engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    r = _client().get("/healthz")
    body = r.json()
    _expect_only(body, [])
    assert r.status_code == 200, "a missing Chromium degrades exports, it does not stop the figures"
    checks = body["checks"]
    assert checks["store"]["backend"] == demo_engine.dialect.name
    assert checks["migrations"]["current"] == checks["migrations"]["head"] == health.code_heads()[0]
    assert checks["facts"]["ok"] and checks["facts"]["stale_months"] == []
    assert set(checks) == {"store", "migrations", "facts", "image_export"}
    # No address: no URL scheme, host, database name or file path.
    assert "://" not in r.text and "127.0.0.1" not in r.text and ".db" not in r.text
    assert not demo_engine.url.database or demo_engine.url.database not in r.text


@pytest.fixture
def sqlite_copy(sqlite_demo_url, tmp_path, monkeypatch):
    """A private copy of the SQLite demo store that a test may remove and change."""
    source = sqlite_path(sqlite_demo_url)
    target = tmp_path / "copy.db"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("DATABASE_URL", url)
    return target


def test_removed_store_file_is_reported_and_recovers(sqlite_copy, tmp_path):
    client = _client()
    assert client.get("/healthz").json()["checks"]["store"]["ok"]
    moved = tmp_path / "elsewhere.db"
    shutil.move(sqlite_copy, moved)
    r = client.get("/healthz")
    assert r.status_code == 503
    body = r.json()
    assert body["failed"][:3] == ["store", "migrations", "facts"]
    assert body["checks"]["store"]["detail"] == "数据库文件不存在"
    assert str(tmp_path) not in r.text  # no paths, no addresses
    shutil.move(moved, sqlite_copy)
    r = client.get("/healthz")
    _expect_only(r.json(), [])


def test_unreachable_server_is_reported(monkeypatch):
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://kunshan:secret-pw@127.0.0.1:1/kunshan")
    r = _client().get("/healthz")
    assert r.status_code == 503
    assert r.json()["checks"]["store"] == {"ok": False, "detail": "无法连接数据库"}
    assert "secret-pw" not in r.text and "127.0.0.1" not in r.text


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_behind_are_reported(backend, tmp_path, monkeypatch):
    url = fresh_store_url(backend, "healthz_behind", tmp_path)
    engine = make_engine(url)
    if backend == "sqlite":
        sqlite3.connect(sqlite_path(url)).close()
    cfg = alembic_config()
    cfg.attributes["configure_logger"] = False
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0008")
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    r = _client().get("/healthz")
    assert r.status_code == 503
    body = r.json()
    _expect_only(body, ["migrations", "facts"])
    assert body["checks"]["migrations"]["current"] == "0008"
    assert body["checks"]["migrations"]["head"] == health.code_heads()[0] != "0008"


def test_stale_facts_are_reported(sqlite_copy):
    """A setting changed behind the app's back (no refresh): the built months are stale."""
    with sqlite3.connect(sqlite_copy) as conn:
        conn.execute(
            "INSERT INTO setting (key, value, updated_at) VALUES ('review_overdue_days', '45', '2026-11-01') "
            "ON CONFLICT (key) DO UPDATE SET value = '45'"
        )
    r = _client().get("/healthz")
    assert r.status_code == 503
    body = r.json()
    _expect_only(body, ["facts"])
    assert body["checks"]["facts"]["stale_months"]


def test_facts_not_enabled_is_healthy(sqlite_copy):
    engine = make_engine(f"sqlite:///{sqlite_copy}")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM analytics_state"))
    engine.dispose()
    body = _client().get("/healthz").json()
    assert body["checks"]["facts"]["ok"] and body["checks"]["facts"]["enabled"] is False


def test_image_check_is_cached(monkeypatch):
    import briefing.images

    calls = []

    def lookup():
        calls.append(1)
        return "/usr/bin/chromium"

    monkeypatch.setattr(briefing.images, "chromium_path", lookup)
    monkeypatch.setattr(health, "_image_cache", None)
    for _ in range(3):
        health.check_image_export(now=1000.0)
    assert len(calls) == 1
    health.check_image_export(now=1000.0 + health.IMAGE_CHECK_SECONDS + 1)
    assert len(calls) == 2


def test_missing_image_export_is_degraded_not_down(demo_engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_engine.url.render_as_string(hide_password=False))
    monkeypatch.setattr(health, "check_image_export", lambda: health.Check(False, "服务器端图片导出不可用"))
    r = _client().get("/healthz")
    assert (r.status_code, r.json()["status"], r.json()["failed"]) == (200, "degraded", ["image_export"])
