"""总览: the four headline figures against goals, the town scorecard, a trend, data dates."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from briefing import charts
from data_access import supervision
from metrics.completeness import due_date
from metrics.domain.attainment import Status
from metrics.overview import SCORECARD_KPIS
from pages.ui import exports, league, remarks, store
from pages.ui.cards import card_row
from pages.ui.context import current
from pages.ui.page import chart
from pages.ui.scorecard import show as show_scorecard


def feed_coverage(feed: str, reached, period) -> str:
    """Whether the feed reaches the end of the selected period (yearly feeds: their year end)."""
    due = due_date(feed, period)
    return "已覆盖" if reached >= due else "不完整"


ctx = current()
f = ctx.filters
data = store.overview(ctx.url, ctx.version, f.towns, f.period.key, f.scope)

exports.reset_tables()
st.title("相对贫困长效机制 · 总览")
st.caption(f"{f.scope_md} · {f.period.label} · 对照领导小组目标")

card_row(data.cards, remarks=remarks.for_cards(data.cards))
remarks.form(data.cards)

st.subheader("各区镇对照目标")
picked = show_scorecard(data.scorecard, SCORECARD_KPIS, f.town_names, key=f"scorecard_{f.period.key}")
if picked is not None and supervision.may_create(ctx.principal):
    if picked.status in (Status.RED, Status.AMBER):
        st.page_link(
            "pages/supervision.py",
            label=f"对{f.town_names.get(picked.scope, picked.scope)}“{picked.kpi.short}”发起督办",
            icon=":material/assignment:",
            query_params={"kpi": picked.kpi.key, "town": picked.scope, "period": f.period.key},
        )
    else:
        st.caption("督办针对落后或接近目标的单元格（红色、黄色）。")
numbers, _ = league.league_frame(
    [(code, f.town_names.get(code, code)) for code in data.scorecard], data.scorecard, SCORECARD_KPIS, "区镇"
)
exports.collect("各区镇对照目标", numbers)

kpi = data.trend_kpi
months = [p.period.start for p in data.trend]
fig = charts.trend_with_goal(
    months=months,
    values=[p.value for p in data.trend],
    targets=[p.target for p in data.trend],
    label=kpi.label,
    unit=kpi.unit,
    title=f"{f.scope_name}{kpi.label}月度走势（近{len(months)}个月，虚线为目标）",
)
chart(fig, f, name=f"{kpi.label}月度走势", key="overview_trend", drillable=False)

st.subheader("各部门数据报送情况")
confirmed = store.signoff_labels(ctx.url, f.period.key)
feeds = pd.DataFrame(
    [
        {
            "责任单位": feed["department"],
            "数据内容": feed["label"],
            "数据截至": f"{feed['data_date']:%Y-%m-%d}",
            "本期": feed_coverage(str(feed["feed"]), feed["data_date"], f.period),
            "本期确认": confirmed.get(str(feed["feed"]), "未确认"),
            "最近载入": str(feed["loaded_at"])[:16],
            "来源": feed["source"] + ("（演示数据）" if feed["is_demo"] else ""),
        }
        for feed in data.feeds
    ]
)
st.dataframe(feeds, hide_index=True, width="stretch")
st.caption("本期“不完整”：该部门数据未报送到本期期末，依赖它的指标标注“数据不全”，不作达标评判。")
exports.collect("数据报送情况", feeds)

st.divider()
exports.excel_button("总览")
