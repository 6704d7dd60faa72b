"""督办, 数据确认 and 会议批注: who may do what (role × action), town operators confined to their
town, deadlines on a fixed clock, locks that refuse imports, and every change audited.
Store tests run on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from data_access import remarks, signoff, supervision
from data_access.access import AccessDenied, Principal
from data_access.supervision import TaskError
from tests.conftest import signed_in

LEADER = Principal("leader", "领导", "leader")
ADMIN = Principal("admin", "管理员", "admin")
MINZHENG = Principal("minzheng", "民政局负责人", "department", department="民政局")
RENSHE = Principal("renshe", "人社局负责人", "department", department="人社局")
BACHENG = Principal("bacheng", "巴城镇操作员", "town", town_code="320583101000")
ZHOUSHI = Principal("zhoushi", "周市镇操作员", "town", town_code="320583102000")
TODAY = date(2026, 11, 29)


def _task(engine, *, by=LEADER, owner_kind="town", owner="320583101000", deadline=TODAY + timedelta(days=7)):
    return supervision.create_task(
        engine,
        principal=by,
        kpi_key="placement_rate",
        town_code="320583101000",
        period="2026-Q3",
        frozen_value=61.5,
        frozen_target=80.0,
        frozen_status="red",
        owner_kind=owner_kind,
        owner=owner,
        requirement="请说明安置率落后的原因并提出整改措施",
        deadline=deadline,
        today=TODAY,
    )


def _audit(engine, action: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM audit_event WHERE action = :a"), {"a": action}).scalar()


@pytest.mark.parametrize(
    ("principal", "allowed"), [(LEADER, True), (ADMIN, True), (MINZHENG, False), (BACHENG, False)], ids=str
)
def test_who_may_create_a_task(empty_engine, principal, allowed):
    if allowed:
        assert _task(empty_engine, by=principal) > 0
        assert _audit(empty_engine, "task_create") == 1
    else:
        with pytest.raises(AccessDenied):
            _task(empty_engine, by=principal)
        assert _audit(empty_engine, "task_create") == 0


def test_the_owning_town_answers_and_only_the_leading_group_closes(empty_engine):
    task_id = _task(empty_engine)
    with pytest.raises(TaskError):  # another town's operator cannot even find it
        supervision.answer_task(empty_engine, principal=ZHOUSHI, task_id=task_id, reply="不是我们的事")
    with pytest.raises(AccessDenied):  # a department is not the owner of a town task
        supervision.answer_task(empty_engine, principal=RENSHE, task_id=task_id, reply="已知悉")
    supervision.answer_task(empty_engine, principal=BACHENG, task_id=task_id, reply="已组织专场招聘会，新增安置 12 人")
    task = supervision.get_task(empty_engine, principal=LEADER, task_id=task_id)
    assert task.status(TODAY) == "answered" and task.replies[0][2].startswith("已组织专场招聘会")
    with pytest.raises(AccessDenied):
        supervision.close_task(empty_engine, principal=BACHENG, task_id=task_id)
    supervision.close_task(empty_engine, principal=LEADER, task_id=task_id, note="措施到位")
    with pytest.raises(TaskError):
        supervision.close_task(empty_engine, principal=ADMIN, task_id=task_id)
    assert supervision.get_task(empty_engine, principal=LEADER, task_id=task_id).status(TODAY) == "closed"
    assert (_audit(empty_engine, "task_reply"), _audit(empty_engine, "task_close")) == (1, 1)
    with pytest.raises(TaskError):
        supervision.answer_task(empty_engine, principal=BACHENG, task_id=task_id, reply="补充")


def test_a_department_task_is_answered_by_that_department(empty_engine):
    task_id = _task(empty_engine, owner_kind="department", owner="人社局")
    with pytest.raises(AccessDenied):
        supervision.answer_task(empty_engine, principal=MINZHENG, task_id=task_id, reply="x")
    with pytest.raises(AccessDenied):
        supervision.answer_task(empty_engine, principal=BACHENG, task_id=task_id, reply="x")
    supervision.answer_task(empty_engine, principal=RENSHE, task_id=task_id, reply="已对接岗位储备库")
    assert supervision.get_task(empty_engine, principal=LEADER, task_id=task_id).stored_status == "answered"


def test_town_operators_see_only_their_town(empty_engine):
    _task(empty_engine)
    assert len(supervision.list_tasks(empty_engine, principal=BACHENG)) == 1
    assert supervision.list_tasks(empty_engine, principal=ZHOUSHI) == []
    # Asking for the other town explicitly changes nothing.
    assert supervision.list_tasks(empty_engine, principal=ZHOUSHI, town_code="320583101000") == []


def test_overdue_on_a_fixed_clock_comes_first(empty_engine):
    late = _task(empty_engine, deadline=TODAY + timedelta(days=1))
    later = _task(empty_engine, deadline=TODAY + timedelta(days=30))
    tasks = supervision.list_tasks(empty_engine, principal=LEADER)
    day_after = TODAY + timedelta(days=2)
    by_id = {t.id: t for t in tasks}
    assert by_id[late].status(TODAY + timedelta(days=1)) == "open"  # due today is not yet late
    assert by_id[late].status(day_after) == "overdue"
    assert [t.id for t in supervision.ordered(tasks, day_after)] == [late, later]


def test_bad_requests_get_chinese_errors(empty_engine):
    with pytest.raises(TaskError, match="办理期限"):
        _task(empty_engine, deadline=TODAY - timedelta(days=1))
    with pytest.raises(TaskError, match="未知的部门"):
        _task(empty_engine, owner_kind="department", owner="不存在局")
    with pytest.raises(TaskError, match="只能交由该区镇"):
        _task(empty_engine, owner="320583102000")


# -- sign-off and locks -------------------------------------------------------------------------
def _confirm_finished(engine, principal, feed: str, period: str, end: date) -> None:
    """Confirm a feed's finished period (its data reach the period's end)."""
    signoff.confirm(
        engine, principal=principal, subject_kind="feed", subject=feed, period=period, period_end=end, data_date=end
    )


def test_a_running_period_cannot_be_confirmed(empty_engine):
    """Confirming 2026-Q4 with data to 31 October would lock November and December against the
    imports still to come."""
    kwargs = {"principal": MINZHENG, "subject_kind": "feed", "subject": "relief_civil", "period": "2026-Q4"}
    with pytest.raises(signoff.PeriodRunning, match="数据截至10月31日，尚未覆盖到期末（12月31日）"):
        signoff.confirm(empty_engine, **kwargs, period_end=date(2026, 12, 31), data_date=date(2026, 10, 31))
    with pytest.raises(signoff.PeriodRunning, match="尚未报送"):
        signoff.confirm(empty_engine, **kwargs, period_end=date(2026, 12, 31), data_date=None)
    with empty_engine.connect() as conn:
        assert signoff.states(conn, periods=["2026-Q4"]) == {}
        signoff.check_unlocked(conn, feed_spans={"relief_civil": (date(2026, 11, 1), date(2026, 11, 30))})
    signoff.confirm(empty_engine, **kwargs, period_end=date(2026, 12, 31), data_date=date(2026, 12, 31))
    with empty_engine.connect() as conn:
        assert signoff.states(conn, periods=["2026-Q4"])[("feed", "relief_civil", "2026-Q4")].confirmed


def test_confirmed_period_locks_and_unlock_needs_a_reason(empty_engine):
    spans = {"relief_civil": (date(2026, 9, 1), date(2026, 9, 30))}
    with pytest.raises(AccessDenied):  # only the responsible department confirms its feed
        _confirm_finished(empty_engine, RENSHE, "relief_civil", "2026-Q3", date(2026, 9, 30))
    _confirm_finished(empty_engine, MINZHENG, "relief_civil", "2026-Q3", date(2026, 9, 30))
    with empty_engine.connect() as conn:
        with pytest.raises(signoff.PeriodLocked, match="民政局已确认 2026-Q3"):
            signoff.check_unlocked(conn, feed_spans=spans)
        signoff.check_unlocked(conn, feed_spans={"relief_civil": (date(2026, 10, 1), date(2026, 10, 31))})
        signoff.check_unlocked(conn, feed_spans={"medical": spans["relief_civil"]})  # another feed is free
    with pytest.raises(AccessDenied):
        signoff.unlock(
            empty_engine, principal=LEADER, subject_kind="feed", subject="relief_civil", period="2026-Q3", reason="x"
        )
    with pytest.raises(ValueError, match="原因"):
        signoff.unlock(
            empty_engine, principal=ADMIN, subject_kind="feed", subject="relief_civil", period="2026-Q3", reason=" "
        )
    signoff.unlock(
        empty_engine,
        principal=ADMIN,
        subject_kind="feed",
        subject="relief_civil",
        period="2026-Q3",
        reason="更正9月发放",
    )
    with empty_engine.connect() as conn:
        signoff.check_unlocked(conn, feed_spans=spans)
        state = signoff.states(conn, periods=["2026-Q3"])[("feed", "relief_civil", "2026-Q3")]
    assert not state.confirmed and "更正9月发放" in state.label
    assert (_audit(empty_engine, "signoff"), _audit(empty_engine, "unlock")) == (1, 1)


def test_overlapping_period_keys():
    assert signoff.overlapping_keys(date(2025, 12, 20), date(2026, 1, 5)) == [
        "2025",
        "2025-12",
        "2025-Q4",
        "2026",
        "2026-01",
        "2026-Q1",
    ]


# -- remarks ------------------------------------------------------------------------------------
def test_only_leaders_remark_and_remarks_list_by_meeting(empty_engine):
    with pytest.raises(AccessDenied):
        remarks.add_remark(
            empty_engine,
            principal=ADMIN,
            kpi_key="relief_spending",
            scope_code="city",
            period="2026-Q3",
            meeting_date=TODAY,
            body="x",
        )
    remarks.add_remark(
        empty_engine,
        principal=LEADER,
        kpi_key="relief_spending",
        scope_code="city",
        period="2026-Q3",
        meeting_date=TODAY,
        body="医疗救助支出偏低，请医保局说明",
    )
    with empty_engine.connect() as conn:
        found = remarks.remarks(conn, meeting_date=TODAY)
        assert [r.body for r in found] == ["医疗救助支出偏低，请医保局说明"]
        assert remarks.remarks(conn, scopes=["320583101000"]) == []
    assert _audit(empty_engine, "remark") == 1


# -- the page -----------------------------------------------------------------------------------
APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.mark.usefixtures("clear_streamlit_caches")
def test_supervision_page_by_role(monkeypatch, sqlite_demo_url):
    from data_access.db import make_engine

    engine = make_engine(sqlite_demo_url)
    task_id = _task(engine, deadline=date.today() + timedelta(days=3))
    monkeypatch.setenv("DATABASE_URL", sqlite_demo_url)

    def page(principal, **query):
        at = signed_in(AppTest.from_file(APP, default_timeout=180), principal)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        at.switch_page("pages/supervision.py").run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    leader = page(LEADER)
    titles = [e.label for e in leader.expander]
    assert any(f"#{task_id}" in t for t in titles) and "发起督办" in titles
    # The other town's operator sees nothing of it, whatever the link says.
    other = page(ZHOUSHI, scope="320583101000", town="320583101000")
    assert not any(f"#{task_id}" in e.label for e in other.expander)
    assert "发起督办" not in [e.label for e in other.expander]
    own = page(BACHENG)
    assert any(f"#{task_id}" in e.label for e in own.expander)
    assert any(b.label == "提交答复" for b in own.button)
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_import_into_a_confirmed_period_is_refused_until_unlocked(backend, tmp_path):
    from datetime import datetime

    from data_access.ingest import commit
    from data_access.ingest.commit import ImportFailed
    from tests.intake_support import csv_bytes, heads, seeded_store, table_counts

    store = seeded_store(backend, "lock_store", tmp_path)
    now = datetime(2026, 11, 28, 10, 0)
    ids = heads(store, 2)
    data = csv_bytes(
        [
            ["户主身份证号", "救助类型", "发放日期", "金额（元）", "覆盖人数"],
            *([i, "临时救助", "2026-11-03", "321.00", "1"] for i in ids),
        ]
    )
    _confirm_finished(store, MINZHENG, "relief_civil", "2026-11", date(2026, 11, 30))
    before = table_counts(store)
    with pytest.raises(ImportFailed, match="已确认 2026-11 的数据"):
        commit(store, data, "十一月临时救助.csv", "relief_payments", user="民政局张三", now=now)
    assert table_counts(store) == before  # nothing written, facts included
    signoff.unlock(
        store, principal=ADMIN, subject_kind="feed", subject="relief_civil", period="2026-11", reason="补录漏报"
    )
    result = commit(store, data, "十一月临时救助.csv", "relief_payments", user="民政局张三", now=now)
    assert result.batch_id is not None
    with store.connect() as conn:
        state = signoff.states(conn, periods=["2026-11"])[("feed", "relief_civil", "2026-11")]
    assert not state.confirmed  # needs confirming again
    assert (_audit(store, "signoff"), _audit(store, "unlock")) == (1, 1)
    store.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_pack_shows_tasks_sign_off_and_remarks(backend, tmp_path):
    """An overdue task (fixed clock) with its KPI's movement, a confirmed feed, a remark."""
    import io

    from pptx import Presentation

    from briefing.content import build_pack
    from briefing.pptx_pack import write_pptx
    from metrics.domain.periods import Period
    from tests import oracle
    from tests.intake_support import seeded_store

    store = seeded_store(backend, "pack_store", tmp_path)
    task_id = _task(store, deadline=TODAY + timedelta(days=1))
    _confirm_finished(store, MINZHENG, "caseload", "2026-Q3", date(2026, 9, 30))
    remarks.add_remark(
        store,
        principal=LEADER,
        kpi_key="caseload_households",
        scope_code="city",
        period="2026-Q3",
        meeting_date=TODAY,
        body="请民政局核查应退未退家庭",
    )
    with store.connect() as conn:
        towns = oracle.town_codes(conn)
        pack = build_pack(conn, towns=towns, period=Period.parse("2026-Q3"), scope="city")
    slides = Presentation(io.BytesIO(write_pptx(pack, today=TODAY + timedelta(days=5)))).slides

    def texts(slide) -> str:
        out = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                out.append(shape.text_frame.text)
            if shape.has_table:
                out += [cell.text for row in shape.table.rows for cell in row.cells]
        return "\n".join(out)

    all_text = [texts(s) for s in slides]
    tasks_slide = next(t for t in all_text if t.startswith("督办事项"))
    assert f"#{task_id}" in tasks_slide and "已超期" in tasks_slide and "巴城镇" in tasks_slide
    # The frozen 61.5 % beside today's figure for the same KPI, town and period.
    _task_row, figure = pack.tasks[0]
    assert "61.5%" in tasks_slide and f"{figure.value:.1f}%" in tasks_slide
    sources = next(t for t in all_text if t.startswith("数据来源"))
    assert "已确认（minzheng" in sources and "未确认" in sources
    assert any("会议批注" in t and "请民政局核查应退未退家庭" in t for t in all_text)
    store.dispose()


def test_goal_notes_refuse_control_characters(empty_engine):
    """A note typed on /goals meets the same rule as an imported cell."""
    from metrics.goals import GoalEdit, GoalError, save_goals

    with pytest.raises(GoalError, match="U\\+0007"):
        save_goals(
            empty_engine,
            kpi_key="caseload_households",
            period="2026",
            edits=[GoalEdit("city", 100.0, "说明\x07")],
            user="admin",
        )


@pytest.mark.usefixtures("clear_streamlit_caches")
@pytest.mark.parametrize(("period", "confirmed"), [("2026-Q4", False), ("2026-Q3", True)])
def test_signoff_page_confirms_finished_periods_only(monkeypatch, sqlite_demo_url, tmp_path, period, confirmed):
    """A 民政局 head on /数据确认: the running quarter is refused with the reason, the finished
    one is confirmed (AppTest through app.py, on a private copy of the demo store)."""
    import sqlite3
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from data_access.db import make_engine
    from tests.conftest import signed_in

    target = tmp_path / "signoff.db"
    with sqlite3.connect(make_engine(sqlite_demo_url).url.database) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("DATABASE_URL", url)
    app = str(Path(__file__).resolve().parent.parent / "app.py")
    at = signed_in(AppTest.from_file(app, default_timeout=300), MINZHENG)
    at.query_params["period"] = period
    at.run()
    at.switch_page("pages/signoff.py").run()
    button = next(b for b in at.button if b.key == "confirm_relief_civil")
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    with make_engine(url).connect() as conn:
        state = signoff.states(conn, periods=[period]).get(("feed", "relief_civil", period))
    assert bool(state and state.confirmed) is confirmed
    errors = [e.value for e in at.error]
    assert any("尚未覆盖到期末（12月31日）" in e for e in errors) is not confirmed
