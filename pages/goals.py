"""目标管理: goals per KPI, scope (全市 or town) and period, edited in a table or imported;
where the KPI adds up, town goals are checked against the city goal; every change is kept."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access.db import get_engine
from data_access.ingest import KINDS, template_csv, template_name, template_xlsx
from data_access.ingest.templates import CSV_MIME, XLSX_MIME
from data_access.models.governance import CITY_SCOPE
from data_access.reference import CITY_NAME
from metrics import goals
from metrics.domain.periods import Period, PeriodError
from metrics.registry import KPI_BY_KEY, KPIS
from pages.ui.context import current
from pages.ui.intake import acting_user, after_write, plain, show_flash

ctx = current()
if not ctx.principal.is_admin:
    st.error("仅管理员可使用此页面（导入、目标、标准的修改均需管理员权限）。")
    st.stop()
f = ctx.filters
engine = get_engine(ctx.url)
st.title("目标管理")
st.caption("领导小组按指标、范围和期间设定目标；修改即留痕（原值、新值、修改人、时间），各页面立即按新目标显示。")
show_flash()

left, right = st.columns([2, 1])
kpi_key = left.selectbox(
    "指标",
    options=[k.key for k in KPIS],
    format_func=lambda k: f"{KPI_BY_KEY[k].label}（{KPI_BY_KEY[k].unit}）",
    key="goals_kpi",
)
kpi = KPI_BY_KEY[kpi_key]
period_text = right.text_input("期间", value=str(f.data_date.year), key="goals_period", help="2025、2025-Q3 或 2025-09")
try:
    period = Period.parse(period_text)
except PeriodError as exc:
    st.error(str(exc))
    st.stop()

scopes = [(CITY_SCOPE, CITY_NAME), *((t, f.town_names.get(t, t)) for t in f.towns)]
with engine.connect() as conn:
    stored = goals.goals_for(conn, kpi_key=kpi_key, period=period.key)
before = [
    {
        "scope_code": code,
        "范围": name,
        "目标值": stored[code]["target"] if code in stored else None,
        "备注": stored[code]["note"] if code in stored else "",
        "最近修改": f"{stored[code]['updated_at']:%Y-%m-%d %H:%M}" if code in stored else "",
        "修改人": stored[code]["updated_by"] if code in stored else "",
    }
    for code, name in scopes
]
st.subheader(f"{kpi.label} · {period.label}")
st.caption(f"单位：{kpi.unit}。清空目标值即删除该目标。" + ("百分比目标不超过 100。" if kpi.is_rate else ""))
# Counts are whole numbers; rates take one decimal, 万元 two.
step, fmt = (0.01, "%.2f") if kpi.decimals >= 2 else ((0.1, "%.1f") if kpi.is_rate else (1.0, "%.0f"))
edited = st.data_editor(
    pd.DataFrame(before),
    key=f"goals_editor_{kpi_key}_{period.key}",
    hide_index=True,
    width="stretch",
    height=35 * (len(before) + 1) + 3,
    num_rows="fixed",
    disabled=["范围", "最近修改", "修改人"],
    column_order=["范围", "目标值", "备注", "最近修改", "修改人"],
    column_config={
        "目标值": st.column_config.NumberColumn(
            f"目标值（{kpi.unit}）", min_value=0.0, max_value=100.0 if kpi.is_rate else None, step=step, format=fmt
        ),
        "备注": st.column_config.TextColumn("备注", max_chars=200),
    },
)


# The editor's columns back to the goal fields, to find the rows the user changed.
fields = {"scope_code": "scope_code", "目标值": "target", "备注": "note"}
edits = goals.table_edits(
    [{fields[k]: v for k, v in row.items() if k in fields} for row in before],
    [{fields[k]: v for k, v in row.items() if k in fields} for row in edited.to_dict("records")],
)
user = acting_user(ctx, key="goals_user", label="修改人")
if st.button(f"保存修改（{len(edits)} 项）", type="primary", disabled=not edits or not user, key="goals_save"):
    try:
        result = goals.save_goals(engine, kpi_key=kpi_key, period=period.key, edits=edits, user=user)
    except goals.GoalError as exc:
        st.error(plain(exc))
    else:
        after_write(result.message)

st.subheader("区镇目标与全市目标是否一致")
with engine.connect() as conn:
    mismatches = goals.additivity(conn)
if not goals.is_additive(kpi):
    st.caption(f"“{kpi.label}”单位为 {kpi.unit}，是比率，区镇目标不能相加，不做合计核对。")
own = [m for m in mismatches if m.kpi_key == kpi_key]
if goals.is_additive(kpi) and not own:
    st.success("该指标各期间的区镇目标之和均等于全市目标。")
if mismatches:
    st.warning(f"{len(mismatches)} 处可加总指标的区镇目标之和与全市目标不一致：")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "指标": KPI_BY_KEY[m.kpi_key].label,
                    "期间": m.period,
                    "全市目标": m.city,
                    "区镇目标合计": m.towns_total,
                    "相差": m.difference,
                    "已设目标的区镇": f"{m.towns_with_goal}/{m.towns}",
                    "说明": m.describe(KPI_BY_KEY[m.kpi_key].label),
                }
                for m in mismatches
            ]
        ),
        hide_index=True,
        width="stretch",
    )

st.subheader("修改历史")
show_all = st.toggle("显示所有指标的修改历史", value=False, key="goals_history_all")
with engine.connect() as conn:
    changes = goals.history(conn, kpi_key=None if show_all else kpi_key, limit=500)
if changes:
    names = {CITY_SCOPE: CITY_NAME, **f.town_names}
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "时间": f"{h['changed_at']:%Y-%m-%d %H:%M}",
                    "指标": KPI_BY_KEY[h["kpi_key"]].label if h["kpi_key"] in KPI_BY_KEY else h["kpi_key"],
                    "范围": names.get(h["scope_code"], h["scope_code"]),
                    "期间": h["period"],
                    "原目标": h["old_target"],
                    "新目标": h["new_target"],
                    "原备注": h["old_note"] or "",
                    "新备注": h["new_note"] or "",
                    "修改人": h["changed_by"],
                    "来源": h["source"],
                }
                for h in changes
            ]
        ),
        hide_index=True,
        width="stretch",
    )
else:
    st.caption("尚无修改记录。")

st.subheader("批量导入目标")
st.caption("按模板填写后在“数据导入”页选择“目标”类型导入；导入的修改同样留痕，并可整批撤销。")
template = KINDS["goals"]
left, right = st.columns(2)
left.download_button(
    "下载目标 Excel 模板",
    data=template_xlsx(template),
    file_name=template_name(template, "xlsx"),
    mime=XLSX_MIME,
    key="goals_template_xlsx",
)
right.download_button(
    "下载目标 CSV 模板",
    data=template_csv(template),
    file_name=template_name(template, "csv"),
    mime=CSV_MIME,
    key="goals_template_csv",
)
