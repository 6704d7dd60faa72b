"""The ASGI entry `make run` starts: Streamlit's own app (st.App) serving app.py, with our
HTTP routes beside it (sign-in form, health, read API: pages/web), a gate that sends page loads
without a valid session to the sign-in form, and middleware that adds security headers to every
HTTP response (Streamlit has no setting for them). `streamlit run asgi.py` detects the App and
serves it with Streamlit's config, port and headless flags; app.py stays the script every page
runs through.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from pages.web import ROUTES
from pages.web.signin import SignInGate

SECURITY_HEADERS = (
    (b"x-frame-options", b"SAMEORIGIN"),  # older browsers
    (b"content-security-policy", b"frame-ancestors 'self'"),  # no framing by other sites
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # URLs carry period, town and village: never sent on
)


class SecurityHeaders:
    """Adds the headers to every HTTP response (not to websocket frames), without replacing a
    header a route already set."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


app = st.App(
    str(Path(__file__).resolve().parent / "app.py"),
    routes=ROUTES,
    # The first is outermost: the gate's redirects carry the security headers too.
    middleware=[Middleware(SecurityHeaders), Middleware(SignInGate)],
)
