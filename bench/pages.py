"""Benchmark: each page's whole script (AppTest) at each scale, with cold caches (Streamlit
caches cleared: every query runs) and warm caches (a rerun, as when a leader changes tabs).

    python -m bench.pages [--scales 1 10]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time

from bench.overview import signed_in_as_leader, store
from data_access.db import PROJECT_ROOT

PAGES = {
    "/overview": "pages/overview.py",
    "/caseload": "pages/caseload.py",
    "/relief": "pages/relief.py",
    "/employment": "pages/employment.py",
    "/dividends": "pages/dividends.py",
    "/social-security": "pages/social_security.py",
    "/social-forces": "pages/social_forces.py",
    "/town": "pages/town.py",
    "/definitions": "pages/definitions.py",
}


_COMPONENTS = None


def _share_component_scan(at) -> None:
    """A new AppTest scans every installed package for Streamlit components (~0.25 s here) on
    its first run; a real server does that once at start-up. One scan per bench process, so a
    cold figure is the page's own work."""
    global _COMPONENTS
    from streamlit.components.v2.component_manager import BidiComponentManager

    if _COMPONENTS is None:
        _COMPONENTS = BidiComponentManager()
        _COMPONENTS.discover_and_register_components(start_file_watching=False)
    at._bidi_component_manager = _COMPONENTS


def page_times(url: str, page: str, *, repeat: int, scope: str) -> tuple[list[float], list[float]]:
    """(cold seconds, warm seconds) of each repeat, for one page script."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from data_access.db import get_engine

    os.environ["DATABASE_URL"] = url
    cold, warm = [], []
    for _ in range(repeat):
        st.cache_data.clear()
        get_engine.cache_clear()
        at = signed_in_as_leader(AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=900))
        at.query_params["period"] = "2026-Q3"
        at.query_params["scope"] = scope
        at.switch_page(page)
        _share_component_scan(at)
        started = time.perf_counter()
        at.run()
        cold.append(time.perf_counter() - started)
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].value}")
        if not at.title:
            raise RuntimeError(f"{page}: the page did not render")
        started = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - started)
    return cold, warm


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank): with a handful of repeats, the slowest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    rows = []
    for scale in args.scales:
        url, engine = store(scale)
        engine.dispose()
        # One untimed run of each page first: a server process imports plotly, pandas and each
        # page's modules once, at the page's first view; that is start-up, not a page's cost.
        for path, page in PAGES.items():
            page_times(url, page, repeat=1, scope="320583101000" if path == "/town" else "city")
        for path, page in PAGES.items():
            scope = "320583101000" if path == "/town" else "city"
            cold, warm = page_times(url, page, repeat=args.repeat, scope=scope)
            row = (statistics.median(cold), p95(cold), statistics.median(warm), p95(warm))
            rows.append((scale, path, *row))
            print(f"  scale {scale:g} {path}: cold {row[0]:.2f} s (p95 {row[1]:.2f}), warm {row[2]:.3f} s", flush=True)
    print()
    print(f"{'scale':>5}  {'page':<18} {'cold s':>8} {'cold p95':>9} {'warm s':>8} {'warm p95':>9}")
    for scale, path, cold_median, cold_p95, warm_median, warm_p95 in rows:
        print(f"{scale:>5g}  {path:<18} {cold_median:>8.2f} {cold_p95:>9.2f} {warm_median:>8.3f} {warm_p95:>9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
