"""Benchmark of the fact layer (issue 9), side by side with the raw-row path.

    python -m bench.facts [--scales 1 10] [--repeat 3]

For each scale a SQLite demo store is built once under /tmp/kunshan_bench (seeding builds
the facts); a copy with the facts switched off (no built months: every KPI reads raw rows)
is the raw-row side. Measured: every page script cold (Streamlit caches cleared) and warm,
the full rebuild, and the fact tables' share of the store. The import of 100,000 relief rows
(with the refresh) is `python -m bench.ingest`.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import text

from data_access.db import make_engine
from data_access.migrate import upgrade

BENCH_DIR = Path("/tmp/kunshan_bench")


def stores(scale: float) -> tuple[str, str, float]:
    """(facts store url, raw store url, seconds to seed if built now)."""
    from data_access.accounts import ensure_demo_accounts
    from data_access.seed import store_is_empty
    from metrics.seed import seed_demo

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path, raw = BENCH_DIR / f"scale_{scale:g}.db", BENCH_DIR / f"scale_{scale:g}_raw.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    seeded = 0.0
    if store_is_empty(engine):
        started = time.perf_counter()
        seed_demo(engine, scale=scale)
        seeded = time.perf_counter() - started
    ensure_demo_accounts(engine)
    engine.dispose()
    if not raw.exists() or raw.stat().st_mtime < path.stat().st_mtime:
        shutil.copy(path, raw)
        off = make_engine(f"sqlite:///{raw}")
        with off.begin() as conn:  # no built month: the registry reads raw rows everywhere
            conn.execute(text("DELETE FROM analytics_month"))
            conn.execute(text("DELETE FROM analytics_state"))
        off.dispose()
    return f"sqlite:///{path}", f"sqlite:///{raw}", seeded


class _Shim:
    """A query module whose named functions come from data_access.analytics.serve."""

    def __init__(self, raw, names: tuple[str, ...]) -> None:
        from data_access.analytics import serve

        self._raw, self._served = raw, {n: getattr(serve, n) for n in names}

    def __getattr__(self, name: str):
        return self._served.get(name) or getattr(self._raw, name)


def use_serve() -> None:
    """What the page breakdowns would cost if metrics.domains called data_access.analytics.serve
    (patched at run time, for this bench only: the domain modules are the lead's)."""
    from data_access.queries import caseload, employment, relief, social
    from metrics.domains import caseload as d_caseload
    from metrics.domains import employment as d_employment
    from metrics.domains import relief as d_relief
    from metrics.domains import social as d_social

    d_relief.relief = _Shim(relief, ("spending", "spending_by_type", "spending_by_month_and_type", "gaps"))
    d_caseload.caseload = _Shim(caseload, ("flows", "warnings", "register_count"))
    d_employment.employment = _Shim(employment, ("funnel",))
    d_social.social = _Shim(social, ("coverage",))


def rebuild_seconds(url: str) -> tuple[float, int]:
    from data_access.analytics import rebuild

    engine = make_engine(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        months = rebuild(conn)
    engine.dispose()
    return time.perf_counter() - started, months


def fact_share(url: str) -> tuple[float, float]:
    """(share of the store's pages held by fact tables, store MB), from SQLite's dbstat."""
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")).all()
    engine.dispose()
    total = sum(size for _, size in rows)
    facts = sum(size for name, size in rows if "fact_" in name or "analytics_" in name)
    return facts / total, total / 1e6


def main(argv: list[str] | None = None) -> int:
    from bench.pages import PAGES, page_times

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--serve", action="store_true", help="facts side: breakdowns via analytics.serve too")
    parser.add_argument("--no-rebuild", action="store_true")
    args = parser.parse_args(argv)
    if args.serve:
        use_serve()
    table = []
    for scale in args.scales:
        facts_url, raw_url, seeded = stores(scale)
        if seeded:
            print(f"scale {scale:g}: seeded (with facts) in {seeded:.1f} s", flush=True)
        for path, page in PAGES.items():
            scope = "320583101000" if path == "/town" else "city"
            runs = {}
            for side, url in (("raw", raw_url), ("facts", facts_url)):
                colds, warms = [], []
                for _ in range(args.repeat):
                    cold, warm = page_times(url, page, repeat=1, scope=scope)
                    colds += cold
                    warms += warm
                runs[side] = (statistics.median(colds), max(colds), statistics.median(warms))
            table.append((scale, path, runs["raw"], runs["facts"]))
            print(f"  scale {scale:g} {path}: raw cold {runs['raw'][0]:.2f} s, facts cold {runs['facts'][0]:.2f} s")
        share, size = fact_share(facts_url)
        print(f"scale {scale:g}: facts {share:.1%} of {size:.0f} MB", flush=True)
        if not args.no_rebuild:
            seconds, months = rebuild_seconds(facts_url)
            print(f"scale {scale:g}: full rebuild {seconds:.1f} s ({months} months)")
    print()
    print(f"{'scale':>5}  {'page':<18} {'raw cold':>9} {'facts cold':>11} {'facts max':>10} {'facts warm':>11}")
    for scale, path, raw, facts in table:
        print(f"{scale:>5g}  {path:<18} {raw[0]:>8.2f}s {facts[0]:>10.2f}s {facts[1]:>9.2f}s {facts[2]:>10.3f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
