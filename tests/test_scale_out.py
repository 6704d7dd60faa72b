"""Scale-out as the city runs it: two app processes (`streamlit run asgi.py`) on one PostgreSQL
store behind Debian's nginx with the site config from deploy/ (ports, certificate and listen
addresses swapped for test ones). A user signs in once, is moved to the other process when
theirs stops and stays signed in; an import shows on the other process's pages (at once on a
process that had not cached the old data, within the data-version TTL on one that had)."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bench.scale_out import UPSTREAM_HEADER as UPSTREAM
from bench.scale_out import main_config, self_signed, site_config
from data_access.accounts import DEMO_PASSWORD
from tests.conftest import TEST_SCALE, migrated_engine, postgres_url, unavailable

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parent.parent
NGINX = Path("/usr/sbin/nginx")
CHROMIUM = Path("/usr/bin/chromium")
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
PERIOD = "2026-Q3"
INSECURE = ssl.create_default_context()
INSECURE.check_hostname, INSECURE.verify_mode = False, ssl.CERT_NONE  # the test's self-signed certificate


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(ready, what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.3)
    pytest.fail(f"{what}：{seconds:.0f} 秒内未就绪")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2, context=INSECURE) as resp:
            return resp.status == 200
    except OSError:
        return False


@dataclass
class Cluster:
    store_url: str
    env: dict[str, str]
    tmp: Path
    https: str = ""
    http_port: int = 0
    apps: dict[int, subprocess.Popen] = field(default_factory=dict)

    def start_app(self, port: int) -> None:
        with (self.tmp / f"app-{port}.log").open("ab") as log:  # the child keeps its own copy
            self.apps[port] = subprocess.Popen(
                [
                    *(sys.executable, "-m", "streamlit", "run", "asgi.py", "--server.port", str(port)),
                    *("--server.address", "127.0.0.1", "--server.headless", "true"),
                    *("--server.fileWatcherType", "none"),  # as deployed (deploy/kunshan-dashboard@.service)
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(lambda: answers(f"http://127.0.0.1:{port}/_stcore/health"), f"应用进程 {port}")

    def stop_app(self, port: int) -> None:
        proc = self.apps.pop(port)
        proc.terminate()
        proc.wait(timeout=30)


def certificate(tmp: Path) -> tuple[Path, Path]:
    try:
        return self_signed(tmp)
    except (OSError, subprocess.CalledProcessError) as exc:
        unavailable(f"无法用 openssl 生成测试证书（apt-get install openssl）：{exc}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    if not NGINX.exists():
        unavailable("未安装 Debian 的 nginx（apt-get install nginx-light），跳过扩容测试")
    from metrics.seed import seed_demo

    url = postgres_url("scale_out")
    engine = migrated_engine(url)
    seed_demo(engine, scale=TEST_SCALE)
    engine.dispose()
    tmp = tmp_path_factory.mktemp("scale_out")
    # One deployment: the same store and the same keys in every process (deploy/env.example).
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "KUNSHAN_COOKIE_KEY": secrets.token_urlsafe(32),
        "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_urlsafe(32),
    }
    cluster = Cluster(url, env, tmp)
    ports = [free_port(), free_port()]
    https_port, cluster.http_port = free_port(), free_port()
    cluster.https = f"https://127.0.0.1:{https_port}"
    (tmp / "site.conf").write_text(site_config(ports, https_port, cluster.http_port, *certificate(tmp)))
    (tmp / "nginx.conf").write_text(main_config(tmp))
    nginx_args = [str(NGINX), "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "error.log")]
    checked = subprocess.run([*nginx_args, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    nginx = subprocess.Popen(nginx_args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for port in ports:
            cluster.start_app(port)
        wait_until(lambda: answers(f"{cluster.https}/_stcore/health"), "nginx")
        yield cluster
    finally:
        for port in list(cluster.apps):
            cluster.stop_app(port)
        nginx.terminate()
        nginx.wait(timeout=30)


def fetch(url: str, cookie: str = "") -> tuple[int, dict[str, str], str]:
    """One request, redirects not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=INSECURE))
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=30) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, ""


def test_nginx_site_from_deploy_routes_to_both_processes(cluster):
    # Plain HTTP only redirects to HTTPS.
    status, headers, _ = fetch(f"http://127.0.0.1:{cluster.http_port}/overview?period={PERIOD}")
    assert status == 301 and headers["location"].startswith("https://")
    # The sign-in form comes through (the gate sends a page load without a session there).
    status, headers, _ = fetch(f"{cluster.https}/overview")
    assert status in (302, 303, 307) and "/signin" in headers["location"]
    status, _, body = fetch(f"{cluster.https}/signin?next=/overview")
    assert status == 200 and "用户名" in body and "密码" in body
    # Sticky: one cookie value, one process; different users spread over both.
    seen = set()
    for n in range(24):
        cookie = f"kd_session=user{n}.x"
        first = {fetch(f"{cluster.https}/_stcore/health", cookie)[1][UPSTREAM] for _ in range(3)}
        assert len(first) == 1, first
        seen |= first
    assert len(seen) == 2, seen
    # Streamlit's websocket is upgraded through nginx and answers the protocol.
    assert asyncio.run(websocket_session_starts(cluster.https)) == "new_session"


async def websocket_session_starts(base: str) -> str:
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    url = base.replace("https://", "wss://") + "/_stcore/stream"
    async with websockets.connect(url, subprotocols=["streamlit"], ssl=INSECURE, max_size=None) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        await ws.send(msg.SerializeToString())
        while True:
            kind = ForwardMsg.FromString(await asyncio.wait_for(ws.recv(), 60)).WhichOneof("type")
            if kind == "new_session":
                return kind


# -- in Chromium ------------------------------------------------------------------------------
def relief_card(page) -> str:
    page.wait_for_selector(IDLE, timeout=180_000)
    page.wait_for_timeout(400)
    page.wait_for_selector(IDLE, timeout=180_000)
    card = page.locator('[data-testid="stMetric"]', has_text="救助支出").first
    card.wait_for(timeout=180_000)
    return card.locator('[data-testid="stMetricValue"]').inner_text().strip()


def expected_relief(store_url: str) -> str:
    """The city's relief spending for the period as the card prints it, from the store."""
    from data_access.db import make_engine
    from data_access.models.governance import CITY_SCOPE
    from metrics.domain.periods import Period
    from metrics.evaluate import Evaluator
    from metrics.format import kpi_value
    from metrics.registry import get
    from tests.oracle import town_codes

    engine = make_engine(store_url)
    with engine.connect() as conn:
        kpi = get("relief_spending")
        value = Evaluator(conn, towns=town_codes(conn), period=Period.parse(PERIOD)).value(kpi, CITY_SCOPE)
    engine.dispose()
    return kpi_value(kpi, value)


def import_payment(store_url: str, amount: str, name: str) -> None:
    """An import through the ingest API (what the 数据导入 page calls) on the shared store."""
    from data_access.db import make_engine
    from data_access.ingest import commit
    from tests.intake_support import csv_bytes, heads

    engine = make_engine(store_url)
    head = heads(engine, 1)[0]
    rows = [
        ["户主身份证号", "救助类型", "发放日期", "金额（元）", "覆盖人数"],
        [head, "临时救助", "2026-09-15", amount, "1"],
    ]
    commit(engine, csv_bytes(rows), name, "relief_payments", user="leader")
    engine.dispose()


def signed_in(page) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_url(lambda url: "/signin" not in url, timeout=120_000)
    except PlaywrightTimeout:
        pytest.fail(f"登录未完成：{page.url} {page.inner_text('body')[:500]}")


def serving_port(context, cluster: Cluster) -> int:
    """The process nginx routes this browser to (its cookie decides; the test's header says)."""
    headers = context.request.get(f"{cluster.https}/_stcore/health").headers
    return int(headers[UPSTREAM].rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        unavailable("未安装 Debian 的 chromium（apt-get install chromium），跳过浏览器测试")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu", "--disable-quic"]
        )
        yield b
        b.close()


def test_user_moves_to_the_other_process_signed_in_and_sees_imports(cluster, browser):
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1440, "height": 1200})
    page = context.new_page()
    page.goto(f"{cluster.https}/overview?period={PERIOD}&scope=city")
    page.wait_for_url(re.compile(r"/signin\?"), timeout=120_000)
    page.get_by_label("用户名").fill("leader")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    signed_in(page)
    before = relief_card(page)
    assert before == expected_relief(cluster.store_url)
    first = serving_port(context, cluster)
    other = next(p for p in cluster.apps if p != first)

    # An import while the user works on the first process; then that process stops.
    import_payment(cluster.store_url, "876543.00", "扩容测试一.csv")
    cluster.stop_app(first)
    page.reload()
    after = relief_card(page)
    assert "/signin" not in page.url, "moved to the other process and signed out"
    assert serving_port(context, cluster) == other
    assert after == expected_relief(cluster.store_url) != before

    # The second process has now cached this version: a later import by someone else shows
    # once its data-version check expires (pages/ui/store.py data_version, ttl 60 s).
    import_payment(cluster.store_url, "123456.00", "扩容测试二.csv")
    wanted, deadline = expected_relief(cluster.store_url), time.monotonic() + 120
    while relief_card(page) != wanted and time.monotonic() < deadline:
        page.wait_for_timeout(5_000)
        page.reload()
    assert relief_card(page) == wanted
    assert "/signin" not in page.url
    context.close()
