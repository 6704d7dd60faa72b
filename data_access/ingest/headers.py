"""Finding the header row of a department file: accepted column names, title rows and
merged two-row headers, the columns that are missing or unknown."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from data_access.ingest.fields import as_text, is_empty
from data_access.ingest.kinds import FeedKind
from data_access.ingest.planned import HEADER_SCAN_ROWS
from data_access.ingest.reader import Sheet
from data_access.ingest.report import WARNING, Problem, shorten
from data_access.ingest.xlsx_bounds import MAX_COLUMNS


def column_letter(number: int) -> str:
    """1 -> A, 27 -> AA: columns as Excel names them (reading needs no openpyxl)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def normalise_header(value: object) -> str:
    """Headers compare without width, case, spaces, required marks or a trailing (必填)."""
    text = unicodedata.normalize("NFKC", as_text(value)).lower()
    text = re.sub(r"[\s*:：]", "", text)
    return re.sub(r"\((必填|选填|可选|可不填)\)$", "", text)


def header_lookup(kind: FeedKind) -> dict[str, str]:
    out: dict[str, str] = {}
    for column in kind.columns:
        for name in (column.header, *column.variants):
            out.setdefault(normalise_header(name), column.field)
    return out


@dataclass
class HeaderMatch:
    sheet: Sheet
    row_number: int  # the (last) header row
    columns: dict[str, int]  # field -> 0-based column index
    labels: dict[str, str]  # field -> how the column is named in messages
    problems: list[Problem]
    names: dict[str, str] = field(default_factory=dict)  # field -> the header as written in the file


def _score(cells: list[object], lookup: dict[str, str]) -> int:
    return len({lookup[h] for h in map(normalise_header, cells) if h in lookup})


def find_header(kind: FeedKind, sheets: list[Sheet]) -> HeaderMatch | Problem:
    """The row naming the columns, tolerating title rows and two-row (merged) headers above it."""
    lookup = header_lookup(kind)
    best: tuple[int, int, int, list[object], bool] | None = None  # score, sheet, row index, cells, merged
    for s, sheet in enumerate(sheets):
        scan = sheet.rows[:HEADER_SCAN_ROWS]
        for i, (number, cells) in enumerate(scan):
            candidates = [(cells, False)]
            if i > 0 and scan[i - 1][0] == number - 1:
                # A header split over two rows by merged cells: take the upper cell where the lower is blank.
                upper = scan[i - 1][1]
                width = max(len(cells), len(upper))
                merged = [
                    cells[c] if c < len(cells) and not is_empty(cells[c]) else (upper[c] if c < len(upper) else None)
                    for c in range(width)
                ]
                candidates.append((merged, True))
            for candidate, is_merged in candidates:
                score = _score(candidate, lookup)
                if score and (best is None or score > best[0]):
                    best = (score, s, i, candidate, is_merged)
    if best is None:
        if not any(sheet.rows for sheet in sheets):
            return Problem(None, "", "", "文件中没有数据（工作表为空）")
        expected = "、".join(f"“{c.header}”" for c in kind.columns if c.required)
        return Problem(None, "", "", f"没有找到表头：请使用“{kind.label}”模板，第一行应为列名 {expected}")
    _, s, i, cells, header_merged = best
    sheet = sheets[s]
    number = sheet.rows[i][0]
    problems: list[Problem] = []
    if s > 0:
        problems.append(Problem(None, "", sheet.name, f"数据取自工作表“{sheet.name}”", WARNING))
    skipped = [n for n, _ in sheet.rows[:i]]
    if header_merged:
        problems.append(Problem(number, "", "", "表头占两行（合并单元格），已合并识别：请核对列名", WARNING))
        skipped = skipped[:-1]
    if skipped:
        problems.append(
            Problem(None, "", "", f"第 {', '.join(map(str, skipped))} 行在表头之上（标题或说明），已跳过", WARNING)
        )
    columns: dict[str, int] = {}
    labels: dict[str, str] = {}
    names: dict[str, str] = {}
    data_width = max((len(c) for _, c in sheet.rows[i + 1 :]), default=0)
    for index in range(max(len(cells), data_width)):
        raw = cells[index] if index < len(cells) else None
        letter = column_letter(index + 1)
        name = normalise_header(raw)
        if not name:
            if any(index < len(c) and not is_empty(c[index]) for _, c in sheet.rows[i + 1 :]):
                problems.append(Problem(number, f"{letter}列", "", "该列有数据但没有列名，已忽略", WARNING))
            continue
        target = lookup.get(name)
        label = f"{letter}列“{shorten(as_text(raw), 30)}”"
        if target is None:
            problems.append(Problem(number, label, "", "不是模板中的列，已忽略", WARNING))
        elif target in columns:
            problems.append(Problem(number, label, "", f"与{labels[target]}是同一列，请只保留一列"))
        else:
            columns[target] = index
            labels[target] = label
            names[target] = shorten(as_text(raw), 30)
    missing = [c.header for c in kind.columns if c.required and c.field not in columns]
    if missing:
        problems.append(
            Problem(number, "", "", "缺少必填列：" + "、".join(f"“{m}”" for m in missing) + "（请使用模板的列名）")
        )
    if sheet.extra_columns:
        problems.append(Problem(None, "", "", f"第 {MAX_COLUMNS} 列以后的内容已忽略", WARNING))
    return HeaderMatch(sheet, number, columns, labels, problems, names)
