"""From the cells under the header to parsed rows: each cell by its column's type, the
row's derive rules, and duplicates within the file."""

from __future__ import annotations

from typing import Any

from data_access import text as text_rule
from data_access.ingest.fields import CellError, Formula, ParseContext, excel_error, is_empty
from data_access.ingest.headers import HeaderMatch
from data_access.ingest.kinds import FeedKind
from data_access.ingest.refs import Row


def parse_rows(kind: FeedKind, header: HeaderMatch, ctx: ParseContext) -> list[Row]:
    rows: list[Row] = []
    start = next(i for i, (n, _) in enumerate(header.sheet.rows) if n == header.row_number) + 1
    mapped = [(c, header.columns.get(c.field)) for c in kind.columns]
    examples = example_values(kind, ctx, [c.field for c, index in mapped if index is not None])
    for number, cells in header.sheet.rows[start:]:
        row = Row(number)
        raws: dict[str, object] = {}
        for column, index in mapped:
            raw = cells[index] if index is not None and index < len(cells) else None
            raws[column.field] = raw
            if isinstance(raw, Formula):
                row.fail(column.field, "单元格含公式：请复制后“选择性粘贴—数值”再导入")
                continue
            if (code := excel_error(raw)) is not None:
                row.fail(column.field, f"单元格是 Excel 错误值 {code}（公式出错或查找不到数据），请改为实际的值")
                continue
            if isinstance(raw, str) and (reason := text_rule.problem(raw)):
                name = header.names.get(column.field, column.header)
                row.fail(column.field, text_rule.cell_message(number, name, reason))
                continue
            if is_empty(raw):
                if column.required:
                    row.fail(column.field, "必填项为空")
                else:
                    row.values[column.field] = column.default
                continue
            try:
                row.values[column.field] = column.type.parse(raw, ctx)
            except CellError as exc:
                row.fail(column.field, str(exc))
        if examples and row.ok and all(row.values.get(f) == v for f, v in examples.items()):
            row.fail("", "这是模板中的示例行，请删除后再导入")
        row.raw = raws  # turned into text only for the rows that get a message
        rows.append(row)
    return rows


def example_values(kind: FeedKind, ctx: ParseContext, fields: list[str]) -> dict[str, Any]:
    """The template's example row as parsed values, to recognise it when a clerk leaves it in."""
    out: dict[str, Any] = {}
    for column in kind.columns:
        if column.field not in fields:
            continue
        try:
            out[column.field] = column.type.parse(column.example, ctx) if column.example else column.default
        except CellError:
            return {}
    return out


def _key(kind: FeedKind, values: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(values.get(f) for f in kind.natural_key)


# Natural-key fields resolved from another column: name that column in messages.
RESOLVED_FROM = {"household_id": "household_id_number", "member_id": "id_number", "cooperative_id": "village_code"}


def _describe_key(kind: FeedKind) -> str:
    names: list[str] = []
    for f in kind.natural_key:
        column = kind.column(RESOLVED_FROM.get(f, f)) or kind.column(f)
        if column is not None and column.header not in names:
            names.append(column.header)
    return "、".join(names)


def flag_duplicates(kind: FeedKind, rows: list[Row]) -> None:
    """Rows with the same natural key: an error, or for repeatable kinds a note."""
    first_seen: dict[tuple[Any, ...], int] = {}
    what = _describe_key(kind)
    for row in rows:
        if not row.ok:
            continue
        key = _key(kind, row.values)
        if key in first_seen:
            if kind.repeats_allowed:
                row.warnings.append(("", f"与第 {first_seen[key]} 行完全相同，将作为另一笔记录计入"))
            else:
                row.fail("", f"与第 {first_seen[key]} 行重复（{what}相同）：同一记录只能出现一次")
        else:
            first_seen[key] = row.number
