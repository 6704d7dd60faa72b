"""Problems found in a file, and the downloadable Excel error report.

Imported text is only ever written as cell values (never as formulas or HTML): a value that
starts with "=" is stored as text, so opening the report cannot run anything.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from data_access.text import clean_for_export, clean_value, show_invisible

ERROR = "错误"
WARNING = "提示"
REPORT_COLUMNS = ("行号", "列", "单元格内容", "问题", "级别")


@dataclass(frozen=True)
class Problem:
    row: int | None  # row number as in Excel; None for the file as a whole
    column: str  # e.g. "C列“身份证号”", or "" for the file
    value: str  # the cell as read (shortened)
    message: str
    level: str = ERROR

    def __post_init__(self) -> None:
        # Cells and headers quoted from the file may hold control or bidi characters: shown as
        # [U+0007] everywhere a problem goes (terminal, page, Excel report), never raw.
        for name in ("column", "value", "message"):
            object.__setattr__(self, name, show_invisible(str(getattr(self, name))))

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    def as_row(self) -> dict[str, object]:
        values = (self.row or "—", self.column or "—", self.value, self.message, self.level)
        return dict(zip(REPORT_COLUMNS, values, strict=True))

    def as_line(self) -> str:
        where = f"第 {self.row} 行" if self.row else "文件"
        column = f" {self.column}" if self.column else ""
        value = f"（{self.value}）" if self.value else ""
        return f"[{self.level}] {where}{column}{value}：{self.message}"


def shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def report_xlsx(
    problems: list[Problem], *, title: str, sheets: Sequence[tuple[str, list[dict[str, object]]]] = ()
) -> bytes:
    """The problems as an Excel sheet the clerk can sort and filter, one problem a row; then
    any further tables (the dry run's field changes and household moves), a sheet each."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("问题清单")
    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions["B"].width = 22
    sheet.column_dimensions["C"].width = 30
    sheet.column_dimensions["D"].width = 70
    heading = WriteOnlyCell(sheet, value=clean_for_export(title))
    heading.font = Font(bold=True)
    sheet.append([heading])
    header = []
    for name in REPORT_COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for problem in problems:
        sheet.append([text_cell(sheet, v) for v in problem.as_row().values()])
    for name, rows in sheets:
        if not rows:
            continue
        extra = workbook.create_sheet(name)
        extra.append([text_cell(extra, h) for h in rows[0]])
        for row in rows:
            extra.append([text_cell(extra, v) for v in row.values()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def text_cell(sheet: Any, value: object) -> Any:
    """A write-only cell that is never a formula, whatever the text starts with, and never
    holds a character Excel's XML cannot (clean_for_export)."""
    from openpyxl.cell import WriteOnlyCell

    value = clean_value(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell
