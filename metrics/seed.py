"""Migrate the store and, when it is empty, load the demo city with its goals:
`python -m metrics.seed` (what `make run` calls). Never seeds twice: a store with any town in
it is left alone. This is the composition root of seeding: the rows, accounts and facts come
from data_access.seed, the demo goals from last year's KPI values (metrics.demo_goals)."""

from __future__ import annotations

import argparse
import sys
import time

from sqlalchemy import Engine

from data_access.db import database_url, describe_url, get_engine
from data_access.migrate import upgrade
from data_access.seed import build_facts, facts_missing, is_demo_store, print_demo_accounts, seed_rows, store_is_empty
from metrics.demo_goals import seed_goals


def seed_demo(engine: Engine, *, scale: float = 1.0, seed: int | None = None) -> dict[str, int]:
    """The whole demo city: rows, accounts and facts, then goals (evaluated from the facts)."""
    counts = seed_rows(engine, scale=scale, seed=seed)
    counts["goal"] = seed_goals(engine)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="迁移数据库；库为空时载入演示数据")
    parser.add_argument("--scale", type=float, default=1.0, help="演示城市规模（1 ≈ 8,000 户监测对象）")
    parser.add_argument("--no-demo", action="store_true", help="只迁移，不载入演示数据")
    args = parser.parse_args(argv)
    url = database_url()
    engine = get_engine(url)
    try:
        upgrade(engine)
        if args.no_demo or not store_is_empty(engine):
            print(f"数据库已就绪（{describe_url(url)}），未载入演示数据。")
            if not args.no_demo and facts_missing(engine):
                started = time.perf_counter()
                months = build_facts(engine)
                print(f"已建立统计事实表：{months} 个月，用时 {time.perf_counter() - started:.1f} 秒。")
            if is_demo_store(engine):
                from data_access.accounts import ensure_demo_accounts

                ensure_demo_accounts(engine)
                print_demo_accounts()
            else:
                print(
                    "真实数据：没有默认账号。首次使用请运行："
                    "python -m data_access.accounts create-admin --username admin"
                )
            return 0
        started = time.perf_counter()
        print(f"数据库为空，正在生成演示数据（规模 {args.scale:g}）……")
        counts = seed_demo(engine, scale=args.scale)
    except Exception as exc:
        print(f"初始化数据库失败（{describe_url(url)}）：{exc}", file=sys.stderr)
        return 1
    total = sum(counts.values())
    print(f"演示数据已载入：{total:,} 行，用时 {time.perf_counter() - started:.1f} 秒。")
    print_demo_accounts()
    return 0


if __name__ == "__main__":
    sys.exit(main())
