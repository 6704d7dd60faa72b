"""Benchmark: a 100,000-row relief-payment file for the households of a scale-1 demo store,
checked (dry run) and committed on SQLite, then undone.

    python -m bench.ingest [--rows 100000] [--scale 1] [--xlsx]

The store is built in a temporary directory and thrown away. Aim: dry run and commit each
well under 15 s.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text

from data_access.db import make_engine
from data_access.ingest import commit, dry_run, undo
from data_access.ingest.kinds import KINDS
from data_access.ingest.templates import to_xlsx
from data_access.migrate import upgrade
from data_access.reference import RELIEF_TYPES

HEADER = ["户主身份证号", "救助类型", "发放日期", "金额（元）", "覆盖人数"]


def payment_file(ids: list[str], rows: int, *, seed: int = 7) -> list[list[str]]:
    """Payments of the month just ended for random households, as a department would send."""
    rng = random.Random(seed)
    labels = [label for label, _, _ in RELIEF_TYPES.values()]
    first = date(2026, 10, 1)
    out = []
    for _ in range(rows):
        day = first + timedelta(days=rng.randrange(31))
        amount = rng.randrange(5_000, 500_000)  # fen
        out.append(
            [rng.choice(ids), rng.choice(labels), day.isoformat(), f"{amount / 100:.2f}", str(rng.randint(1, 5))]
        )
    return out


def _time_refreshes() -> list[float]:
    """Time the fact refresh inside each commit and undo (issue 9)."""
    from data_access import analytics

    real, times = analytics.refresh_touch, []

    def timed(conn, touch):
        started = time.perf_counter()
        real(conn, touch)
        times.append(time.perf_counter() - started)

    analytics.refresh_touch = timed
    analytics.refresh_rows = lambda conn, table, rows: timed(conn, analytics.touched(conn, table, rows))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="导入性能测试：10 万行救助发放明细")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--xlsx", action="store_true", help="also time the dry run of the same rows as .xlsx")
    args = parser.parse_args(argv)
    from metrics.seed import seed_demo

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench_ingest.db'}")
        upgrade(engine)
        started = time.perf_counter()
        seed_demo(engine, scale=args.scale)
        print(f"demo store (scale {args.scale:g}) built in {time.perf_counter() - started:.1f} s")
        with engine.connect() as conn:
            ids = [str(r[0]) for r in conn.execute(text("SELECT head_id_number FROM household"))]
            stored = conn.execute(text("SELECT COUNT(*) FROM relief_payment")).scalar_one()
        rows = payment_file(ids, args.rows)
        buffer = io.StringIO(newline="")
        csv.writer(buffer, lineterminator="\r\n").writerows([HEADER, *rows])
        data = ("\ufeff" + buffer.getvalue()).encode("utf-8")
        print(
            f"file: {args.rows:,} rows, {len(data) / 1e6:.1f} MB CSV, {len(ids):,} households, "
            f"{stored:,} payments stored"
        )

        started = time.perf_counter()
        plan = dry_run(engine, data, "bench.csv", "relief_payments")
        dry = time.perf_counter() - started
        assert plan.ok, plan.summary()
        print(f"dry run : {dry:6.2f} s  ({plan.summary()})")

        refresh_times = _time_refreshes()
        started = time.perf_counter()
        result = commit(engine, data, "bench.csv", "relief_payments", user="bench")
        committed = time.perf_counter() - started
        print(f"commit  : {committed:6.2f} s  ({result.message})")
        print(f"  of it the fact refresh: {sum(refresh_times):6.2f} s")

        started = time.perf_counter()
        again = commit(engine, data, "bench.csv", "relief_payments", user="bench")
        print(f"reload  : {time.perf_counter() - started:6.2f} s  (same file: batch {again.batch_id})")

        refresh_times.clear()
        started = time.perf_counter()
        outcome = undo(engine, result.batch_id or 0, user="bench")
        print(f"undo    : {time.perf_counter() - started:6.2f} s  ({outcome.message})")
        print(f"  of it the fact refresh: {sum(refresh_times):6.2f} s")

        if args.xlsx:
            workbook = to_xlsx(KINDS["relief_payments"], rows)
            started = time.perf_counter()
            plan = dry_run(engine, workbook, "bench.xlsx", "relief_payments")
            print(f"dry run (.xlsx, {len(workbook) / 1e6:.1f} MB): {time.perf_counter() - started:6.2f} s")
        engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:,.0f} MB")
    print("aim: dry run and commit each under 15 s —", "met" if max(dry, committed) < 15 else "NOT met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
