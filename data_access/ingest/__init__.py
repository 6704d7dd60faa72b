"""Data intake: department feeds into the store, validated, all-or-nothing, undoable.

    kinds      the registry of feed kinds (one record per table family)
    fields     column types: parse a cell or say why not
    reader     CSV (UTF-8 / GBK / GB18030 / UTF-16) and XLSX (python-calamine) into rows
    xlsx_bounds  an XLSX's size, rows, columns and cells bounded before it is read
    refs       bulk look-ups of households, members, towns, villages, cooperatives
    plan       validation into a plan of adds and updates with every problem (steps:
               planned, headers, rows, matching)
    commit     dry run, commit (one transaction)
    history    undo of a batch, batch history
    templates  templates and files in the template layout
    exporters  the store's rows per kind (exports, round trips)
    report     problems and the Excel error report
    describe   rows for the import page's tables
    bootstrap  towns and 低保标准 history for an empty store (--init-reference)

CLI: python -m data_access.ingest FILE --kind KIND [--dry-run] [--user NAME]
     (--undo BATCH_ID, --template KIND --out FILE, --kinds, --history, --init-reference)
"""

from data_access.ingest.commit import ImportFailed, ImportRejected, LoadResult, commit, dry_run
from data_access.ingest.exporters import export_file, export_rows
from data_access.ingest.history import UndoRefused, UndoResult, batches, undo
from data_access.ingest.kinds import KINDS, KINDS_LIST, LOAD_ORDER, Column, FeedKind, kind_choices
from data_access.ingest.plan import Plan
from data_access.ingest.report import Problem, report_xlsx
from data_access.ingest.templates import template_csv, template_name, template_xlsx

__all__ = [
    "KINDS",
    "KINDS_LIST",
    "LOAD_ORDER",
    "Column",
    "FeedKind",
    "ImportFailed",
    "ImportRejected",
    "LoadResult",
    "Plan",
    "Problem",
    "UndoRefused",
    "UndoResult",
    "batches",
    "commit",
    "dry_run",
    "export_file",
    "export_rows",
    "kind_choices",
    "report_xlsx",
    "template_csv",
    "template_name",
    "template_xlsx",
    "undo",
]
