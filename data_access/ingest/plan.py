"""Validation: from the cells of a file to a plan of rows to add and update, with every
problem reported by row (as in Excel), column and cause, in Chinese.

Building a plan only reads the store. The dry run shows it; the commit rebuilds it inside
its transaction and writes it only when it has no errors at all.

The steps are in planned (the plan's parts), headers, rows and matching; this module runs them.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from data_access import text as text_rule
from data_access.ingest.fields import ParseContext, as_text
from data_access.ingest.headers import find_header
from data_access.ingest.kinds import FeedKind
from data_access.ingest.matching import match_store
from data_access.ingest.planned import FieldChange, Move, Plan, Update
from data_access.ingest.reader import ReadResult
from data_access.ingest.refs import Lookups
from data_access.ingest.report import ERROR, WARNING, Problem, shorten
from data_access.ingest.rows import flag_duplicates, parse_rows

__all__ = ["FieldChange", "Move", "Plan", "Update", "build_plan"]


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
