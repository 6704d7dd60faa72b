"""Load bench at Streamlit's own protocol level: N concurrent sessions over websockets (no
browser: a browser per user on a 2-core machine would measure Chromium, not the server).

Each session signs in as a browser does, at the /signin form (its CSRF cookie and field, then
the kd_session cookie), opens Streamlit's websocket with that cookie, and opens five pages with
different periods and towns; the latency of a page is from sending the rerun to the script's
final `script_finished`. Loopback only, bounded in sessions and time.

    python -m bench.load --db data/kunshan.db --sessions 20      # starts its own server
    python -m bench.load --url http://127.0.0.1:8501 --sessions 5
(bench.scale_out runs the same sessions against one and two processes behind nginx.)
"""

from __future__ import annotations

import argparse
import asyncio
import html
import http.cookiejar
import os
import re
import socket
import ssl
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

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
# nginx in front of the processes may use a self-signed certificate on loopback (bench.scale_out).
INSECURE = ssl.create_default_context()
INSECURE.check_hostname, INSECURE.verify_mode = False, ssl.CERT_NONE


class Session:
    def __init__(self, ws) -> None:
        self.ws = ws
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.exception = ""  # the message of an exception the last run showed
        self.metrics = 0  # headline cards drawn by the last run: proof the session is signed in

    async def run(self, *, query: str = "", page: str = "") -> float:
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_script_hash = page
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
                if which == "exception":
                    self.exception = element.exception.message[:200]
                elif which == "metric":
                    self.metrics += 1
            elif kind == "script_finished" and fm.script_finished in FINISHED:
                return time.monotonic() - started


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 303 after sign-in is the answer: its cookie is all we need


def sign_in(base: str, username: str, password: str = PASSWORD) -> str:
    """The kd_session cookie, got as a browser gets it: GET /signin sets a kd_csrf cookie and
    puts the same value in the form's hidden field; the POST sends both with the password."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(jar), urllib.request.HTTPSHandler(context=INSECURE), _NoRedirect
    )
    with opener.open(f"{base}/signin?next=/overview", timeout=TIMEOUT) as resp:
        form = resp.read().decode("utf-8")
    found = re.search(r'name="csrf" value="([^"]*)"', form)
    if found is None:
        raise RuntimeError("登录页没有 csrf 字段")
    fields = {"csrf": html.unescape(found.group(1)), "next": "/overview", "username": username, "password": password}
    try:
        opener.open(urllib.request.Request(f"{base}/signin", data=urlencode(fields).encode()), timeout=TIMEOUT)
    except urllib.error.HTTPError as err:
        if err.code != 303:
            raise RuntimeError(f"登录失败：HTTP {err.code}") from err
    for cookie in jar:
        if cookie.name == "kd_session":
            return cookie.value
    raise RuntimeError("登录失败：没有 kd_session")


async def one_user(
    base: str, index: int, latencies: list[float], errors: list[str], signed_in: asyncio.Semaphore
) -> None:
    url = base.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"
    try:
        # Sign-ins a few at a time: every attempt counts against the lockout while it runs
        # (five at once lock an account), and bcrypt is not what this bench measures.
        async with signed_in:
            cookie = await asyncio.to_thread(sign_in, base, "leader")
        async with websockets.connect(
            url,
            subprotocols=["streamlit"],
            max_size=None,
            additional_headers={"Cookie": f"kd_session={cookie}"},
            ssl=INSECURE if url.startswith("wss://") else None,
        ) as ws:
            session = Session(ws)
            await session.run()  # the first run sends the page list (not measured)
            for step, page in enumerate(PAGES):
                period = PERIODS[(index + step) % len(PERIODS)]
                town = TOWNS[(index + step) % len(TOWNS)]
                session.exception = ""
                took = await session.run(query=f"period={period}&scope={town}", page=session.pages.get(page, ""))
                latencies.append(took)
                if session.exception:
                    errors.append(f"session {index} {page}: exception shown: {session.exception}")
                if not session.metrics:
                    errors.append(f"session {index} {page}: no headline figures (not signed in?)")
    except Exception as exc:  # a failed session is counted, not fatal for the bench
        errors.append(f"session {index}: {type(exc).__name__}: {exc}")


async def bench(base: str, sessions: int) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    started = time.monotonic()
    gate = asyncio.Semaphore(SIGN_INS_AT_ONCE)
    await asyncio.wait_for(
        asyncio.gather(*(one_user(base, i, latencies, errors, gate) for i in range(sessions))),
        timeout=TIMEOUT * 10,
    )
    return latencies, errors, time.monotonic() - started


def summary(latencies: list[float]) -> tuple[float, float, float]:
    """Median, p95 (nearest rank) and max of the page runs."""
    ordered = sorted(latencies)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)], ordered[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(db_url: str, env: dict[str, str] | None = None, log: Path | None = None) -> tuple[subprocess.Popen, str]:
    """`make run`'s server (asgi.py) on a free loopback port, for this bench only; its output
    goes to `log` (the page shows a redacted error, the log has the cause)."""
    port = _free_port()
    env = {**(env or os.environ), "DATABASE_URL": db_url}
    args = [sys.executable, "-m", "streamlit", "run", "asgi.py", "--server.port", str(port)]
    # No file watcher, as deployed: an edit in the tree must not reload modules mid-bench.
    args += ["--server.headless", "true", "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"]
    out = log.open("ab") if log else subprocess.DEVNULL
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    if log:
        out.close()  # the child has its own copy
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
    proc, base = serve(f"sqlite:///{args.db.resolve()}") if args.db else (None, args.url)
    try:
        # One warm-up session: the first run of a process imports everything.
        asyncio.run(bench(base, 1))
        latencies, errors, wall = asyncio.run(bench(base, args.sessions))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
    print(f"{args.sessions} sessions × {len(PAGES)} pages: {len(latencies)} page runs in {wall:.1f} s")
    if latencies:
        median, p95, top = summary(latencies)
        print(f"median {median:.2f} s · p95 {p95:.2f} s · max {top:.2f} s")
    print(f"errors: {len(errors)}")
    for error in errors[:10]:
        print("  " + error)
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
