"""Read an uploaded file into sheets of rows, whatever a clerk's office software produced:
XLSX, or CSV in UTF-8 (with or without BOM), GBK/GB18030 or UTF-16. Nothing is interpreted
here beyond cells: headers and values are the validator's job.

Row numbers are those the clerk sees in Excel (1-based, blank rows counted), so an error
report can be followed cell by cell.

An XLSX is a zip of XML: a few hundred KB can expand to gigabytes of cells. Its work is bounded
before any cell is read (xlsx_bounds: real decompressed sizes, rows, columns and cells counted
while streaming); only then does python-calamine read the values.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from data_access.ingest import xlsx_bounds
from data_access.ingest.fields import ExcelError, Formula, is_empty
from data_access.ingest.xlsx_bounds import MAX_COLUMNS, MAX_ROWS, MAX_SHEET_COLUMNS

MAX_BYTES = 50 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls, or an XLSX with a password


@dataclass
class Sheet:
    name: str
    rows: list[tuple[int, list[object]]]  # (row number as in Excel, cells); blank rows left out
    extra_columns: bool = False  # cells beyond MAX_COLUMNS were cut off


@dataclass
class ReadResult:
    sheets: list[Sheet] = field(default_factory=list)
    error: str | None = None  # the file as a whole cannot be read
    encoding: str | None = None  # for CSV: how it was decoded


def read(data: bytes, file_name: str) -> ReadResult:
    """Sheets of the file; ReadResult.error says in Chinese why it cannot be read."""
    if not data:
        return ReadResult(error="文件为空")
    if len(data) > MAX_BYTES:
        return ReadResult(error=f"文件过大（超过 {MAX_BYTES // 1024 // 1024} MB），请按月份或区镇拆分后导入")
    lower = file_name.lower()
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data)
    if data.startswith(OLE_MAGIC):
        return ReadResult(
            error="这是旧版 .xls 或设置了密码的 Excel 文件，无法读取：请在 Excel 中另存为 .xlsx（不设密码）"
        )
    if lower.endswith((".xlsx", ".xlsm")):
        return ReadResult(error="文件扩展名为 .xlsx，但内容不是 Excel 文件：请确认文件未损坏")
    if lower.endswith(".xls"):
        return ReadResult(error="不支持旧版 .xls 文件：请在 Excel 中另存为 .xlsx")
    return _read_csv(data)


# --------------------------------------------------------------------------- CSV

ENCODING_LABELS = {"utf-8": "UTF-8", "gb18030": "GBK/GB18030"}


def decode(data: bytes) -> tuple[str, str] | str:
    """Text and encoding label, or why the file cannot be decoded (in Chinese).

    BOMs decide; otherwise each line is UTF-8 or GB18030 (a superset of GBK). A file whose
    lines disagree is refused: read as one, the others would be stored as mojibake
    (测试干部3 -> 娴嬭瘯骞查儴3)."""
    if data.startswith(codecs.BOM_UTF8):
        return _decode_as(data[3:], "utf-8", "UTF-8（带 BOM）")
    if data.startswith(codecs.BOM_UTF16_LE):
        return _decode_as(data[2:], "utf-16-le", "UTF-16")
    if data.startswith(codecs.BOM_UTF16_BE):
        return _decode_as(data[2:], "utf-16-be", "UTF-16")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    kinds: list[tuple[int, str]] = []  # (line number, codec) of each line with non-ASCII bytes
    for number, line in enumerate(lines, start=1):
        if line.isascii():
            continue
        codec = _line_codec(line)
        if codec is None:
            return f"第 {number} 行无法识别编码（既不是 UTF-8 也不是 GBK）：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”"
        kinds.append((number, codec))
    counts = {c: sum(1 for _, k in kinds if k == c) for c in ENCODING_LABELS}
    # The encoding most lines use (ties: the first line's); the first line in another is named.
    detected = max(ENCODING_LABELS, key=lambda c: (counts[c], kinds[0][1] == c))
    odd = next(((n, k) for n, k in kinds if k != detected), None)
    if odd is not None:
        return (
            f"文件编码不一致：按 {ENCODING_LABELS[detected]} 读取，但第 {odd[0]} 行是 {ENCODING_LABELS[odd[1]]} 编码"
            "（可能由不同来源的内容拼接而成）。请在 Excel 中打开后另存为“CSV UTF-8（逗号分隔）”或 .xlsx 再导入"
        )
    return data.decode(detected), ENCODING_LABELS[detected]


def _line_codec(line: bytes) -> str | None:
    for codec in ("utf-8", "gb18030"):
        try:
            line.decode(codec)
            return codec
        except UnicodeDecodeError:
            continue
    return None


def _decode_as(data: bytes, codec: str, label: str) -> tuple[str, str] | str:
    try:
        return data.decode(codec), label
    except UnicodeDecodeError as exc:
        number = data[: exc.start].decode(codec, errors="replace").count("\n") + 1
        return f"文件标明为 {label} 编码，但第 {number} 行不是 {label} 编码：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”"


def _delimiter(text: str) -> str:
    """Comma, tab (Excel's 'Unicode text') or semicolon: whichever the first lines use most
    (not just the first: it may be a title)."""
    head = "\n".join(text.split("\n", 20)[:20])
    counts = {d: head.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(data: bytes) -> ReadResult:
    decoded = decode(data)
    if isinstance(decoded, str):
        return ReadResult(error=decoded)
    text, encoding = decoded
    if "\x00" in text:
        return ReadResult(error="文件含有空字符，不是 CSV 文本文件：请上传 .xlsx 或 .csv 文件")
    delimiter = _delimiter(text)
    # csv builds a whole record before we see it: a line of two million commas is the CSV bomb.
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if line.count(delimiter) >= MAX_SHEET_COLUMNS:
            error = f"第 {number} 行超过 {MAX_SHEET_COLUMNS:,} 列，文件异常（可能是恶意构造的文件），已拒绝"
            return ReadResult(error=error)
    rows: list[tuple[int, list[object]]] = []
    extra = False
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # Excel shows one CSV record per row, even when a quoted cell spans lines.
        for number, record in enumerate(reader, start=1):
            if number > MAX_ROWS + 10:
                return ReadResult(error=f"行数超过 {MAX_ROWS:,} 行，请拆分后导入")
            if len(record) > MAX_COLUMNS:
                extra = extra or any(not is_empty(c) for c in record[MAX_COLUMNS:])
                record = record[:MAX_COLUMNS]
            cells: list[object] = [Formula(c.strip()) if c.strip().startswith("=") else c for c in record]
            if any(not is_empty(c) for c in cells):
                rows.append((number, cells))
    except csv.Error as exc:
        return ReadResult(error=f"CSV 格式错误（第 {reader.line_num} 行附近）：{exc}")
    return ReadResult(sheets=[Sheet("CSV", rows, extra)], encoding=encoding)


# --------------------------------------------------------------------------- XLSX


def _read_xlsx(data: bytes) -> ReadResult:
    from python_calamine import CalamineWorkbook

    bounds = xlsx_bounds.check(data)
    if isinstance(bounds, str):
        return ReadResult(error=bounds)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # a corrupt or foreign zip raises many kinds of error
        return ReadResult(error=f"无法读取 Excel 文件（文件可能已损坏）：{type(exc).__name__}")
    try:
        sheets = []
        for meta in workbook.sheets_metadata:
            scan = bounds.get(meta.name)
            if scan is None:
                continue  # hidden sheets hold lists for drop-downs, not data; chart sheets no cells
            grid = workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            sheets.append(_sheet(meta.name, grid, scan))
        return ReadResult(sheets=sheets)
    except Exception as exc:
        return ReadResult(error=f"无法读取 Excel 文件内容：{type(exc).__name__}")
    finally:
        workbook.close()


def _sheet(name: str, grid: Sequence[Sequence[object]], scan: xlsx_bounds.SheetScan) -> Sheet:
    """Rows as the validator wants them; formulas and error values from the scan (calamine
    gives only their last computed value, or nothing)."""
    rows: list[tuple[int, list[object]]] = []
    extra = False
    for index, cells in enumerate(grid):
        number = index + 1
        values: list[object] = []
        for col, value in enumerate(cells[:MAX_COLUMNS], start=1):
            special = scan.formulas.get((number, col)) or scan.errors.get((number, col))
            if special is not None:
                value = Formula(special) if (number, col) in scan.formulas else ExcelError(special)
            elif value == "":
                value = None
            elif isinstance(value, str) and value.startswith("="):
                value = Formula(value)
            elif not isinstance(value, (str, int, float, bool)) and not hasattr(value, "year"):
                value = str(value)  # a time of day or a duration: the field parser says what is wrong
            values.append(value)
        while values and values[-1] is None:
            values.pop()  # the grid is dense: a row ends at its last filled cell, as Excel shows it
        if len(cells) > MAX_COLUMNS:
            extra = extra or any(not is_empty(v) for v in cells[MAX_COLUMNS:])
        if any(not is_empty(v) for v in values):
            rows.append((number, values))
    return Sheet(name, rows, extra)
