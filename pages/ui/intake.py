"""Small pieces shared by the pages that write to the store (数据导入, 目标管理, 标准管理):
who is acting, a message carried over the rerun after a write, and text made safe for
Markdown. Imported text is otherwise only shown in tables, never as Markdown or HTML."""

from __future__ import annotations

import re

import streamlit as st

from data_access.text import show_invisible
from pages.ui import store
from pages.ui.context import PageContext

_FLASH = "_intake_flash"
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(text: object) -> str:
    """Text with Markdown characters escaped and control or bidi characters shown as [U+XXXX],
    for messages that quote a file name or a cause."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", show_invisible(str(text)))


def acting_user(ctx: PageContext, *, key: str, label: str) -> str:
    """The signed-in user when sign-in exists, else a name typed once per session."""
    principal = getattr(ctx, "principal", None)
    if principal is not None:
        name = str(getattr(principal, "username", "") or getattr(principal, "display_name", ""))
        st.caption(f"{label}：{plain(getattr(principal, 'display_name', name))}")
        return name
    if "intake_user" in st.session_state and key not in st.session_state:
        st.session_state[key] = st.session_state["intake_user"]
    name = st.text_input(label, key=key, max_chars=40, placeholder="请填写姓名，记入操作记录").strip()
    if name:
        st.session_state["intake_user"] = name
    return name


def after_write(message: str) -> None:
    """Show the data as written: drop the cached data version, rerun, then say what happened."""
    store.data_version.clear()
    st.session_state[_FLASH] = message
    st.rerun()


def show_flash() -> None:
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(plain(message), icon=":material/check_circle:")
