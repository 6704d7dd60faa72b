"""Validation: from the cells of a file to a plan of rows to add and update, with every
problem reported by row (as in Excel), column and cause, in Chinese.

Building a plan only reads the store. The dry run shows it; the commit rebuilds it inside
its transaction and writes it only when it has no errors at all.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openpyxl.utils import get_column_letter
from sqlalchemy import Date, and_, bindparam, select
from sqlalchemy.engine import Connection

from data_access.ingest.fields import CellError, Formula, ParseContext, as_text, is_empty
from data_access.ingest.kinds import FeedKind
from data_access.ingest.reader import MAX_COLUMNS, ReadResult, Sheet
from data_access.ingest.refs import CHUNK, Lookups, Row
from data_access.ingest.report import ERROR, WARNING, Problem, shorten

HEADER_SCAN_ROWS = 10  # title rows and merged group headers may sit above the real header
MAX_PROBLEMS = 50_000  # beyond this only the count is kept: a wrong file must not exhaust memory


@dataclass
class Update:
    row_id: Any  # primary key
    new: dict[str, Any]
    old: dict[str, Any]
    number: int  # Excel row


@dataclass
class Plan:
    kind: FeedKind
    file_name: str
    sha256: str
    encoding: str | None = None
    rows_total: int = 0
    rows_rejected: int = 0
    adds: list[dict[str, Any]] = field(default_factory=list)
    add_numbers: list[int] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    problems_dropped: int = 0
    feed_dates: dict[str, date | None] = field(default_factory=dict)  # feeds the rows date
    departments: set[str] = field(default_factory=set)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors and self.rows_total > 0

    @property
    def changes(self) -> int:
        return len(self.adds) + len(self.updates)

    @property
    def department(self) -> str:
        return "、".join(sorted(self.departments)) or self.kind.department

    def counts(self) -> dict[str, int]:
        return {
            "数据行": self.rows_total,
            "新增": len(self.adds),
            "更新": len(self.updates),
            "无变化": self.unchanged,
            "拒绝": self.rows_rejected,
        }

    def summary(self) -> str:
        c = self.counts()
        text = (
            f"{self.kind.label}：共 {c['数据行']:,} 行，将新增 {c['新增']:,} 行、更新 {c['更新']:,} 行，"
            f"{c['无变化']:,} 行与系统中相同，{c['拒绝']:,} 行有错误"
        )
        if self.errors:
            more = f"（另有 {self.problems_dropped:,} 个问题未列出）" if self.problems_dropped else ""
            return text + f"；发现 {len(self.errors):,} 个错误{more}，整个文件不会导入。"
        return text + "。"

    def add_problem(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.problems_dropped += 1


# --------------------------------------------------------------------------- headers


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
    _, s, i, cells, merged = best
    sheet = sheets[s]
    number = sheet.rows[i][0]
    problems: list[Problem] = []
    if s > 0:
        problems.append(Problem(None, "", sheet.name, f"数据取自工作表“{sheet.name}”", WARNING))
    skipped = [n for n, _ in sheet.rows[:i]]
    if merged:
        problems.append(Problem(number, "", "", "表头占两行（合并单元格），已合并识别：请核对列名", WARNING))
        skipped = skipped[:-1]
    if skipped:
        problems.append(
            Problem(None, "", "", f"第 {', '.join(map(str, skipped))} 行在表头之上（标题或说明），已跳过", WARNING)
        )
    columns: dict[str, int] = {}
    labels: dict[str, str] = {}
    data_width = max((len(c) for _, c in sheet.rows[i + 1 :]), default=0)
    for index in range(max(len(cells), data_width)):
        raw = cells[index] if index < len(cells) else None
        letter = get_column_letter(index + 1)
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
    missing = [c.header for c in kind.columns if c.required and c.field not in columns]
    if missing:
        problems.append(
            Problem(number, "", "", "缺少必填列：" + "、".join(f"“{m}”" for m in missing) + "（请使用模板的列名）")
        )
    if sheet.extra_columns:
        problems.append(Problem(None, "", "", f"第 {MAX_COLUMNS} 列以后的内容已忽略", WARNING))
    return HeaderMatch(sheet, number, columns, labels, problems)


# --------------------------------------------------------------------------- rows


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


# --------------------------------------------------------------------------- the store


def existing_rows(conn: Connection, kind: FeedKind, rows: list[Row]) -> dict[tuple[Any, ...], list[tuple[Any, dict]]]:
    """Stored rows sharing a natural key with the file's rows, oldest first, in bulk."""
    table = kind.table
    pk = next(iter(table.primary_key.columns))
    columns = [table.c[f] for f in kind.stored]
    first = kind.natural_key[0]
    firsts = {r.values[first] for r in rows}
    if not firsts:
        return {}
    conditions = [table.c[first].in_(bindparam("keys", expanding=True))]
    params: dict[str, Any] = {}
    for f in kind.natural_key[1:]:
        if isinstance(table.c[f].type, Date):
            # Payments are looked up only within the file's dates, not over all history.
            days = [r.values[f] for r in rows]
            conditions.append(table.c[f].between(bindparam("lo"), bindparam("hi")))
            params = {"lo": min(days), "hi": max(days)}
            break
    stmt = select(pk, *columns).where(and_(*conditions)).order_by(pk)
    out: dict[tuple[Any, ...], list[tuple[Any, dict]]] = defaultdict(list)
    ordered = sorted(firsts, key=str)
    for i in range(0, len(ordered), CHUNK):
        for record in conn.execute(stmt, {"keys": ordered[i : i + CHUNK], **params}):
            stored = dict(zip(kind.stored, record[1:], strict=True))
            out[_key(kind, stored)].append((record[0], stored))
    return out


def match_store(conn: Connection, kind: FeedKind, rows: list[Row], plan: Plan) -> None:
    """Pair file rows with stored rows by natural key (in order, for repeatable kinds)."""
    valid = [r for r in rows if r.ok]
    existing = existing_rows(conn, kind, valid)
    used: dict[tuple[Any, ...], int] = defaultdict(int)
    for row in valid:
        key = _key(kind, row.values)
        new = {f: row.values.get(f) for f in kind.stored}
        bucket = existing.get(key, [])
        if used[key] < len(bucket):
            row_id, old = bucket[used[key]]
            used[key] += 1
            if any(old[f] != new[f] for f in kind.stored):
                plan.updates.append(Update(row_id, new, old, row.number))
            else:
                plan.unchanged += 1
        else:
            plan.adds.append(new)
            plan.add_numbers.append(row.number)


# --------------------------------------------------------------------------- the plan


def build_plan(
    conn: Connection,
    kind: FeedKind,
    read: ReadResult,
    *,
    file_name: str,
    sha256: str,
    ctx: ParseContext,
) -> Plan:
    plan = Plan(kind=kind, file_name=file_name, sha256=sha256, encoding=read.encoding)
    if read.error:
        plan.add_problem(Problem(None, "", "", read.error))
        return plan
    header = find_header(kind, read.sheets)
    if isinstance(header, Problem):
        plan.add_problem(header)
        return plan
    for problem in header.problems:
        plan.add_problem(problem)
    data_rows = [n for n, _ in header.sheet.rows if n > header.row_number]
    plan.rows_total = len(data_rows)
    if not data_rows:
        plan.add_problem(Problem(None, "", "", "只有表头，没有数据行"))
        return plan
    if any(p.is_error for p in header.problems):
        plan.rows_rejected = plan.rows_total  # a column problem rejects every row
        return plan

    rows = parse_rows(kind, header, ctx)
    lookups = Lookups(conn)
    for resolve in kind.refs:
        resolve(rows, lookups)
    if kind.derive is not None:
        for row in rows:
            for field_name, message in kind.derive(row.values, ctx):
                row.fail(field_name, message)
    flag_duplicates(kind, rows)
    match_store(conn, kind, rows, plan)

    for row in rows:
        for level, items in ((ERROR, row.errors), (WARNING, row.warnings)):
            for field_name, message in items:
                label = header.labels.get(field_name, "")
                plan.add_problem(Problem(row.number, label, shorten(as_text(row.raw.get(field_name))), message, level))
        if not row.ok:
            plan.rows_rejected += 1
            continue
        plan.departments.add(kind.department_for(row.values))
        feed = kind.feed_for(row.values)
        if feed is None:
            continue
        day = kind.date_of(row.values) if kind.date_of else None
        current = plan.feed_dates.get(feed)
        plan.feed_dates[feed] = day if current is None else (current if day is None else max(current, day))
    return plan
