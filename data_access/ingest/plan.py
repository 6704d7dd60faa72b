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

from sqlalchemy import Date, and_, bindparam, select
from sqlalchemy.engine import Connection

from data_access import text as text_rule
from data_access.ingest.fields import CellError, Formula, ParseContext, as_text, excel_error, is_empty
from data_access.ingest.kinds import FeedKind
from data_access.ingest.reader import ReadResult, Sheet
from data_access.ingest.refs import CHUNK, Lookups, Row, select_in
from data_access.ingest.report import ERROR, WARNING, Problem, shorten
from data_access.ingest.xlsx_bounds import MAX_COLUMNS
from data_access.masking import mask_id_number

HEADER_SCAN_ROWS = 10  # title rows and merged group headers may sit above the real header
MAX_PROBLEMS = 50_000  # beyond this only the count is kept: a wrong file must not exhaust memory
SAMPLES_PER_FIELD = 5  # old -> new examples the dry run shows for each changed column
# Stored fields that are not a column of the file (resolved or derived), as the dry run names them.
FIELD_LABELS = {"household_id": "所属家庭", "town_code": "区镇代码", "department": "责任单位", "member_id": "成员"}


@dataclass
class Update:
    row_id: Any  # primary key
    new: dict[str, Any]  # every stored field: a column absent from the file carries the stored value
    old: dict[str, Any]
    number: int  # Excel row

    @property
    def changed(self) -> list[str]:
        return [f for f in self.new if self.old.get(f) != self.new[f]]


@dataclass(frozen=True)
class FieldChange:
    """One changed value of an updated row, for the dry run's old -> new sample."""

    row: int
    field: str  # the column as the dry run names it
    old: str
    new: str


@dataclass(frozen=True)
class Move:
    """A member row that puts a person into another household than the stored one."""

    row: int
    name: str
    id_number: str
    old_household: str  # “户主 张三（320583…0011）”
    new_household: str
    was_head: bool  # the person is the registered head of the household left

    def describe(self) -> str:
        head = "（原家庭的户主）" if self.was_head else ""
        return f"第 {self.row} 行：{self.name}{head} 从{self.old_household}的家庭移入{self.new_household}的家庭"


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
    updates: list[Update] = field(default_factory=list)  # moves included: a move is written as an update
    moves: list[Move] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)  # optional columns not in the file: stored values kept
    field_changes: dict[str, int] = field(default_factory=dict)  # column -> updated rows whose value changes
    samples: list[FieldChange] = field(default_factory=list)
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
            "更新": len(self.updates) - len(self.moves),
            "变更家庭": len(self.moves),
            "无变化": self.unchanged,
            "拒绝": self.rows_rejected,
        }

    def summary(self) -> str:
        c = self.counts()
        moves = f"、{c['变更家庭']:,} 人变更所属家庭（见“家庭变动”）" if c["变更家庭"] else ""
        text = (
            f"{self.kind.label}：共 {c['数据行']:,} 行，将新增 {c['新增']:,} 行、更新 {c['更新']:,} 行{moves}，"
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


# --------------------------------------------------------------------------- the store


def existing_rows(
    conn: Connection, kind: FeedKind, rows: list[Row]
) -> dict[tuple[Any, ...], list[tuple[Any, dict[str, Any]]]]:
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
    out: dict[tuple[Any, ...], list[tuple[Any, dict[str, Any]]]] = defaultdict(list)
    ordered = sorted(firsts, key=str)
    for i in range(0, len(ordered), CHUNK):
        for record in conn.execute(stmt, {"keys": ordered[i : i + CHUNK], **params}):
            stored = dict(zip(kind.stored, record[1:], strict=True))
            out[_key(kind, stored)].append((record[0], stored))
    return out


def match_store(conn: Connection, kind: FeedKind, rows: list[Row], plan: Plan, absent: set[str]) -> None:
    """Pair file rows with stored rows by natural key (in order, for repeatable kinds).

    A field whose column is absent from the file keeps its stored value in an update (a
    households file without 联系电话 leaves the phone numbers alone), unless something in the
    row derived it (sex and birth date from the ID number)."""
    valid = [r for r in rows if r.ok]
    existing = existing_rows(conn, kind, valid)
    used: dict[tuple[Any, ...], int] = defaultdict(int)
    defaults = {f: column.default for f in absent if (column := kind.column(f)) is not None}
    pending: list[tuple[Row, Update]] = []
    for row in valid:
        key = _key(kind, row.values)
        new = {f: row.values.get(f) for f in kind.stored}
        bucket = existing.get(key, [])
        if used[key] < len(bucket):
            row_id, old = bucket[used[key]]
            used[key] += 1
            for f, default in defaults.items():
                if new[f] == default:
                    new[f] = old[f]
            update = Update(row_id, new, old, row.number)
            if update.changed:
                pending.append((row, update))
            else:
                plan.unchanged += 1
        else:
            plan.adds.append(new)
            plan.add_numbers.append(row.number)
    moves = find_moves(conn, kind, rows, pending)
    for row, update in pending:
        if not row.ok:
            continue
        plan.updates.append(update)
        move = moves.get(row.number)
        if move is not None:
            plan.moves.append(move)
        for f in update.changed:
            if move is not None and f == "household_id":
                continue  # listed under 家庭变动, not as an ordinary change
            label = _field_label(kind, f)
            plan.field_changes[label] = plan.field_changes.get(label, 0) + 1
            if plan.field_changes[label] <= SAMPLES_PER_FIELD:
                shown_old, shown_new = _shown(kind, f, update.old[f]), _shown(kind, f, update.new[f])
                plan.samples.append(FieldChange(row.number, label, shown_old, shown_new))


def _field_label(kind: FeedKind, name: str) -> str:
    column = kind.column(name)
    return column.header if column is not None else FIELD_LABELS.get(name, name)


def _shown(kind: FeedKind, name: str, value: Any) -> str:
    column = kind.column(name)
    text_ = column.type.format(value) if column is not None else ("" if value is None else str(value))
    return text_rule.show_invisible(text_) if text_ else "（空）"


def _household_name(head: tuple[str, str] | None) -> str:
    if head is None:
        return "（已不存在的家庭）"
    number, name = head
    return f"户主{text_rule.show_invisible(name)}（{mask_id_number(number)}）"


def find_moves(conn: Connection, kind: FeedKind, rows: list[Row], pending: list[tuple[Row, Update]]) -> dict[int, Move]:
    """Updates that put a member into another household: each becomes an explicit move.

    Rule: moving the registered head of a household (家庭档案's 户主身份证号) is refused, unless
    the same file also lists every other current member of that household (the clerk has dealt
    with the whole household, e.g. two households merged); other members may move, and every
    move is listed on its own in the dry run."""
    if "household_id" not in kind.stored or "household_id" in kind.natural_key:
        return {}
    moving = [(row, u) for row, u in pending if u.old["household_id"] != u.new["household_id"]]
    if not moving:
        return {}
    ids = {u.old["household_id"] for _, u in moving} | {u.new["household_id"] for _, u in moving}
    households = {
        int(i): (str(n), str(name))
        for i, n, name in select_in(conn, "SELECT id, head_id_number, head_name FROM household WHERE id IN :keys", ids)
    }
    heads_leaving = {
        u.old["household_id"]
        for _, u in moving
        if households.get(u.old["household_id"], ("",))[0] == u.new["id_number"]
    }
    members_of: dict[int, set[str]] = defaultdict(set)
    for household, number in select_in(
        conn, "SELECT household_id, id_number FROM member WHERE household_id IN :keys", heads_leaving
    ):
        members_of[int(household)].add(str(number))
    in_file = {r.values.get("id_number") for r in rows}
    out: dict[int, Move] = {}
    for row, update in moving:
        old_id, number = update.old["household_id"], update.new["id_number"]
        was_head = households.get(old_id, ("",))[0] == number
        if was_head:
            others = members_of[old_id] - {number}
            missing = others - in_file
            if missing:
                row.fail(
                    "household_id_number",
                    f"此人是另一户（{_household_name(households.get(old_id))}）的户主，不能单独移到别的家庭："
                    f"如两户合并，请在同一文件中列出原家庭的其他 {len(others)} 名成员（还缺 {len(missing)} 名）；"
                    "如是户主身份证号填错，请改正",
                )
                continue
            row.warnings.append(
                ("household_id_number", "此人原为户主：原家庭在“家庭档案”中的户主身份证号仍是此人，请同时核对家庭档案")
            )
        out[row.number] = Move(
            row=row.number,
            name=text_rule.show_invisible(str(update.new.get("name") or "")),
            id_number=mask_id_number(str(number)),
            old_household=_household_name(households.get(old_id)),
            new_household=_household_name(households.get(update.new["household_id"])),
            was_head=was_head,
        )
    return out


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
    # The file name goes into the batch record and feed_status.source, which exports and packs
    # print: made exportable here, once.
    plan = Plan(kind=kind, file_name=text_rule.clean_for_export(file_name), sha256=sha256, encoding=read.encoding)
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
    keys = set(kind.natural_key)
    absent = [
        c.field
        for c in kind.columns
        if not c.required and c.field not in header.columns and c.field in kind.stored and c.field not in keys
    ]
    if absent:
        plan.absent = [c.header for c in kind.columns if c.field in absent]
        names = "、".join(f"“{h}”" for h in plan.absent)
        plan.add_problem(
            Problem(None, "", "", f"文件中没有{names}列：系统中已有记录的这些字段保持不变，新增记录取默认值", WARNING)
        )

    rows = parse_rows(kind, header, ctx)
    lookups = Lookups(conn)
    for resolve in kind.refs:
        resolve(rows, lookups)
    if kind.derive is not None:
        for row in rows:
            for field_name, message in kind.derive(row.values, ctx):
                row.fail(field_name, message)
    flag_duplicates(kind, rows)
    match_store(conn, kind, rows, plan, set(absent))

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
