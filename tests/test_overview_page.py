"""The overview and definitions pages, run as the app runs them (AppTest), checked against
independent computations from the store."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from data_access.db import make_engine
from metrics.registry import DOMAINS, KPIS
from tests import oracle
from tests.conftest import signed_in

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _app(monkeypatch, url: str, **query: str) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    at = signed_in(AppTest.from_file(APP, default_timeout=120))
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at: AppTest, label_start: str) -> str:
    for metric in at.metric:
        if metric.label.startswith(label_start):
            return metric.value
    raise AssertionError(f"no card {label_start}: {[m.label for m in at.metric]}")


def _data_date(url: str) -> date:
    engine = make_engine(url)
    with engine.connect() as conn:
        value = conn.execute(text("SELECT data_date FROM feed_status WHERE feed = 'caseload'")).scalar_one()
    engine.dispose()
    return oracle._d(value)


@pytest.mark.usefixtures("clear_streamlit_caches")
def test_overview_cards_match_the_store(monkeypatch, sqlite_demo_url):
    at = _app(monkeypatch, sqlite_demo_url)
    as_of = _data_date(sqlite_demo_url)
    engine = make_engine(sqlite_demo_url)
    with engine.connect() as conn:
        households = sum(v["households"] for v in oracle.caseload(conn, as_of).values())
        spent = sum(oracle.relief_fen(conn, as_of.replace(day=1), as_of).values()) / 1_000_000
        employed, targets = map(sum, zip(*oracle.placement_rate(conn, as_of).values(), strict=True))
        met, reporting = map(sum, zip(*oracle.dividend_compliance(conn, as_of.year - 1).values(), strict=True))
    engine.dispose()
    assert _metric(at, "监测对象户数") == f"{households:,} 户"
    assert _metric(at, "救助支出") == f"{spent:,.2f} 万元"
    assert _metric(at, "就业安置率") == f"{employed / targets * 100:.1f}%"
    assert _metric(at, "分红达标率") == f"{met / reporting * 100:.1f}%"
    assert any("演示数据" in w.value for w in at.warning)
    # The scorecard lists every town.
    scorecard = at.dataframe[0].value
    assert len(scorecard) == 11
    assert list(scorecard.index)[:4] == ["昆山开发区", "昆山高新区", "花桥经济开发区", "巴城镇"]  # 三区 then 八镇


@pytest.mark.usefixtures("clear_streamlit_caches")
def test_a_link_with_period_and_scope_reproduces_the_view(monkeypatch, sqlite_demo_url):
    town = "320583107000"  # 周庄镇
    at = _app(monkeypatch, sqlite_demo_url, period="2025-Q3", scope=town)
    engine = make_engine(sqlite_demo_url)
    with engine.connect() as conn:
        expected = oracle.caseload(conn, date(2025, 9, 30)).get(town, {}).get("households", 0)
        spent = oracle.relief_fen(conn, date(2025, 7, 1), date(2025, 9, 30)).get(town, 0) / 1_000_000
    engine.dispose()
    assert _metric(at, "监测对象户数") == f"{expected:,} 户"
    assert _metric(at, "救助支出") == f"{spent:,.2f} 万元"
    assert at.query_params["period"] == "2025-Q3"
    assert at.query_params["scope"] == town
    assert any("周庄镇" in c.value and "2025年第3季度" in c.value for c in at.caption)


@pytest.mark.usefixtures("clear_streamlit_caches")
def test_a_bad_link_falls_back_to_the_latest_month(monkeypatch, sqlite_demo_url):
    at = _app(monkeypatch, sqlite_demo_url, period="2099-13", scope="nowhere")
    as_of = _data_date(sqlite_demo_url)
    assert at.query_params["period"] == f"{as_of:%Y-%m}"
    assert at.query_params["scope"] == "city"


@pytest.mark.usefixtures("clear_streamlit_caches")
def test_definitions_page_lists_every_kpi(monkeypatch, sqlite_demo_url):
    at = _app(monkeypatch, sqlite_demo_url)
    at.switch_page("pages/definitions.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["指标"]) == [k.label for k in KPIS]
    assert set(table["责任单位"]) >= {"民政局", "人社局", "医保局", "农业农村局"}
    assert all(table["实施方案条款"].str.len() > 0)
    expanders = [e.label for e in at.expander]
    assert expanders == [f"{k.label}（{k.unit}）" for k in sorted(KPIS, key=lambda k: list(DOMAINS).index(k.domain))]
    assert any("红利分配总额同比增长≥5%或达到净收益的30%" in m.value for m in at.markdown)


@pytest.mark.usefixtures("clear_streamlit_caches")
def test_unreachable_database_shows_a_chinese_message(monkeypatch):
    at = _app(monkeypatch, "postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    assert at.error, "expected an error message"
    assert "无法连接数据库" in at.error[0].value
    # Before sign-in nobody sees where the store is (administrators do, after sign-in).
    assert "127.0.0.1:1" not in at.error[0].value and "nobody" not in at.error[0].value


@pytest.mark.usefixtures("clear_streamlit_caches")
def test_unmigrated_store_says_how_to_initialise(monkeypatch, tmp_path):
    (tmp_path / "blank.db").touch()  # a store file without tables (a missing file says so instead)
    at = _app(monkeypatch, f"sqlite:///{tmp_path / 'blank.db'}")
    assert at.error
    assert "数据库尚未初始化" in at.error[0].value
