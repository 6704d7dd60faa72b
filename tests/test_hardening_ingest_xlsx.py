"""Issue 11, finding 5: an XLSX's work is bounded before any cell is read. The 226 KB file with
one row of 2 million cells (1.86 GB before) is refused within 2 s and 200 MB, and so are the
other shapes of zip bomb; ordinary workbooks read as before (formulas and error values found)."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from datetime import datetime

import pytest

from data_access.ingest import dry_run
from data_access.ingest import xlsx_bounds as bounds
from data_access.ingest.fields import ExcelError, Formula
from data_access.ingest.reader import read
from tests.conftest import BACKENDS
from tests.intake_support import seeded_store, table_counts

NOW = datetime(2026, 11, 28, 10, 0)
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def workbook(sheet_xml: bytes, *, extra: dict[str, bytes] | None = None, workbook_xml: bytes | None = None) -> bytes:
    """A minimal XLSX around one worksheet's XML, deflated as Excel would."""
    parts = {
        "[Content_Types].xml": (
            b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            b'<Default Extension="xml" ContentType="application/xml"/>'
            b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            b'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
            b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="' + REL_NS.encode() + b'/officeDocument" Target="xl/workbook.xml"/>'
            b"</Relationships>"
        ),
        "xl/workbook.xml": workbook_xml
        or (
            f'<?xml version="1.0"?><workbook {NS} xmlns:r="{REL_NS}"><sheets>'
            '<sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="' + REL_NS.encode() + b'/worksheet" Target="worksheets/sheet1.xml"/>'
            b"</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": sheet_xml,
        **(extra or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def sheet(rows: bytes) -> bytes:
    return f'<?xml version="1.0"?><worksheet {NS}><sheetData>'.encode() + rows + b"</sheetData></worksheet>"


def one_row_of(cells: int, *, refs: bool = False) -> bytes:
    if refs:  # columns written out: A1, B1, … past Excel's last column
        body = b"".join(f'<c r="{letters(i)}1"><v>1</v></c>'.encode() for i in range(1, cells + 1))
    else:
        body = b"<c><v>1</v></c>" * cells
    return sheet(b'<row r="1">' + body + b"</row>")


def letters(column: int) -> str:
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def measured(call):
    """(result, seconds, peak bytes allocated by Python) of one call."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = call()
        return result, time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_two_million_cell_row_is_refused_fast_and_small():
    data = workbook(one_row_of(2_000_000))
    assert len(data) < 300 * 1024  # the reported file was 226 KB
    result, seconds, peak = measured(lambda: read(data, "炸弹.xlsx"))
    assert result.error is not None and not result.sheets
    assert "16,384 列" in result.error and "已拒绝" in result.error
    assert seconds < 2.0, seconds
    assert peak < 200 * 1024 * 1024, peak


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    engine = seeded_store(request.param, "hard_xlsx", tmp_path_factory.mktemp("hard_xlsx"))
    yield engine
    engine.dispose()


def test_the_bomb_in_a_dry_run_and_a_commit_leaves_the_store_alone(store):
    from data_access.ingest import ImportRejected, commit

    data = workbook(one_row_of(2_000_000))
    before = table_counts(store)
    plan, seconds, peak = measured(lambda: dry_run(store, data, "炸弹.xlsx", "relief_payments", now=NOW))
    assert not plan.ok and "16,384 列" in plan.errors[0].message
    assert seconds < 2.0 and peak < 200 * 1024 * 1024, (seconds, peak)
    with pytest.raises(ImportRejected):
        commit(store, data, "炸弹.xlsx", "relief_payments", user="u", now=NOW)
    assert table_counts(store) == before


@pytest.mark.parametrize(
    ("name", "build", "message"),
    [
        ("columns with references", lambda: workbook(one_row_of(20_000, refs=True)), "16,384 列"),
        (
            "more rows than allowed",
            lambda: workbook(sheet(b"".join(b'<row r="%d"><c><v>1</v></c></row>' % i for i in range(1, 300_012)))),
            "300,000 行",
        ),
        (
            "a far corner",  # two cells, but calamine would hold the whole area between them
            lambda: workbook(
                sheet(b'<row r="1"><c r="A1"><v>1</v></c></row><row r="200000"><c r="XFD200000"><v>1</v></c></row>')
            ),
            "数据区域过大",
        ),
        (
            "huge shared strings",
            lambda: workbook(
                sheet(b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'),
                extra={"xl/sharedStrings.xml": b"<sst><si><t>" + b"A" * (260 * 1024 * 1024) + b"</t></si></sst>"},
            ),
            "解压后超过 256 MB",
        ),
        (
            "an entity expansion in the workbook",
            lambda: workbook(
                one_row_of(1),
                workbook_xml=(
                    b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
                    b'<workbook><sheets><sheet name="&b;" sheetId="1"/></sheets></workbook>'
                ),
            ),
            "不允许的 XML 内容",
        ),
    ],
)
def test_other_bombs_are_refused_too(name, build, message):
    data = build()
    started = time.perf_counter()
    result = read(data, "x.xlsx")
    seconds = time.perf_counter() - started  # without tracemalloc, which slows every allocation
    assert result.error is not None and message in result.error, (name, result.error)
    _, _, peak = measured(lambda: read(data, "x.xlsx"))
    assert seconds < 5.0 and peak < 200 * 1024 * 1024, (name, seconds, peak)


def test_declared_sizes_that_lie_do_not_help():
    """A part whose headers claim 100 bytes is still measured by what it inflates to."""
    data = bytearray(workbook(one_row_of(2_000_000)))
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature + b"")
        while at >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                data[at + size_at : at + size_at + 4] = (100).to_bytes(4, "little")
            at = data.find(signature, at + 4)
    assert zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(name.decode()).file_size == 100
    result = read(bytes(data), "x.xlsx")
    assert result.error is not None and "16,384 列" in result.error


def test_formulas_and_error_values_are_found_where_calamine_sees_only_values():
    rows = (
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>amount'
        b"</t></is></c></row>"
        b'<row r="2"><c r="A2" t="e"><v>#N/A</v></c><c r="B2"><f>SUM(1,2)</f><v>3</v></c></row>'
        b'<row r="3"><c r="A3" t="str"><f t="shared" ref="A3:A4" si="0">&quot;x&quot;&amp;1</f><v>x1</v></c>'
        b'<c r="B3" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
        b'<row r="4"><c r="A4" t="str"><f t="shared" si="0"/><v>x1</v></c><c r="B4"><v>7</v></c></row>'
    )
    result = read(workbook(sheet(rows)), "f.xlsx")
    assert result.error is None, result.error
    cells = dict(result.sheets[0].rows)
    assert cells[2] == [ExcelError("#N/A"), Formula("=SUM(1,2)")]
    assert cells[3] == [Formula('="x"&1'), Formula("=1/0")]  # a formula wins over its error value
    assert cells[4] == [Formula("=（共享公式）"), 7.0]


def test_the_scan_is_exact_across_chunk_boundaries(monkeypatch):
    """Error values and formulas cut by the streaming chunk boundary are still found, once."""
    monkeypatch.setattr(bounds, "CHUNK", 7)
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="e"><v>#REF!</v></c><c r="B%d"><f>A%d*2</f><v>0</v></c></row>' % (i, i, i, i)
        for i in range(1, 40)
    )
    scans = bounds.check(workbook(sheet(rows)))
    assert isinstance(scans, dict), scans
    scan = scans["数据"]
    assert (scan.rows, scan.columns, scan.cells) == (39, 2, 78)
    assert scan.errors == {(i, 1): "#REF!" for i in range(1, 40)}
    assert scan.formulas == {(i, 2): f"=A{i}*2" for i in range(1, 40)}


def test_an_ordinary_large_workbook_is_read_whole_and_quickly():
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet("数据")
    ws.append(["户主身份证号", "救助类型", "发放日期", "金额（元）", "覆盖人数"])
    for i in range(30_000):
        ws.append([f"32058319700101{i % 10000:04d}", "生活救助", datetime(2026, 1, 5), 650.5, 1])
    buffer = io.BytesIO()
    book.save(buffer)
    started = time.perf_counter()
    result = read(buffer.getvalue(), "big.xlsx")
    seconds = time.perf_counter() - started
    assert result.error is None and len(result.sheets[0].rows) == 30_001
    assert result.sheets[0].rows[-1][1][3] == 650.5
    assert seconds < 10, seconds


def test_too_many_shared_strings_are_refused(monkeypatch):
    monkeypatch.setattr(bounds, "MAX_CELLS", 1_000)
    strings = b"<sst>" + b"<si><t>x</t></si>" * 1_001 + b"</sst>"
    data = workbook(sheet(b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), extra={"xl/sharedStrings.xml": strings})
    result = read(data, "s.xlsx")
    assert result.error is not None and "共享文字超过 1,000 条" in result.error
    ok = workbook(
        sheet(b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'),
        extra={"xl/sharedStrings.xml": strings[:5] + strings[22:]},
    )
    assert "共享文字" not in (read(ok, "s.xlsx").error or "")


def test_the_csv_bomb_is_refused_before_csv_builds_the_record():
    data = ("户主身份证号" + "," * 2_000_000 + "\r\n").encode()
    result, seconds, peak = measured(lambda: read(data, "炸弹.csv"))
    assert result.error is not None and "16,384 列" in result.error
    assert seconds < 2.0 and peak < 200 * 1024 * 1024, (seconds, peak)
