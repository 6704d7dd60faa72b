"""账号管理 (admin): accounts, roles, unlock, reset, deactivate. Every change is audited."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import accounts, api_tokens
from data_access.access import DEPARTMENTS, ROLES
from data_access.db import get_engine
from pages.ui.context import current
from pages.ui.plain import md
from pages.ui.tables import table

ctx = current()


def _or_none(value: str) -> str:  # an empty choice reads as a choice, not as English placeholder text
    return value or "（不适用）"


def _town_or_none(code: str) -> str:
    return ctx.filters.town_names.get(code, code) if code else "（不适用）"


if not ctx.principal.is_admin:
    st.error("仅管理员可访问账号管理。")
    st.stop()
engine = get_engine(ctx.url)
st.title("账号管理")
account_rows = accounts.list_accounts(engine)
for row in account_rows:  # names, not codes
    row["区镇"] = ctx.filters.town_names.get(str(row["区镇"]), row["区镇"]) if row["区镇"] else ""
table("账号", pd.DataFrame(account_rows))

st.subheader("新建账号")
with st.form("new_account", clear_on_submit=True):
    username = st.text_input("用户名")
    name = st.text_input("姓名")
    role = st.selectbox("角色", options=list(ROLES), format_func=lambda r: ROLES[r])
    department = st.selectbox("部门（部门负责人）", options=["", *DEPARTMENTS], format_func=_or_none)
    town = st.selectbox("区镇（区镇操作员）", options=["", *ctx.filters.towns], format_func=_town_or_none)
    email = st.text_input("统一身份认证邮箱（可选）")
    password = st.text_input(
        f"临时密码（至少 {accounts.MIN_PASSWORD_LENGTH} 个字符，首次登录须修改）",
        type="password",
        max_chars=accounts.MAX_PASSWORD_LENGTH,
    )
    if st.form_submit_button("创建", type="primary"):
        try:
            accounts.create_account(
                engine,
                username=username,
                display_name=name or username,
                role=role,
                password=password or None,
                department=department,
                town_code=town,
                email=email,
                by=ctx.principal.username,
            )
            st.success(f"已创建账号 {username}")
        except (accounts.SignInError, ValueError) as exc:
            st.error(str(exc))
        except Exception:
            st.error("创建失败：用户名可能已存在。")

st.subheader("解锁、重置或停用")
with st.form("update_account"):
    target = st.text_input("用户名", key="target_user")
    action = st.radio(
        "操作",
        options=["unlock", "reset", "deactivate", "activate"],
        format_func={"unlock": "解锁", "reset": "重置密码", "deactivate": "停用", "activate": "启用"}.get,
        horizontal=True,
    )
    temporary = st.text_input(
        "临时密码（重置时填写；停用或重置会使该账号已登录的会话立即失效）",
        type="password",
        max_chars=accounts.MAX_PASSWORD_LENGTH,
    )
    if st.form_submit_button("执行"):
        try:
            accounts.admin_update(engine, username=target, by=ctx.principal.username, action=action, password=temporary)
            st.success("已完成。")
        except accounts.SignInError as exc:
            st.error(str(exc))

st.subheader("接口令牌")
st.caption(
    "供其他系统调用只读数据接口（/api/v1）。令牌的角色和范围与账号相同（区镇令牌只能查看本区镇）；"
    "密钥只在创建时显示一次，库中只存其哈希值；每次调用都记入审计日志。"
)
token_rows = [
    {
        "名称": t.name,
        "密钥开头": f"{t.prefix}…",
        "角色": ROLES.get(t.role, t.role),
        "范围": t.department or ctx.filters.town_names.get(t.town_code, t.town_code) or "全部区镇",
        "创建人": t.created_by,
        "创建时间": f"{t.created_at:%Y-%m-%d %H:%M}",
        "最近使用": f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "从未使用",
        "状态": f"已吊销（{t.revoked_at:%Y-%m-%d %H:%M}）" if t.revoked_at else "有效",
    }
    for t in api_tokens.list_tokens(engine)
]
if token_rows:
    table("接口令牌", pd.DataFrame(token_rows))
with st.form("new_api_token", clear_on_submit=True):
    token_name = st.text_input("调用方名称（如 大数据局共享平台）", max_chars=60)
    token_role = st.selectbox("角色", options=list(ROLES), format_func=lambda r: ROLES[r], key="token_role")
    token_department = st.selectbox(
        "部门（部门负责人）", options=["", *DEPARTMENTS], format_func=_or_none, key="token_department"
    )
    token_town = st.selectbox(
        "区镇（区镇令牌）", options=["", *ctx.filters.towns], format_func=_town_or_none, key="token_town"
    )
    if st.form_submit_button("创建令牌", type="primary"):
        try:
            made, secret = api_tokens.create(
                engine,
                name=token_name,
                role=token_role,
                department=token_department,
                town_code=token_town,
                created_by=ctx.principal.username,
            )
            st.success(f"已创建令牌“{md(made.name)}”。密钥只显示这一次，请立即复制并交给调用方：")
            st.code(secret, language=None)
        except api_tokens.TokenError as exc:
            st.error(str(exc))
active_names = [t["名称"] for t in token_rows if t["状态"] == "有效"]
with st.form("revoke_api_token"):
    revoke_name = st.selectbox("吊销令牌", options=["", *active_names], format_func=lambda n: n or "（请选择）")
    if st.form_submit_button("吊销") and revoke_name:
        if api_tokens.revoke(engine, name=revoke_name, revoked_by=ctx.principal.username):
            st.success(f"已吊销令牌“{md(revoke_name)}”，使用它的调用将立即被拒绝。")
        else:
            st.error("该令牌不存在或已被吊销。")
