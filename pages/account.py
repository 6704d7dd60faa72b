"""修改密码: every user; required after an administrator sets a temporary password."""

from __future__ import annotations

import streamlit as st

from data_access import accounts
from data_access.db import get_engine
from pages.ui.auth import renew_epoch
from pages.ui.context import current

ctx = current()
st.title("修改密码")
if st.session_state.get("_must_change"):
    st.warning("您使用的是临时密码，请先设置新密码。")
st.caption(f"账号：{ctx.principal.username} · {ctx.principal.role_label}")
with st.form("change_password", clear_on_submit=True):
    old = st.text_input("当前密码", type="password")
    new = st.text_input(
        f"新密码（至少 {accounts.MIN_PASSWORD_LENGTH} 个字符；推荐用几个不相关的词组成一句话，可含空格和汉字）",
        type="password",
        max_chars=accounts.MAX_PASSWORD_LENGTH,
    )
    again = st.text_input("再次输入新密码", type="password")
    if st.form_submit_button("保存", type="primary"):
        if new != again:
            st.error("两次输入的新密码不一致。")
        else:
            try:
                epoch = accounts.change_password(get_engine(ctx.url), username=ctx.principal.username, old=old, new=new)
                renew_epoch(ctx.url, ctx.principal, epoch)  # this session carries on; the others end
                st.session_state.pop("_must_change", None)
                st.success("密码已修改，其他已登录的会话已失效。")
            except accounts.SignInError as exc:
                st.error(str(exc))
