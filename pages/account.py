"""修改密码: every user; required after an administrator sets a temporary password."""

from __future__ import annotations

import streamlit as st

from data_access import accounts
from data_access.db import get_engine
from pages.ui.context import current

ctx = current()
st.title("修改密码")
if st.session_state.get("_must_change"):
    st.warning("您使用的是临时密码，请先设置新密码。")
st.caption(f"账号：{ctx.principal.username} · {ctx.principal.role_label}")
with st.form("change_password", clear_on_submit=True):
    old = st.text_input("当前密码", type="password")
    new = st.text_input("新密码（至少 10 位，含大小写字母、数字、符号中的三类）", type="password")
    again = st.text_input("再次输入新密码", type="password")
    if st.form_submit_button("保存", type="primary"):
        if new != again:
            st.error("两次输入的新密码不一致。")
        else:
            try:
                accounts.change_password(get_engine(ctx.url), username=ctx.principal.username, old=old, new=new)
                st.session_state.pop("_must_change", None)
                st.success("密码已修改。")
            except accounts.SignInError as exc:
                st.error(str(exc))
