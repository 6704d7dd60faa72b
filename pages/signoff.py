"""数据确认: before a meeting each department confirms its feed for the period (a town operator
their town's figures); confirmed periods are locked against imports until an administrator
unlocks them with a reason."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import signoff
from data_access.access import AccessDenied
from data_access.db import get_engine
from data_access.reference import FEEDS
from pages.ui import exports, store
from pages.ui.context import current
from pages.ui.plain import md
from pages.ui.tables import table

ctx = current()
f = ctx.filters
principal = ctx.principal
engine = get_engine(ctx.url)
period = f.period.key
exports.reset_tables()

st.title("数据确认")
st.caption(
    f"{f.period.label} · 各部门在会前确认本部门报送的数据，区镇操作员确认本区镇的数据。"
    "已确认的期间将锁定，导入该期间的数据会被拒绝，须由管理员说明原因解锁后重新确认。"
)
with engine.connect() as conn:
    states = signoff.states(conn, periods=[period])
feeds = {str(feed["feed"]): feed for feed in store.feeds(ctx.url, ctx.version)}

rows = []
for key, (department, label) in FEEDS.items():
    state = states.get(("feed", key, period))
    rows.append(
        {
            "责任单位": department,
            "数据内容": label,
            "数据截至": f"{feeds[key]['data_date']:%Y-%m-%d}" if key in feeds else "尚未报送",
            "确认状态": state.label if state else "未确认",
        }
    )
table("部门数据确认", pd.DataFrame(rows))
town_rows = [
    {
        "区镇": f.town_names.get(town, town),
        "确认状态": states[("town", town, period)].label if ("town", town, period) in states else "未确认",
    }
    for town in f.towns
]
table("区镇数据确认", pd.DataFrame(town_rows))

period_end = f.period.full_end or f.period.end
dashboard_date = max((feed["data_date"] for feed in feeds.values()), default=None)


def _confirm(kind: str, subject: str, data_date) -> None:
    try:
        signoff.confirm(
            engine,
            principal=principal,
            subject_kind=kind,
            subject=subject,
            period=period,
            period_end=period_end,
            data_date=data_date,
        )
    except signoff.PeriodRunning as exc:
        st.error(str(exc))
        return
    st.rerun()


mine = [key for key in FEEDS if signoff.may_confirm(principal, subject_kind="feed", subject=key)]
mine_towns = [principal.town_code] if principal.role == "town" else []
if mine or mine_towns:
    st.subheader("确认本单位数据")
    for key in mine:
        state = states.get(("feed", key, period))
        if state and state.confirmed:
            st.caption(f"{FEEDS[key][1]}：{md(state.label)}")
        elif st.button(f"确认“{FEEDS[key][1]}”{f.period.label}的数据", key=f"confirm_{key}"):
            _confirm("feed", key, feeds[key]["data_date"] if key in feeds else None)
    for town in mine_towns:
        state = states.get(("town", town, period))
        if state and state.confirmed:
            st.caption(f"{md(f.town_names.get(town, town))}：{md(state.label)}")
        elif st.button(f"确认{f.town_names.get(town, town)}{f.period.label}的数据", key=f"confirm_town_{town}"):
            _confirm("town", town, dashboard_date)

if principal.is_admin:
    confirmed = [(k, s) for (kind, k, _), s in states.items() if kind == "feed" and s.confirmed]
    if confirmed:
        st.subheader("解锁（管理员）")
        with st.form("unlock"):
            feed = st.selectbox("数据", options=[k for k, _ in confirmed], format_func=lambda k: FEEDS[k][1])
            reason = st.text_input("解锁原因（记入审计日志）", max_chars=500)
            if st.form_submit_button("解锁"):
                try:
                    signoff.unlock(
                        engine, principal=principal, subject_kind="feed", subject=feed, period=period, reason=reason
                    )
                    st.rerun()
                except (ValueError, AccessDenied) as exc:
                    st.error(str(exc))

st.divider()
exports.excel_button("数据确认")
