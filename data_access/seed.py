"""The data side of seeding: the demo city's rows, its accounts and its facts, and the checks
the seed command makes. The command itself, which adds the demo goals (computed from last
year's KPI values, a floor above), is `python -m metrics.seed`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from data_access.models import Town


def store_is_empty(engine: Engine) -> bool:
    with Session(engine) as session:
        count = session.exec(select(func.count()).select_from(Town)).one()[0]  # type: ignore[call-overload]
        return bool(count == 0)


def is_demo_store(engine: Engine) -> bool:
    from sqlalchemy import text

    with engine.connect() as conn:
        return conn.execute(text("SELECT value FROM setting WHERE key = 'dataset'")).scalar() == "demo"


def seed_rows(engine: Engine, *, scale: float = 1.0, seed: int | None = None) -> dict[str, int]:
    """The demo city without goals: raw rows, demo accounts, then the facts built from them."""
    from data_access import demo
    from data_access.accounts import ensure_demo_accounts

    kwargs: dict[str, Any] = {"scale": scale} if seed is None else {"scale": scale, "seed": seed}
    counts = demo.generate(engine, **kwargs)
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
