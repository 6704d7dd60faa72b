"""Property-based tests of the intake with hypothesis, on SQLite and PostgreSQL.

1. The same payments written the many ways clerks' software writes them (CSV in UTF-8,
   UTF-8 with BOM, GBK, GB18030 or UTF-16; XLSX; header variants in any order; title and
   merged header rows; Excel date serials; full-width digits; thousands separators) give
   exactly the same plan.
2. Whatever the file (those, or broken: missing, duplicated or extra columns, formulas,
   huge numbers, bad ID numbers, future dates, empty sheets, wrong encodings, corrupt
   bytes, control and bidi characters, decimal commas, impossible times, Excel error
   cells, rows in another encoding), loading it never raises anything but a rejection,
   and a rejected load leaves every table's row count as it was.
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_access.ingest import ImportRejected, commit, dry_run, undo
from data_access.ingest.fields import EXCEL_EPOCH
from data_access.ingest.kinds import KINDS
from tests.conftest import BACKENDS
from tests.intake_support import heads, seeded_store, table_counts

NOW = datetime(2026, 11, 28, 10, 0)
KIND = KINDS["relief_payments"]
COLUMNS = KIND.columns[:5]  # ID, type, date, amount, persons (the optional 补贴方式 is left out: files may omit it)
TYPE_LABELS = ["生活救助", "临时救助", "医疗救助", "教育资助", "住房保障", "法律援助", "保险补充", "低保", "living"]
SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    engine = seeded_store(request.param, "ingest_props", tmp_path_factory.mktemp("ingest_props"))
    yield engine, heads(engine, 12)
    engine.dispose()


# --------------------------------------------------------------------------- logical rows

payment = st.tuples(
    st.integers(0, 11),  # which household
    st.sampled_from(TYPE_LABELS),
    st.dates(date(2024, 1, 1), date(2026, 11, 27)),
    st.decimals(Decimal("0"), Decimal("99999.99"), places=2),
    st.integers(1, 5),
)


@st.composite
def layouts(draw):
    """How a valid file is written: everything that must not change its meaning."""
    return {
        "format": draw(st.sampled_from(["csv", "xlsx"])),
        "encoding": draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])),
        "headers": [draw(st.sampled_from([c.header, *c.variants])) for c in COLUMNS],
        "order": draw(st.permutations(range(len(COLUMNS)))),
        "titles": draw(st.integers(0, 2)),
        "group_header": draw(st.booleans()),
        "dates": draw(st.sampled_from(["iso", "slash", "chinese", "compact", "serial", "native", "fullwidth"])),
        "amounts": draw(st.sampled_from(["plain", "thousands", "fullwidth", "number"])),
        "ids": draw(st.sampled_from(["plain", "fullwidth", "spaced"])),
        "blank_rows": draw(st.booleans()),
        "extra_column": draw(st.booleans()),
    }


FULL = str.maketrans("0123456789.,X", "０１２３４５６７８９．，Ｘ")


def _cells(row, ids: list[str], layout) -> list[object]:
    index, relief, day, amount, persons = row
    number = ids[index]
    number = {
        "plain": number,
        "fullwidth": number.translate(FULL),
        "spaced": f"{number[:6]} {number[6:14]} {number[14:]}",
    }[layout["ids"]]
    serial = (day - EXCEL_EPOCH.date()).days
    xlsx = layout["format"] == "xlsx"
    when = {
        "iso": day.isoformat(),
        "slash": f"{day.year}/{day.month}/{day.day}",
        "chinese": f"{day.year}年{day.month}月{day.day}日",
        "compact": day.strftime("%Y%m%d"),
        "serial": serial if xlsx else str(serial),
        "native": datetime.combine(day, datetime.min.time()) if xlsx else day.isoformat(),
        "fullwidth": day.isoformat().translate(FULL),
    }[layout["dates"]]
    money = {
        "plain": f"{amount:.2f}",
        "thousands": f"{amount:,.2f}",
        "fullwidth": f"{amount:.2f}".translate(FULL),
        "number": float(amount) if xlsx else str(amount),
    }[layout["amounts"]]
    return [number, relief, when, money, persons if xlsx else str(persons)]


def render(rows, ids: list[str], layout, *, mutate=None) -> tuple[bytes, str]:
    """Write logical rows as a file in the given layout; `mutate` may break the cell grid."""
    order = layout["order"]
    header = [layout["headers"][i] for i in order]
    body = [[_cells(r, ids, layout)[i] for i in order] for r in rows]
    grid: list[list[object]] = [[f"救助发放明细表（第{i + 1}行标题）"] for i in range(layout["titles"])]
    if layout["group_header"]:
        grid.append(["基本信息", None, "发放信息", None, None])
    if layout["extra_column"]:
        header = [*header, "备注"]
        body = [[*r, "无"] for r in body]
    grid.append(header)
    for r in body:
        grid.append(r)
        if layout["blank_rows"]:
            grid.append([])
    if mutate is not None:
        grid = mutate(grid, len(grid) - len(body) * (2 if layout["blank_rows"] else 1) - 1)
    if layout["format"] == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        for r in grid:
            sheet.append([_excel_escaped(c) for c in r])
        if layout["titles"]:
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=5)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue(), "f.xlsx"
    delimiter = "\t" if layout["encoding"] == "utf-16" else ","
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(grid)
    try:
        return buffer.getvalue().encode(layout["encoding"]), "f.csv"
    except UnicodeEncodeError:  # a breakage GBK cannot hold (Arabic-Indic digits): a UTF-8 file then
        return buffer.getvalue().encode("utf-8"), "f.csv"


def _excel_escaped(value: object) -> object:
    """Control characters as Excel itself stores them in a cell (_x0007_), which openpyxl
    would otherwise refuse to write."""
    if isinstance(value, str):
        return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", lambda m: f"_x{ord(m.group(0)):04X}_", value)
    return value


def _adds(plan) -> Counter:
    return Counter(tuple(sorted(a.items())) for a in plan.adds)


CANONICAL = {
    "format": "csv",
    "encoding": "utf-8",
    "headers": [c.header for c in COLUMNS],
    "order": list(range(len(COLUMNS))),
    "titles": 0,
    "group_header": False,
    "dates": "iso",
    "amounts": "plain",
    "ids": "plain",
    "blank_rows": False,
    "extra_column": False,
}


@SETTINGS
@given(rows=st.lists(payment, min_size=1, max_size=8), layout=layouts())
def test_equivalent_files_give_the_same_plan(store, rows, layout):
    engine, ids = store
    expected = dry_run(engine, *render(rows, ids, CANONICAL), KIND, now=NOW)
    assert expected.ok, [p.as_line() for p in expected.errors]
    data, name = render(rows, ids, layout)
    plan = dry_run(engine, data, name, KIND, now=NOW)
    assert plan.ok, [p.as_line() for p in plan.errors]
    assert _adds(plan) == _adds(expected)
    assert plan.rows_total == len(rows)


# --------------------------------------------------------------------------- broken files


def _set(grid, header_at, col, value, *, row=None):
    grid = [list(r) for r in grid]
    target = row if row is not None else header_at + 1
    while len(grid[target]) <= col:
        grid[target].append(None)
    grid[target][col] = value
    return grid


BREAKAGES = {
    "drop_column": lambda g, h: [r[:1] + r[2:] for r in g],
    "duplicate_column": lambda g, h: [[*r, r[0] if r else None] for r in g],
    "formula": lambda g, h: _set(g, h, 3, "=SUM(D2:D9)"),
    "huge": lambda g, h: _set(g, h, 3, "9" * 40),
    "huge_float": lambda g, h: _set(g, h, 3, 1e300),
    "negative": lambda g, h: _set(g, h, 3, "-12.00"),
    "bad_id": lambda g, h: _set(g, h, 0, "320583199001011235"),
    "short_id": lambda g, h: _set(g, h, 0, "3205831990"),
    "future": lambda g, h: _set(g, h, 2, "2031-01-01"),
    "no_such_date": lambda g, h: _set(g, h, 2, "2025-02-30"),
    "serial_out_of_range": lambda g, h: _set(g, h, 2, 99999999),
    "bad_type": lambda g, h: _set(g, h, 1, "火星救助"),
    "zero_persons": lambda g, h: _set(g, h, 4, "0"),
    "header_only": lambda g, h: g[: h + 1],
    "no_header": lambda g, h: g[h + 1 :],
    "blank_cell": lambda g, h: _set(g, h, 0, ""),
    # Issue 11: the text rule, the number parser, strict times and error cells.
    "bel_in_type": lambda g, h: _set(g, h, 1, "临时\x07救助"),
    "escape_in_id": lambda g, h: _set(g, h, 0, "\x1b[2J" + str(g[h + 1][0])),
    "c1_control": lambda g, h: _set(g, h, 1, "临时救助\x85"),
    "bidi_override": lambda g, h: _set(g, h, 1, "\u202e助救时临"),
    "arabic_digits": lambda g, h: _set(g, h, 3, "١٢٫٥"),
    "decimal_comma": lambda g, h: _set(g, h, 3, "12,5"),
    "bad_groups": lambda g, h: _set(g, h, 3, "1,23,4"),
    "bad_time": lambda g, h: _set(g, h, 2, "2026-01-05T25:00"),
    "error_amount": lambda g, h: _set(g, h, 3, "#N/A"),
    "error_date": lambda g, h: _set(g, h, 2, "#DIV/0!"),
    "error_id": lambda g, h: _set(g, h, 0, "#REF!"),
}


def _raw_breakage(kind: str, data: bytes) -> bytes:
    rng = random.Random(len(data))
    if kind == "empty":
        return b""
    if kind == "binary":
        return bytes(rng.randrange(256) for _ in range(512))
    if kind == "truncated":
        return data[: len(data) // 2]
    if kind == "utf16_no_bom":
        return data.decode("utf-8", errors="replace").encode("utf-16-le")
    if kind == "latin1":
        return "Ménage,Montant\r\nDupont,12,50\r\n".encode("cp1252")
    if kind == "empty_sheets":
        from openpyxl import Workbook

        workbook = Workbook()
        workbook.create_sheet("第二页")
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    return data


def _mixed_encoding(rows, ids) -> tuple[bytes, str]:
    """A GBK file with one row appended from a UTF-8 source: read as GBK it would be mojibake."""
    gbk = {**CANONICAL, "encoding": "gbk"}
    data, name = render(rows, ids, gbk)
    index, _, day, amount, persons = rows[0]
    extra = f"{ids[index]},临时救助,{day.isoformat()},{amount:.2f},{persons}\r\n".encode()
    return data + extra, name


@SETTINGS
@given(
    rows=st.lists(payment, min_size=1, max_size=6),
    layout=layouts(),
    breakage=st.one_of(st.none(), st.sampled_from(sorted(BREAKAGES))),
    raw=st.one_of(
        st.none(),
        st.sampled_from(["empty", "binary", "truncated", "utf16_no_bom", "latin1", "empty_sheets", "mixed_encoding"]),
    ),
)
def test_any_file_is_loaded_whole_or_not_at_all(store, rows, layout, breakage, raw):
    engine, ids = store
    data, name = render(rows, ids, layout, mutate=BREAKAGES.get(breakage))
    if raw == "mixed_encoding":
        data, name = _mixed_encoding(rows, ids)
    elif raw is not None:
        data = _raw_breakage(raw, data)
    before = table_counts(engine)
    plan = dry_run(engine, data, name, KIND, now=NOW)  # never raises
    assert table_counts(engine) == before
    try:
        result = commit(engine, data, name, KIND, user="hypothesis", now=NOW)
    except ImportRejected as exc:
        assert not exc.plan.ok and exc.plan.summary()
        assert all(p.message for p in exc.plan.problems)
        assert table_counts(engine) == before  # nothing partial
        return
    assert plan.ok
    if result.batch_id is None:
        assert table_counts(engine) == before
        return
    assert table_counts(engine)["relief_payment"] == before["relief_payment"] + len(result.plan.adds)
    again = commit(engine, data, name, KIND, user="hypothesis", now=NOW)
    assert again.batch_id is None  # loading the same file twice changes nothing
    undo(engine, result.batch_id, user="hypothesis", now=NOW + timedelta(seconds=1))
    after = table_counts(engine)
    assert after["relief_payment"] == before["relief_payment"]
    assert after["import_batch"] == before["import_batch"] + 1  # the undone batch stays on record


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_each_breakage_is_rejected_with_a_chinese_message(store, breakage):
    engine, ids = store
    rows = [
        (0, "临时救助", date(2026, 1, 5), Decimal("100.00"), 1),
        (1, "生活救助", date(2026, 1, 5), Decimal("5.5"), 2),
    ]
    data, name = render(rows, ids, CANONICAL, mutate=BREAKAGES[breakage])
    plan = dry_run(engine, data, name, KIND, now=NOW)
    assert not plan.ok, breakage
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in p.message) for p in plan.errors)


@SETTINGS
@given(rows=st.lists(payment, min_size=1, max_size=6))
def test_rows_in_another_encoding_reject_the_file(store, rows):
    engine, ids = store
    data, name = _mixed_encoding(rows, ids)
    before = table_counts(engine)
    with pytest.raises(ImportRejected) as caught:
        commit(engine, data, name, KIND, user="hypothesis", now=NOW)
    assert table_counts(engine) == before
    assert f"第 {len(rows) + 2} 行是 UTF-8 编码" in caught.value.plan.errors[0].message
