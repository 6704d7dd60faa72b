"""Who is signed in, checked on every run.

Local accounts sign in on the HTML form at /signin (pages/web/signin.py), which leaves a
server-side session and a cookie: a reload, a new tab or a copied link keeps the user, and the
session row is checked on every run (idle 30 min, absolute 8 h, sign-out, deactivation,
password change). The city's identity provider (OIDC through st.login, when configured in
.streamlit/secrets.toml) keeps its own Streamlit cookie and is mapped to an account by e-mail.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

import streamlit as st

from data_access import accounts, audit, web_sessions
from data_access.access import Principal
from data_access.db import get_engine
from pages.web.signin import signin_url

IDLE_MINUTES = 30
_PRINCIPAL = "_principal"
_LAST_SEEN = "_last_seen"
_EPOCH = "_session_epoch"  # the account's session_epoch when this session signed in
ENDED = "账号已停用、密码已重置或权限已变更，本次登录已失效，请重新登录。"


def client_address() -> str:
    try:
        return str(st.context.ip_address or "")
    except Exception:
        return ""


def session_cookie() -> str | None:
    try:
        return st.context.cookies.get(web_sessions.COOKIE_NAME)
    except Exception:  # outside a served session (tests without a browser)
        return None


def _current_path() -> str:
    try:
        parts = urlsplit(st.context.url or "/")
    except Exception:
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:
        return False


def sign_out(url: str, reason: str | None = None, *, principal: Principal | None = None) -> None:
    """End this browser's session: the cookie's row is revoked in the store (so the cookie is
    worthless from now on, in every process and tab), and this Streamlit session forgets it."""
    web_sessions.revoke(get_engine(url), session_cookie())
    principal = st.session_state.pop(_PRINCIPAL, None) or principal
    st.session_state.pop(_LAST_SEEN, None)
    st.session_state.pop(_EPOCH, None)
    st.session_state.pop("_must_change", None)
    if principal is not None:
        audit.record(
            get_engine(url),
            username=principal.username,
            action="sign_out",
            detail=reason or "",
            source=client_address(),
        )
    if reason:
        st.session_state["_sign_in_notice"] = reason


def current_principal(url: str, *, now: datetime | None = None) -> Principal | None:
    """The signed-in user, or None before sign-in, after an idle timeout, or once the account
    was deactivated, its password reset or its role changed (one indexed lookup per run)."""
    now = now or datetime.now()
    cookie = session_cookie()
    if cookie:
        state = web_sessions.resolve(get_engine(url), cookie, now=now)
        if isinstance(state, web_sessions.Active):
            st.session_state["_must_change"] = state.must_change_password
            return state.principal
        if isinstance(state, web_sessions.Ended):
            st.session_state["_sign_in_notice"] = state.reason
    principal = st.session_state.get(_PRINCIPAL)
    if principal is None:
        return None
    last = st.session_state.get(_LAST_SEEN, now)
    if now - last > timedelta(minutes=IDLE_MINUTES):
        sign_out(url, reason=f"超过 {IDLE_MINUTES} 分钟未操作，已自动退出，请重新登录。")
        return None
    # Sessions opened by the sign-in form or the identity provider carry the epoch. (Page
    # tests place a principal directly and have none; nothing outside the server can.)
    if _EPOCH in st.session_state:
        account = accounts.account_state(get_engine(url), principal.username)
        if account is None or not account.allows(principal, st.session_state[_EPOCH]):
            sign_out(url, reason=ENDED)
            return None
    st.session_state[_LAST_SEEN] = now
    return principal


def renew_epoch(url: str, principal: Principal, epoch: int) -> None:
    """After the user changed their own password: this session carries on, others end."""
    web_sessions.renew_epoch(get_engine(url), session_cookie(), username=principal.username, session_epoch=epoch)
    if _EPOCH in st.session_state:
        st.session_state[_EPOCH] = epoch


def _sign_in_prompt(url: str) -> None:
    """Shown when a run has no signed-in user (a page load without a session is sent to the
    form by the gate before it gets here): why, and the way to the form and back to this page."""
    from pages.ui import store

    st.title("昆山市相对贫困长效机制 · 领导驾驶舱")
    if store.settings_raw(url, store.data_version(url)).get("dataset") == "demo":
        st.warning(
            "**演示数据**：当前载入的是系统生成的演示数据，演示账号请向系统管理员索取。", icon=":material/science:"
        )
    notice = st.session_state.pop("_sign_in_notice", None)
    if notice:
        st.info(notice)
    if _oidc_configured():
        if getattr(st.user, "is_logged_in", False):
            signed = accounts.sign_in_by_email(get_engine(url), str(st.user.get("email", "")))
            if signed is None:
                st.error("统一身份认证已登录，但该账号未在本系统授权，请联系管理员。")
                return
            _signed_in(url, signed)
            return
        st.button("使用统一身份认证登录", on_click=st.login, type="primary")
    st.link_button("登录", signin_url(_current_path()), type="primary", icon=":material/login:")


def _signed_in(url: str, signed: accounts.SignIn) -> None:
    st.session_state[_PRINCIPAL] = signed.principal
    st.session_state[_EPOCH] = signed.session_epoch
    st.session_state[_LAST_SEEN] = datetime.now()
    st.rerun()


def require_principal(url: str) -> Principal:
    """Stop the page with a sign-in form unless someone is signed in."""
    principal = current_principal(url)
    if principal is None:
        _sign_in_prompt(url)
        st.stop()
    return principal


def sidebar(url: str, principal: Principal) -> None:
    st.sidebar.caption(f"当前用户：{principal.display_name} · {principal.role_label}")
    if st.sidebar.button("退出登录", key="sign_out", type="tertiary", icon=":material/logout:"):
        sign_out(url, principal=principal)
        if _oidc_configured() and getattr(st.user, "is_logged_in", False):
            # Signed in through the identity provider: its Streamlit cookie would sign the next
            # run straight back in, so end it too (st.logout clears it, passes by the provider's
            # end-session page and lands on "/", which the gate sends to the form).
            st.logout()
            st.stop()
        st.rerun()
