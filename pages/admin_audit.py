"""审计日志 (admin): search who did what, when, from where; export the result."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pandas as pd
import streamlit as st

from data_access import audit
from data_access.db import get_engine
from data_access.reference import FEEDS
from pages.ui import exports
from pages.ui.context import current
from pages.ui.tables import table

ctx = current()
if not ctx.principal.is_admin:
    st.error("仅管理员可查看审计日志。")
    st.stop()
exports.reset_tables()
st.title("审计日志")


@st.cache_data(ttl=60, show_spinner="正在校验审计日志链…")
def _chain(url: str) -> audit.Verification:
    return audit.verify(get_engine(url))  # the whole log, streamed; at most once a minute


chain = _chain(ctx.url)
if chain.ok:
    st.success(
        f"链校验通过：共 {chain.entries:,} 条，最新链哈希 {chain.head[:16] or '（空）'}"
        "（定期把它记在库外，日后可证明此前的记录未被整体重写）。",
        icon=":material/verified:",
    )
else:
    st.error(
        f"链校验未通过：第 {chain.first_bad_id} 条起被改动。审计日志可能被绕过应用直接修改，请保全数据库文件并报告。",
        icon=":material/gpp_bad:",
    )
left, middle, right = st.columns(3)
username = left.text_input("用户名（精确匹配，可空）")
actions = middle.multiselect("操作", options=list(audit.ACTIONS), format_func=audit.ACTIONS.get, placeholder="全部操作")
days = right.date_input("日期范围", value=(datetime.now().date() - timedelta(days=30), datetime.now().date()))
since = datetime.combine(days[0], time.min) if isinstance(days, tuple) and days else None
until = datetime.combine(days[-1], time.max) if isinstance(days, tuple) and len(days) == 2 else None
TOWN_CODE = re.compile(r"\b3205\d{8}\b|320583-GXQ")


def named(value: str) -> str:
    """Town codes and feed keys read as names (区镇 and 数据内容), the stored value unchanged."""
    value = TOWN_CODE.sub(lambda m: ctx.filters.town_names.get(m.group(0), m.group(0)), value)
    for feed, (_, label) in FEEDS.items():
        value = value.replace(f"{feed} · ", f"{label} · ")
    return value


rows = audit.search(get_engine(ctx.url), username=username.strip(), actions=actions, since=since, until=until)
frame = pd.DataFrame(
    [
        {
            "时间": str(r["at"])[:19],
            "用户": r["username"],
            "操作": audit.ACTIONS.get(str(r["action"]), r["action"]),
            "对象": named(str(r["target"])),
            "说明": named(str(r["detail"])),
            "来源": r["source"],
            "结果": "成功" if r["ok"] else "失败",
        }
        for r in rows
    ],
    columns=["时间", "用户", "操作", "对象", "说明", "来源", "结果"],
)
st.caption(
    f"共 {len(frame)} 条（最多显示 2,000 条，最新在前）。审计日志只能追加，不能修改或删除；"
    "每条记录与前一条以哈希相连，命令行校验：python -m data_access.audit verify。"
)
table("审计日志", frame)
exports.excel_button("审计日志")
