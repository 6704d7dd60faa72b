"""The real app in Debian's Chromium, driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from data_access.accounts import DEMO_PASSWORD
from metrics.registry import DOMAINS
from tests.conftest import unavailable

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_server(sqlite_demo_url) -> Iterator[str]:
    yield from _serve(sqlite_demo_url)


def _serve(url: str, *, port: int | None = None, extra_args: tuple[str, ...] = ()) -> Iterator[str]:
    port = port or _free_port()
    env = {**os.environ, "DATABASE_URL": url}
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen(
        # As `make run` serves it: asgi.py (st.App around app.py, with the security headers).
        [
            *(sys.executable, "-m", "streamlit", "run", "asgi.py"),
            *("--server.port", str(port), "--server.headless", "true", *extra_args),
        ],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("Streamlit 服务 60 秒内未启动: " + proc.stdout.read().decode(errors="replace")[-2000:])
    yield base
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        unavailable("未安装 Debian 的 chromium（apt-get install chromium），跳过浏览器测试")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def _wait_idle(page) -> None:
    """Wait until the script has finished, and stays finished (a run can trigger a rerun)."""
    page.wait_for_selector(IDLE, timeout=180_000)
    page.wait_for_timeout(400)
    page.wait_for_selector(IDLE, timeout=180_000)


def _wait_for(page, selector: str, count: int = 1) -> None:
    """Wait for `count` elements; on time-out, fail with what the page says instead."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            "([sel, n]) => document.querySelectorAll(sel).length >= n", arg=[selector, count], timeout=180_000
        )
    except PlaywrightTimeout:
        pytest.fail(f"{selector} ×{count} 未出现；页面内容：{page.inner_text('body')[:1500]}")


SIGNIN = re.compile(r"/signin(\?|$)")


def fill_sign_in(page, username: str, password: str) -> None:
    """Type into the real HTML form at /signin and submit it."""
    page.wait_for_url(SIGNIN, timeout=180_000)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def sign_in(page, username: str = "leader", password: str = DEMO_PASSWORD) -> None:
    """Through the real form: a page opened without a session is sent to /signin, and back to
    the page asked for after it. The session is a cookie: every tab of the context shares it."""
    fill_sign_in(page, username, password)
    page.wait_for_url(lambda url: "/signin" not in url, timeout=180_000)
    _wait_idle(page)


def _open(browser, url: str, *, height: int = 1000, downloads: bool = False):
    page = browser.new_page(viewport={"width": 1440, "height": height}, accept_downloads=downloads)
    page.goto(url)
    sign_in(page)
    return page


def test_overview_in_chromium(app_server, browser):
    page = _open(browser, f"{app_server}/overview")
    _wait_for(page, '[data-testid="stMetric"]', 4)
    _wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    metrics = page.locator('[data-testid="stMetric"]')
    assert metrics.count() == 4
    labels = " ".join(metrics.all_inner_texts())
    for label in ("监测对象户数", "救助支出", "就业安置率", "分红达标率"):
        assert label in labels
    assert re.search(r"[\d,]+ 户", labels)
    assert "万元" in labels
    page.wait_for_selector(".js-plotly-plot .scatterlayer .trace", timeout=30_000)
    assert "演示数据" in page.inner_text("body")
    # The URL carries the view, so a copied link reproduces it.
    assert "period=" in page.url and "scope=city" in page.url
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)
    page.close()


def test_definitions_in_chromium(app_server, browser):
    page = _open(browser, f"{app_server}/definitions")
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "指标说明" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "definitions.png"), full_page=True)
    page.close()


def test_first_request_to_a_page_on_a_cold_server(sqlite_demo_url, browser):
    """A briefing link opened first after a restart still lands on its page, with the app shell."""
    for base in _serve(sqlite_demo_url):
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(f"{base}/definitions")
        sign_in(page)
        page.wait_for_selector('[data-testid="stExpander"]', timeout=90_000)
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=90_000)
        assert page.url.split("?")[0].endswith("/definitions")
        body = page.inner_text("body")
        assert "指标说明" in body and "演示数据" in body and "总览" in body
        assert page.locator('[data-testid="stException"]').count() == 0
        page.close()


PAGE_PATHS = ("caseload", "relief", "employment", "dividends", "social-security", "social-forces", "town")


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_every_page_loads_in_chromium(app_server, browser, path):
    page = _open(browser, f"{app_server}/{path}?period=2026-Q3", height=4000)
    _wait_for(page, "h1")
    assert page.locator('[data-testid="stException"]').count() == 0
    body = page.inner_text("body")
    assert "演示数据" in body
    assert page.url.split("?")[0].endswith(f"/{path}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{path}.png"))
    page.close()


def _click_first_bar(page) -> None:
    """Click the middle of the first bar, as a person would (Plotly's drag layer sits on top)."""
    box = page.locator(".js-plotly-plot").first.locator(".barlayer .point path").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def _settle(page) -> None:
    page.wait_for_timeout(800)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=120_000)


def test_drill_down_from_city_to_town_to_village(app_server, browser):
    page = _open(browser, f"{app_server}/caseload?period=2026-Q3", height=3000)
    _wait_for(page, ".js-plotly-plot .barlayer .point")
    _settle(page)
    # The first bar of the "期末监测对象户数" chart is the first town (昆山开发区).
    _click_first_bar(page)
    page.wait_for_url(re.compile(r"scope=320583400000"), timeout=60_000)
    _settle(page)
    assert "昆山开发区" in page.inner_text("body")
    assert "各村(社区)" in page.inner_text("body")
    # Now the bars are villages: a click opens a village and its masked list.
    page.wait_for_selector(".js-plotly-plot .barlayer .point", timeout=120_000)
    _click_first_bar(page)
    page.wait_for_url(re.compile(r"village=\d+"), timeout=60_000)
    _settle(page)
    body = page.inner_text("body")
    assert "预警家庭名单（已脱敏）" in body or "当前无预警家庭" in body
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(ARTIFACTS / "drill_village.png"))
    # The breadcrumb leads back to the city.
    page.get_by_role("button", name=re.compile("昆山市")).click()
    page.wait_for_url(re.compile(r"scope=city"), timeout=60_000)
    page.close()


def test_meeting_pack_button_delivers_a_pptx(app_server, browser, tmp_path):
    from pptx import Presentation

    page = _open(browser, f"{app_server}/briefing?period=2026-Q3&scope=city", height=1400, downloads=True)
    _wait_for(page, '[data-testid="stDownloadButton"]', 2)
    button = page.get_by_role("button", name=re.compile("生成 PowerPoint 会议材料"))
    with page.expect_download(timeout=180_000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "会议材料_全市_2026年Q3_演示数据.pptx"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert len(Presentation(str(target)).slides) == 1 + len(DOMAINS) + 3  # title, domains, scorecard, 督办, sources
    page.screenshot(path=str(ARTIFACTS / "briefing.png"))
    page.close()


def test_chart_png_download_from_a_page(app_server, browser, tmp_path):
    page = _open(browser, f"{app_server}/relief?period=2026-Q3&scope=city", height=3000, downloads=True)
    _wait_for(page, '[data-testid="stDownloadButton"]', 2)
    button = page.get_by_role("button", name=re.compile("下载 PNG")).first
    with page.expect_download(timeout=120_000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename.endswith("_全市_2026年Q3_演示数据.png")
    target = tmp_path / "chart.png"
    download.save_as(target)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.close()


def test_sign_in_and_sign_out_in_chromium(app_server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(f"{app_server}/overview")
    fill_sign_in(page, "bacheng", "wrong-password")  # nothing of the app before sign-in
    page.wait_for_selector('[role="alert"]', timeout=60_000)
    assert SIGNIN.search(page.url) and "用户名或密码错误" in page.inner_text("body")
    assert page.locator('[data-testid="stMetric"]').count() == 0
    sign_in(page, "bacheng", DEMO_PASSWORD)
    _wait_for(page, '[data-testid="stMetric"]', 4)
    body = page.inner_text("body")
    assert "巴城镇操作员" in body and "巴城镇" in body
    assert "scope=320583101000" in page.url  # a town operator lands on their own town
    page.get_by_role("button", name=re.compile("退出登录")).click()
    page.wait_for_selector("text=您已退出登录", timeout=60_000)
    assert page.locator('[data-testid="stMetric"]').count() == 0
    page.reload()  # the cookie is still in the browser, but its session has ended
    page.wait_for_url(SIGNIN, timeout=60_000)
    assert "您已退出登录" in page.inner_text("body")
    page.close()


def test_signed_in_across_reload_tab_and_copied_link_until_sign_out(app_server, browser):
    """One sign-in serves a reload, a second tab and a copied link (a new tab with the URL);
    after sign-out the same cookie, copied into another browser, opens nothing."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.goto(f"{app_server}/relief?period=2026-Q3&scope=city")
    sign_in(page, "leader")
    _wait_for(page, '[data-testid="stMetric"]')
    link = page.url
    assert "/relief" in link and "period=2026-Q3" in link, "the link asked for survives the sign-in"
    page.reload()
    _wait_for(page, '[data-testid="stMetric"]')
    _wait_idle(page)
    assert "/signin" not in page.url and "领导小组" in page.inner_text("body")
    second = context.new_page()
    second.goto(link)
    _wait_for(second, '[data-testid="stMetric"]')
    _wait_idle(second)
    assert "/relief" in second.url and "领导小组" in second.inner_text("body")
    stolen = [c for c in context.cookies() if c["name"] == "kd_session"]
    assert stolen and stolen[0]["httpOnly"] and stolen[0]["sameSite"] == "Lax"
    second.get_by_role("button", name=re.compile("退出登录")).click()
    second.wait_for_selector("text=您已退出登录", timeout=60_000)
    other = browser.new_context()
    other.add_cookies(stolen)
    thief = other.new_page()
    thief.goto(link)
    thief.wait_for_url(SIGNIN, timeout=60_000)
    assert thief.locator('[data-testid="stMetric"]').count() == 0
    page.reload()  # the first tab is signed out too
    page.wait_for_url(SIGNIN, timeout=60_000)
    other.close()
    context.close()


# -- layout for the rooms the dashboard is used in (meeting-proof figures) ------------------------
LAYOUT_PAGES = ("overview", "caseload", "relief", "employment", "dividends", "social-security", "town")
# Words that must never reach a leader: Python's and pandas' missing values, Streamlit's English
# placeholders, developer commands.
FORBIDDEN = re.compile(r"\bNone\b|\bnan\b|\bNaN\b|Choose an option|Drag and drop|make run|python -m")


def _layout_problems(page) -> list[str]:
    truncated = page.evaluate(
        """() => Array.from(document.querySelectorAll(
              '[data-testid="stMetricValue"], [data-testid="stMetricValue"] *, [data-testid="stMetricLabel"] *, '
              + '[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] *'))
            .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"""
    )
    problems = [f"截断：{t}" for t in truncated]
    text = page.inner_text("body")
    problems += [f"不应出现：{m}" for m in FORBIDDEN.findall(text)]
    if page.locator('[data-testid="stException"]').count():
        problems.append("页面异常")
    return problems


@pytest.mark.parametrize(
    ("width", "user", "period"),
    [(1024, "leader", "running"), (1440, "bacheng", "finished")],
)
def test_pages_fit_tablet_and_laptop_screens(app_server, sqlite_demo_url, browser, width, user, period):
    """Headline values and labels whole, no None/nan/English placeholders, no exceptions."""
    from datetime import date

    from data_access.db import make_engine
    from metrics.domain.periods import Grain, Period, latest_complete

    ARTIFACTS.mkdir(exist_ok=True)
    engine = make_engine(sqlite_demo_url)
    with engine.connect() as conn:
        data_date = date.fromisoformat(
            str(conn.exec_driver_sql("SELECT MAX(data_date) FROM feed_status").scalar())[:10]
        )
    engine.dispose()
    chosen = (
        Period.containing(data_date, Grain.QUARTER)
        if period == "running"
        else latest_complete(data_date, Grain.QUARTER)
    )
    failures = {}
    for path in LAYOUT_PAGES:
        page = browser.new_page(viewport={"width": width, "height": 1000})
        scope = "&scope=320583101000" if path == "town" else ""  # the profile is of one town
        page.goto(f"{app_server}/{path}?period={chosen.key}{scope}")
        sign_in(page, user)
        _wait_for(page, '[data-testid="stMetric"]')
        _wait_idle(page)
        problems = _layout_problems(page)
        if problems:
            failures[path] = problems
            page.screenshot(path=str(ARTIFACTS / f"layout_{path}_{width}_{user}.png"), full_page=True)
        page.close()
    assert not failures, failures


def test_follow_up_from_a_lagging_figure_to_the_pack(app_server, browser, tmp_path):
    """A leader assigns a 督办 from a town's lagging figure, the town answers, the leader closes
    it, and the meeting pack lists it with the figure's movement."""
    from pptx import Presentation

    def as_user(user: str, path: str, height: int = 2400, downloads: bool = False):
        page = browser.new_page(viewport={"width": 1440, "height": height}, accept_downloads=downloads)
        page.goto(f"{app_server}{path}")
        sign_in(page, user)
        return page

    page = as_user("leader", "/town?period=2026-Q3&scope=320583101000")
    _wait_for(page, '[data-testid="stPageLink"]')
    link = page.locator('[data-testid="stPageLink"] a', has_text="督办：").first
    label = link.inner_text()
    link.click()
    page.wait_for_url(re.compile(r"/supervision\?.*kpi="), timeout=60_000)
    _wait_idle(page)
    page.get_by_label("督办要求").fill("请说明原因并于两周内提出整改措施")
    page.get_by_role("button", name="发起督办").click()
    page.wait_for_selector("text=/已发起督办 #\\d+/", timeout=120_000)
    task = re.search(r"已发起督办 #(\d+)", page.inner_text("body")).group(1)
    page.close()

    page = as_user("bacheng", "/supervision")
    _wait_idle(page)
    page.get_by_text(re.compile(f"#{task} ")).first.click()
    page.get_by_label("办理情况（措施、进展）").fill("已召开专题会，落实三项措施")
    page.get_by_role("button", name="提交答复").click()
    page.wait_for_selector(f"text=/#{task} 已答复/", timeout=120_000)
    page.close()

    page = as_user("leader", "/supervision")
    _wait_idle(page)
    page.get_by_text(re.compile(f"#{task} ")).first.click()
    page.get_by_role("button", name="办结", exact=True).wait_for(state="visible", timeout=60_000)
    assert "已召开专题会，落实三项措施" in page.inner_text("body")
    _wait_idle(page)
    page.get_by_role("button", name="办结", exact=True).click()
    page.wait_for_selector(f"text=/#{task} 已办结/", timeout=120_000)
    page.close()

    page = as_user("leader", "/briefing?period=2026-Q3&scope=city", height=1400, downloads=True)
    _wait_for(page, '[data-testid="stDownloadButton"]', 2)
    with page.expect_download(timeout=180_000) as info:
        page.get_by_role("button", name=re.compile("生成 PowerPoint 会议材料")).click()
    target = tmp_path / "pack.pptx"
    info.value.save_as(target)
    page.close()
    texts = [
        cell.text
        for slide in Presentation(str(target)).slides
        for shape in slide.shapes
        if shape.has_table
        for row in shape.table.rows
        for cell in row.cells
    ]
    assert f"#{task}" in texts
    row = texts.index(f"#{task}")
    assert texts[row + 1] == "已办结" and texts[row + 2] == "巴城镇"
    assert texts[row + 3] in label  # the KPI chosen on the town profile


def test_every_response_carries_the_security_headers(app_server):
    """No framing by other sites, no MIME sniffing, no referrer (links carry towns and villages).
    Page loads without a session are redirected to the sign-in form: the redirect itself carries
    them; the form sends `same-origin`, so the browser names this site in its post's Origin."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    paths = ("/", "/overview?period=2026-Q3", "/_stcore/health", "/signin?next=%2Foverview", "/healthz")
    for path in paths:
        try:
            resp = opener.open(f"{app_server}{path}", timeout=30)
        except urllib.error.HTTPError as answer:  # the 303 to /signin, or /healthz's 503 without Chromium
            resp = answer
        with resp:
            headers = {k.lower(): v for k, v in resp.headers.items()}
        assert headers["x-frame-options"] == "SAMEORIGIN", path
        assert headers["content-security-policy"] == "frame-ancestors 'self'", path
        assert headers["x-content-type-options"] == "nosniff", path
        expected = "same-origin" if path.startswith("/signin") else "no-referrer"
        assert headers["referrer-policy"] == expected, path
