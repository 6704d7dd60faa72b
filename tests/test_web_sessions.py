"""Sign-in that survives a reload (issue 14): server-side sessions behind a signed cookie, on
SQLite and PostgreSQL, with a fixed clock for the idle and absolute expiry; and the HTTP form
at /signin with its CSRF token, its redirects and the gate in front of the pages."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from data_access import accounts, audit, web_sessions
from data_access.web_sessions import Active, Ended

PASSWORD = "lantern river quietly 1987"
T0 = datetime(2026, 11, 2, 9, 0)


def _account(engine, role: str = "leader", **extra) -> str:
    name = f"ws_{uuid.uuid4().hex[:8]}"
    accounts.create_account(
        engine, username=name, display_name="测试", role=role, password=PASSWORD, must_change_password=False, **extra
    )
    return name


def _sign_in(engine, name: str, *, now: datetime = T0, replaces: str | None = None) -> str:
    signed = accounts.authenticate(engine, username=name, password=PASSWORD, now=now)
    return web_sessions.start(
        engine, username=name, session_epoch=signed.session_epoch, now=now, replaces=replaces, source="10.0.0.8"
    )


# -- the store: what a cookie stands for ------------------------------------------------------------
def test_a_session_names_its_user_and_the_store_keeps_only_a_hash(empty_engine):
    name = _account(empty_engine, role="town", town_code="320583101000")
    cookie = _sign_in(empty_engine, name)
    state = web_sessions.resolve(empty_engine, cookie, now=T0 + timedelta(minutes=1))
    assert isinstance(state, Active)
    assert (state.principal.username, state.principal.role, state.principal.town_code) == (
        name,
        "town",
        "320583101000",
    )
    token = cookie.split(".")[0]
    with empty_engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM web_session"))]
    assert token not in ids and web_sessions.session_id(token) in ids


def test_every_sign_in_gets_a_new_id_and_the_old_one_ends(empty_engine):
    name = _account(empty_engine)
    first = _sign_in(empty_engine, name)
    second = _sign_in(empty_engine, name, replaces=first)
    assert first != second
    assert web_sessions.resolve(empty_engine, first, now=T0) == Ended("signed_out")
    assert isinstance(web_sessions.resolve(empty_engine, second, now=T0), Active)


def test_idle_30_minutes_ends_it_and_activity_keeps_it(empty_engine):
    name = _account(empty_engine)
    cookie = _sign_in(empty_engine, name)
    at = T0
    for _ in range(6):  # a page every 25 minutes for 2.5 hours
        at += timedelta(minutes=25)
        assert isinstance(web_sessions.resolve(empty_engine, cookie, now=at), Active), at
    at += timedelta(minutes=30, seconds=1)
    ended = web_sessions.resolve(empty_engine, cookie, now=at)
    assert ended == Ended("idle") and "30 分钟未操作" in ended.reason


def test_eight_hours_end_it_however_active(empty_engine):
    name = _account(empty_engine)
    cookie = _sign_in(empty_engine, name)
    at = T0
    while at < T0 + timedelta(hours=8) - timedelta(minutes=10):
        at += timedelta(minutes=10)
        assert isinstance(web_sessions.resolve(empty_engine, cookie, now=at), Active), at
    assert web_sessions.resolve(empty_engine, cookie, now=T0 + timedelta(hours=8)) == Ended("absolute")


def test_sign_out_ends_it_for_every_holder_of_the_cookie(empty_engine):
    name = _account(empty_engine)
    cookie = _sign_in(empty_engine, name)
    assert web_sessions.revoke(empty_engine, cookie, now=T0 + timedelta(minutes=2))
    copied = str(cookie)  # a stolen copy is the same value
    assert web_sessions.resolve(empty_engine, copied, now=T0 + timedelta(minutes=3)) == Ended("signed_out")
    assert not web_sessions.revoke(empty_engine, copied), "already ended"


@pytest.mark.parametrize("action", ["deactivate", "reset"])
def test_deactivation_and_reset_end_every_session(empty_engine, action):
    name = _account(empty_engine)
    cookies = [_sign_in(empty_engine, name), _sign_in(empty_engine, name)]
    accounts.admin_update(
        empty_engine,
        username=name,
        by="admin",
        action=action,
        password="a new lantern by the river" * (action == "reset"),
    )
    for cookie in cookies:
        assert web_sessions.resolve(empty_engine, cookie, now=T0) == Ended("account")


def test_own_password_change_keeps_this_session_and_ends_the_others(empty_engine):
    name = _account(empty_engine)
    here, elsewhere = _sign_in(empty_engine, name), _sign_in(empty_engine, name)
    epoch = accounts.change_password(empty_engine, username=name, old=PASSWORD, new="a new lantern by the river")
    web_sessions.renew_epoch(empty_engine, here, username=name, session_epoch=epoch)
    assert isinstance(web_sessions.resolve(empty_engine, here, now=T0), Active)
    assert web_sessions.resolve(empty_engine, elsewhere, now=T0) == Ended("account")


def test_a_forged_or_foreign_cookie_is_nobody(empty_engine):
    name = _account(empty_engine)
    cookie = _sign_in(empty_engine, name)
    token, signature = cookie.split(".")
    forged = [
        f"{token}.{signature[:-1]}{'0' if signature[-1] != '0' else '1'}",
        # Another token under this signature (its first character changed: a fixed replacement
        # would leave one token in 64 unchanged).
        f"{'B' if token[0] == 'A' else 'A'}{token[1:]}.{signature}",
        web_sessions.sign(token, key=b"another deployment's key"),
        token,
        "",
        "x" * 5000,
        "a.b.c",
    ]
    for value in forged:
        assert web_sessions.resolve(empty_engine, value, now=T0) is None, value


def test_old_rows_are_purged(empty_engine):
    name = _account(empty_engine)
    _sign_in(empty_engine, name)
    assert web_sessions.purge(empty_engine, now=T0 + timedelta(days=29)) == 0
    assert web_sessions.purge(empty_engine, now=T0 + timedelta(days=31)) == 1


# -- the HTTP form and the gate ---------------------------------------------------------------------
async def _page(request):  # stands for Streamlit's index page behind the gate
    return PlainTextResponse("the app")


@pytest.fixture
def client(monkeypatch, tmp_path):
    from data_access.db import make_engine
    from data_access.migrate import upgrade
    from pages.web import signin

    url = f"sqlite:///{tmp_path / 'web.db'}"
    upgrade(make_engine(url))
    monkeypatch.setenv("DATABASE_URL", url)
    app = Starlette(
        routes=[*signin.ROUTES, Route("/{page:path}", _page)],
        middleware=[Middleware(signin.SignInGate)],
    )
    engine = make_engine(url)
    with TestClient(app, base_url="http://dash.test", follow_redirects=False) as http:
        http.engine = engine
        yield http
    engine.dispose()


def _csrf(http: TestClient, next_path: str = "/overview") -> str:
    form = http.get("/signin", params={"next": next_path})
    assert form.status_code == 200 and "登录" in form.text
    return re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)


def _post(http: TestClient, name: str, password: str, *, next_path: str = "/overview", **headers):
    csrf = _csrf(http, next_path)
    return http.post(
        "/signin", data={"csrf": csrf, "next": next_path, "username": name, "password": password}, headers=headers
    )


def test_a_page_without_a_session_goes_to_the_form_and_comes_back(client):
    name = _account(client.engine)
    sent = client.get("/relief?period=2026-Q3&scope=city")
    assert sent.status_code == 303
    target = urlsplit(sent.headers["location"])
    assert target.path == "/signin" and parse_qs(target.query)["next"] == ["/relief?period=2026-Q3&scope=city"]
    answer = _post(client, name, PASSWORD, next_path="/relief?period=2026-Q3&scope=city")
    assert answer.status_code == 303 and answer.headers["location"] == "/relief?period=2026-Q3&scope=city"
    cookie = answer.headers["set-cookie"]
    assert "kd_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie, "plain HTTP on loopback"
    page = client.get("/relief?period=2026-Q3&scope=city")  # the client keeps the cookie: a reload
    assert page.status_code == 200 and page.text == "the app"
    for other in ("/_stcore/health", "/static/js/main.js", "/signin"):
        assert client.get(other).status_code == 200, other


def test_behind_https_the_cookie_is_secure(client):
    name = _account(client.engine)
    answer = _post(client, name, PASSWORD, **{"x-forwarded-proto": "https"})
    assert answer.status_code == 303 and "Secure" in answer.headers["set-cookie"]


def test_the_form_needs_its_csrf_token_and_this_origin(client):
    name = _account(client.engine)
    no_token = client.post("/signin", data={"username": name, "password": PASSWORD, "next": "/"})
    assert no_token.status_code == 403 and "页面已过期" in no_token.text
    _csrf(client)
    wrong = client.post("/signin", data={"csrf": "x" * 43, "username": name, "password": PASSWORD})
    assert wrong.status_code == 403
    foreign = _post(client, name, PASSWORD, origin="https://evil.example")
    assert foreign.status_code == 403 and "kd_session" not in foreign.headers.get("set-cookie", "")
    assert [e["action"] for e in audit.search(client.engine, username=name)] == [], "no password was checked"


def test_wrong_password_and_unknown_user_get_the_same_answer(client):
    name = _account(client.engine)
    answers = [_post(client, name, "wrong password"), _post(client, f"nobody_{uuid.uuid4().hex[:6]}", "whatever")]
    assert [a.status_code for a in answers] == [401, 401]
    assert all(accounts.SIGN_IN_FAILED in a.text for a in answers)
    assert f'value="{name}"' in answers[0].text, "the typed name stays in the form"


def test_the_form_escapes_what_it_echoes(client):
    answer = _post(client, '"><script>alert(1)</script>', "x")
    assert "<script>alert(1)" not in answer.text and "&lt;script&gt;" in answer.text


def test_lockout_applies_to_the_form(client):
    name = _account(client.engine)
    for _ in range(accounts.MAX_FAILURES):
        assert _post(client, name, "wrong password").status_code == 401
    assert _post(client, name, PASSWORD).status_code == 401, "locked, even with the right password"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"])
def test_next_never_leaves_the_site(client, target):
    name = _account(client.engine)
    answer = _post(client, name, PASSWORD, next_path=target)
    assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_after_sign_out_the_gate_says_why(client):
    name = _account(client.engine)
    _post(client, name, PASSWORD)
    web_sessions.revoke(client.engine, client.cookies.get("kd_session"))
    sent = client.get("/overview")
    assert sent.status_code == 303 and "m=signed_out" in sent.headers["location"]
    form = client.get(sent.headers["location"])
    assert web_sessions.SIGNED_OUT in form.text


def test_a_new_sign_in_in_the_same_browser_ends_the_previous_session(client):
    name = _account(client.engine)
    _post(client, name, PASSWORD)
    before = client.cookies.get("kd_session")
    _post(client, name, PASSWORD)
    after = client.cookies.get("kd_session")
    assert before != after
    assert web_sessions.resolve(client.engine, before) == Ended("signed_out")
    assert isinstance(web_sessions.resolve(client.engine, after), Active)


def test_a_missing_store_lets_the_page_say_so(monkeypatch, tmp_path):
    from pages.web import signin

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'gone' / 'kunshan.db'}")
    app = Starlette(routes=[*signin.ROUTES, Route("/{page:path}", _page)], middleware=[Middleware(signin.SignInGate)])
    with TestClient(app, follow_redirects=False) as http:
        sent = http.get("/overview")
        assert sent.status_code == 303
        assert signin.STORE_DOWN in http.get(sent.headers["location"]).text, "said before anyone types"
        http.cookies.set("kd_csrf", "x" * 40)
        answer = http.post("/signin", data={"csrf": "x" * 40})
        assert answer.status_code == 503 and signin.STORE_DOWN in answer.text


def test_a_password_typed_as_user_name_is_not_logged(client):
    typed = f"Secret-{uuid.uuid4().hex[:8]}"
    assert _post(client, typed, "whatever").status_code == 401
    logged = [e["username"] for e in audit.search(client.engine, actions=["sign_in_failed"])]
    assert not any(typed in entry for entry in logged) and any(entry.startswith("S***") for entry in logged)


def test_the_session_carries_the_accounts_epoch(client):
    name = _account(client.engine)
    accounts.admin_update(client.engine, username=name, by="admin", action="deactivate")
    assert _post(client, name, PASSWORD).status_code == 401, "a deactivated account cannot sign in"
    accounts.admin_update(client.engine, username=name, by="admin", action="activate")
    assert _post(client, name, PASSWORD).status_code == 303
    state = web_sessions.resolve(client.engine, client.cookies.get("kd_session"))
    assert state.session_epoch == accounts.account_state(client.engine, name).session_epoch == 1
