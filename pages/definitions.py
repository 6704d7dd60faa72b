"""指标说明: every KPI from the registry, so a figure questioned in a meeting can be explained."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.attainment import DIRECTION_LABELS
from metrics.definitions import definitions_rows, settings_rows

st.title("指标说明")
st.caption("本页由指标注册表自动生成：页面、导出与会议材料中的每个数字都按这里的口径计算。")

st.dataframe(pd.DataFrame(definitions_rows()), hide_index=True, width="stretch")

st.subheader("可调整的阈值（实施方案未规定的口径）")
st.dataframe(pd.DataFrame(settings_rows()), hide_index=True, width="stretch")

st.subheader("方向说明")
st.markdown("；".join(f"**{label}**" for label in DIRECTION_LABELS.values()) + "。")
