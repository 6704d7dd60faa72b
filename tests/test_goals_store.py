"""Goals as data, on SQLite and PostgreSQL: edits save all-or-nothing with their history,
Goal.updated_at moves (so caches refresh), and town goals are checked against the city goal
where the KPI adds up."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import text

from data_access.models.governance import CITY_SCOPE
from data_access.queries.reference import data_version
from metrics import goals
from metrics.registry import KPI_BY_KEY, KPIS
from tests.conftest import BACKENDS
from tests.intake_support import seeded_store

BACHENG = "320583101000"
ZHOUSHI = "320583102000"


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    engine = seeded_store(request.param, "goals_store", tmp_path_factory.mktemp("goals_store"))
    yield engine
    engine.dispose()


def test_additive_kpis_are_the_counts_and_sums():
    additive = {k.key for k in KPIS if goals.is_additive(k)}
    assert {
        "caseload_households",
        "relief_spending",
        "relief_payments",
        "overdue_reviews",
        "new_placements",
    } <= additive
    assert not additive & {"placement_rate", "relief_average", "relief_budget_execution", "pension_coverage"}


def test_demo_goals_add_up(store):
    with store.connect() as conn:
        assert goals.additivity(conn) == []


def test_save_edit_remove_with_history_and_a_new_cache_key(store):
    t1, t2, t3 = datetime(2026, 11, 28, 9, 0), datetime(2026, 11, 28, 9, 5), datetime(2026, 11, 28, 9, 10)
    with store.connect() as conn:
        version = data_version(conn)
    kpi = "caseload_households"
    result = goals.save_goals(
        store,
        kpi_key=kpi,
        period="2027",
        edits=[goals.GoalEdit(CITY_SCOPE, 100.0, "全市"), goals.GoalEdit(BACHENG, 60.0), goals.GoalEdit(ZHOUSHI, 30.0)],
        user="领导小组办公室",
        now=t1,
    )
    assert (result.added, result.updated, result.removed) == (3, 0, 0)
    with store.connect() as conn:
        assert data_version(conn) != version
        stored = goals.goals_for(conn, kpi_key=kpi, period="2027")
        mismatch = goals.additivity(conn, kpi_keys=[kpi], periods=["2027"])
    assert stored[BACHENG]["target"] == 60.0 and stored[CITY_SCOPE]["updated_by"] == "领导小组办公室"
    assert len(mismatch) == 1 and mismatch[0].difference == -10.0 and mismatch[0].towns_with_goal == 2
    assert "相差" in mismatch[0].describe("监测对象户数") and "未设目标" in mismatch[0].describe("监测对象户数")

    goals.save_goals(
        store, kpi_key=kpi, period="2027", edits=[goals.GoalEdit(BACHENG, 70.0, "上调")], user="甲", now=t2
    )
    goals.save_goals(store, kpi_key=kpi, period="2027", edits=[goals.GoalEdit(ZHOUSHI, None)], user="乙", now=t3)
    unchanged = goals.save_goals(
        store, kpi_key=kpi, period="2027", edits=[goals.GoalEdit(BACHENG, 70.0, "上调")], user="丙"
    )
    assert "没有变化" in unchanged.message
    with store.connect() as conn:
        stored = goals.goals_for(conn, kpi_key=kpi, period="2027")
        assert stored[BACHENG]["updated_at"] == t2 and ZHOUSHI not in stored
        rows = goals.history(conn, kpi_key=kpi)[:5]
    assert [(h["scope_code"], h["old_target"], h["new_target"], h["changed_by"]) for h in rows[:2]] == [
        (ZHOUSHI, 30.0, None, "乙"),
        (BACHENG, 60.0, 70.0, "甲"),
    ]
    assert rows[1]["old_note"] == "" and rows[1]["new_note"] == "上调" and rows[1]["source"] == goals.PAGE_SOURCE


@pytest.mark.parametrize(
    ("kpi", "edit", "message"),
    [
        ("placement_rate", goals.GoalEdit(CITY_SCOPE, 101.0), "不能超过 100"),
        ("exits", goals.GoalEdit(CITY_SCOPE, -1.0), "负数"),
        ("exits", goals.GoalEdit(CITY_SCOPE, float("nan")), "数字"),
        ("exits", goals.GoalEdit("320583999000", 1.0), "不是全市或系统中的区镇"),
        ("exits", goals.GoalEdit(CITY_SCOPE, 1.0, "长" * 201), "200"),
    ],
)
def test_bad_edits_save_nothing(store, kpi, edit, message):
    with store.connect() as conn:
        before = conn.execute(text("SELECT COUNT(*), COUNT(*) FROM goal_history")).one()
    ok = goals.GoalEdit(BACHENG, 5.0)
    with pytest.raises(goals.GoalError, match=message):
        goals.save_goals(store, kpi_key=kpi, period="2028", edits=[ok, edit], user="甲")
    with store.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM goal WHERE period = '2028'")).scalar_one() == 0
        assert conn.execute(text("SELECT COUNT(*), COUNT(*) FROM goal_history")).one() == before


def test_unknown_kpi_period_or_user(store):
    with pytest.raises(goals.GoalError, match="没有指标"):
        goals.save_goals(store, kpi_key="nope", period="2027", edits=[], user="甲")
    with pytest.raises(goals.GoalError, match="无法识别"):
        goals.save_goals(store, kpi_key="exits", period="2027-13", edits=[], user="甲")
    with pytest.raises(goals.GoalError, match="修改人"):
        goals.save_goals(store, kpi_key="exits", period="2027", edits=[], user=" ")


def test_rates_are_not_summed(store):
    goals.save_goals(
        store, kpi_key="placement_rate", period="2029", edits=[goals.GoalEdit(CITY_SCOPE, 80.0)], user="甲"
    )
    goals.save_goals(store, kpi_key="placement_rate", period="2029", edits=[goals.GoalEdit(BACHENG, 50.0)], user="甲")
    with store.connect() as conn:
        assert not [m for m in goals.additivity(conn) if m.kpi_key == "placement_rate"]
    assert not goals.is_additive(KPI_BY_KEY["placement_rate"])


def test_table_edits_are_the_changed_rows():
    before = [
        {"scope_code": CITY_SCOPE, "target": 10.0, "note": ""},
        {"scope_code": BACHENG, "target": None, "note": ""},
        {"scope_code": ZHOUSHI, "target": 3.0, "note": "x"},
    ]
    after = [
        {"scope_code": CITY_SCOPE, "target": 10.0, "note": " "},  # blank note: unchanged
        {"scope_code": BACHENG, "target": 4.0, "note": None},
        {"scope_code": ZHOUSHI, "target": float("nan"), "note": "x"},  # cleared: remove
    ]
    assert goals.table_edits(before, after) == [goals.GoalEdit(BACHENG, 4.0, ""), goals.GoalEdit(ZHOUSHI, None, "x")]
