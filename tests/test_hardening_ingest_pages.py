"""Issue 11 on the 数据导入 page (AppTest, through app.py): a rejected cell holding a control
character is reported without breaking the page or its Excel report; the dry run shows the
field changes and household moves on their own."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from tests.intake_support import csv_bytes, open_page, seeded_store

PAGE = "pages/import_data.py"
pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    engine = seeded_store("sqlite", "hard_import_page", tmp_path_factory.mktemp("hard_import_page"))
    yield engine
    engine.dispose()


def _upload(at: AppTest, kind: str, name: str, data: bytes) -> AppTest:
    at.selectbox(key="import_kind").set_value(kind).run()
    at.file_uploader[0].set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _frame(at: AppTest, column: str):
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_a_bel_in_a_rejected_cell_is_reported_and_the_report_downloads(monkeypatch, store):
    data = csv_bytes(
        [
            ["区镇代码", "村(社区)代码", "村(社区)名称", "类型"],
            ["320583101000", "320583101901", "金\x07星\u202e村", "村"],
        ]
    )
    at = _upload(open_page(monkeypatch, store, PAGE), "villages", "村\x07.csv", data)
    assert next(m.value for m in at.metric if m.label == "拒绝") == "1 行"
    problems = _frame(at, "问题")
    assert "金[U+0007]星[U+202E]村" in set(problems["单元格内容"])
    assert any("第2行“村(社区)名称”列含不可见控制字符 U+0007" in m for m in problems["问题"])
    assert at.title[0].value == "数据导入"  # the rest of the page is there
    assert any(s.value == "导入记录" for s in at.subheader)
    report = next(b for b in at.download_button if b.proto.label == "下载问题清单（Excel）")
    assert report.proto.label  # the page built the workbook without IllegalCharacterError
    from data_access.ingest import dry_run, report_xlsx

    plan = dry_run(store, data, "v.csv", "villages")
    book = load_workbook(io.BytesIO(report_xlsx(plan.problems, title=plan.summary())))
    assert any("[U+0007]" in str(c) for row in book.active.iter_rows(values_only=True) for c in row)


def test_field_changes_and_moves_are_shown_apart(monkeypatch, store):
    with store.connect() as conn:
        source, source_head = conn.execute(
            text(
                "SELECT h.id, h.head_id_number FROM household h JOIN member m ON m.household_id = h.id "
                "GROUP BY h.id, h.head_id_number HAVING COUNT(*) >= 2 ORDER BY h.id LIMIT 1"
            )
        ).one()
        target_head = conn.execute(
            text("SELECT head_id_number FROM household WHERE id <> :s ORDER BY id LIMIT 1"), {"s": source}
        ).scalar_one()
        mover = conn.execute(
            text("SELECT name, id_number, relation FROM member WHERE household_id = :s AND id_number <> :h LIMIT 1"),
            {"s": source, "h": source_head},
        ).one()
        other = conn.execute(
            text(
                "SELECT h.head_id_number, m.name, m.id_number, m.relation FROM member m "
                "JOIN household h ON h.id = m.household_id WHERE m.household_id NOT IN (:s) ORDER BY m.id DESC LIMIT 1"
            ),
            {"s": source},
        ).one()
    data = csv_bytes(
        [
            ["户主身份证号", "姓名", "身份证号", "与户主关系"],
            [target_head, mover[0], mover[1], mover[2]],
            [other[0], other[1] + "改", other[2], other[3]],
        ]
    )
    at = _upload(open_page(monkeypatch, store, PAGE), "members", "m.csv", data)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["变更家庭"] == "1 人" and metrics["更新"] == "1 行"
    assert any("家庭变动：1 人" in w.value for w in at.warning)
    moves = _frame(at, "移入家庭")
    assert list(moves["姓名"]) == [mover[0]] and list(moves["原为户主"]) == ["否"]
    changes = _frame(at, "将改变的行数")
    assert dict(zip(changes["字段"], changes["将改变的行数"], strict=True)) == {"姓名": 1}
    samples = _frame(at, "原值")
    assert list(zip(samples["原值"], samples["新值"], strict=True)) == [(other[1], other[1] + "改")]
