"""Loads against a real store, on SQLite and PostgreSQL: dry runs write nothing, commits are
all-or-nothing, a file loaded twice changes nothing, every load is recorded and undoable,
feed_status follows the loads, references and duplicates are checked in bulk."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import text

from data_access.ingest import (
    KINDS,
    ImportRejected,
    UndoRefused,
    batches,
    commit,
    dry_run,
    export_file,
    report_xlsx,
    template_csv,
    template_xlsx,
    undo,
)
from data_access.ingest.kinds import example_id
from data_access.queries.reference import data_version
from tests.conftest import BACKENDS
from tests.intake_support import csv_bytes, heads, members, seeded_store, table_counts, xlsx_bytes

NOW = datetime(2026, 11, 28, 10, 0)
PAYMENT_HEADER = ["户主身份证号", "救助类型", "发放日期", "金额（元）", "覆盖人数"]


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    engine = seeded_store(request.param, "ingest_store", tmp_path_factory.mktemp("ingest_store"))
    yield engine
    engine.dispose()


def _one(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).one()


def _payments(ids: list[str], day: str = "2026-11-03", amount: str = "321.00") -> bytes:
    return csv_bytes([PAYMENT_HEADER, *([i, "临时救助", day, amount, "1"] for i in ids)])


def test_dry_run_writes_nothing_and_commit_is_recorded(store):
    ids = heads(store, 3)
    data = _payments(ids)
    before = table_counts(store)
    plan = dry_run(store, data, "十一月临时救助.csv", "relief_payments", now=NOW)
    assert plan.ok and len(plan.adds) == 3 and plan.counts()["拒绝"] == 0
    assert table_counts(store) == before

    version = _version(store)
    result = commit(store, data, "十一月临时救助.csv", "relief_payments", user="民政局张三", now=NOW)
    after = table_counts(store)
    assert after["relief_payment"] == before["relief_payment"] + 3
    assert after["import_batch"] == before["import_batch"] + 1
    assert after["import_change"] == before["import_change"] + 3
    assert _version(store) != version  # the page caches refresh

    with store.connect() as conn:
        batch = batches(conn, limit=1)[0]
    assert batch["id"] == result.batch_id and batch["kind"] == "relief_payments"
    assert (batch["rows_added"], batch["rows_updated"], batch["loaded_by"]) == (3, 0, "民政局张三")
    assert batch["file_name"] == "十一月临时救助.csv" and len(batch["file_sha256"]) == 64
    assert batch["department"] == "民政局"

    feed = _one(store, "SELECT data_date, loaded_at, source, is_demo FROM feed_status WHERE feed = 'relief_civil'")
    assert str(feed[0])[:10] == "2026-11-03" and str(feed[1])[:16] == "2026-11-28 10:00"
    assert feed[2] == "十一月临时救助.csv" and not feed[3]

    # The same file again changes nothing and records nothing.
    again = commit(store, data, "十一月临时救助.csv", "relief_payments", user="民政局张三", now=NOW)
    assert again.batch_id is None and "完全相同" in again.message and f"批次 {result.batch_id}" in again.message
    assert table_counts(store) == after

    undone = undo(store, result.batch_id, user="民政局张三", now=NOW)
    assert undone.deleted == 3
    restored = table_counts(store)
    assert restored["relief_payment"] == before["relief_payment"]
    feed = _one(store, "SELECT data_date, source, is_demo FROM feed_status WHERE feed = 'relief_civil'")
    assert str(feed[0])[:10] == "2026-10-31" and feed[2]  # the demo feed row is back
    with pytest.raises(UndoRefused, match="已于"):
        undo(store, result.batch_id, user="民政局张三", now=NOW)


def _version(engine) -> str:
    with engine.connect() as conn:
        return data_version(conn)


def test_one_bad_row_rejects_the_whole_file(store):
    ids = heads(store, 4)
    data = csv_bytes(
        [
            PAYMENT_HEADER,
            [ids[0], "临时救助", "2026-11-04", "100", "1"],
            [ids[1], "临时救助", "2026-11-04", "100", "1"],
            [ids[2], "临时救助", "2099-11-04", "100", "1"],  # future
            [example_id("32058319800101123"), "临时救助", "2026-11-04", "100", "1"],  # unknown household
        ]
    )
    before = table_counts(store)
    with pytest.raises(ImportRejected) as caught:
        commit(store, data, "bad.csv", "relief_payments", user="u", now=NOW)
    plan = caught.value.plan
    assert table_counts(store) == before
    assert plan.rows_rejected == 2 and len(plan.adds) == 2
    problems = {(p.row, p.column): p.message for p in plan.errors}
    assert "未来" in problems[(4, "C列“发放日期”")]
    assert "找不到" in problems[(5, "A列“户主身份证号”")] or "没有该身份证号" in problems[(5, "A列“户主身份证号”")]
    assert report_xlsx(plan.problems, title=plan.summary()).startswith(b"PK")


def test_updates_are_logged_and_undo_restores_them(store):
    with store.connect() as conn:
        head, on, size, income, medical = conn.execute(
            text(
                "SELECT h.head_id_number, a.assessed_on, a.household_size, a.per_capita_income_fen, "
                "a.medical_spending_ytd_fen FROM income_assessment a JOIN household h ON h.id = a.household_id "
                "ORDER BY a.id LIMIT 1"
            )
        ).one()
    day = str(on)[:10]
    header = ["户主身份证号", "评估日期", "家庭人口数", "月人均收入（元）", "年内医疗支出（元）"]
    changed = csv_bytes([header, [head, day, size, f"{(income + 1234) / 100:.2f}", f"{medical / 100:.2f}"]])
    same = csv_bytes([header, [head, day, size, f"{income / 100:.2f}", f"{medical / 100:.2f}"]])
    assert dry_run(store, same, "same.csv", "income_assessments", now=NOW).unchanged == 1

    before = table_counts(store)
    result = commit(store, changed, "更正.csv", "income_assessments", user="u", now=NOW)
    assert (len(result.plan.adds), len(result.plan.updates)) == (0, 1)
    assert table_counts(store)["income_assessment"] == before["income_assessment"]
    sql = (
        "SELECT a.per_capita_income_fen FROM income_assessment a JOIN household h ON h.id = a.household_id "
        "WHERE h.head_id_number = :head AND a.assessed_on = :on"
    )
    with store.connect() as conn:
        assert conn.execute(text(sql), {"head": head, "on": on}).scalar_one() == income + 1234
        change = conn.execute(
            text("SELECT action, old_values FROM import_change WHERE batch_id = :b"), {"b": result.batch_id}
        ).one()
    assert change[0] == "update" and str(income) in change[1]
    # caseload feed: a correction of an old assessment does not move its data date back
    assert str(_one(store, "SELECT data_date FROM feed_status WHERE feed = 'caseload'")[0])[:10] >= day

    undo(store, result.batch_id, user="u", now=NOW)
    with store.connect() as conn:
        assert conn.execute(text(sql), {"head": head, "on": on}).scalar_one() == income


def test_undo_is_refused_when_a_later_batch_touched_the_same_rows(store):
    ids = heads(store, 1)
    header = ["户主身份证号", "评估日期", "家庭人口数", "月人均收入（元）"]
    first = commit(
        store,
        csv_bytes([header, [ids[0], "2026-11-05", 2, "800.00"]]),
        "a.csv",
        "income_assessments",
        user="u",
        now=NOW,
    )
    second = commit(
        store,
        csv_bytes([header, [ids[0], "2026-11-05", 2, "900.00"]]),
        "b.csv",
        "income_assessments",
        user="u",
        now=NOW,
    )
    assert len(second.plan.updates) == 1
    with pytest.raises(UndoRefused, match=f"批次 {second.batch_id}"):
        undo(store, first.batch_id, user="u", now=NOW)
    undo(store, second.batch_id, user="u", now=NOW)
    undo(store, first.batch_id, user="u", now=NOW)
    with store.connect() as conn:
        assert (
            conn.execute(
                text("SELECT COUNT(*) FROM income_assessment WHERE assessed_on = :d"), {"d": date(2026, 11, 5)}
            ).scalar_one()
            == 0
        )


def test_new_household_members_and_references(store):
    village = _one(store, "SELECT code, town_code FROM village ORDER BY code LIMIT 1")
    head = example_id("32058319750203001")  # male, 1975-02-03
    child = example_id("32058320120405002")  # female, 2012-04-05
    households = csv_bytes(
        [
            ["户主公民身份号码", "户主姓名", "村(社区)代码", "联系电话", "致贫原因"],
            [head, "测试户主", village[0], "13800001111", "因病"],
        ]
    )
    member_rows = [
        ["户主身份证号", "姓名", "公民身份号码", "性别", "与户主关系", "在读学段"],
        [head, "测试户主", head, "", "本人", ""],
        [head, "测试孩子", child, "男", "女儿", "初中"],  # sex contradicts the ID number
    ]
    before = table_counts(store)
    with pytest.raises(ImportRejected) as caught:  # members before their household
        commit(store, csv_bytes(member_rows), "m.csv", "members", user="u", now=NOW)
    assert any("家庭" in p.message for p in caught.value.plan.errors)
    hh = commit(store, households, "h.csv", "households", user="u", now=NOW)
    assert _one(store, "SELECT town_code FROM household WHERE head_id_number = :h", h=head)[0] == village[1]
    with pytest.raises(ImportRejected) as caught:
        commit(store, csv_bytes(member_rows), "m.csv", "members", user="u", now=NOW)
    assert [p.message for p in caught.value.plan.errors] == ["性别与身份证号不一致（身份证号为女）"]
    member_rows[2][3] = ""
    mm = commit(store, csv_bytes(member_rows), "m.csv", "members", user="u", now=NOW)
    row = _one(store, "SELECT gender, birth_date, relation, student_stage FROM member WHERE id_number = :c", c=child)
    assert (row[0], str(row[1])[:10], row[2], row[3]) == ("女", "2012-04-05", "子女", "compulsory")

    # A payment by a member's ID number finds the household too.
    pay = commit(store, _payments([child], day="2026-11-06"), "p.csv", "relief_payments", user="u", now=NOW)
    with pytest.raises(UndoRefused, match="引用"):
        undo(store, hh.batch_id, user="u", now=NOW)  # members and payments still point at it
    for batch in (pay, mm, hh):
        undo(store, batch.batch_id, user="u", now=NOW)
    after = table_counts(store)
    for name in ("household", "member", "relief_payment"):
        assert after[name] == before[name]


def test_duplicates_in_the_file_and_repeats(store):
    ids = members(store, 2)
    header = ["身份证号", "安置渠道", "用人单位", "上岗日期"]
    data = csv_bytes([header, [ids[0], "公益性岗位", "某村委会", "2026-11-01"], [ids[0], "弹性岗位", "", "2026-11-01"]])
    plan = dry_run(store, data, "p.csv", "placements", now=NOW)
    assert [(p.row, p.message) for p in plan.errors] == [
        (3, "与第 2 行重复（身份证号、上岗日期相同）：同一记录只能出现一次")
    ]
    # Identical relief payments are two payments (two students' aid on one day).
    pay = dry_run(store, _payments([heads(store, 1)[0]] * 2), "p.csv", "relief_payments", now=NOW)
    # One warning for the repeat; one that the optional 补贴方式 column is absent (kept as stored).
    repeats = [w for w in pay.warnings if "补贴方式" not in w.message]
    assert pay.ok and len(pay.adds) == 2 and len(repeats) == 1 and len(pay.warnings) == 2


def test_goals_kind_keeps_history_and_stamps_goals(store):
    header = ["指标", "范围", "期间", "目标值", "备注"]
    data = csv_bytes(
        [header, ["监测对象户数", "全市", "2027", "9000", "导入"], ["就业安置率", "巴城", "2027", "82.5", ""]]
    )
    result = commit(store, data, "goals.csv", "goals", user="办公室", now=NOW)
    assert len(result.plan.adds) == 2
    with store.connect() as conn:
        goals = conn.execute(
            text("SELECT kpi_key, scope_code, updated_by FROM goal WHERE period = '2027' ORDER BY kpi_key")
        ).all()
        history = conn.execute(
            text("SELECT kpi_key, old_target, new_target, source FROM goal_history ORDER BY id")
        ).all()
    assert goals == [("caseload_households", "city", "办公室"), ("placement_rate", "320583101000", "办公室")]
    assert {(h[0], h[1], h[2]) for h in history[-2:]} == {
        ("caseload_households", None, 9000.0),
        ("placement_rate", None, 82.5),
    }
    assert history[-1][3] == f"导入批次 {result.batch_id}"
    bad = csv_bytes([header, ["就业安置率", "全市", "2027", "120", ""], ["不存在的指标", "火星", "2027-13", "1", ""]])
    plan = dry_run(store, bad, "bad.csv", "goals", now=NOW)
    assert len(plan.errors) == 4
    undo(store, result.batch_id, user="办公室", now=NOW)
    with store.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM goal WHERE period = '2027'")).scalar_one() == 0
        last = conn.execute(text("SELECT new_target, source FROM goal_history ORDER BY id DESC LIMIT 1")).one()
    assert last == (None, f"撤销导入批次 {result.batch_id}")


def test_templates_and_exports_load_back(store):
    for kind in KINDS.values():
        for data, name in ((template_csv(kind), "t.csv"), (template_xlsx(kind), "t.xlsx")):
            plan = dry_run(store, data, name, kind, now=NOW)
            assert plan.rows_total == 1 and any("示例行" in p.message for p in plan.errors), kind.key
    with store.connect() as conn:
        exported = export_file(conn, KINDS["cooperative_years"], fmt="xlsx")
    plan = dry_run(store, exported, "coop.xlsx", "cooperative_years", now=NOW)
    assert plan.ok and plan.unchanged == plan.rows_total > 0 and not plan.changes


def test_xlsx_title_rows_variants_and_serial_dates(store):
    ids = heads(store, 2)
    data = xlsx_bytes(
        [
            ["公民身份号码", "救助类别", "支付日期", "救助金额（元）", "备注"],
            [ids[0], "低保", 46329, 88.5, "十一月"],  # 46329 = 2026-11-03
            [ids[1], "医疗救助", "2026年11月3日", "1,000", None],
        ],
        title="2026年11月救助发放明细",
        merge_title=True,
    )
    plan = dry_run(store, data, "x.xlsx", "relief_payments", now=NOW)
    assert plan.ok, [p.as_line() for p in plan.errors]
    assert sorted((a["relief_type"], str(a["paid_on"]), a["amount_fen"]) for a in plan.adds) == [
        ("living", "2026-11-03", 8850),
        ("medical", "2026-11-03", 100000),
    ]
    assert {"living", "medical"} == {a["relief_type"] for a in plan.adds}
    assert set(plan.feed_dates) == {"relief_civil", "medical"}
    assert any("表头之上" in p.message for p in plan.warnings) and any("备注" in p.column for p in plan.warnings)
