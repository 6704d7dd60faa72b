"""演示数据: a deterministic, believable demo city for the dashboard.

`generate(engine)` fills an empty, migrated store with 60 months of history (DEMO_START to
DEMO_END) for all 11 towns: households and members (一户一档), income assessments, the
two-level review of entries and exits, the seven relief types, employment support,
cooperatives and dividends, insurance, cadre links, 帮扶服务记录 (elderly care, social help,
charity, village projects, industry links, pooled funds) and each department feed's freshness.

Everything derives from random.Random(seed), never from the clock or the global random, so
one seed and scale always give the same rows. Relief is paid only where metrics.domain.rules says
the household qualifies on the payment date; a few qualifying households are deliberately
left unpaid (应助尽助 gaps) so the dashboard has something to find.

The generator is split by domain in this package (base, names, writer, households,
caseload, relief, employment, social, dividends, assistance, towns); this module is its public API.

CLI: python -m data_access.demo [--scale 1] [--seed N] [--if-empty]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from datetime import date
from time import perf_counter

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import Connection

from data_access.demo.assistance import _write_anti_poverty, _write_town_assistance
from data_access.demo.base import DEFAULT_SEED, DEMO_END, DEMO_START
from data_access.demo.dividends import _write_cooperatives
from data_access.demo.employment import _write_job_postings
from data_access.demo.names import TABLE_LABELS, id_check_digit
from data_access.demo.relief import _write_budgets
from data_access.demo.towns import _build_towns, _reset_sequences, _TownGenerator, _write_reference
from data_access.demo.writer import _Ledger, _Writer
from data_access.models import Town
from data_access.tables import table_of

__all__ = [
    "DEFAULT_SEED",
    "DEMO_END",
    "DEMO_START",
    "DemoStoreNotEmptyError",
    "generate",
    "id_check_digit",
    "main",
    "seed_if_empty",
]


class DemoStoreNotEmptyError(RuntimeError):
    """The demo city is only ever written into an empty store."""


def _town_count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(table_of(Town))).scalar_one())


def generate(
    engine: Engine,
    *,
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Fill an empty, migrated store with the demo city; returns rows written per table.

    scale multiplies households and everything per household (1 is about 8,000 households
    on the register at DEMO_END); the same seed and scale always give the same rows.
    """
    if not scale > 0:
        raise ValueError("规模必须为正数")
    report = progress or (lambda _message: None)
    rng = random.Random(seed)
    with engine.begin() as connection:
        if _town_count(connection) > 0:
            raise DemoStoreNotEmptyError("数据库中已有区镇数据，演示数据只能写入空库")
        writer = _Writer(connection)
        towns = _build_towns(rng, scale)
        _write_reference(writer, towns)
        _write_cooperatives(rng, writer, towns)
        ledger, used_ids = _Ledger(), set[str]()
        anti_poverty: list[tuple[int, date, date | None]] = []
        for town in towns:
            # One stream per town, seeded from the master stream: retuning one town's profile
            # leaves the other towns' households largely as they were (only ids shift).
            town_rng = random.Random(rng.getrandbits(64))
            generator = _TownGenerator(town_rng, town, scale=scale, writer=writer, ledger=ledger, used_ids=used_ids)
            active = generator.run()
            anti_poverty += generator.anti_poverty
            report(f"{town.ref.name}：在册 {active:,} 户")
        _write_job_postings(rng, writer, towns, scale)
        _write_budgets(rng, writer, towns, ledger)
        _write_town_assistance(connection, writer, towns, scale, seed)
        _write_anti_poverty(writer, anti_poverty)  # after every other enrolment: their ids stay as they were
        writer.flush()
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection, writer.tables_with_ids())
    return {name: writer.counts.get(name, 0) for name in TABLE_LABELS}  # parents first, stable order


def seed_if_empty(engine: Engine, *, scale: float = 1.0) -> bool:
    """Generate the demo city only when the store has no towns yet; True when it did."""
    with engine.connect() as connection:
        if _town_count(connection) > 0:
            return False
    generate(engine, scale=scale)
    return True


def main(argv: list[str] | None = None) -> int:
    from data_access.db import database_url, describe_url, get_engine
    from data_access.migrate import upgrade

    parser = argparse.ArgumentParser(description="生成演示数据（演示城市）")
    parser.add_argument("--scale", type=float, default=1.0, help="规模：1 约 8,000 户在册监测对象")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子：相同种子与规模生成相同数据")
    parser.add_argument("--if-empty", action="store_true", help="库中已有数据时跳过")
    args = parser.parse_args(argv)
    url = database_url()
    engine = get_engine(url)
    started = perf_counter()
    try:
        print(f"正在迁移数据库结构：{describe_url(url)}")
        upgrade(engine)
        if args.if_empty:
            with engine.connect() as connection:
                if _town_count(connection) > 0:
                    print("数据库已有数据，未生成演示数据。")
                    return 0
        print(f"正在生成演示数据（规模 {args.scale:g}，种子 {args.seed}）……")
        counts = generate(engine, scale=args.scale, seed=args.seed, progress=lambda m: print(f"  {m}"))
    except Exception as exc:  # any failure becomes one Chinese line for the operator
        print(f"生成演示数据失败：{exc}", file=sys.stderr)
        return 1
    for name, n in counts.items():
        print(f"  {TABLE_LABELS.get(name, name)}（{name}）：{n:,} 行")
    print(f"演示数据已写入：共 {sum(counts.values()):,} 行，用时 {perf_counter() - started:.1f} 秒。")
    return 0
