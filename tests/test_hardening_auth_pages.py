"""Issue 11 as a user meets it (AppTest through app.py): a session that ends when its account is
deactivated or reset (the form itself, at /signin, is tested over HTTP in test_web_sessions), a
missing store that is reported (without its path to outsiders) and picked up when it comes back,
and the audit chain's status line on /audit."""

from __future__ import annotations

import logging
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from data_access import accounts, audit
from data_access.access import Principal
from data_access.db import make_engine
from tests.conftest import signed_in

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PASSWORD = "lantern river quietly 1987"
ADMIN = Principal("admin", "管理员", "admin")
pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")


def _app(monkeypatch, url: str) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    return AppTest.from_file(APP, default_timeout=180)


def _copy_store(source_url: str, target: Path) -> str:
    """A private copy of the demo store (sqlite backup: includes what is still in the WAL)."""
    source = sqlite3.connect(make_engine(source_url).url.database)
    copy = sqlite3.connect(target)
    source.backup(copy)
    copy.close()
    source.close()
    return f"sqlite:///{target}"


SESSION_KEYS = ("_principal", "_session_epoch", "_last_seen")


def _next_run(at: AppTest) -> AppTest:
    """The same session's next script run. In this AppTest a second run() of a multipage app
    does not run app.py again (only the page), so the run is a fresh AppTest carrying the
    session's state: everything a real next run would start from."""
    following = AppTest.from_file(APP, default_timeout=180)
    for key in SESSION_KEYS:
        if key in at.session_state:
            following.session_state[key] = at.session_state[key]
    following.run()
    assert not following.exception, [e.value for e in following.exception]
    return following


def _sign_in_prompt_shown(at: AppTest) -> bool:
    """No figures, and the way to the sign-in form (a link to /signin back to this page)."""
    links = at.get("link_button")
    return not at.metric and any("/signin?next=" in str(link.proto.url) for link in links)


def _session(monkeypatch, url: str) -> tuple[AppTest, str]:
    """A session as the sign-in form leaves it (principal and the account's session epoch),
    for a fresh account of its own. (The form itself writes the epoch: see the first test.)"""
    name = f"hard_{uuid.uuid4().hex[:8]}"
    engine = make_engine(url)
    accounts.create_account(
        engine, username=name, display_name="测试领导", role="leader", password=PASSWORD, must_change_password=False
    )
    signed = accounts.authenticate(engine, username=name, password=PASSWORD)
    at = signed_in(_app(monkeypatch, url), signed.principal)
    at.session_state["_session_epoch"] = signed.session_epoch
    at.run()
    assert at.metric and not _sign_in_prompt_shown(at), "signed in"
    return at, name


@pytest.mark.parametrize("action", ["deactivate", "reset"])
def test_an_open_session_ends_on_deactivation_or_reset(monkeypatch, sqlite_demo_url, action):
    at, name = _session(monkeypatch, sqlite_demo_url)
    assert _next_run(at).metric, "still signed in on the next run"
    accounts.admin_update(
        make_engine(sqlite_demo_url),
        username=name,
        by="admin",
        action=action,
        password="a new lantern by the river" if action == "reset" else None,
    )
    at = _next_run(at)
    assert _sign_in_prompt_shown(at)
    assert any("已失效" in i.value for i in at.info)


def test_an_unchanged_account_stays_signed_in(monkeypatch, sqlite_demo_url):
    at, name = _session(monkeypatch, sqlite_demo_url)
    accounts.admin_update(make_engine(sqlite_demo_url), username=name, by="admin", action="unlock")
    for _ in range(2):
        at = _next_run(at)
        assert at.metric and not _sign_in_prompt_shown(at)


def test_a_missing_store_is_reported_and_picked_up_when_back(monkeypatch, sqlite_demo_url, tmp_path, caplog):
    path = tmp_path / "restored" / "kunshan.db"
    url = f"sqlite:///{path}"
    at = _app(monkeypatch, url)
    with caplog.at_level(logging.ERROR, logger="kunshan.store"):
        at.run()
    assert not at.exception
    shown = "\n".join(e.value for e in at.error)
    assert "数据库文件不存在" in shown
    assert str(path) not in shown and "kunshan.db" not in shown, "no store path before sign-in"
    assert str(path) in caplog.text, "the path goes to the server log"
    assert not path.exists() and not path.parent.exists(), "the app never creates a store"
    path.parent.mkdir()
    _copy_store(sqlite_demo_url, path)
    at.run()  # same process, no restart
    assert not at.error and _sign_in_prompt_shown(at)


@pytest.mark.parametrize(("principal", "details"), [(ADMIN, True), (Principal("leader", "领导", "leader"), False)])
def test_store_error_details_for_administrators_only(monkeypatch, tmp_path, principal, details):
    path = tmp_path / "missing.db"
    at = signed_in(_app(monkeypatch, f"sqlite:///{path}"), principal)
    at.run()
    shown = "\n".join(e.value for e in at.error)
    assert "数据库文件不存在" in shown
    assert (str(path) in shown) is details and ("原因" in shown) is details


def test_audit_page_shows_the_chain_status(monkeypatch, sqlite_demo_url, tmp_path):
    url = _copy_store(sqlite_demo_url, tmp_path / "audit.db")
    engine = make_engine(url)
    for i in range(3):
        audit.record(engine, username=f"u{i}", action="export_excel")
    at = signed_in(_app(monkeypatch, url), ADMIN)
    at.run()
    at.switch_page("pages/admin_audit.py").run()
    assert any(s.value.startswith("链校验通过") for s in at.success)
    with engine.begin() as conn:  # someone with the file: triggers off, one entry changed
        conn.execute(text("DROP TRIGGER audit_event_no_update"))
        bad = conn.execute(text("SELECT MAX(id) - 1 FROM audit_event")).scalar()
        conn.execute(text("UPDATE audit_event SET username = 'nobody' WHERE id = :id"), {"id": bad})
    at.run()  # the page's cache is per minute; a fresh test run clears it
    import streamlit as st

    st.cache_data.clear()
    at.run()
    assert any(f"第 {bad} 条起被改动" in e.value for e in at.error)
