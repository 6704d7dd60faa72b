"""Sign-in through the city's identity provider (st.login, OIDC) end to end, in Chromium.

A real OpenID provider runs on a loopback port (the `oidc-provider-mock` package: its
authorize page lets the tester type the subject, which becomes the e-mail claim), and the app
is served as `make run` serves it, with an `[auth]` section in a secrets file of its own
(`--secrets.files`, so the project's .streamlit/ is never written). The provider's user is
mapped to a local account by e-mail (accounts.sign_in_by_email).
"""

from __future__ import annotations

import importlib.util
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from data_access import accounts
from data_access.db import make_engine
from tests.conftest import unavailable
from tests.test_browser import _free_port, _serve, _wait_idle, browser  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parent.parent
EMAIL = "oidc.leader@ks.example.gov.cn"
DISPLAY_NAME = "统一认证测试员"
STRANGER = "nobody@ks.example.gov.cn"
SIGNIN = re.compile(r"/signin(\?|$)")
pytestmark = pytest.mark.browser


def _wait_http(url: str, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    proc.kill()
    output = proc.communicate(timeout=10)[0].decode(errors="replace")[-2000:]
    pytest.fail(f"{what} 60 秒内未启动: {output}")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The mock OpenID provider (its own CLI, which allows plain http on loopback)."""
    for module in ("oidc_provider_mock", "authlib"):
        if importlib.util.find_spec(module) is None:
            unavailable(f"未安装 {module}（pip install -r requirements.txt），跳过统一身份认证测试")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    _wait_http(f"{base}/.well-known/openid-configuration", proc, "OIDC 模拟认证服务")
    yield base
    _stop(proc)


@pytest.fixture(scope="module")
def store_url(sqlite_demo_url, tmp_path_factory) -> str:
    """A copy of the demo store (this module writes accounts), with one account that has an e-mail."""
    source = Path(make_url(sqlite_demo_url).database)
    target = tmp_path_factory.mktemp("oidc") / "oidc_store.db"
    shutil.copyfile(source, target)
    url = f"sqlite:///{target}"
    engine = make_engine(url)
    # No password: this account can only sign in through the identity provider.
    accounts.create_account(
        engine, username="oidc_leader", display_name=DISPLAY_NAME, role="leader", password=None, email=EMAIL
    )
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def app_server(provider, store_url, tmp_path_factory) -> Iterator[str]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    secrets_file = tmp_path_factory.mktemp("oidc_secrets") / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "{base}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "kunshan-dashboard"\n'
        f'client_secret = "{secrets.token_urlsafe(16)}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    # Streamlit reads secrets from this file instead of .streamlit/secrets.toml.
    yield from _serve(store_url, port=port, extra_args=("--secrets.files", str(secrets_file)))


def _wait_text(page, text: str, timeout: int = 120_000) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.get_by_text(text).first.wait_for(timeout=timeout)
    except PlaywrightTimeout:
        pytest.fail(f"“{text}”未出现；{page.url} 页面内容：{page.inner_text('body')[:1500]}")


def _sign_in_with_provider(page, app: str, provider: str, email: str) -> None:
    """/overview → the form → its identity-provider link → the app's st.login button → the
    provider's authorize page, where the subject (and so the e-mail claim) is typed."""
    page.goto(f"{app}/overview")
    page.wait_for_url(SIGNIN, timeout=60_000)
    page.get_by_role("link", name="使用统一身份认证登录").click()
    page.wait_for_url(re.compile(r"/overview\?sso=1$"), timeout=60_000)
    page.get_by_role("button", name="使用统一身份认证登录").click()
    page.wait_for_url(re.compile(re.escape(provider) + r"/oauth2/authorize"), timeout=60_000)
    page.get_by_placeholder("sub").fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(re.escape(app) + r"/"), timeout=60_000)
    _wait_idle(page)


def test_identity_provider_sign_in_reload_and_sign_out(app_server, provider, browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    _sign_in_with_provider(page, app_server, provider, EMAIL)
    assert "/signin" not in page.url
    _wait_text(page, f"当前用户：{DISPLAY_NAME}")
    page.wait_for_selector('[data-testid="stMetric"]', timeout=180_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert any(c["name"] == "_streamlit_user" for c in context.cookies())

    # A reload is a new Streamlit session: the provider's cookie signs it in again.
    page.reload()
    _wait_idle(page)
    assert "/signin" not in page.url
    _wait_text(page, f"当前用户：{DISPLAY_NAME}")

    # Signing out ends the provider's cookie too (st.logout), so it does not sign straight back in.
    page.get_by_role("button", name="退出登录").click()
    end_session = re.compile(re.escape(provider) + r"/oauth2/end_session")
    page.wait_for_url(lambda url: bool(end_session.search(url) or SIGNIN.search(url)), timeout=60_000)
    if end_session.search(page.url):  # the mock provider asks before it ends its session
        page.get_by_role("button", name="End session").click()
    page.wait_for_url(SIGNIN, timeout=60_000)
    assert not any(c["name"] == "_streamlit_user" for c in context.cookies())
    page.goto(f"{app_server}/overview")
    page.wait_for_url(SIGNIN, timeout=60_000)
    assert "使用统一身份认证登录" in page.inner_text("body")
    context.close()


def test_identity_provider_user_without_an_account(app_server, provider, browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    _sign_in_with_provider(page, app_server, provider, STRANGER)
    _wait_text(page, "统一身份认证已登录，但该账号未在本系统授权")
    _wait_idle(page)
    assert page.locator('[data-testid="stMetric"]').count() == 0
    assert page.locator(".js-plotly-plot").count() == 0
    assert "当前用户：" not in page.inner_text("body")
    context.close()
