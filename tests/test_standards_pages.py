"""The 标准管理 page as the app runs it (AppTest): the history, the preview of a proposed
standard, and saving it, after which earlier months keep their figures.

Runs through app.py, which registers the page as "standards.py" (url /standards)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from data_access.models.governance import CITY_SCOPE
from metrics.domain.periods import Period
from metrics.evaluate import Evaluator
from metrics.registry import KPI_BY_KEY
from tests.intake_support import open_page, seeded_store

PAGE = "pages/standards.py"
pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")


@pytest.fixture
def store(tmp_path):
    engine = seeded_store("sqlite", "standards_page", tmp_path)
    yield engine
    engine.dispose()


def _open(monkeypatch, engine) -> AppTest:
    return open_page(monkeypatch, engine, PAGE)


def _figures(engine, period: str) -> list[float | None]:
    kpis = [KPI_BY_KEY[k] for k in ("caseload_households", "floor_households", "relief_gaps")]
    with engine.connect() as conn:
        towns = tuple(conn.execute(text("SELECT code FROM town")).scalars())
        evaluator = Evaluator(conn, towns=towns, period=Period.parse(period))
        return [evaluator.value(k, s) for k in kpis for s in (CITY_SCOPE, *evaluator.towns)]


def test_preview_then_save_keeps_earlier_months(monkeypatch, store):
    earlier = {p: _figures(store, p) for p in ("2026-06", "2026-Q2", "2025-10")}
    later = _figures(store, "2026-10")
    at = _open(monkeypatch, store)
    history = next(df.value for df in at.dataframe if "生效日期" in df.value.columns)
    assert history["生效日期"].iloc[0] == "2025-07-01"
    assert at.date_input(key="standard_effective").value == date(2026, 7, 1)  # the next July 1

    at.number_input(key="standard_amount").set_value(1500.0).run()
    at.text_input(key="standard_source").input("昆民发〔2026〕1号").run()
    assert not at.exception and not at.error
    cards = {m.label: m for m in at.metric}
    assert cards["低保户（兜底线以下）"].delta.startswith("+")
    assert cards["每月低保补差支出"].delta.startswith("+")
    impact = next(df.value for df in at.dataframe if "变动户数" in df.value.columns)
    assert impact["区镇"].iloc[-1] == "昆山市合计" and impact["变动户数"].iloc[-1] > 0

    if any(t.key == "standard_user" for t in at.text_input):
        at.text_input(key="standard_user").input("民政局测试员").run()
    at.button(key="standard_save").click().run()
    assert not at.exception
    assert any("已保存新标准" in s.value for s in at.success)
    with store.connect() as conn:
        row = conn.execute(
            text(
                "SELECT effective_from, amount_fen, monitoring_multiplier, source FROM living_standard ORDER BY id DESC"
            )
        ).first()
    assert (str(row[0])[:10], row[1], row[2]) == ("2026-07-01", 150_000, 2.0) and row[3].startswith("昆民发")

    assert {p: _figures(store, p) for p in earlier} == earlier  # months before July 2026 unchanged
    assert _figures(store, "2026-10") != later

    # The same date again is refused: standards are added, never overwritten.
    at.run()
    assert any("晚于现行标准" in e.value for e in at.error)
    assert at.button(key="standard_save").disabled
