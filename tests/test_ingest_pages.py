"""The 数据导入 page as the app runs it (AppTest): templates, a checked upload, the commit,
the history and an undo; imported text only ever appears inside tables.

Runs through app.py, which registers the page as "import_data.py" (url /import)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from tests.intake_support import csv_bytes, heads, open_page, seeded_store

PAGE = "pages/import_data.py"
pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    engine = seeded_store("sqlite", "import_page", tmp_path_factory.mktemp("import_page"))
    yield engine
    engine.dispose()


def _open(monkeypatch, engine) -> AppTest:
    return open_page(monkeypatch, engine, PAGE)


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.selectbox(key="import_kind").set_value("relief_payments").run()
    at.file_uploader[0].set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _user(at: AppTest) -> None:
    if any(t.key == "import_user" for t in at.text_input):  # no sign-in: the name is typed
        at.text_input(key="import_user").input("民政局测试员").run()


def test_page_offers_templates_and_the_column_guide(monkeypatch, store):
    at = _open(monkeypatch, store)
    assert at.title[0].value == "数据导入"
    at.selectbox(key="import_kind").set_value("households").run()
    names = [b.proto.label for b in at.download_button]
    assert names[:2] == ["下载 Excel 模板", "下载 CSV 模板"]
    guide = next(df.value for df in at.dataframe if "列名" in df.value.columns)
    assert "户主身份证号" in set(guide["列名"])


def test_check_commit_history_and_undo(monkeypatch, store):
    ids = heads(store, 2)
    data = csv_bytes(
        [["户主身份证号", "救助类型", "发放日期", "金额（元）"], *([i, "临时救助", "2026-10-30", "200"] for i in ids)]
    )
    at = _open(monkeypatch, store)
    _user(at)
    _upload(at, "十一月.csv", data)
    assert _metric(at, "新增") == "2 行" and _metric(at, "拒绝") == "0 行"
    with store.connect() as conn:
        before = conn.execute(text("SELECT COUNT(*) FROM relief_payment")).scalar_one()
    at.button(key="import_commit").click().run()
    assert not at.exception
    assert any("已导入批次" in s.value for s in at.success)
    with store.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM relief_payment")).scalar_one() == before + 2
        batch = conn.execute(text("SELECT id, status FROM import_batch ORDER BY id DESC LIMIT 1")).one()
        source = conn.execute(text("SELECT source FROM feed_status WHERE feed = 'relief_civil'")).scalar_one()
    assert batch[1] == "committed" and source == "十一月.csv"
    history = next(df.value for df in at.dataframe if "批次" in df.value.columns)
    assert int(history["批次"].iloc[0]) == batch[0]

    at.selectbox(key="import_undo_batch").set_value(batch[0])
    at.checkbox(key="import_undo_confirm").check()
    next(b for b in at.button if b.label == "撤销").click().run()
    assert not at.exception
    assert any("已撤销批次" in s.value for s in at.success)
    with store.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM relief_payment")).scalar_one() == before
        assert (
            conn.execute(text("SELECT status FROM import_batch WHERE id = :b"), {"b": batch[0]}).scalar_one()
            == "undone"
        )


def test_a_hostile_file_is_reported_in_tables_only(monkeypatch, store):
    hostile = "<script>alert(1)</script>"
    data = csv_bytes(
        [
            ["户主身份证号", "救助类型", "发放日期", "金额（元）", hostile],
            ["**粗体**[链接](javascript:alert(1))", "生活救助", "2026-10-30", "=HYPERLINK(1)", "x"],
        ]
    )
    at = _open(monkeypatch, store)
    _upload(at, f"{hostile}.csv", data)
    assert _metric(at, "拒绝") == "1 行"
    assert not any(b.key == "import_commit" for b in at.button)
    problems = next(df.value for df in at.dataframe if "问题" in df.value.columns)
    assert any(hostile in str(c) for c in problems["列"]) and any("粗体" in str(v) for v in problems["单元格内容"])
    rendered = [m.value for m in (*at.markdown, *at.error, *at.info, *at.caption, *at.warning, *at.success)]
    assert not any("<script>" in r or "粗体" in r for r in rendered)
    assert "下载问题清单（Excel）" in [b.proto.label for b in at.download_button]
