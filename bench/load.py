"""Load bench at Streamlit's own protocol level: N concurrent sessions over websockets (no
browser: a browser per user on a 2-core machine would measure Chromium, not the server).

Each session signs in through the real form (widget states, like a browser sends them), then
opens five pages with different periods and towns; the latency of a page is from sending the
rerun to the script's final `script_finished`. Loopback only, bounded in sessions and time.

    python -m bench.load --db data/kunshan.db --sessions 20      # starts its own server
    python -m bench.load --url http://127.0.0.1:8501 --sessions 5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Demo-2026!"
FINISHED = {0, 1}  # successfully / with a compile error; 2 = ended early for a rerun: keep reading
TOWNS = ("city", "320583101000", "320583102000", "320583103000", "320583104000")
PAGES = ("overview", "caseload", "relief", "employment", "social-security")
PERIODS = ("2026-Q3", "2026-09", "2025", "2026-Q2", "2026-08")
TIMEOUT = 120.0  # seconds for one script run
SIGN_INS_AT_ONCE = 2


class Session:
    def __init__(self, ws) -> None:
        self.ws = ws
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.widgets: dict[str, str] = {}  # label -> widget id
        self.exception = False
        self.metrics = 0  # headline cards drawn by the last run: proof the session is signed in

    async def run(self, *, query: str = "", page: str = "", widgets: list | None = None) -> float:
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_script_hash = page
        for widget in widgets or []:
            msg.rerun_script.widget_states.widgets.append(widget)
        started = time.monotonic()
        self.metrics = 0
        await self.ws.send(msg.SerializeToString())
        while True:
            fm = ForwardMsg.FromString(await asyncio.wait_for(self.ws.recv(), TIMEOUT))
            kind = fm.WhichOneof("type")
            if kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in fm.navigation.app_pages}
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                element = fm.delta.new_element
                which = element.WhichOneof("type")
                if which in ("text_input", "button"):
                    widget = getattr(element, which)
                    self.widgets[widget.label] = widget.id
                elif which == "exception":
                    self.exception = True
                elif which == "metric":
                    self.metrics += 1
            elif kind == "script_finished" and fm.script_finished in FINISHED:
                return time.monotonic() - started

    async def sign_in(self, username: str) -> None:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        await self.run()
        user, password, button = WidgetState(), WidgetState(), WidgetState()
        user.id, user.string_value = self.widgets["用户名"], username
        password.id, password.string_value = self.widgets["密码"], PASSWORD
        button.id, button.trigger_value = self.widgets["登录"], True
        await self.run(widgets=[user, password, button])


async def one_user(
    url: str, index: int, latencies: list[float], errors: list[str], signed_in: asyncio.Semaphore
) -> None:
    try:
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
            session = Session(ws)
            # Sign-ins a few at a time: every attempt counts against the lockout while it runs
            # (five at once lock an account), and bcrypt is not what this bench measures.
            async with signed_in:
                await session.sign_in("leader")
            for step, page in enumerate(PAGES):
                period = PERIODS[(index + step) % len(PERIODS)]
                town = TOWNS[(index + step) % len(TOWNS)]
                session.exception = False
                took = await session.run(query=f"period={period}&scope={town}", page=session.pages.get(page, ""))
                latencies.append(took)
                if session.exception:
                    errors.append(f"session {index} {page}: exception shown")
                if not session.metrics:
                    errors.append(f"session {index} {page}: no headline figures (not signed in?)")
    except Exception as exc:  # a failed session is counted, not fatal for the bench
        errors.append(f"session {index}: {type(exc).__name__}: {exc}")


async def bench(base: str, sessions: int) -> tuple[list[float], list[str], float]:
    ws_url = base.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
    latencies: list[float] = []
    errors: list[str] = []
    started = time.monotonic()
    gate = asyncio.Semaphore(SIGN_INS_AT_ONCE)
    await asyncio.wait_for(
        asyncio.gather(*(one_user(ws_url, i, latencies, errors, gate) for i in range(sessions))),
        timeout=TIMEOUT * 10,
    )
    return latencies, errors, time.monotonic() - started


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(db: Path) -> tuple[subprocess.Popen, str]:
    """`make run`'s server (asgi.py) on a free loopback port, for this bench only."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db.resolve()}"}
    args = [sys.executable, "-m", "streamlit", "run", "asgi.py", "--server.port", str(port)]
    args += ["--server.headless", "true", "--server.address", "127.0.0.1"]
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2):
                return proc, base
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("服务未能启动")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--db", type=Path, help="SQLite demo store (a server is started for it)")
    parser.add_argument("--url", help="a running server on loopback, e.g. http://127.0.0.1:8501")
    parser.add_argument("--sessions", type=int, default=20)
    args = parser.parse_args(argv)
    if args.url and not args.url.startswith(("http://127.", "http://localhost")):
        parser.error("只对本机（loopback）施压")
    proc, base = serve(args.db) if args.db else (None, args.url)
    try:
        # One warm-up session: the first run of a process imports everything.
        asyncio.run(bench(base, 1))
        latencies, errors, wall = asyncio.run(bench(base, args.sessions))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
    ordered = sorted(latencies)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)] if ordered else float("nan")
    print(f"{args.sessions} sessions × {len(PAGES)} pages: {len(latencies)} page runs in {wall:.1f} s")
    if ordered:
        print(f"median {statistics.median(ordered):.2f} s · p95 {p95:.2f} s · max {ordered[-1]:.2f} s")
    print(f"errors: {len(errors)}")
    for error in errors[:10]:
        print("  " + error)
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
