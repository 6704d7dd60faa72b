"""Cell parsing and file reading for the data intake: ID numbers, money, dates, encodings,
formulas, sheets. No store needed."""

from __future__ import annotations

import codecs
from datetime import date, datetime

import pytest

from data_access.ingest import idnumber
from data_access.ingest.fields import (
    CellError,
    Choice,
    Day,
    Flag,
    Formula,
    IdNumber,
    Integer,
    Moment,
    Money,
    ParseContext,
    PeriodKey,
    Year,
)
from data_access.ingest.kinds import HEAD_ID, KINDS, KINDS_LIST
from data_access.ingest.reader import read
from tests.intake_support import csv_bytes, xlsx_bytes

CTX = ParseContext(today=date(2026, 11, 28), now=datetime(2026, 11, 28, 12, 0))


def _id(first17: str) -> str:
    return first17 + idnumber.check_char(first17)


def test_gb11643_check_character():
    # The standard's worked example (GB 11643-1999, appendix): 11010519491231002X.
    assert idnumber.check_char("11010519491231002") == "X"
    assert idnumber.problem("11010519491231002X", today=CTX.today) is None
    assert "校验位" in idnumber.problem("110105194912310021", today=CTX.today)
    assert "15 位" in idnumber.problem("110105491231002", today=CTX.today)
    assert "18 位" in idnumber.problem("1101051949123100", today=CTX.today)
    assert "出生日期" in idnumber.problem(_id("11010519491331002"), today=CTX.today)
    assert idnumber.sex("11010519491231002X") == "女" and idnumber.birth_date(HEAD_ID) == date(1970, 1, 1)


def test_id_numbers_are_normalised_and_excel_numbers_refused():
    kind = IdNumber()
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "11010519491231002") + "ｘ"
    assert kind.parse(full_width, CTX) == "11010519491231002X"
    assert kind.parse(" 110105 1949 1231 002x ", CTX) == "11010519491231002X"
    with pytest.raises(CellError, match="存成了数字"):
        kind.parse(1.10105194912310e17, CTX)
    with pytest.raises(CellError, match="出生日期"):
        kind.parse(_id("11010520991231002"), CTX)  # born in the future


@pytest.mark.parametrize(
    ("raw", "fen"),
    [
        ("1,234.50", 123450),
        ("¥88", 8800),
        ("１２３．４５", 12345),
        (650, 65000),
        (650.1, 65010),
        ("0", 0),
        (" 12.3 元", 1230),
    ],
)
def test_money_in_yuan_becomes_fen(raw, fen):
    assert Money(1_000_000).parse(raw, CTX) == fen


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (0.1 + 0.2, "2 位小数"),
        ("1.234", "2 位小数"),
        ("-5", "负数"),
        ("1e5", "科学计数法"),
        ("9" * 40, "过大"),
        (float("inf"), "数字"),
        (float("nan"), "数字"),
        (10**20, "过大"),
        ("2000001", "过大"),
        (True, "逻辑值"),
        ("十元", "数字"),
    ],
)
def test_money_rejects(raw, message):
    with pytest.raises(CellError, match=message):
        Money(2_000_000).parse(raw, CTX)


def test_negative_money_only_where_allowed():
    assert Money(100, allow_negative=True).parse("-12.5", CTX) == -1250


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        ("2025-07-01", date(2025, 7, 1)),
        ("2025/7/1", date(2025, 7, 1)),
        ("2025.07.01", date(2025, 7, 1)),
        ("2025年7月1日", date(2025, 7, 1)),
        ("20250701", date(2025, 7, 1)),
        ("２０２５－０７－０１", date(2025, 7, 1)),
        ("2025-07-01 00:00:00", date(2025, 7, 1)),
        (45839, date(2025, 7, 1)),  # Excel serial
        ("45839", date(2025, 7, 1)),
        (45839.75, date(2025, 7, 1)),
        (datetime(2025, 7, 1, 0, 0), date(2025, 7, 1)),
    ],
)
def test_dates_in_the_forms_clerks_use(raw, day):
    assert Day().parse(raw, CTX) == day


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2025-02-30", "不存在"),
        ("2026-11-29", "未来"),
        (46400, "未来"),  # 2027-01-13
        ("1899-12-31", "1900"),
        ("7/1/2025", "可识别"),
        (0, "有效"),
        (2025, "不是日期"),
        ("2025", "不是日期"),
        (3_000_000, "有效"),
        ("next week", "可识别"),
    ],
)
def test_bad_dates(raw, message):
    with pytest.raises(CellError, match=message):
        Day().parse(raw, CTX)


def test_moments_and_their_order_in_time():
    moment = Moment()
    assert moment.parse("2025-07-01 9:30", CTX) == datetime(2025, 7, 1, 9, 30)
    assert moment.parse("2025年7月1日 09时30分", CTX) == datetime(2025, 7, 1, 9, 30)
    assert moment.parse(45839.5, CTX) == datetime(2025, 7, 1, 12, 0)
    assert moment.parse("2025-07-01", CTX) == datetime(2025, 7, 1)
    with pytest.raises(CellError, match="未来"):
        moment.parse("2026-11-28 12:01", CTX)
    with pytest.raises(CellError, match="不存在"):
        moment.parse("2025-07-01 25:00", CTX)


def test_small_types():
    assert Flag().parse("是", CTX) is True and Flag().parse("否", CTX) is False and Flag().parse(1, CTX) is True
    with pytest.raises(CellError):
        Flag().parse("也许", CTX)
    choice = Choice({"living": "生活救助"}, {"低保": "living"})
    assert choice.parse("生活救助", CTX) == choice.parse("低保", CTX) == choice.parse("LIVING", CTX) == "living"
    assert Integer(1, 50).parse("３", CTX) == 3
    with pytest.raises(CellError, match="整数"):
        Integer(1, 50).parse("2.5", CTX)
    assert Year(ahead=1).parse("2027年", CTX) == 2027
    with pytest.raises(CellError):
        Year().parse(2027, CTX)
    assert PeriodKey().parse("2025年第3季度", CTX) == "2025-Q3"
    assert PeriodKey().parse("2025年9月", CTX) == "2025-09"


# --------------------------------------------------------------------------- reading files

ROWS = [["户主身份证号", "金额（元）"], [HEAD_ID, "650.00"], ["", ""], ["x", "=SUM(B2)"]]


@pytest.mark.parametrize(
    ("encoding", "label"),
    [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8（带 BOM）"), ("gbk", "GBK/GB18030"), ("gb18030", "GBK/GB18030")],
)
def test_csv_encodings_are_detected(encoding, label):
    result = read(csv_bytes(ROWS, encoding=encoding), "a.csv")
    assert result.encoding == label
    rows = result.sheets[0].rows
    assert [n for n, _ in rows] == [1, 2, 4]  # the blank line counts, as in Excel
    assert rows[0][1] == ["户主身份证号", "金额（元）"]
    assert isinstance(rows[2][1][1], Formula)


def test_utf16_and_tab_separated():
    data = codecs.BOM_UTF16_LE + "户主身份证号\t金额（元）\n1\t2\n".encode("utf-16-le")
    assert read(data, "a.txt").sheets[0].rows[1][1] == ["1", "2"]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "a.csv", "为空"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "a.xls", ".xls"),
        (b"plain text", "a.xlsx", "不是 Excel"),
        (b"PK\x03\x04garbage", "a.xlsx", "无法读取"),
        (bytes(range(256)) * 4, "a.csv", "编码"),
        (b"a,b\n\x00\x00,1\n", "a.csv", "空字符"),
    ],
)
def test_unreadable_files_say_why(data, name, message):
    result = read(data, name)
    assert result.error and message in result.error


def test_xlsx_formulas_dates_and_sheets():
    data = xlsx_bytes(
        [["户主身份证号", "发放日期", "金额（元）"], [HEAD_ID, datetime(2025, 7, 1), "=1+1"]],
        title="2025年7月救助发放",
        merge_title=True,
        empty_first_sheet=True,
    )
    result = read(data, "a.xlsx")
    assert result.error is None
    empty, sheet = result.sheets
    assert empty.rows == []
    assert sheet.rows[0] == (1, ["2025年7月救助发放"])
    number, cells = sheet.rows[2]
    # calamine gives an Excel date at midnight as a date; both date and datetime parse alike.
    assert number == 3 and cells[1] == date(2025, 7, 1) and cells[2] == Formula("=1+1")


def test_every_kind_has_valid_examples_and_distinct_headers():
    for kind in KINDS_LIST:
        seen: set[str] = set()
        for column in kind.columns:
            names = {column.header, *column.variants}
            assert not names & seen, (kind.key, names & seen)
            seen |= names
            if column.example:
                column.type.parse(column.example, CTX)  # the template's example passes its own checks
        # Resolved references, and the kind a 帮扶服务记录 feed fixes itself (its rows share a table).
        derived = {"household_id", "member_id", "cooperative_id"} | (
            {"kind"} if kind.table_name == "assistance_record" else set()
        )
        assert all(kind.column(f) or f in derived for f in kind.natural_key), kind.key
        assert set(kind.natural_key) <= set(kind.stored), kind.key
    assert KINDS["relief_payments"].repeats_allowed
