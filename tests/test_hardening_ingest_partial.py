"""Issue 11, finding 6: a column absent from the file leaves stored values alone; the dry run
says which fields change (counts per column, old -> new samples); a member moving to another
household is an explicit, separately listed change, and moving another household's head alone
is refused. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import text

from data_access.ingest import ImportRejected, commit, dry_run, undo
from tests.conftest import BACKENDS
from tests.intake_support import csv_bytes, seeded_store, table_counts

NOW = datetime(2026, 11, 28, 10, 0)
MEMBER_HEADER = ["户主身份证号", "姓名", "身份证号", "与户主关系"]  # the required columns only


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    engine = seeded_store(request.param, "hard_partial", tmp_path_factory.mktemp("hard_partial"))
    yield engine
    engine.dispose()


def _rows(engine, sql: str, **params) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def test_a_households_file_without_phones_keeps_the_phones(store):
    households = _rows(
        store,
        "SELECT id, head_id_number, head_name, village_code, cause, phone FROM household "
        "WHERE phone <> '' ORDER BY id LIMIT 5",
    )
    assert len(households) == 5
    from data_access.ingest.kinds import KINDS

    cause = KINDS["households"].column("cause").type
    data = csv_bytes(
        [
            ["户主身份证号", "户主姓名", "村(社区)代码", "致贫原因"],
            *([h[1], h[2] + "改", h[3], cause.format(h[4])] for h in households),
        ]
    )
    plan = dry_run(store, data, "h.csv", "households", now=NOW)
    assert plan.ok, [p.as_line() for p in plan.errors]
    assert plan.absent == ["区镇代码", "联系电话"]
    assert plan.field_changes == {"户主姓名": 5}  # and not 联系电话
    assert [(s.row, s.old, s.new) for s in plan.samples] == [
        (i + 2, h[2], h[2] + "改") for i, h in enumerate(households)
    ]
    assert any("保持不变" in p.message for p in plan.warnings)

    result = commit(store, data, "h.csv", "households", user="u", now=NOW)
    after = _rows(store, "SELECT id, head_name, phone FROM household WHERE id IN :ids".replace(":ids", _in(households)))
    assert sorted(after) == sorted((h[0], h[2] + "改", h[5]) for h in households)  # phones as they were
    undo(store, result.batch_id, user="u", now=NOW)
    assert sorted(_rows(store, "SELECT id, head_name, phone FROM household WHERE id IN " + _in(households))) == sorted(
        (h[0], h[2], h[5]) for h in households
    )


def _in(rows) -> str:
    return "(" + ", ".join(str(int(r[0])) for r in rows) + ")"


def test_an_explicit_blank_still_clears_an_optional_field(store):
    (_, head, name, village, cause) = _rows(
        store, "SELECT id, head_id_number, head_name, village_code, cause FROM household WHERE phone <> '' LIMIT 1"
    )[0]
    from data_access.ingest.kinds import KINDS

    label = KINDS["households"].column("cause").type.format(cause)
    data = csv_bytes(
        [["户主身份证号", "户主姓名", "村(社区)代码", "联系电话", "致贫原因"], [head, name, village, "", label]]
    )
    plan = dry_run(store, data, "h.csv", "households", now=NOW)
    assert plan.field_changes == {"联系电话": 1} and plan.samples[0].new == "（空）"


def test_a_members_file_with_only_required_columns_keeps_the_flags(store):
    with store.begin() as conn:
        picked = conn.execute(
            text(
                "SELECT m.id, h.head_id_number, m.name, m.id_number, m.relation FROM member m "
                "JOIN household h ON h.id = m.household_id ORDER BY m.id LIMIT 5"
            )
        ).all()
        conn.execute(
            text(
                "UPDATE member SET labour_capacity = :t, willing_to_work = :t, has_individual_plan = :t "
                "WHERE id IN " + _in(picked)
            ),
            {"t": True},
        )
    before = _rows(
        store,
        "SELECT id, labour_capacity, willing_to_work, has_individual_plan, severe_disability, student_stage "
        "FROM member WHERE id IN " + _in(picked),
    )
    same = csv_bytes([MEMBER_HEADER, *([p[1], p[2], p[3], p[4]] for p in picked)])
    plan = dry_run(store, same, "m.csv", "members", now=NOW)
    assert plan.ok and plan.unchanged == 5 and not plan.updates and not plan.field_changes
    renamed = csv_bytes([MEMBER_HEADER, *([p[1], p[2] + "二", p[3], p[4]] for p in picked)])
    plan = dry_run(store, renamed, "m.csv", "members", now=NOW)
    assert plan.field_changes == {"姓名": 5} and plan.counts()["更新"] == 5
    commit(store, renamed, "m.csv", "members", user="u", now=NOW)
    assert (
        _rows(
            store,
            "SELECT id, labour_capacity, willing_to_work, has_individual_plan, severe_disability, student_stage "
            "FROM member WHERE id IN " + _in(picked),
        )
        == before
    )
    names = dict(_rows(store, "SELECT id, name FROM member WHERE id IN " + _in(picked)))
    assert names == {p[0]: p[2] + "二" for p in picked}


def _household_with(store, *, min_members: int, not_ids: tuple[int, ...] = ()) -> tuple[int, str, list[tuple]]:
    """A household (id, head ID number) with at least `min_members` members, and its members."""
    candidates = _rows(
        store,
        "SELECT h.id, h.head_id_number FROM household h JOIN member m ON m.household_id = h.id "
        "WHERE h.head_id_number IN (SELECT id_number FROM member) "
        "GROUP BY h.id, h.head_id_number HAVING COUNT(*) >= :n ORDER BY h.id",
        n=min_members,
    )
    hid, head = next(c for c in candidates if c[0] not in not_ids)
    members = _rows(
        store, "SELECT id, name, id_number, relation FROM member WHERE household_id = :h ORDER BY id", h=hid
    )
    return hid, head, members


def test_a_member_moving_household_is_listed_on_its_own(store):
    source, source_head, members = _household_with(store, min_members=2)
    target, target_head, _ = _household_with(store, min_members=1, not_ids=(source,))
    mover = next(m for m in members if m[2] != source_head)
    data = csv_bytes([MEMBER_HEADER, [target_head, mover[1], mover[2], "其他"]])
    plan = dry_run(store, data, "m.csv", "members", now=NOW)
    assert plan.ok, [p.as_line() for p in plan.errors]
    assert plan.counts()["变更家庭"] == 1 and plan.counts()["更新"] == 0
    assert "1 人变更所属家庭" in plan.summary()
    (move,) = plan.moves
    assert move.row == 2 and move.name == mover[1] and not move.was_head
    assert source_head[-4:] in move.old_household and target_head[-4:] in move.new_household
    assert mover[2][6:14] not in move.id_number  # masked
    assert "移入" in move.describe()
    if mover[3] != "其他":
        assert plan.field_changes == {"与户主关系": 1}

    result = commit(store, data, "m.csv", "members", user="u", now=NOW)
    assert _rows(store, "SELECT household_id FROM member WHERE id = :m", m=mover[0]) == [(target,)]
    undo(store, result.batch_id, user="u", now=NOW)
    assert _rows(store, "SELECT household_id FROM member WHERE id = :m", m=mover[0]) == [(source,)]


def test_moving_another_households_head_alone_is_refused(store):
    source, source_head, members = _household_with(store, min_members=2)
    _, target_head, _ = _household_with(store, min_members=1, not_ids=(source,))
    head = next(m for m in members if m[2] == source_head)
    data = csv_bytes([MEMBER_HEADER, [target_head, head[1], head[2], "配偶"]])
    before = table_counts(store)
    with pytest.raises(ImportRejected) as caught:
        commit(store, data, "m.csv", "members", user="u", now=NOW)
    (error,) = caught.value.plan.errors
    assert error.row == 2 and "户主" in error.message and f"其他 {len(members) - 1} 名成员" in error.message
    assert table_counts(store) == before
    assert _rows(store, "SELECT household_id FROM member WHERE id = :m", m=head[0]) == [(source,)]

    # The whole household in the same file (two households merged): allowed, listed, and flagged.
    merged = csv_bytes([MEMBER_HEADER, *([target_head, m[1], m[2], "其他"] for m in members)])
    plan = dry_run(store, merged, "m.csv", "members", now=NOW)
    assert plan.ok, [p.as_line() for p in plan.errors]
    assert len(plan.moves) == len(members) and sum(m.was_head for m in plan.moves) == 1
    assert any("原为户主" in p.message for p in plan.warnings)


def test_cli_prints_field_changes_and_moves(store, tmp_path, monkeypatch, capsys):
    from data_access.db import get_engine
    from data_access.ingest.__main__ import main

    source, source_head, members = _household_with(store, min_members=2)
    _, target_head, _ = _household_with(store, min_members=1, not_ids=(source,))
    mover = next(m for m in members if m[2] != source_head)
    path = tmp_path / "m.csv"
    path.write_bytes(csv_bytes([MEMBER_HEADER, [target_head, mover[1] + "甲", mover[2], mover[3]]]))
    monkeypatch.setenv("DATABASE_URL", store.url.render_as_string(hide_password=False))
    get_engine.cache_clear()
    try:
        assert main([str(path), "--kind", "members", "--dry-run", "--report", str(tmp_path / "r.xlsx")]) == 0
    finally:
        get_engine.cache_clear()
    out = capsys.readouterr().out
    assert f"姓名：{mover[1]} → {mover[1]}甲" in out
    assert "家庭变动：1 人" in out and "移入" in out
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["问题清单", "将改变的字段", "原值与新值", "家庭变动"]
    assert [r[1] for r in book["家庭变动"].iter_rows(min_row=2, values_only=True)] == [mover[1] + "甲"]
    assert list(book["将改变的字段"].iter_rows(min_row=2, values_only=True)) == [("姓名", 1)]
