"""区镇画像: one town on one page, every KPI against its goals, with its rank among the towns."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from data_access import supervision
from data_access.db import get_engine
from metrics import format as fmt
from metrics.domain.attainment import STATUS_ICONS, STATUS_LABELS, Status
from metrics.registry import DOMAINS, KPI_BY_KEY
from metrics.supervision import movement
from pages.ui import drill, exports, store
from pages.ui.cards import card_row
from pages.ui.context import current
from pages.ui.tables import table

ctx = current()
f = ctx.filters
exports.reset_tables()
st.title("区镇画像")

if f.is_city:
    st.caption(f"{f.period.label}")
    st.info("请选择一个区镇：区镇画像汇集该区镇全部指标、目标完成情况及在全市的排名。")
    choice = st.selectbox(
        "区镇", options=list(f.towns), format_func=lambda c: f.town_names.get(c, c), index=None, placeholder="选择区镇"
    )
    if choice:
        drill.open_town(choice)
    st.stop()

whole_city = len(f.towns) > 1  # a town operator sees one town: no rank, no city column
st.caption(
    f"{f.scope_md} · {f.period.label} · 对照该区镇目标"
    + ("，排名为在各区镇中的位次（1 为最好）" if whole_city else "；全市数值与排名仅向可查看全市的账号显示")
)
drill.breadcrumbs(f, key="town")
profile = store.profile(ctx.url, ctx.version, f.towns, f.period.key, f.scope)

for domain, label in DOMAINS.items():
    rows = profile.get(domain, [])
    if not rows:
        continue
    st.subheader(label)
    card_row([r.figure for r in rows if r.figure.target is not None][:4], per_row=4)
    table(
        f"{label}",
        pd.DataFrame(
            [
                {
                    "指标": f"{r.figure.kpi.label}（{r.figure.kpi.unit}）",
                    "本区镇": fmt.kpi_value(r.figure.kpi, r.figure.value),
                    "目标": fmt.kpi_value(r.figure.kpi, r.figure.target) if r.figure.target is not None else "—",
                    "状态": f"{STATUS_ICONS[r.figure.status]} {STATUS_LABELS[r.figure.status]}",
                    **(
                        {
                            "排名": f"{r.rank} / {r.ranked}" if r.rank is not None else "—",
                            "全市": fmt.kpi_value(r.figure.kpi, r.city_value),
                        }
                        if whole_city
                        else {}
                    ),
                    "责任单位": r.figure.kpi.department,
                    "说明": r.figure.incomplete or r.figure.basis or "",
                }
                for r in rows
            ]
        ),
    )

st.subheader("督办事项")
town_tasks = supervision.ordered(
    supervision.list_tasks(get_engine(ctx.url), principal=ctx.principal, town_code=f.scope), date.today()
)
if town_tasks:
    now = store.task_figures(
        ctx.url, ctx.version, f.towns, tuple((t.id, t.kpi_key, t.town_code, t.period) for t in town_tasks)
    )
    table(
        "督办事项",
        pd.DataFrame(
            [
                {
                    "编号": t.id,
                    "状态": supervision.STATUS_LABELS[t.status(date.today())],
                    "指标": KPI_BY_KEY[t.kpi_key].label if t.kpi_key in KPI_BY_KEY else t.kpi_key,
                    "期间": t.period,
                    "督办时": fmt.kpi_value(KPI_BY_KEY[t.kpi_key], t.frozen_value) if t.kpi_key in KPI_BY_KEY else "—",
                    "当前": fmt.kpi_value(KPI_BY_KEY[t.kpi_key], now[t.id].value) if t.id in now else "—",
                    "变化": movement(t, now.get(t.id)),
                    "期限": f"{t.deadline:%Y-%m-%d}",
                }
                for t in town_tasks
            ]
        ),
    )
else:
    st.caption("该区镇暂无督办事项。")
if supervision.may_create(ctx.principal):
    lagging = [r.figure for rows in profile.values() for r in rows if r.figure.status in (Status.RED, Status.AMBER)]
    if lagging:
        st.caption("对落后、接近目标的指标发起督办：")
        links = st.container(horizontal=True, gap="small")
        for figure in lagging:
            links.page_link(
                "pages/supervision.py",
                label=f"督办：{figure.kpi.short}（{STATUS_LABELS[figure.status]}）",
                icon=":material/assignment:",
                query_params={"kpi": figure.kpi.key, "town": f.scope, "period": f.period.key, "scope": f.scope},
            )

st.divider()
exports.excel_button("区镇画像")
