"""The 目标管理 page as the app runs it (AppTest): the goal table per KPI and period, the
check that town goals add up to the city goal, and the history of changes.

Runs through app.py, which registers the page as "goals.py" (url /goals). AppTest cannot
type into st.data_editor, so saving is covered in test_goals_store.py via the same function
the page calls (metrics.goals.save_goals)."""

from __future__ import annotations

from datetime import datetime

import pytest
from streamlit.testing.v1 import AppTest

from data_access.models.governance import CITY_SCOPE
from metrics import goals
from tests.intake_support import open_page, seeded_store

PAGE = "pages/goals.py"
pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    engine = seeded_store("sqlite", "goals_page", tmp_path_factory.mktemp("goals_page"))
    yield engine
    engine.dispose()


def _open(monkeypatch, engine) -> AppTest:
    return open_page(monkeypatch, engine, PAGE)


def test_goal_table_for_a_kpi_and_period(monkeypatch, store):
    at = _open(monkeypatch, store)
    at.selectbox(key="goals_kpi").set_value("relief_spending").run()
    at.text_input(key="goals_period").input("2025").run()
    assert not at.exception
    editor = at.data_editor[0].value
    assert len(editor) == 12 and editor["范围"].iloc[0] == "昆山市"
    city = editor["目标值"].iloc[0]
    assert city == pytest.approx(editor["目标值"].iloc[1:].sum(), abs=0.011)  # the demo goals add up
    assert any("均等于全市目标" in s.value for s in at.success)


def test_a_mismatch_is_named_and_the_change_is_in_the_history(monkeypatch, store):
    goals.save_goals(
        store,
        kpi_key="new_placements",
        period="2026",
        edits=[goals.GoalEdit(CITY_SCOPE, 1.0, "测试")],
        user="办公室",
        now=datetime(2026, 11, 28, 9, 0),
    )
    at = _open(monkeypatch, store)
    at.selectbox(key="goals_kpi").set_value("new_placements").run()
    at.text_input(key="goals_period").input("2026").run()
    assert any("不一致" in w.value for w in at.warning)
    mismatch = next(df.value for df in at.dataframe if "区镇目标合计" in df.value.columns)
    assert list(mismatch["指标"]) == ["新增就业安置"] and list(mismatch["全市目标"]) == [1.0]
    history = next(df.value for df in at.dataframe if "新目标" in df.value.columns)
    assert history.iloc[0]["修改人"] == "办公室" and history.iloc[0]["新目标"] == 1.0


def test_bad_period_is_explained(monkeypatch, store):
    at = _open(monkeypatch, store)
    at.text_input(key="goals_period").input("2025年13月").run()
    assert not at.exception and any("无法识别" in e.value for e in at.error)
