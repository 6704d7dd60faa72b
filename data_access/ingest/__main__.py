"""Command line for scheduled loads.

    python -m data_access.ingest FILE --kind KIND [--dry-run] [--user NAME] [--report OUT.xlsx]
    python -m data_access.ingest --undo BATCH_ID [--user NAME]
    python -m data_access.ingest --template KIND --out FILE.xlsx|FILE.csv
    python -m data_access.ingest --kinds | --history
    python -m data_access.ingest --init-reference   (an empty store: towns and 低保标准 history)

Exit codes: 0 done (or nothing to change), 1 rejected (errors printed in Chinese), 2 usage.
The store is DATABASE_URL, as for the app.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import NoReturn

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from data_access.ingest.commit import ImportFailed, ImportRejected, commit, dry_run
from data_access.ingest.describe import report_sheets
from data_access.ingest.history import UndoRefused, batches, undo
from data_access.ingest.kinds import KINDS, KINDS_LIST
from data_access.ingest.plan import Plan
from data_access.ingest.report import report_xlsx
from data_access.ingest.templates import template_csv, template_xlsx

OK, REJECTED, USAGE = 0, 1, 2
MAX_PRINTED = 200


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits with 2 too; say it in Chinese
        self.print_usage(sys.stderr)
        print(f"参数错误：{message}", file=sys.stderr)
        sys.exit(USAGE)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m data_access.ingest", description="导入各部门数据（先校验，全部正确才写入）")
    parser.add_argument("file", nargs="?", help="要导入的 .xlsx 或 .csv 文件")
    parser.add_argument("--kind", help="数据类型，见 --kinds")
    parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
    parser.add_argument("--user", default=None, help="导入人（默认当前系统用户）")
    parser.add_argument("--report", help="把问题清单写入此 .xlsx 文件")
    parser.add_argument("--undo", type=int, metavar="BATCH_ID", help="撤销一个导入批次")
    parser.add_argument("--template", metavar="KIND", help="生成某类数据的导入模板")
    parser.add_argument("--out", help="模板输出文件（.xlsx 或 .csv）")
    parser.add_argument("--kinds", action="store_true", help="列出所有数据类型")
    parser.add_argument("--history", action="store_true", help="列出最近的导入批次")
    parser.add_argument("--init-reference", action="store_true", help="空库：写入区镇和低保标准历史（公开资料）")
    return parser


def _engine() -> Engine:
    from data_access.db import database_url, get_engine

    return get_engine(database_url())


def _print_plan(plan: Plan) -> None:
    print(plan.summary())
    if plan.field_changes:
        print("将改变的字段（更新的行中）：" + "、".join(f"{k} {v:,} 行" for k, v in plan.field_changes.items()))
        for change in plan.samples:
            print(f"  第 {change.row} 行 {change.field}：{change.old} → {change.new}")
    if plan.moves:
        print(f"家庭变动：{len(plan.moves):,} 人将移到另一个家庭（请逐一核对）")
        for move in plan.moves[:MAX_PRINTED]:
            print("  " + move.describe())
    for problem in plan.problems[:MAX_PRINTED]:
        print("  " + problem.as_line(), file=sys.stderr if problem.is_error else sys.stdout)
    hidden = len(plan.problems) - MAX_PRINTED + plan.problems_dropped
    if hidden > 0:
        print(f"  ……另有 {hidden:,} 个问题未显示（用 --report 导出完整清单）", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return _run(parser, args)
    except SQLAlchemyError as exc:
        from data_access.db import database_url, describe_url

        cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
        hint = "（数据库结构不是最新：请先运行 python -m data_access.migrate）" if "table" in cause.lower() else ""
        print(f"数据库操作失败（{describe_url(database_url())}）：{cause}{hint}", file=sys.stderr)
        return REJECTED


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    user = args.user or getpass.getuser() or "命令行"
    if args.kinds:
        for kind in KINDS_LIST:
            print(f"{kind.key:28} {kind.label}（{kind.department}）")
        return OK
    if args.init_reference:
        from data_access.ingest.bootstrap import ensure_reference

        engine = _engine()
        added = ensure_reference(engine)
        print(f"已写入区镇 {added['town']} 个、低保标准 {added['living_standard']} 条（已有的不变）。")
        from data_access import analytics

        with engine.begin() as conn:  # switch the fact layer on: every later import refreshes it
            analytics.rebuild(conn)
        return OK
    if args.template:
        template_kind = KINDS.get(args.template)
        if template_kind is None or not args.out:
            parser.error("--template 需要有效的数据类型和 --out 文件名（见 --kinds）")
        out = Path(args.out)
        if out.suffix.lower() not in {".xlsx", ".csv"}:
            parser.error("--out 的扩展名应为 .xlsx 或 .csv")
        out.write_bytes(template_xlsx(template_kind) if out.suffix.lower() == ".xlsx" else template_csv(template_kind))
        print(f"已生成模板：{out}")
        return OK
    if args.history:
        with _engine().connect() as conn:
            for b in batches(conn, limit=50):
                state = "已撤销" if b["status"] != "committed" else "有效"
                print(
                    f"{b['id']:>6}  {b['loaded_at']:%Y-%m-%d %H:%M}  {b['kind']:26} 新增 {b['rows_added']:>7,}  "
                    f"更新 {b['rows_updated']:>7,}  {state}  {b['loaded_by']}  {b['file_name']}"
                )
        return OK
    if args.undo is not None:
        try:
            undone = undo(_engine(), args.undo, user=user)
        except UndoRefused as exc:
            print(f"无法撤销：{exc}", file=sys.stderr)
            return REJECTED
        print(undone.message)
        return OK
    if not args.file or not args.kind:
        parser.error("需要文件和 --kind（或使用 --undo / --template / --kinds）")
    if args.kind not in KINDS:
        parser.error(f"没有“{args.kind}”这种数据类型，可选：{'、'.join(KINDS)}")
    path = Path(args.file)
    if not path.is_file():
        parser.error(f"找不到文件：{path}")
    data = path.read_bytes()
    engine = _engine()
    try:
        if args.dry_run:
            plan = dry_run(engine, data, path.name, args.kind)
            _print_plan(plan)
            _write_report(args.report, plan)
            return OK if plan.ok else REJECTED
        result = commit(engine, data, path.name, args.kind, user=user)
    except ImportRejected as exc:
        _print_plan(exc.plan)
        _write_report(args.report, exc.plan)
        print("文件有错误，未导入任何数据。", file=sys.stderr)
        return REJECTED
    except ImportFailed as exc:
        print(str(exc), file=sys.stderr)
        return REJECTED
    _print_plan(result.plan)
    _write_report(args.report, result.plan)
    print(result.message)
    return OK


def _write_report(path: str | None, plan: Plan) -> None:
    if path:
        Path(path).write_bytes(report_xlsx(plan.problems, title=plan.summary(), sheets=report_sheets(plan)))
        print(f"问题清单已写入：{path}")


if __name__ == "__main__":
    sys.exit(main())
