"""What app.py resolves once per run (store, filters) for the page scripts to read."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from data_access.access import Principal
from pages.ui.filters import Filters

_KEY = "_page_context"
# Query parameter that carries a page request through the legacy-mode rerun (see below).
ROUTE_PARAM = "open"


@dataclass(frozen=True)
class PageContext:
    url: str
    version: str
    filters: Filters
    is_demo: bool
    principal: Principal


def publish(ctx: PageContext) -> None:
    st.session_state[_KEY] = ctx


def current() -> PageContext:
    if _KEY not in st.session_state:
        _route_through_app()
    return st.session_state[_KEY]


def _route_through_app() -> None:
    """A page script ran without app.py: Streamlit's legacy pages/ folder mode.

    Until some session has run app.py (which calls st.navigation), Streamlit treats a
    folder named pages/ as old-style multipage and runs e.g. pages/overview.py directly
    for a first request to /overview on a cold server. Switch the process to st.navigation
    routing, as app.py's first run would, and run again through app.py, which opens the
    page that was asked for (ROUTE_PARAM).
    """
    from pathlib import Path

    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    run_ctx = get_script_run_ctx()
    info = run_ctx.pages_manager.get_pages().get(run_ctx.page_script_hash, {}) if run_ctx else {}
    PagesManager.uses_pages_directory = False
    script = Path(str(info.get("script_path", ""))).name
    if script:
        st.query_params[ROUTE_PARAM] = script
    st.rerun()
