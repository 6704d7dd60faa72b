"""Writing feed files: the downloadable templates (headers and an example row) and the same
layout filled with rows (exports of the store, round trips).

CSV is UTF-8 with a BOM so that Excel opens the Chinese headers correctly. XLSX keeps ID
numbers and codes as text, so Excel cannot turn them into 3.20583E+17.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from data_access.ingest.fields import Choice, Code, Day, IdNumber, Integer, Moment, Money, Number
from data_access.ingest.kinds import FeedKind
from data_access.ingest.report import text_cell
from data_access.reference import TOWNS

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"


def headers(kind: FeedKind) -> list[str]:
    return [c.header for c in kind.columns]


def example_row(kind: FeedKind) -> list[str]:
    return [c.example for c in kind.columns]


def to_csv(kind: FeedKind, rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers(kind))
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _typed(column_type: object, value: str) -> object:
    """A cell value of the right Excel type, so sums and dates work for the clerk."""
    if value == "":
        return None
    if isinstance(column_type, Money):
        return float(Decimal(value))  # two decimals survive the float round trip
    if isinstance(column_type, Integer):
        return int(value)
    if isinstance(column_type, Number):
        return float(value)
    if isinstance(column_type, Moment):
        return datetime.fromisoformat(value)
    if isinstance(column_type, Day):
        return date.fromisoformat(value)
    return value


NUMBER_FORMATS = {Money: "#,##0.00", Day: "yyyy-mm-dd", Moment: "yyyy-mm-dd hh:mm:ss", IdNumber: "@", Code: "@"}


def _number_format(column_type: object) -> str | None:
    return next((f for t, f in NUMBER_FORMATS.items() if isinstance(column_type, t)), None)


def to_xlsx(kind: FeedKind, rows: Iterable[list[str]]) -> bytes:
    """A workbook of rows in the template's layout (streamed: exports can be large)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(kind.label[:31].replace("/", "、"))
    for index, column in enumerate(kind.columns):
        sheet.column_dimensions[_letter(index)].width = max(12, len(column.header) * 2 + 4)
    sheet.freeze_panes = "A2"
    header_cells = []
    for column in kind.columns:
        cell = text_cell(sheet, column.header)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    types = [c.type for c in kind.columns]
    formats = [_number_format(t) for t in types]
    for row in rows:
        cells = []
        for column_type, fmt, value in zip(types, formats, row, strict=True):
            cell = text_cell(sheet, _typed(column_type, value))
            if fmt:
                cell.number_format = fmt
            cells.append(cell)
        sheet.append(cells)
    _instructions(workbook.create_sheet("填写说明"), kind)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def _instructions(sheet: Any, kind: FeedKind) -> None:
    """What each column takes, and the town codes, on a second sheet."""
    from openpyxl.styles import Font

    for letter, width in zip("ABCDEF", (20, 10, 50, 22, 40, 40), strict=True):
        sheet.column_dimensions[letter].width = width

    def bold(values: list[str]) -> list[object]:
        cells = []
        for value in values:
            cell = text_cell(sheet, value)
            cell.font = Font(bold=True)
            cells.append(cell)
        return cells

    sheet.append(bold([f"{kind.label}（{kind.department}）导入说明"]))
    sheet.append([text_cell(sheet, kind.description)])
    sheet.append(
        [
            text_cell(
                sheet,
                "第一个工作表的第一行为列名（可在其上方保留标题行），每行一条记录；金额单位为元。"
                "不要使用公式和合并单元格。",
            )
        ]
    )
    if kind.depends_on:
        sheet.append([text_cell(sheet, "请先导入：" + "、".join(kind.depends_on))])
    sheet.append([])
    sheet.append(bold(["列名", "是否必填", "填写要求", "示例", "也可用的列名", "说明"]))
    for column in kind.columns:
        sheet.append(
            [
                text_cell(sheet, value)
                for value in (
                    column.header,
                    "必填" if column.required else "可不填",
                    column.type.describe(),
                    column.example,
                    "、".join(column.variants),
                    column.note,
                )
            ]
        )
    if any(c.field == "town_code" for c in kind.columns) or any(isinstance(c.type, Choice) for c in kind.columns):
        sheet.append([])
    if any(c.field == "town_code" for c in kind.columns):
        sheet.append(bold(["区镇代码", "区镇名称"]))
        for town in TOWNS:
            sheet.append([text_cell(sheet, town.code), text_cell(sheet, town.name)])


def template_csv(kind: FeedKind) -> bytes:
    return to_csv(kind, [example_row(kind)])


def template_xlsx(kind: FeedKind) -> bytes:
    return to_xlsx(kind, [example_row(kind)])


def template_name(kind: FeedKind, extension: str) -> str:
    return f"{kind.label}_导入模板.{extension}".replace("/", "、")
