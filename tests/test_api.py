"""The read API (/api/v1) against the demo store on SQLite and PostgreSQL: figures equal the
independent computation and the pages' evaluator, a town token sees its town by every
parameter, revoked tokens and floods are refused, every call is audited, CSV equals JSON,
and a failing store answers 503 in JSON."""

from __future__ import annotations

import csv
import io
import json
import time
from uuid import uuid4

import pytest
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.testclient import TestClient

from data_access import api_tokens, audit
from data_access.db import make_engine
from data_access.models.governance import CITY_SCOPE
from metrics.domain.periods import Period
from metrics.evaluate import Evaluator
from metrics.overview import SCORECARD_KPIS
from metrics.registry import KPI_BY_KEY, KPIS
from metrics.views import domain_view
from pages.web import api, health
from tests import oracle

PERIODS = ("2026-10", "2026-Q2", "2025")


def _app() -> TestClient:
    return TestClient(Starlette(routes=[*health.ROUTES, *api.ROUTES]))


@pytest.fixture
def client(demo_engine, monkeypatch) -> TestClient:
    """The API reads the store named by DATABASE_URL, as in production."""
    monkeypatch.setenv("DATABASE_URL", demo_engine.url.render_as_string(hide_password=False))
    return _app()


def _token(engine, role: str = "leader", *, town: str = "", department: str = "") -> str:
    _, secret = api_tokens.create(
        engine, name=f"测试-{uuid4().hex[:10]}", role=role, town_code=town, department=department, created_by="test"
    )
    return secret


def _auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _json(response) -> dict:
    """Strict JSON: NaN or Infinity anywhere fails the test."""

    def refuse(name):
        raise AssertionError(f"non-JSON number {name} in response")

    return json.loads(response.text, parse_constant=refuse)


def _other_town_village(conn, town: str) -> tuple[str, str]:
    row = conn.execute(
        text("SELECT town_code, code FROM village WHERE town_code <> :t ORDER BY code LIMIT 1"), {"t": town}
    ).one()
    return str(row[0]), str(row[1])


def _villages(conn, town: str) -> list[str]:
    return [str(r[0]) for r in conn.execute(text("SELECT code FROM village WHERE town_code = :t"), {"t": town})]


# -- figures ------------------------------------------------------------------------------


@pytest.mark.parametrize("period", PERIODS)
def test_kpis_equal_the_independent_computation(demo_engine, client, period):
    secret = _token(demo_engine)
    with demo_engine.connect() as conn:
        towns = oracle.town_codes(conn)
        ev = Evaluator(conn, towns=towns, period=Period.parse(period))
        stock_as_of = ev.as_of(KPI_BY_KEY["caseload_households"], ev.period)
        households = oracle.caseload(conn, stock_as_of)
        spend_as_of = ev.as_of(KPI_BY_KEY["relief_spending"], ev.period)
        spending = oracle.relief_fen(conn, ev.period.start, spend_as_of)
    for scope in (CITY_SCOPE, *towns):
        r = client.get(
            "/api/v1/kpis",
            params={"period": period, "scope": scope, "kpi": "caseload_households,relief_spending"},
            headers=_auth(secret),
        )
        assert r.status_code == 200, r.text
        got = {f["kpi"]: f for f in _json(r)["kpis"]}
        units = towns if scope == CITY_SCOPE else (scope,)
        assert got["caseload_households"]["value"] == sum(households.get(t, {}).get("households", 0) for t in units)
        assert got["relief_spending"]["value"] == pytest.approx(sum(spending.get(t, 0) for t in units) / 1_000_000)
    assert sum(v["households"] for v in households.values()) > 0


def test_every_kpi_equals_what_the_pages_compute(demo_engine, client):
    """City and town: the overview's evaluator; a village: the domain pages' village view."""
    secret = _token(demo_engine)
    with demo_engine.connect() as conn:
        towns = oracle.town_codes(conn)
        town = towns[0]
        village = sorted(_villages(conn, town))[0]
        period = Period.parse("2026-Q3")
        ev = Evaluator(conn, towns=towns, period=period)
        expected = {(s, k.key): ev.figure(k, s, compare=False) for s in (CITY_SCOPE, town) for k in KPIS}
        keys = tuple(k.key for k in KPIS)
        view = domain_view(
            conn, towns=towns, period=period, scope=town, card_keys=keys, league_keys=(), village=village
        )
        expected.update({(village, f.kpi.key): f for f in view.cards})
    for params in ({"scope": CITY_SCOPE}, {"town": town}, {"village": village}):
        r = client.get("/api/v1/kpis", params={"period": "2026-Q3", **params}, headers=_auth(secret))
        assert r.status_code == 200, r.text
        body = _json(r)
        assert len(body["kpis"]) == len(KPIS)
        for f in body["kpis"]:
            want = expected.get((f["scope"], f["kpi"]))
            if want is None:  # town-only figures at village level: absent from the page's cards
                assert f["value"] is None and f["value_reason"] == "不适用"
                continue
            assert f["value"] == want.value
            assert f["goal"] == want.goal and f["target"] == want.target
            assert f["status"] == want.status.value
            assert f["incomplete_note"] == want.incomplete and f["complete"] is (want.incomplete is None)
            assert f["unit"] == want.kpi.unit and f["label"] == want.kpi.label
            if f["value"] is None:
                assert f["value_reason"] in {"无数据", "不适用"}
        assert body["period"]["key"] == "2026-Q3"


def test_villages_add_up_to_their_town(demo_engine, client):
    secret = _token(demo_engine)
    with demo_engine.connect() as conn:
        town = oracle.town_codes(conn)[1]
        villages = _villages(conn, town)
    total = 0.0
    for village in villages:
        r = client.get("/api/v1/kpis", params={"village": village, "kpi": "caseload_households"}, headers=_auth(secret))
        assert r.status_code == 200
        body = _json(r)
        assert body["scope"] == {"level": "village", "code": village, "name": body["scope"]["name"], "town": town}
        total += body["kpis"][0]["value"]
    r = client.get("/api/v1/kpis", params={"town": town, "kpi": "caseload_households"}, headers=_auth(secret))
    assert _json(r)["kpis"][0]["value"] == total > 0


def test_scorecard_rows_equal_the_town_figures(demo_engine, client):
    secret = _token(demo_engine)
    r = client.get("/api/v1/scorecard", params={"period": "2026-10"}, headers=_auth(secret))
    assert r.status_code == 200
    body = _json(r)
    with demo_engine.connect() as conn:
        towns = oracle.town_codes(conn)
        ev = Evaluator(conn, towns=towns, period=Period.parse("2026-10"))
        assert [row["town"] for row in body["rows"]] == [str(t["code"]) for t in oracle_towns(conn)]
        for row in body["rows"]:
            assert [f["kpi"] for f in row["figures"]] == list(SCORECARD_KPIS)
            for f in row["figures"]:
                assert f["value"] == ev.figure(KPI_BY_KEY[f["kpi"]], row["town"], compare=False).value
    one = body["rows"][2]
    r = client.get("/api/v1/kpis", params={"period": "2026-10", "town": one["town"]}, headers=_auth(secret))
    by_key = {f["kpi"]: f for f in _json(r)["kpis"]}
    for f in one["figures"]:
        assert by_key[f["kpi"]] == f


def oracle_towns(conn):
    from data_access.queries import reference

    return reference.towns(conn)


def test_feeds_give_each_department_feed_and_its_coverage(demo_engine, client):
    secret = _token(demo_engine, "department", department="民政局")
    r = client.get("/api/v1/feeds", params={"period": "2026-Q4"}, headers=_auth(secret))
    assert r.status_code == 200
    feeds = _json(r)["feeds"]
    with demo_engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT feed, data_date FROM feed_status")).all())
    assert {f["feed"] for f in feeds} == set(stored)
    for f in feeds:
        assert f["data_date"] == str(stored[f["feed"]])[:10]
        assert f["covers_period"] is (f["data_date"] >= f["due_date"])


# -- tokens and scope ---------------------------------------------------------------------


def test_a_town_token_sees_its_town_by_every_parameter(demo_engine, client):
    with demo_engine.connect() as conn:
        towns = oracle.town_codes(conn)
        own, other = towns[0], towns[1]
        other_town_of_village, foreign_village = _other_town_village(conn, own)
        own_village = _villages(conn, own)[0]
    secret = _token(demo_engine, "town", town=own)
    h = _auth(secret)
    refused = [
        ("/api/v1/kpis", {"scope": other}),
        ("/api/v1/kpis", {"town": other}),
        ("/api/v1/kpis", {"scope": CITY_SCOPE}),
        ("/api/v1/kpis", {"town": "全市"}),
        ("/api/v1/kpis", {"village": foreign_village}),
        ("/api/v1/kpis", {"town": own, "village": foreign_village}),
        ("/api/v1/kpis", {"scope": other, "village": own_village}),
        ("/api/v1/scorecard", {"town": other}),
        ("/api/v1/scorecard", {"scope": CITY_SCOPE}),
    ]
    for path, params in refused:
        r = client.get(path, params=params, headers=h)
        assert r.status_code == 403, (path, params, r.text)
        assert "无权" in _json(r)["error"]
    assert other_town_of_village != own
    r = client.get("/api/v1/kpis", headers=h)  # no scope: the token's town, not the city
    assert r.status_code == 200 and _json(r)["scope"]["code"] == own
    r = client.get("/api/v1/kpis", params={"village": own_village}, headers=h)
    assert r.status_code == 200 and _json(r)["scope"]["town"] == own
    r = client.get("/api/v1/scorecard", headers=h)
    assert [row["town"] for row in _json(r)["rows"]] == [own]
    # A leader's token reaches the same places.
    leader = _auth(_token(demo_engine))
    assert client.get("/api/v1/kpis", params={"village": foreign_village}, headers=leader).status_code == 200
    assert len(_json(client.get("/api/v1/scorecard", headers=leader))["rows"]) == len(towns)


def test_missing_invalid_and_revoked_tokens_are_refused(demo_engine, client):
    name = f"吊销-{uuid4().hex[:8]}"
    _, secret = api_tokens.create(demo_engine, name=name, role="leader", created_by="test")
    assert client.get("/api/v1/feeds", headers=_auth(secret)).status_code == 200
    for headers in ({}, {"Authorization": "Basic abc"}, _auth("kt_not-a-token"), {"Authorization": secret}):
        r = client.get("/api/v1/feeds", headers=headers)
        assert r.status_code == 401 and "令牌" in _json(r)["error"]
    assert api_tokens.revoke(demo_engine, name=name, revoked_by="test")
    assert not api_tokens.revoke(demo_engine, name=name, revoked_by="test")  # once
    r = client.get("/api/v1/feeds", headers=_auth(secret))
    assert r.status_code == 401 and _json(r) == {"error": "接口令牌无效或已吊销"}
    with demo_engine.connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM api_token WHERE name = :n"), {"n": name}).scalar()
    assert stored == api_tokens.hash_secret(secret) and secret not in stored  # hashed at rest


def test_token_validation(demo_engine):
    with pytest.raises(api_tokens.TokenError, match="区镇"):
        api_tokens.create(demo_engine, name=f"x-{uuid4().hex[:6]}", role="town", town_code="999", created_by="t")
    with pytest.raises(api_tokens.TokenError, match="部门"):
        api_tokens.create(demo_engine, name=f"x-{uuid4().hex[:6]}", role="department", created_by="t")
    with pytest.raises(api_tokens.TokenError, match="角色"):
        api_tokens.create(demo_engine, name=f"x-{uuid4().hex[:6]}", role="root", created_by="t")
    name = f"x-{uuid4().hex[:6]}"
    api_tokens.create(demo_engine, name=name, role="admin", created_by="t")
    with pytest.raises(api_tokens.TokenError, match="已有"):
        api_tokens.create(demo_engine, name=name, role="admin", created_by="t")


def _wait_for_a_fresh_minute_if_near_its_end() -> None:
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)


def test_rate_limit_answers_429_with_retry_after(demo_engine, client, monkeypatch):
    monkeypatch.setenv("API_RATE_LIMIT", "3")
    secret, other = _token(demo_engine), _token(demo_engine)
    _wait_for_a_fresh_minute_if_near_its_end()
    for _ in range(3):
        assert client.get("/api/v1/feeds", headers=_auth(secret)).status_code == 200
    r = client.get("/api/v1/feeds", headers=_auth(secret))
    assert r.status_code == 429
    assert "每分钟最多 3 次" in _json(r)["error"]
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/feeds", headers=_auth(other)).status_code == 200  # per token


def test_the_counter_is_one_row_per_token_and_minute(demo_engine):
    info, _ = api_tokens.create(demo_engine, name=f"计数-{uuid4().hex[:8]}", role="leader", created_by="t")
    with demo_engine.begin() as conn:
        assert [api_tokens.count_call(conn, token_id=info.id, now=600.0 + i) for i in range(3)] == [1, 2, 3]
        assert api_tokens.count_call(conn, token_id=info.id, now=660.0) == 1  # the next minute
        rows = conn.execute(text("SELECT minute, n FROM api_rate_window WHERE token_id = :t"), {"t": info.id}).all()
        used = conn.execute(text("SELECT last_used_at FROM api_token WHERE id = :t"), {"t": info.id}).scalar()
    assert [tuple(r) for r in rows] == [(11, 1)]  # older minutes dropped on a minute's first call
    assert used is not None


def test_concurrent_calls_are_each_counted_once(demo_engine):
    """The upsert is atomic: parallel calls get distinct numbers 1..N, none lost."""
    from concurrent.futures import ThreadPoolExecutor

    info, _ = api_tokens.create(demo_engine, name=f"并发-{uuid4().hex[:8]}", role="leader", created_by="t")

    def call(_: int) -> int:
        with demo_engine.connect() as conn:
            n = api_tokens.count_call(conn, token_id=info.id, now=1200.0)
            conn.commit()
            return n

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = sorted(pool.map(call, range(40)))
    assert numbers == list(range(1, 41))


def _api_reads(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM audit_event WHERE action = 'api_read'")).scalar()


def test_every_call_is_audited(demo_engine, client, monkeypatch):
    monkeypatch.setenv("API_RATE_LIMIT", "1000")
    with demo_engine.connect() as conn:
        own, other = oracle.town_codes(conn)[:2]
    secret = _token(demo_engine, "town", town=own)
    before = _api_reads(demo_engine)
    calls = [
        ("/api/v1/kpis", {"kpi": "exits"}, _auth(secret), 200),
        ("/api/v1/kpis", {"town": other}, _auth(secret), 403),
        ("/api/v1/scorecard", {"format": "csv"}, _auth(secret), 200),
        ("/api/v1/feeds", {}, {}, 401),
        ("/api/v1/nothing", {}, _auth(secret), 404),
        ("/api/v1/kpis", {"period": "2025-13"}, _auth(secret), 400),
    ]
    for path, params, headers, status in calls:
        assert client.get(path, params=params, headers=headers).status_code == status
    assert _api_reads(demo_engine) == before + len(calls)
    newest = audit.search(demo_engine, actions=["api_read"], limit=len(calls))
    assert {r["target"] for r in newest} == {path for path, *_ in calls}
    assert sum(1 for r in newest if not r["ok"]) == 4
    assert all(r["source"] for r in newest)  # the client address
    assert audit.verify(demo_engine).ok


def test_the_audit_names_the_forwarded_client(demo_engine, client):
    secret = _token(demo_engine)
    r = client.get("/api/v1/feeds", headers={**_auth(secret), "X-Forwarded-For": "10.1.2.3, 10.0.0.1"})
    assert r.status_code == 200
    newest = audit.search(demo_engine, actions=["api_read"], limit=1)[0]
    assert newest["source"] == "10.1.2.3 via testclient" and newest["username"].startswith("api:测试-")
    assert newest["detail"].startswith("200")


# -- formats and errors -------------------------------------------------------------------


def _csv_rows(response) -> list[dict[str, str]]:
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _same(cell: str, value) -> bool:
    if value is None:
        return cell == ""
    if isinstance(value, bool):
        return cell == ("true" if value else "false")
    if isinstance(value, float):
        return float(cell) == value
    return cell == str(value)


@pytest.mark.parametrize("how", ["param", "accept"])
def test_csv_parses_and_equals_the_json(demo_engine, client, how):
    secret = _token(demo_engine)
    for path in ("/api/v1/kpis", "/api/v1/scorecard", "/api/v1/feeds"):
        params = {"period": "2026-Q3"}
        as_json = _json(client.get(path, params=params, headers=_auth(secret)))
        if how == "param":
            r = client.get(path, params={**params, "format": "csv"}, headers=_auth(secret))
        else:
            r = client.get(path, params=params, headers={**_auth(secret), "Accept": "text/csv"})
        assert r.status_code == 200
        rows = _csv_rows(r)
        if path.endswith("kpis"):
            items = as_json["kpis"]
        elif path.endswith("scorecard"):
            items = [f for row in as_json["rows"] for f in row["figures"]]
        else:
            items = as_json["feeds"]
        assert len(rows) == len(items) > 0
        for row, item in zip(rows, items, strict=True):
            assert set(row) <= set(item)
            for key, cell in row.items():
                assert _same(cell, item[key]), (path, key, cell, item[key])


def test_errors_are_json_in_chinese(demo_engine, client):
    secret = _token(demo_engine)
    cases = [
        ("get", "/api/v1/kpis", {"period": "2025-13"}, 400),
        ("get", "/api/v1/kpis", {"period": "2031"}, 400),
        ("get", "/api/v1/kpis", {"kpi": "nope"}, 400),
        ("get", "/api/v1/kpis", {"format": "xml"}, 400),
        ("get", "/api/v1/kpis", {"town": "no-such-town"}, 404),
        ("get", "/api/v1/kpis", {"village": "000"}, 404),
        ("get", "/api/v1/kpis", {"scope": "320583101000", "town": "320583102000"}, 400),
        ("get", "/api/v1/scorecard", {"village": "000"}, 400),
        ("get", "/api/v1/unknown", {}, 404),
        ("post", "/api/v1/kpis", {}, 405),
    ]
    for method, path, params, status in cases:
        r = getattr(client, method)(path, params=params, headers=_auth(secret))
        assert r.status_code == status, (path, params, r.text)
        assert r.headers["content-type"].startswith("application/json")
        message = _json(r)["error"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in message) and "Traceback" not in message


def test_a_failing_store_answers_503_in_json(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'gone.db'}")
    r = _app().get("/api/v1/kpis", headers=_auth("kt_anything"))
    assert r.status_code == 503
    assert _json(r) == {"error": "数据库暂时无法访问，请稍后重试"}
    assert str(tmp_path) not in r.text


def test_cli_creates_lists_and_revokes(demo_engine, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", demo_engine.url.render_as_string(hide_password=False))
    name = f"命令行-{uuid4().hex[:8]}"
    assert api_tokens.main(["create", "--name", name, "--role", "leader", "--by", "admin"]) == 0
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    assert secret.startswith(api_tokens.SECRET_PREFIX)
    client = _app()
    assert client.get("/api/v1/feeds", headers=_auth(secret)).status_code == 200
    assert api_tokens.main(["list"]) == 0
    listed = capsys.readouterr().out
    assert name in listed and secret not in listed and secret[: api_tokens.PREFIX_SHOWN] in listed
    assert api_tokens.main(["revoke", "--name", name, "--by", "admin"]) == 0
    assert client.get("/api/v1/feeds", headers=_auth(secret)).status_code == 401
    assert api_tokens.main(["revoke", "--name", name, "--by", "admin"]) == 2
    assert api_tokens.main(["create", "--name", "x", "--role", "town", "--town", "0", "--by", "admin"]) == 2


def test_admin_creates_and_revokes_a_token_on_the_accounts_page(monkeypatch, sqlite_demo_url, clear_streamlit_caches):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from data_access.access import Principal
    from pages.ui.plain import md
    from tests.conftest import signed_in

    app = str(Path(__file__).resolve().parent.parent / "app.py")
    monkeypatch.setenv("DATABASE_URL", sqlite_demo_url)
    name = f"页面[链接](http://x)-{uuid4().hex[:6]}"  # Markdown in a name shows as text
    at = signed_in(AppTest.from_file(app, default_timeout=180), Principal("admin", "管理员", "admin"))
    at.run()
    at.switch_page("pages/admin_accounts.py").run()
    assert not at.exception, [e.value for e in at.exception]
    engine = make_engine(sqlite_demo_url)
    with engine.connect() as conn:
        town = oracle.town_codes(conn)[0]
    engine.dispose()
    next(t for t in at.text_input if t.label.startswith("调用方名称")).set_value(name)
    at.selectbox(key="token_role").set_value("town")
    at.selectbox(key="token_town").set_value(town)
    next(b for b in at.button if b.label == "创建令牌").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    secret = at.code[0].value.strip()
    assert secret.startswith(api_tokens.SECRET_PREFIX)
    assert any(md(name) in s.value for s in at.success)  # escaped: shown as typed, not a link
    client = _app()
    assert client.get("/api/v1/scorecard", headers=_auth(secret)).status_code == 200
    assert [r["town"] for r in _json(client.get("/api/v1/scorecard", headers=_auth(secret)))["rows"]] == [town]
    at.run()  # the next run: the secret is gone from the page
    assert not at.code
    revoke = next(s for s in at.selectbox if s.label == "吊销令牌")
    revoke.set_value(name)
    next(b for b in at.button if b.label == "吊销").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert client.get("/api/v1/scorecard", headers=_auth(secret)).status_code == 401
