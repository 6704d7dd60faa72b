"""指标说明: every KPI from the registry, so a figure questioned in a meeting can be explained."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.definitions import RULE_READINGS, SUMMARY_COLUMNS, TIME_RULES, definitions_rows, settings_rows
from metrics.registry import DOMAINS
from pages.ui.context import current

current()  # routes through app.py (filters, demo flag) like every page

st.title("指标说明")
st.caption("本页由指标注册表自动生成：页面、导出与会议材料中的每个数字都按这里的口径计算。")

rows = definitions_rows()
st.dataframe(
    pd.DataFrame(rows)[list(SUMMARY_COLUMNS)], hide_index=True, width="stretch", height=35 * (len(rows) + 1) + 3
)

for domain in DOMAINS.values():
    st.subheader(domain)
    for row in (r for r in rows if r["领域"] == domain):
        with st.expander(f"{row['指标']}（{row['单位']}）"):
            st.markdown(
                f"**含义**：{row['含义']}\n\n"
                f"**计算口径**：{row['计算口径']}\n\n"
                f"**统计方式**：{row['统计方式']}　**方向**：{row['方向']}\n\n"
                f"**责任单位**：{row['责任单位']}　**实施方案条款**：{row['实施方案条款']}"
            )

st.subheader("规则解读（实施方案条款如何计算）")
for clause, rule, reading in RULE_READINGS:
    st.markdown(f"- **{clause}**：{rule}。  \n  本系统的解读：{reading}。")
st.subheader("时间口径与数据完整性")
for name, meaning in TIME_RULES:
    st.markdown(f"- **{name}**：{meaning}")

st.subheader("可调整的阈值（实施方案未规定的口径）")
st.dataframe(pd.DataFrame(settings_rows()), hide_index=True, width="stretch")
