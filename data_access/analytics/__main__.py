"""`python -m data_access.analytics rebuild [--from 2025-01]` | `check`.

rebuild: every fact from raw rows, in one transaction. check: compares the stored facts with
a fresh computation and lists any difference (exit code 1 when there is one).
"""

from __future__ import annotations

import argparse
import re
import sys
import time

from data_access.db import database_url, describe_url, get_engine

OK, DIFFERENT, USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_access.analytics", description="统计事实表：重建或核对")
    sub = parser.add_subparsers(dest="command", required=True)
    rebuild_cmd = sub.add_parser("rebuild", help="从原始数据重建全部事实表")
    rebuild_cmd.add_argument("--from", dest="from_month", help="从该月起建（如 2025-01）；更早的月份直接查原始数据")
    sub.add_parser("check", help="核对事实表与原始数据的重新计算结果")
    args = parser.parse_args(argv)
    engine = get_engine(database_url())
    started = time.perf_counter()
    if args.command == "rebuild":
        from_month = None
        if args.from_month:
            match = re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", args.from_month.strip())
            if not match:
                print(f"无法识别的月份“{args.from_month}”：请用 2025-01 这样的格式", file=sys.stderr)
                return USAGE
            from_month = int(match.group(1)) * 100 + int(match.group(2))
        from data_access.analytics import rebuild

        with engine.begin() as conn:
            built = rebuild(conn, from_month=from_month)
        seconds = time.perf_counter() - started
        print(f"已重建统计事实表（{describe_url(database_url())}）：{built} 个月，用时 {seconds:.1f} 秒。")
        return OK
    from data_access.analytics.check import differences

    with engine.connect() as conn:
        found = differences(conn)
    if found:
        print(f"事实表与原始数据不一致（前 {len(found)} 处）：")
        for line in found:
            print("  " + line)
        return DIFFERENT
    print(f"事实表与原始数据一致（用时 {time.perf_counter() - started:.1f} 秒）。")
    return OK


if __name__ == "__main__":
    sys.exit(main())
