"""Read an uploaded file into sheets of rows, whatever a clerk's office software produced:
XLSX, or CSV in UTF-8 (with or without BOM), GBK/GB18030 or UTF-16. Nothing is interpreted
here beyond cells: headers and values are the validator's job.

Row numbers are those the clerk sees in Excel (1-based, blank rows counted), so an error
report can be followed cell by cell.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field

from data_access.ingest.fields import Formula, is_empty

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 300_000
MAX_COLUMNS = 60
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


def decode(data: bytes) -> tuple[str, str] | None:
    """Text and encoding label, trying BOMs, then UTF-8, then GB18030 (a superset of GBK)."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", "UTF-8（带 BOM）")]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", "UTF-16")]
    else:
        candidates = [("utf-8", "UTF-8"), ("gb18030", "GBK/GB18030")]
    for codec, label in candidates:
        try:
            return data.decode(codec), label
        except UnicodeDecodeError:
            continue
    return None


def _delimiter(text: str) -> str:
    """Comma, tab (Excel's 'Unicode text') or semicolon: whichever the first lines use most
    (not just the first: it may be a title)."""
    head = "\n".join(text.split("\n", 20)[:20])
    counts = {d: head.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(data: bytes) -> ReadResult:
    decoded = decode(data)
    if decoded is None:
        return ReadResult(error="无法识别文件编码：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 .xlsx 文件")
    text, encoding = decoded
    if "\x00" in text:
        return ReadResult(error="文件含有空字符，不是 CSV 文本文件：请上传 .xlsx 或 .csv 文件")
    rows: list[tuple[int, list[object]]] = []
    extra = False
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
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
    import openpyxl

    try:
        # read_only streams the sheet; data_only=False keeps formulas visible so they can be refused.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # a corrupt or foreign zip raises many kinds of error
        return ReadResult(error=f"无法读取 Excel 文件（文件可能已损坏）：{type(exc).__name__}")
    try:
        sheets = []
        for worksheet in workbook.worksheets:
            if getattr(worksheet, "sheet_state", "visible") != "visible":
                continue  # hidden sheets hold lists for drop-downs, not data
            sheet = _read_worksheet(worksheet)
            if isinstance(sheet, str):
                return ReadResult(error=sheet)
            sheets.append(sheet)
        return ReadResult(sheets=sheets)
    except Exception as exc:
        return ReadResult(error=f"无法读取 Excel 文件内容：{type(exc).__name__}")
    finally:
        workbook.close()


def _read_worksheet(worksheet) -> Sheet | str:
    if hasattr(worksheet, "reset_dimensions"):
        worksheet.reset_dimensions()  # some generators write a wrong <dimension>; read every cell
    rows: list[tuple[int, list[object]]] = []
    extra = False
    for number, cells in enumerate(worksheet.iter_rows(), start=1):
        if number > MAX_ROWS + 10:
            return f"工作表“{worksheet.title}”行数超过 {MAX_ROWS:,} 行，请拆分后导入"
        values: list[object] = []
        for index, cell in enumerate(cells):
            value = getattr(cell, "value", None)
            if index >= MAX_COLUMNS:
                extra = extra or not is_empty(value)
                continue
            if getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and value.startswith("=")):
                value = Formula(str(getattr(value, "text", value)))
            elif type(value).__name__ in {"ArrayFormula", "DataTableFormula"}:
                value = Formula(str(getattr(value, "text", "") or "="))
            elif value is not None and not isinstance(value, (str, int, float, bool)) and not hasattr(value, "year"):
                value = str(value)  # a time of day or a duration: the field parser says what is wrong
            values.append(value)
        if any(not is_empty(v) for v in values):
            rows.append((number, values))
    return Sheet(worksheet.title, rows, extra)
