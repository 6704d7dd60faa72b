"""Benchmark: what a chair waits for in a meeting, measured in Debian's Chromium on the real
server (asgi.py, as `make run` starts it): open each page from the top menu, switch month →
quarter → year, choose a town, go back to the city, click a town's bar, then a village's bar.
Each page starts from a fresh tab session on /definitions at 2026-09, whole city (not timed).

A step's time runs from the click to the `script_finished` message of the run it caused, both
read off Streamlit's own websocket in the page: from the rerun request the click sent (so
Playwright's own waiting for a clickable element is not counted) to the server's answer.
Loopback only; one browser, one tab.

In a meeting the browser runs on the chair's laptop and the server elsewhere. Here both share
one machine, so (with two or more cores) the server is pinned to the first core and Chromium to
the others: Chromium drawing the charts of one answer must not slow the server's next one.

    python -m bench.clicks [--scales 1 10] [--pages /caseload /relief]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from bench.load import serve, sign_in
from bench.overview import store

CHROMIUM = Path("/usr/bin/chromium")
TOWN_NAME, TOWN_CODE = "巴城镇", "320583101000"
PAGES = ("/overview", "/caseload", "/relief", "/employment", "/dividends", "/social-security", "/social-forces")
# Which chart opens a town (city view) and a village (town view) when a bar or dot is clicked.
# The overview drills from its table, a canvas grid, and /dividends into villages from its
# table too: those steps are not timed ("—").
DRILL_CHART: dict[str, tuple[int | None, int | None]] = {path: (0, 0) for path in PAGES[1:]}
DRILL_CHART["/dividends"] = (0, None)
POINTS = ".barlayer .point path, .scatterlayer .point"
# The top menu: section, then the page's entry.
MENU = {
    "/overview": ("驾驶舱", "总览"),
    "/caseload": ("专题", "监测对象"),
    "/relief": ("专题", "救助支出"),
    "/employment": ("专题", "就业帮扶"),
    "/dividends": ("专题", "集体经济分红"),
    "/social-security": ("专题", "社会保障衔接"),
    "/social-forces": ("专题", "社会力量"),
}
STEPS = ("打开页面", "月→季度", "季度→年", "选择区镇", "回到全市", "点击区镇柱", "点击村柱")
DONE = {0, 1}  # script_finished: successfully / compile error (2 = stopped early for a rerun)
STEP_TIMEOUT = 120.0


def _decode(payload: Any, message: type) -> Any:
    """A websocket frame as Streamlit's protobuf message, or None (text, or not that message)."""
    if not isinstance(payload, bytes | bytearray):
        return None
    msg = message()
    try:
        msg.ParseFromString(bytes(payload))
    except Exception:  # not ours to time
        return None
    return msg


class RunWatch:
    """Times of the `script_finished` messages the page's websocket receives, and the server's
    own record of each script run (KD_RUN_LOG: wall-clock start and end, written by app.py)."""

    def __init__(self, run_log: Path) -> None:
        self.finished: list[float] = []
        self.reruns: list[float] = []
        self.run_log = run_log
        self.server: list[float] = []  # per step: first run's start to last run's end, on the server

    def _runs(self) -> list[tuple[float, float]]:
        if not self.run_log.exists():
            return []
        lines = self.run_log.read_text(encoding="utf-8").split()
        return [(float(a), float(b)) for a, b in zip(lines[::2], lines[1::2], strict=True)]

    def attach(self, ws: Any) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        def on_sent(payload: Any) -> None:
            msg = _decode(payload, BackMsg)
            if msg is not None and msg.WhichOneof("type") == "rerun_script":
                self.reruns.append(time.perf_counter())

        def on_frame(payload: Any) -> None:
            msg = _decode(payload, ForwardMsg)
            if msg is not None and msg.WhichOneof("type") == "script_finished" and msg.script_finished in DONE:
                self.finished.append(time.perf_counter())

        ws.on("framereceived", on_frame)
        ws.on("framesent", on_sent)

    def step(self, page: Any, action: Callable[[], object], *, from_request: bool = True) -> float:
        """Seconds from the rerun request the action sent (from the action itself when
        from_request is False) to the end of the script run it caused."""
        seen, asked, logged = len(self.finished), len(self.reruns), len(self._runs())
        started = time.perf_counter()
        action()
        while len(self.finished) == seen:
            if time.perf_counter() - started > STEP_TIMEOUT:
                page.screenshot(path="/tmp/bench_clicks_timeout.png")
                raise TimeoutError(f"脚本在 120 秒内没有运行完（{page.url}；截图 /tmp/bench_clicks_timeout.png）")
            page.wait_for_timeout(5)
        if from_request and len(self.reruns) > asked:
            started = self.reruns[asked]
        took = self.finished[seen] - started
        # Let the browser draw what arrived before the next click (not counted).
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=120_000)
        page.wait_for_timeout(600)
        runs = self._runs()[logged:]
        self.server.append(runs[-1][1] - runs[0][0] if runs else math.nan)
        return took


def _select(page: Any, label: str, option: str) -> None:
    page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first.click()
    page.get_by_role("option", name=option, exact=True).click()


def _click_first_point(page: Any, chart: int) -> None:
    """The middle of the first bar or dot of a chart, as a person clicks it (Plotly's drag
    layer sits on top)."""
    bar = page.locator(".js-plotly-plot").nth(chart).locator(POINTS).first
    bar.wait_for(timeout=120_000)
    box = bar.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def _open_from_menu(page: Any, path: str) -> None:
    section, entry = MENU[path]
    page.locator('[data-testid="stTopNavSection"]').filter(has_text=section).first.click()
    page.locator('[data-testid="stTopNavDropdownLink"]').filter(has_text=entry).first.click()


Times = list[float | None]


def page_steps(page: Any, watch: RunWatch, base: str, path: str) -> tuple[Times, Times]:
    """(seconds in the browser, seconds on the server) of each step on one page."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    watch.step(page, lambda: page.goto(f"{base}/definitions?period=2026-09&scope=city"))
    actions: list[Callable[[], object] | None] = [
        lambda: _open_from_menu(page, path),
        lambda: sidebar.get_by_role("radio", name="季度", exact=True).click(),
        lambda: sidebar.get_by_role("radio", name="年", exact=True).click(),
        lambda: _select(page, "区域", TOWN_NAME),
        lambda: _select(page, "区域", "昆山市（全市）"),
    ]
    for chart in DRILL_CHART.get(path, (None, None)):  # a town's bar, then one of its villages
        actions.append(None if chart is None else (lambda c=chart: _click_first_point(page, c)))
    browser: Times = []
    server: Times = []
    for action in actions:
        if action is None:
            browser.append(None)
            server.append(None)
        else:
            browser.append(watch.step(page, action))
            server.append(watch.server[-1])
    return browser, server


def _cell(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:.2f}"


def run(scale: float, pages: tuple[str, ...]) -> dict[str, tuple[Times, Times]]:
    from playwright.sync_api import sync_playwright

    url, engine = store(scale)
    engine.dispose()
    run_log = Path(tempfile.mkdtemp(prefix="bench_clicks_")) / "runs.tsv"
    proc, base = serve(url, env={**os.environ, "KD_RUN_LOG": str(run_log)})
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) > 1:
        os.sched_setaffinity(proc.pid, {cores[0]})
        os.sched_setaffinity(0, set(cores[1:]))  # Chromium, started below, inherits it
    try:
        cookie = sign_in(base, "leader")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
            context = browser.new_context(viewport={"width": 1440, "height": 1800})
            context.add_cookies([{"name": "kd_session", "value": cookie, "url": base}])
            page = context.new_page()
            watch = RunWatch(run_log)
            page.on("websocket", watch.attach)
            watch.step(page, lambda: page.goto(f"{base}/overview?scope=city"))  # the process's first view
            out = {}
            for path in pages:
                out[path] = page_steps(page, watch, base, path)
                shown = " · ".join(f"{_cell(b)} ({_cell(s)})" for b, s in zip(*out[path], strict=True))
                print(f"  scale {scale:g} {path}: {shown}", flush=True)
            browser.close()
        rss = psutil.Process(proc.pid).memory_info().rss / 2**20
        print(f"scale {scale:g}: server RSS after every step of every page {rss:.0f} MB", flush=True)
        return out
    finally:
        os.sched_setaffinity(0, set(cores))
        proc.terminate()
        proc.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0])
    parser.add_argument("--pages", nargs="+", default=list(PAGES))
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print("没有 /usr/bin/chromium（apt-get install chromium）", file=sys.stderr)
        return 2
    for scale in args.scales:
        found = run(scale, tuple(args.pages))
        for index, title in (
            (0, "click → script finished, as the browser sees it"),
            (1, "the server's script runs alone (KD_RUN_LOG): what the browser adds is drawing and waiting"),
        ):
            print()
            print(f"scale {scale:g} (seconds, {title})")
            print(f"{'page':<18}" + "".join(f"{s:>10}" for s in STEPS))
            for path, both in found.items():
                print(f"{path:<18}" + "".join(f"{_cell(t):>10}" for t in both[index]))
            every = sorted(t for both in found.values() for t in both[index] if t is not None)
            p95 = every[max(0, math.ceil(0.95 * len(every)) - 1)]
            print(f"all steps: median {statistics.median(every):.2f} s · p95 {p95:.2f} s · max {every[-1]:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
