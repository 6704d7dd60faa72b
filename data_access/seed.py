"""Migrate the store and, when it is empty, load the demo city: `python -m data_access.seed`.

Never seeds twice: a store with any town in it is left alone.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from data_access.db import database_url, describe_url, get_engine
from data_access.migrate import upgrade
from data_access.models import Town


def store_is_empty(engine: Engine) -> bool:
    with Session(engine) as session:
        count = session.exec(select(func.count()).select_from(Town)).one()[0]  # type: ignore[call-overload]
        return bool(count == 0)


def is_demo_store(engine: Engine) -> bool:
    from sqlalchemy import text

    with engine.connect() as conn:
        return conn.execute(text("SELECT value FROM setting WHERE key = 'dataset'")).scalar() == "demo"


def seed_demo(engine: Engine, *, scale: float = 1.0, seed: int | None = None) -> dict[str, int]:
    from data_access import demo
    from data_access.accounts import ensure_demo_accounts
    from metrics.demo_goals import seed_goals

    kwargs: dict[str, Any] = {"scale": scale} if seed is None else {"scale": scale, "seed": seed}
    counts = demo.generate(engine, **kwargs)
    counts["goal"] = seed_goals(engine)
    counts["user_account"] = len(ensure_demo_accounts(engine))
    counts["analytics_month"] = build_facts(engine)
    return counts


def build_facts(engine: Engine) -> int:
    """Every fact table from the raw rows (issue 9); returns the months built."""
    from data_access.analytics import rebuild

    with engine.begin() as conn:
        return rebuild(conn)


def facts_missing(engine: Engine) -> bool:
    """A store from before the fact layer (or never rebuilt), or one whose facts were built
    before a migration added columns or under other rules, reads raw rows: slow, not wrong."""
    from data_access.analytics import enabled
    from data_access.analytics.freshness import stale_months

    with engine.connect() as conn:
        return not enabled(conn) or bool(stale_months(conn))


def print_demo_accounts() -> None:
    from data_access.access import ROLES
    from data_access.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD

    print(f"演示账号（仅演示数据使用，密码均为 {DEMO_PASSWORD}）：")
    for username, name, role, department, town in DEMO_ACCOUNTS:
        print(f"  {username:<10} {ROLES[role]:<6} {department or town or ''}  {name}")


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
