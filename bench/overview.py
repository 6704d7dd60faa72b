"""Benchmark: each overview KPI in SQL vs the naive way (whole tables into pandas, then
group), the whole overview computation and script, and the app's memory.

    python -m bench.overview [--scales 1 10]

Stores are built once under data/bench/ (SQLite) and reused. Prints a table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from data_access.accounts import DEMO_PASSWORD
from data_access.db import PROJECT_ROOT, make_engine
from data_access.migrate import upgrade
from data_access.models.governance import CITY_SCOPE
from data_access.queries import reference
from metrics.domain.periods import Grain, Period
from metrics.domain.rules import Standard, standard_in_force
from metrics.evaluate import Evaluator
from metrics.overview import build_overview
from metrics.registry import KPI_BY_KEY, OVERVIEW_KPIS

BENCH_DIR = PROJECT_ROOT / "data" / "bench"


def store(scale: float) -> tuple[str, Engine]:
    from data_access.seed import store_is_empty
    from metrics.seed import seed_demo

    path = BENCH_DIR / f"scale_{scale:g}.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    if store_is_empty(engine):
        started = time.perf_counter()
        print(f"building scale {scale:g} store …", flush=True)
        seed_demo(engine, scale=scale)
        print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
    from data_access.accounts import ensure_demo_accounts

    ensure_demo_accounts(engine)  # stores built before sign-in existed lack them
    return url, engine


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median seconds of `repeat` runs after one warm-up run."""
    fn()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


# -- the naive way: whole tables into pandas, grouped there ------------------------------


def naive_active(engine: Engine, as_of: date, standard: Standard) -> pd.DataFrame:
    ev = pd.read_sql_table("case_event", engine)
    ev = ev[ev["effective_date"].notna() & (pd.to_datetime(ev["effective_date"]) <= pd.Timestamp(as_of))]
    last = ev.sort_values(["effective_date", "id"]).groupby("household_id").tail(1)
    active = last[last["kind"] == "entry"][["household_id", "town_code"]]
    inc = pd.read_sql_table("income_assessment", engine)
    inc = inc[pd.to_datetime(inc["assessed_on"]) <= pd.Timestamp(as_of)]
    latest = inc.sort_values(["assessed_on", "id"]).groupby("household_id").tail(1)
    merged = active.merge(latest, on="household_id")
    return merged[merged["per_capita_income_fen"] < standard.monitoring_line_fen]


def naive_caseload(engine: Engine, as_of: date, standard: Standard) -> int:
    return int(naive_active(engine, as_of, standard).groupby("town_code").size().sum())


def naive_relief(engine: Engine, period: Period, as_of: date) -> float:
    pay = pd.read_sql_table("relief_payment", engine)
    paid = pd.to_datetime(pay["paid_on"])
    pay = pay[(paid >= pd.Timestamp(period.start)) & (paid <= pd.Timestamp(as_of))]
    return float(pay.groupby("town_code")["amount_fen"].sum().sum())


def naive_placement(engine: Engine, as_of: date, standard: Standard) -> float:
    active = naive_active(engine, as_of, standard)
    members = pd.read_sql_table("member", engine)
    members = members[members["labour_capacity"] & members["willing_to_work"]]
    targets = members.merge(active[["household_id", "town_code"]], on="household_id")
    pl = pd.read_sql_table("placement", engine)
    started = pd.to_datetime(pl["started_on"])
    ended = pd.to_datetime(pl["ended_on"])
    on = pl[(started <= pd.Timestamp(as_of)) & (ended.isna() | (ended > pd.Timestamp(as_of)))]
    targets["employed"] = targets["id"].isin(on["member_id"])
    by_town = targets.groupby("town_code")["employed"].agg(["sum", "count"])
    return float(by_town["sum"].sum() / by_town["count"].sum())


def naive_dividends(engine: Engine, year: int) -> float:
    cy = pd.read_sql_table("cooperative_year", engine)
    co = pd.read_sql_table("cooperative", engine)
    prev = cy.rename(columns={"dividends_fen": "prev"})[["cooperative_id", "year", "prev"]]
    prev["year"] += 1
    cur = (
        cy[cy["year"] == year]
        .merge(prev, on=["cooperative_id", "year"], how="left")
        .merge(co[["id", "town_code"]], left_on="cooperative_id", right_on="id")
    )
    met = ((cur["prev"] > 0) & (cur["dividends_fen"] * 100 >= cur["prev"] * 105)) | (
        (cur["net_income_fen"] > 0) & (cur["dividends_fen"] * 100 >= cur["net_income_fen"] * 30)
    )
    cur["met"] = met
    by_town = cur.groupby("town_code")["met"].agg(["sum", "count"])
    return float(by_town["sum"].sum() / by_town["count"].sum())


# -- the measurements --------------------------------------------------------------------


def kpi_rows(url: str, engine: Engine, scale: float, repeat: int) -> list[dict[str, object]]:
    with engine.connect() as conn:
        towns = tuple(t["code"] for t in reference.towns(conn))
        data_date = max(f["data_date"] for f in reference.feeds(conn))
        standards = [Standard(d, a, m) for d, a, m, _ in reference.standards(conn)]
    period = Period.containing(data_date, Grain.MONTH)
    standard = standard_in_force(standards, data_date)
    naive: dict[str, Callable[[], object]] = {
        "caseload_households": lambda: naive_caseload(engine, data_date, standard),
        "relief_spending": lambda: naive_relief(engine, period, data_date),
        "placement_rate": lambda: naive_placement(engine, data_date, standard),
        "dividend_compliance": lambda: naive_dividends(engine, data_date.year - 1),
    }
    rows = []
    for key in OVERVIEW_KPIS:
        kpi = KPI_BY_KEY[key]

        def sql_once(kpi=kpi) -> object:
            with engine.connect() as conn:
                return Evaluator(conn, towns=towns, period=period).value(kpi, CITY_SCOPE)

        sql_s = timed(sql_once, repeat)
        naive_s = timed(naive[key], max(1, repeat // 3))
        rows.append(
            {"scale": scale, "what": f"KPI {key}", "sql_s": sql_s, "naive_s": naive_s, "speedup": naive_s / sql_s}
        )

    def overview_once() -> object:
        with engine.connect() as conn:
            return build_overview(conn, towns=towns, period=period, scope=CITY_SCOPE)

    rows.append(
        {
            "scale": scale,
            "what": "overview data (cards, scorecard, 13-month trend)",
            "sql_s": timed(overview_once, max(1, repeat // 3)),
        }
    )
    rows.append(
        {"scale": scale, "what": "overview script, cold caches (AppTest)", "sql_s": app_script(url, warm=False)}
    )
    rows.append({"scale": scale, "what": "overview script, warm caches (AppTest)", "sql_s": app_script(url, warm=True)})
    return rows


def signed_in_as_leader(at):
    """Every page needs sign-in; the bench measures the pages, not bcrypt."""
    from datetime import datetime

    from data_access.access import Principal

    at.session_state["_principal"] = Principal("leader", "领导（基准测试）", "leader")
    at.session_state["_last_seen"] = datetime.now()
    return at


def app_script(url: str, *, warm: bool) -> float:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from data_access.db import get_engine

    os.environ["DATABASE_URL"] = url
    st.cache_data.clear()
    get_engine.cache_clear()
    at = signed_in_as_leader(AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=600))
    started = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    if not at.metric:
        raise RuntimeError("the overview did not render")
    if not warm:
        return elapsed
    started = time.perf_counter()
    at.run()
    return time.perf_counter() - started


def app_memory_mb(url: str) -> float | None:
    """RSS of a real `streamlit run` process after it served the overview once."""
    import socket
    import urllib.request

    import psutil

    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        return None
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.3)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(chromium), args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/overview")
            page.wait_for_url("**/signin?**", timeout=600_000)  # the gate sends it to the form
            page.get_by_label("用户名").fill("leader")
            page.get_by_label("密码").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_selector('[data-testid="stMetric"]', timeout=600_000)
            page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=600_000)
            browser.close()
        return psutil.Process(proc.pid).memory_info().rss / 2**20
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, object]] = []
    memory: dict[float, float | None] = {}
    for scale in args.scales:
        url, engine = store(scale)
        rows += kpi_rows(url, engine, scale, args.repeat)
        memory[scale] = app_memory_mb(url)
        engine.dispose()
    print()
    print(f"{'scale':>5}  {'what':<58} {'SQL s':>8} {'naive s':>8} {'speedup':>8}")
    for r in rows:
        naive = f"{r['naive_s']:.3f}" if "naive_s" in r else ""
        speed = f"{r['speedup']:.1f}x" if "speedup" in r else ""
        print(f"{r['scale']:>5g}  {r['what']:<58} {r['sql_s']:>8.3f} {naive:>8} {speed:>8}")
    for scale, mb in memory.items():
        print(
            f"{scale:>5g}  app process RSS after serving the overview: "
            + (f"{mb:.0f} MB" if mb else "n/a (no chromium)")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
