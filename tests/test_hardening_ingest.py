"""Issue 11, findings 3 and 10: the one text rule at the import boundary (control and bidi
characters, odd digits), its output-side cleaning for Excel, the number parser, strict times,
Excel error cells and mixed encodings. Store tests run on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import date, datetime

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import text

from briefing import excel
from briefing.meta import ExportMeta
from data_access import text as text_rule
from data_access.ingest import ImportRejected, commit, dry_run, report_xlsx
from data_access.ingest.fields import CellError, Code, Day, IdNumber, Integer, Moment, Money, ParseContext, Phone, Text
from data_access.ingest.kinds import HEAD_ID
from data_access.ingest.reader import read
from metrics.domain.periods import Period
from tests.conftest import BACKENDS
from tests.intake_support import csv_bytes, heads, seeded_store, table_counts, xlsx_bytes

CTX = ParseContext(today=date(2026, 11, 28), now=datetime(2026, 11, 28, 12, 0))
NOW = datetime(2026, 11, 28, 10, 0)
VILLAGE_HEADER = ["区镇代码", "村(社区)代码", "村(社区)名称", "类型"]
PAYMENT_HEADER = ["户主身份证号", "救助类型", "发放日期", "金额（元）"]


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    engine = seeded_store(request.param, "hard_ingest", tmp_path_factory.mktemp("hard_ingest"))
    yield engine
    engine.dispose()


# --------------------------------------------------------------------------- the text rule


@pytest.mark.parametrize(
    ("ch", "kind"),
    [
        ("\x07", "不可见控制字符"),  # BEL
        ("\x1b", "不可见控制字符"),  # ESC
        ("\x00", "不可见控制字符"),
        ("\x1f", "不可见控制字符"),  # unit separator: Python's \s, would have become a space
        ("\x7f", "不可见控制字符"),  # DEL
        ("\x85", "不可见控制字符"),  # C1 NEL
        ("\x9f", "不可见控制字符"),
        ("\r", "不可见控制字符"),  # a carriage return that is not part of CRLF
        ("\u202e", "文字方向控制字符"),  # RIGHT-TO-LEFT OVERRIDE
        ("\u202a", "文字方向控制字符"),
        ("\u2066", "文字方向控制字符"),
        ("\u2069", "文字方向控制字符"),
        ("\u200e", "文字方向控制字符"),
        ("\u200f", "文字方向控制字符"),
        ("\u061c", "文字方向控制字符"),
    ],
)
def test_the_import_rule_names_the_character(ch, kind):
    assert text_rule.problem(f"张{ch}三") == f"含{kind} U+{ord(ch):04X}"


@pytest.mark.parametrize(
    "ok", ["张三", "第一行\n第二行", "第一行\r\n第二行", "a\tb", "Müller", "١٢٣ in a name", "①号楼"]
)
def test_tab_newline_and_ordinary_text_pass(ok):
    assert text_rule.problem(ok) is None


def test_export_cleaning_always_gives_text_openpyxl_can_write():
    # Every character of the ranges the rule covers, plus what XML 1.0 cannot hold at all.
    hostile = "".join(map(chr, [*range(0, 0x20), *range(0x7F, 0xA0), 0x061C, 0x200E, 0x200F, 0xD800, 0xFFFE]))
    hostile += "".join(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
    cleaned = text_rule.clean_for_export("名" + hostile + "字")
    workbook = Workbook()
    workbook.active.cell(row=1, column=1, value=cleaned)  # raises IllegalCharacterError if anything is left
    buffer = io.BytesIO()
    workbook.save(buffer)
    value = load_workbook(buffer).active.cell(row=1, column=1).value
    assert value.startswith("名") and value.endswith("字")
    assert "\t" in value and "\n" in value and "\x07" not in value and "\u202e" not in value
    assert text_rule.show_invisible("a\x07b\u202ec") == "a[U+0007]b[U+202E]c"


# --------------------------------------------------------------------------- numbers and times


@pytest.mark.parametrize(
    ("raw", "fen"),
    [("1,234.50", 123450), ("12,500", 1250000), ("1,234,567", 123456700), ("¥1,000", 100000), ("１，２３４", 123400)],
)
def test_thousands_separators_in_whole_groups(raw, fen):
    assert Money(10_000_000).parse(raw, CTX) == fen


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("12,5", "疑似使用逗号作小数点"),
        ("12,50", "疑似使用逗号作小数点"),
        ("12，5", "疑似使用逗号作小数点"),  # full-width comma
        ("1,23,4", "千位分隔符"),
        ("1,2345", "千位分隔符"),
        ("12,345,6", "千位分隔符"),
        (",123", "千位分隔符"),
        ("1 234", "空格"),
    ],
)
def test_commas_are_never_dropped_silently(raw, message):
    with pytest.raises(CellError, match=message):
        Money(10_000_000).parse(raw, CTX)
    with pytest.raises(CellError):
        Integer(0, 10**9).parse(raw, CTX)


@pytest.mark.parametrize(
    ("field", "raw"),
    [
        (Money(1_000_000), "٣٤٥"),  # Arabic-Indic
        (Money(1_000_000), "۱۲"),  # extended Arabic-Indic (Persian)
        (Integer(0, 100), "①"),  # NFKC would make this 1
        (Integer(0, 100), "२"),  # Devanagari
        (Code(20, "区镇代码"), "320583١01000"),
        (Phone(), "138٠0000000"),
        (Day(), "٢٠٢٥-07-01"),
        (Moment(), "2025-07-01 ٠9:30"),
        (IdNumber(), HEAD_ID[:-2] + "٠" + HEAD_ID[-1]),
    ],
)
def test_odd_digits_are_refused_in_numeric_and_code_fields(field, raw):
    with pytest.raises(CellError, match="非标准数字"):
        field.parse(raw, CTX)


def test_full_width_digits_still_pass_and_text_fields_keep_any_digit():
    assert Money(1_000_000).parse("１２３．４５", CTX) == 12345
    assert Text(40).parse("٣号楼", CTX) == "٣号楼"


@pytest.mark.parametrize("raw", ["2025-07-01T25:00", "2025-07-01 24:00", "2025-07-01 09:60", "2025-07-01 23:59:61"])
def test_a_date_with_an_impossible_time_is_refused_not_truncated(raw):
    with pytest.raises(CellError, match="不存在"):
        Day().parse(raw, CTX)
    with pytest.raises(CellError, match="不存在"):
        Moment().parse(raw, CTX)


def test_a_date_with_a_real_time_keeps_the_day():
    assert Day().parse("2025-07-01T23:59", CTX) == date(2025, 7, 1)
    assert Moment().parse("2025-07-01T23:59", CTX) == datetime(2025, 7, 1, 23, 59)


# --------------------------------------------------------------------------- whole files, on the store


def _village_file(name: str) -> bytes:
    return csv_bytes(
        [VILLAGE_HEADER, ["320583101000", "320583101901", "正常村", "村"], ["320583101000", "320583101902", name, "村"]]
    )


def test_a_control_character_rejects_the_file_with_row_column_and_character(store):
    before = table_counts(store)
    with pytest.raises(ImportRejected) as caught:
        commit(store, _village_file("金\x07星村"), "v.csv", "villages", user="u", now=NOW)
    plan = caught.value.plan
    assert table_counts(store) == before
    assert [(p.row, p.message) for p in plan.errors] == [
        (3, "第3行“村(社区)名称”列含不可见控制字符 U+0007，请删除后重新导入")
    ]
    assert plan.errors[0].value == "金[U+0007]星村"  # shown, never passed on raw
    # The error report is written (openpyxl would refuse the raw BEL) and shows where it was.
    sheet = load_workbook(io.BytesIO(report_xlsx(plan.problems, title=plan.summary()))).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "金[U+0007]星村" in cells


@pytest.mark.parametrize(
    ("name", "kind"), [("\u202e村星金", "文字方向控制字符 U+202E"), ("金\x1b[31m星", "不可见控制字符 U+001B")]
)
def test_bidi_overrides_and_escapes_are_rejected_too(store, name, kind):
    plan = dry_run(store, _village_file(name), "v.csv", "villages", now=NOW)
    assert not plan.ok and kind in plan.errors[0].message


def test_excel_error_cells_are_rejected_in_any_column(store):
    ids = heads(store, 2)
    rows = [PAYMENT_HEADER, [ids[0], "临时救助", "2026-11-02", "#N/A"], [ids[1], "#REF!", "#DIV/0!", "10"]]
    for data, name in ((csv_bytes(rows), "e.csv"), (xlsx_bytes(rows), "e.xlsx")):
        before = table_counts(store)
        with pytest.raises(ImportRejected) as caught:
            commit(store, data, name, "relief_payments", user="u", now=NOW)
        assert table_counts(store) == before
        found = sorted((p.row, p.value) for p in caught.value.plan.errors)
        assert found == [(2, "#N/A"), (3, "#DIV/0!"), (3, "#REF!")], name
        assert all("Excel 错误值" in p.message for p in caught.value.plan.errors)
    households = csv_bytes(
        [["户主身份证号", "户主姓名", "村(社区)代码", "致贫原因"], [HEAD_ID, "#N/A", "320583101001", "因病"]]
    )
    plan = dry_run(store, households, "h.csv", "households", now=NOW)
    assert [p.message[:14] for p in plan.errors] == ["单元格是 Excel 错误值"]


def test_a_decimal_comma_is_not_stored_as_a_hundred_times_the_amount(store):
    ids = heads(store, 1)
    before = table_counts(store)
    with pytest.raises(ImportRejected) as caught:
        commit(
            store,
            csv_bytes([PAYMENT_HEADER, [ids[0], "临时救助", "2026-11-02", "12,5"]]),
            "p.csv",
            "relief_payments",
            user="u",
            now=NOW,
        )
    assert "疑似使用逗号作小数点" in caught.value.plan.errors[0].message
    assert table_counts(store) == before
    good = commit(
        store,
        csv_bytes([PAYMENT_HEADER, [ids[0], "临时救助", "2026-11-02", "1,234.50"]]),
        "p.csv",
        "relief_payments",
        user="u",
        now=NOW,
    )
    assert [a["amount_fen"] for a in good.plan.adds] == [123450]


def test_mixed_encodings_are_rejected_naming_the_first_odd_row():
    gbk = csv_bytes([["挂钩干部", "x"], *([f"测试干部{i}", "1"] for i in range(5))], encoding="gbk")
    utf8 = "测试干部9,1\r\n".encode()
    result = read(gbk + utf8 + gbk.split(b"\r\n", 1)[1], "c.csv")
    assert result.error is not None
    assert "第 7 行" in result.error and "GBK" in result.error and "UTF-8" in result.error
    # A file that is UTF-8 throughout with one GBK row is caught the same way.
    mixed = "a,b\r\n测试,1\r\n".encode() + "干部,2\r\n".encode("gbk")
    result = read(mixed, "c.csv")
    assert result.error is not None and "第 3 行" in result.error


# --------------------------------------------------------------------------- output side


def _meta() -> ExportMeta:
    return ExportMeta(period=Period.parse("2026-Q3"), scope_name="全市", data_date=date(2026, 9, 30), is_demo=False)


def test_audit_export_with_a_bel_in_a_user_name_produces_a_file():
    # An audit row as the 审计日志 page builds it, with what an anonymous visitor typed.
    frame = pd.DataFrame(
        [
            {
                "时间": "2026-11-28 10:00:00",
                "用户": "admin\x07",
                "操作": "登录失败",
                "对象": "\u202eexe.txt",
                "说明": "=cmd|' /C calc'!A0\x1b",
                "来源": "127.0.0.1",
                "结果": "失败",
            }
        ]
    )
    data = excel.workbook([("审计日志\x07", frame)], _meta(), title="审计日志")
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "admin\ufffd" in values and "\ufffdexe.txt" in values
    assert "'=cmd|' /C calc'!A0\ufffd" in values  # still neutralised as a formula
    assert sheet.title == "审计日志\ufffd"


def test_a_village_named_with_bel_does_not_break_the_towns_export(store):
    from metrics.views import units_for

    with store.begin() as conn:
        town = conn.execute(text("SELECT town_code FROM village ORDER BY code LIMIT 1")).scalar_one()
        # Stored before the import rule existed (or written around it).
        conn.execute(
            text("INSERT INTO village (code, town_code, name, kind) VALUES ('320583999901', :t, :n, '村')"),
            {"t": town, "n": "响\x07铃村"},
        )
    try:
        with store.connect() as conn:
            units = units_for(conn, towns=(town,), scope=town)
        frame = pd.DataFrame([{"村(社区)": name, "户数": i} for i, (_, name) in enumerate(units)])
        data = excel.workbook([("各村(社区)", frame), ("响\x07铃村：预警家庭", frame.head(1))], _meta(), title="区镇")
        book = load_workbook(io.BytesIO(data))
        names = [row[0] for row in book.worksheets[0].iter_rows(values_only=True) if row and row[0]]
        assert "响\ufffd铃村" in names and len(book.worksheets) == 2
        assert sum(1 for n in names if "村" in str(n) or "社区" in str(n)) >= len(units)
        # The department's own export of the village list (templates layout) is written too.
        from data_access.ingest import KINDS, export_file

        with store.connect() as conn:
            exported = export_file(conn, KINDS["villages"], fmt="xlsx")
        cells = [
            c for row in load_workbook(io.BytesIO(exported)).worksheets[0].iter_rows(values_only=True) for c in row
        ]
        assert "响\ufffd铃村" in cells
    finally:
        with store.begin() as conn:
            conn.execute(text("DELETE FROM village WHERE code = '320583999901'"))


def test_cli_dry_run_report_with_a_rejected_control_character(store, tmp_path, monkeypatch, capsys):
    from data_access.db import get_engine
    from data_access.ingest.__main__ import main

    monkeypatch.setenv("DATABASE_URL", store.url.render_as_string(hide_password=False))
    get_engine.cache_clear()
    path = tmp_path / "v.csv"
    path.write_bytes(_village_file("金\x07\x1b[2J星村"))
    report = tmp_path / "r.xlsx"
    try:
        assert main([str(path), "--kind", "villages", "--dry-run", "--report", str(report)]) == 1
    finally:
        get_engine.cache_clear()
    err = capsys.readouterr().err
    assert "U+0007" in err and "\x07" not in err and "\x1b" not in err  # nothing raw reaches the terminal
    assert load_workbook(report).active.max_row >= 3


def test_a_bom_file_with_a_row_in_another_encoding_names_the_row():
    data = "\ufeff挂钩干部,x\r\n测试干部1,1\r\n".encode() + "测试干部2,1\r\n".encode("gbk")
    result = read(data, "c.csv")
    assert result.error is not None and "第 3 行" in result.error and "UTF-8" in result.error


def test_control_characters_in_headers_and_file_names_are_shown_not_passed_on(store):
    data = csv_bytes([[*VILLAGE_HEADER, "备注\x07"], ["320583101000", "320583101903", "新村", "村", "x"]])
    plan = dry_run(store, data, "名录\x07\u202e.csv", "villages", now=NOW)
    assert plan.ok and plan.file_name == "名录\ufffd\ufffd.csv"  # what the batch record and feed source keep
    (note,) = [p for p in plan.warnings if "不是模板中的列" in p.message]
    assert note.column == "E列“备注[U+0007]”"
    assert load_workbook(io.BytesIO(report_xlsx(plan.problems, title=plan.summary()))).active.max_row == 3
