"""The sign-in form as a plain HTML page that posts to the server (no Streamlit session is
involved), and the gate that sends a page load without a valid session to it.

GET /signin shows the form with a CSRF token (double submit: the same random value in a
SameSite=Strict cookie and a hidden field). POST /signin checks the token and the Origin, then
the password through accounts.authenticate (same lockout and audit as ever), starts a
server-side session and sets `kd_session` (HttpOnly, SameSite=Lax, Secure over HTTPS).
"""

from __future__ import annotations

import hmac
import html
import re
import secrets
from urllib.parse import quote, urlsplit

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from data_access import accounts, web_sessions
from data_access.db import database_url, get_engine
from data_access.queries import reference

CSRF_COOKIE = "kd_csrf"
SIGNIN_PATH = "/signin"
# Streamlit page paths (see app.py url_path): a GET of one of these loads the app. Our own
# one-segment routes are not pages.
PAGE_PATH = re.compile(r"/[a-z-]*")
NOT_PAGES = frozenset({SIGNIN_PATH, "/healthz", "/api"})
STORE_DOWN = "数据库暂时无法访问，请稍后再试或联系管理员。"
SSO_PARAM = "sso"  # /overview?sso=1 opens the app's identity-provider button (st.login)
OIDC_COOKIE = "_streamlit_user"  # set by Streamlit after an st.login round trip


def client_source(request: Request) -> str:
    """Where the request came from, for the audit log. Behind nginx the peer is the proxy, so
    the forwarded address is named too (it is only recorded, never trusted for a decision)."""
    peer = request.client.host if request.client else ""
    forwarded = request.headers.get("x-forwarded-for", "").split(",")[0].strip()
    return f"{forwarded} via {peer}" if forwarded and forwarded != peer else peer


def is_https(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "") == "https"


def safe_next(value: str | None) -> str:
    """Only a path on this site: never another host (//evil, https://evil, \\\\evil)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ord(c) < 0x20 for c in value):
        return "/"
    return value[:1000]


def store():
    """The configured store's engine (keyed by its URL, so a changed DATABASE_URL is seen)."""
    return get_engine(database_url())


def _oidc_configured() -> bool:
    try:
        import streamlit as st

        return "auth" in st.secrets
    except Exception:
        return False


def _dataset() -> str | None:
    """The dataset setting ("demo", or "" for real data), or None when the store cannot be read."""
    try:
        with store().connect() as conn:
            return reference.settings(conn).get("dataset", "")
    except SQLAlchemyError:
        return None


_STYLE = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;background:#F4F6F9;
color:#1F2933;margin:0}
main{max-width:420px;margin:8vh auto;background:#fff;padding:32px 36px;border-radius:8px;
box-shadow:0 1px 4px rgba(0,0,0,.08)}
h1{font-size:20px;margin:0 0 20px}
label{display:block;margin:14px 0 6px;font-size:15px}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:9px 10px;font-size:16px;
border:1px solid #C5CCD6;border-radius:4px}
button{margin-top:22px;width:100%;padding:10px;font-size:16px;background:#1F5FAD;color:#fff;border:0;
border-radius:4px;cursor:pointer}
.note{padding:10px 12px;border-radius:4px;margin:0 0 14px;font-size:14px;line-height:1.6}
.demo{background:#FFF4E5;color:#7A4B00}.info{background:#E8F1FB;color:#0B4A8B}.error{background:#FDECEC;color:#8A1C1C}
.sso{display:block;text-align:center;margin-top:18px;color:#1F5FAD}
"""


def _page(*, csrf: str, next_path: str, username: str = "", error: str = "", notice: str = "") -> str:
    e = html.escape
    blocks = []
    dataset = _dataset()
    if dataset is None and not error:
        error = STORE_DOWN
    if dataset == "demo":
        blocks.append(
            '<p class="note demo"><b>演示数据</b>：当前载入的是系统生成的演示数据，演示账号请向系统管理员索取。</p>'
        )
    if notice:
        blocks.append(f'<p class="note info" role="status">{e(notice)}</p>')
    if error:
        blocks.append(f'<p class="note error" role="alert">{e(error)}</p>')
    sso = ""
    if _oidc_configured():
        sso = f'<a class="sso" href="{e(next_path.split("?")[0] or "/")}?{SSO_PARAM}=1">使用统一身份认证登录</a>'
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>登录 · 相对贫困长效机制 领导驾驶舱</title><style>{_STYLE}</style></head>
<body><main>
<h1>昆山市相对贫困长效机制 · 领导驾驶舱</h1>
{"".join(blocks)}
<form method="post" action="{SIGNIN_PATH}" autocomplete="on">
<input type="hidden" name="csrf" value="{e(csrf)}">
<input type="hidden" name="next" value="{e(next_path)}">
<label for="username">用户名</label>
<input type="text" id="username" name="username" maxlength="60" autocomplete="username" required autofocus
 value="{e(username)}">
<label for="password">密码</label>
<input type="password" id="password" name="password" maxlength="{accounts.MAX_PASSWORD_LENGTH}"
 autocomplete="current-password" required>
<button type="submit">登录</button>
</form>{sso}
</main></body></html>"""


def _form_response(request: Request, *, status: int = 200, **fields: str) -> HTMLResponse:
    csrf = request.cookies.get(CSRF_COOKIE) or ""
    if not (16 <= len(csrf) <= 100 and csrf.isascii()):
        csrf = secrets.token_urlsafe(32)
    response = HTMLResponse(_page(csrf=csrf, **fields), status_code=status)
    response.headers["cache-control"] = "no-store"
    # The site-wide no-referrer would make the browser send "Origin: null" with the post, and the
    # origin check needs the real one; the form's URL holds nothing private.
    response.headers["referrer-policy"] = "same-origin"
    response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=is_https(request), path=SIGNIN_PATH)
    return response


async def signin_form(request: Request) -> Response:
    code = request.query_params.get("m", "")
    notice = web_sessions.ENDED_REASONS.get(code, "")
    return _form_response(request, next_path=safe_next(request.query_params.get("next")), notice=notice)


def _same_origin(request: Request) -> bool:
    """A browser names the page a form was posted from; it must be this site."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None  # some browsers omit it on same-origin posts; "null" is refused
    return urlsplit(origin).netloc == request.headers.get("host", "")


async def signin_submit(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=10, max_part_size=4096)
    next_path = safe_next(str(form.get("next") or ""))
    username = str(form.get("username") or "")[:60]
    password = str(form.get("password") or "")
    sent, expected = str(form.get("csrf") or ""), request.cookies.get(CSRF_COOKIE) or ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()) or not _same_origin(request):
        return _form_response(
            request, status=403, next_path=next_path, username="", error="页面已过期，请重新输入用户名和密码后登录。"
        )
    engine = store()
    source = client_source(request)
    try:
        signed = await run_in_threadpool(
            accounts.authenticate, engine, username=username, password=password, source=source
        )
        cookie = await run_in_threadpool(
            web_sessions.start,
            engine,
            username=signed.principal.username,
            session_epoch=signed.session_epoch,
            source=source,
            replaces=request.cookies.get(web_sessions.COOKIE_NAME),
        )
    except accounts.SignInError as exc:
        return _form_response(request, status=401, next_path=next_path, username=username, error=str(exc))
    except SQLAlchemyError:
        return _form_response(request, status=503, next_path=next_path, username=username, error=STORE_DOWN)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        web_sessions.COOKIE_NAME,
        cookie,
        max_age=int(web_sessions.ABSOLUTE.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )
    response.delete_cookie(CSRF_COOKIE, path=SIGNIN_PATH)  # one token per form
    return response


ROUTES = [
    Route(SIGNIN_PATH, signin_form, methods=["GET"]),
    Route(SIGNIN_PATH, signin_submit, methods=["POST"]),
]


def signin_url(next_path: str, code: str = "") -> str:
    return f"{SIGNIN_PATH}?next={quote(safe_next(next_path), safe='')}" + (f"&m={code}" if code else "")


class SignInGate:
    """Sends a browser that opens a page without a valid session to the form, with the page it
    asked for (so a copied link lands there after sign-in). Only full page loads are gated;
    the script checks the session again on every run, which is what protects the data."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and self._is_page(scope["path"]):
            request = Request(scope)
            if SSO_PARAM not in request.query_params and OIDC_COOKIE not in request.cookies:
                code = await self._check(request.cookies.get(web_sessions.COOKIE_NAME))
                if code is not None:
                    query = scope["query_string"].decode("latin-1")
                    target = scope["path"] + (f"?{query}" if query else "")
                    await RedirectResponse(signin_url(target, code), status_code=303)(scope, receive, send)
                    return
        await self.app(scope, receive, send)

    @staticmethod
    def _is_page(path: str) -> bool:
        return PAGE_PATH.fullmatch(path) is not None and path not in NOT_PAGES

    @staticmethod
    async def _check(cookie: str | None) -> str | None:
        """None: let the page load (signed in, or the store fails and the page will say so);
        otherwise the reason code for the form ("" when there was no session at all)."""
        try:
            state = await run_in_threadpool(web_sessions.resolve, store(), cookie)
        except SQLAlchemyError:
            return None
        if isinstance(state, web_sessions.Active):
            return None
        return state.code if isinstance(state, web_sessions.Ended) else ""
