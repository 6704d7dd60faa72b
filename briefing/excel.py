"""Excel workbooks of a page's tables: one sheet per table, a header block saying period,
scope, data date and the demo flag, numbers formatted, columns wide enough for Chinese."""

from __future__ import annotations

import io
import re
import unicodedata

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from briefing.meta import ExportMeta
from data_access.text import clean_for_export, clean_value

HEADER_FILL = PatternFill("solid", fgColor="1F5FAD")
DEMO_FONT = Font(bold=True, color="B45309")
FORMULA_PREFIXES = ("=", "+", "-", "@")  # a cell starting with these runs as a formula
MAX_SHEET_NAME = 31


def neutralise(value: object) -> object:
    """Text that Excel would run as a formula is prefixed with ' (formula injection), and text
    never holds a character openpyxl refuses (IllegalCharacterError would lose the whole file)."""
    value = clean_value(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def number_format(header: str, series: pd.Series) -> str | None:
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return None
    if "万元" in header or "元" in header:
        return "#,##0.00"
    if "%" in header:
        return "0.0"
    if pd.api.types.is_integer_dtype(series):
        return "#,##0"
    return "#,##0.0"


def display_width(text: str) -> int:
    """Characters a column needs: CJK and full-width count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_name(title: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "", clean_for_export(title))[:MAX_SHEET_NAME] or "表"
    base, n = name, 2
    while name in used:
        suffix = f"({n})"
        name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        n += 1
    used.add(name)
    return name


def workbook(tables: list[tuple[str, pd.DataFrame]], meta: ExportMeta, *, title: str) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for table_title, frame in tables:
        ws = wb.create_sheet(sheet_name(table_title, used))
        lines = [*meta.header_lines(title), table_title]
        for i, line in enumerate(lines, start=1):
            cell = ws.cell(row=i, column=1, value=neutralise(line))
            cell.font = DEMO_FONT if line.startswith("演示数据") else Font(bold=i in (1, len(lines)))
        header_row = len(lines) + 2
        for j, column in enumerate(frame.columns, start=1):
            cell = ws.cell(row=header_row, column=j, value=neutralise(str(column)))
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        formats = {j: number_format(str(c), frame[c]) for j, c in enumerate(frame.columns, start=1)}
        for i, row in enumerate(frame.itertuples(index=False), start=header_row + 1):
            for j, value in enumerate(row, start=1):
                if value is None or (isinstance(value, float) and pd.isna(value)):
                    value = None
                elif hasattr(value, "item"):
                    value = value.item()  # numpy scalars
                cell = ws.cell(row=i, column=j, value=neutralise(value))
                if formats[j]:
                    cell.number_format = formats[j]
        for j, column in enumerate(frame.columns, start=1):
            values = [str(column), *(str(v) for v in frame[column].head(500))]
            ws.column_dimensions[get_column_letter(j)].width = min(60, max(display_width(v) for v in values) + 2)
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    if not wb.sheetnames:
        wb.create_sheet("说明").cell(row=1, column=1, value="本页没有可导出的表格")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
