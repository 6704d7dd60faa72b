"""救助支出: spending by the seven relief types and by unit, the monthly trend, budget
execution against time, recipients, and 应助尽助."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from briefing import charts
from metrics.domain.periods import Period
from metrics.domains.relief import GAP_RULE_DEPARTMENTS, GAP_RULE_LABELS, TYPE_DEPARTMENTS, TYPE_LABELS
from metrics.registry import DOMAIN_CARDS
from pages.ui import exports, league, privacy, store
from pages.ui.cards import card_row
from pages.ui.context import current
from pages.ui.page import chart, header
from pages.ui.tables import table

CARDS = DOMAIN_CARDS["relief"]
LEAGUE = CARDS
FEN_PER_WAN = 1_000_000

ctx = current()
f = ctx.filters
header("救助支出", f, key="relief")
view = store.domain(ctx.url, ctx.version, f.towns, f.period.key, f.scope, CARDS, LEAGUE, f.village)
detail = store.detail(ctx.url, ctx.version, f.towns, f.period.key, f.scope, f.village, "relief", ctx.principal)

card_row(view.cards, per_row=3)
village_slot = st.container()  # a selected village's own lists, right under its cards
unit_label = "区镇" if view.level == "town" else "村(社区)"
st.subheader("各区镇对照目标" if view.level == "town" else f"{f.scope_md}各村(社区)")
league.show(f, view.units, view.league, LEAGUE, key="relief_league", level=view.level)

if detail is None:
    st.info("该期间尚无救助发放数据。")
    st.stop()

names = [name for _, name in view.units]
codes = [code for code, _ in view.units]
types = list(TYPE_LABELS)

st.subheader("按救助类型")
fig = charts.stacked_bars(
    names=names,
    codes=codes,
    series=[
        (
            TYPE_LABELS[t],
            [detail.by_type.get((c, t), {}).get("amount_fen", 0) / FEN_PER_WAN for c in codes],
            charts.RELIEF_COLOURS[t],
        )
        for t in types
    ],
    unit="万元",
    title=f"各{unit_label}救助支出（{f.period.label}）",
    decimals=2,
)
chart(fig, f, name="救助支出_按类型", key="relief_types")

totals = {
    t: {k: sum(detail.by_type.get((c, t), {}).get(k, 0) for c in codes) for k in ("amount_fen", "payments", "persons")}
    for t in types
}
table(
    "按救助类型",
    pd.DataFrame(
        [
            {
                "救助类型": TYPE_LABELS[t],
                "责任单位": TYPE_DEPARTMENTS[t],
                "支出（万元）": round(totals[t]["amount_fen"] / FEN_PER_WAN, 2),
                "户次": totals[t]["payments"],
                "人次": totals[t]["persons"],
                "户均（元/户次）": round(totals[t]["amount_fen"] / 100 / totals[t]["payments"], 2)
                if totals[t]["payments"]
                else None,
            }
            for t in types
        ]
    ),
)

months = detail.trend_months
trend = go.Figure()
for t in types:
    trend.add_trace(
        go.Bar(
            x=[Period.parse(m).start for m in months],
            y=[detail.trend.get((m, t), 0) / FEN_PER_WAN for m in months],
            name=TYPE_LABELS[t],
            marker_color=charts.RELIEF_COLOURS[t],
            hovertemplate=f"%{{x|%Y年%m月}}<br>{TYPE_LABELS[t]}：%{{y:,.2f}} 万元<extra></extra>",
        )
    )
trend.update_layout(barmode="stack")
trend = charts.base_layout(trend, title=f"{f.scope_name}救助支出月度走势（近{len(months)}个月）", y_title="万元")
trend.update_xaxes(tickformat="%Y-%m")
chart(trend, f, name="救助支出_月度走势", key="relief_trend", drillable=False)

if detail.budgets:
    st.subheader(f"{detail.budget_year}年预算执行（截至数据日期，灰色短横线为时间进度）")
    rows = detail.budgets
    due = rows[0].due_share * 100  # rows is not empty here
    budget_card = next((c for c in view.cards if c.kpi.key == "relief_budget_execution"), None)
    incomplete_budget = budget_card is not None and budget_card.incomplete is not None
    if budget_card is not None and budget_card.incomplete is not None:
        st.caption(f"{budget_card.incomplete}：执行率暂不作评判。")
    fig = charts.bars_vs_goal(
        names=names,
        codes=codes,
        values=[r.execution for r in rows],
        targets=[due] * len(rows),
        statuses=[
            # Spending still missing from a lagging department is not under-execution.
            "incomplete"
            if incomplete_budget
            else ("green" if (r.execution or 0) >= due else ("amber" if (r.execution or 0) >= due * 0.9 else "red"))
            for r in rows
        ],
        unit="%",
        title="预算执行率（%）",
    )
    chart(fig, f, name="预算执行率", key="relief_budget")
    table(
        "预算执行",
        pd.DataFrame(
            [
                {
                    "区镇": name,
                    "年度预算（万元）": round(r.budget_fen / FEN_PER_WAN, 2),
                    "已支出（万元）": round(r.spent_fen / FEN_PER_WAN, 2),
                    "执行率（%）": round(r.execution, 1) if r.execution is not None else None,
                    "时间进度（%）": round(r.due_share * 100, 1),
                }
                for (_, name), r in zip(view.units, rows, strict=True)
            ]
        ),
    )

st.subheader("应助尽助：符合条件但未获得救助")
gap_rows = []
for code, name in view.units:
    row: dict[str, object] = {unit_label: name}
    for rule, label in GAP_RULE_LABELS.items():
        eligible, unpaid = detail.gaps.get(rule, {}).get(code, (0, 0))
        row[f"{label}符合（户）"] = eligible
        row[f"{label}未获（户）"] = unpaid
    gap_rows.append(row)
table("应助尽助", pd.DataFrame(gap_rows))
st.caption(
    "判定日期："
    + "；".join(f"{GAP_RULE_LABELS[r]} {d:%Y-%m-%d}" for r, d in detail.gap_as_of.items())
    + "。回看期为系统设置项（生活救助按月，其余按年）。"
)
if f.village:
    with village_slot:
        st.subheader(f"{f.village_md}：应助未助家庭名单")
        privacy.person_list(
            "应助未助家庭名单",
            detail.gap_list,
            departments=sorted(set(GAP_RULE_DEPARTMENTS.values())),
            unmasked=lambda: (
                store.detail_unmasked(
                    ctx.url, f.towns, f.period.key, f.scope, f.village, "relief", ctx.principal
                ).gap_list
            ),
            empty_text="该村(社区)没有应助未助的家庭（或您无权查看其中的救助类型）。",
            key="relief_list",
        )
elif not f.is_city:
    st.caption("选择一个村(社区)可查看应助未助家庭名单。")

if detail.housing:
    st.subheader("住房保障：租赁补贴与购房补贴（三.5）")
    table("住房保障", pd.DataFrame(detail.housing).rename(columns={"单位": unit_label}))
    st.caption(
        "租赁补贴、购房补贴为期内发放的家庭数（按户去重）和金额（住建局数据）。三.5 的对象为因病、因教、因灾致贫"
        "且满足住房保障标准的家庭：住房保障标准未接入系统，“初筛对象”为期末在册、因病因教因灾致贫的低保、"
        "低保边缘户，“获保障比例”只作参考，不作为应助未助判定。"
    )

st.divider()
exports.excel_button("救助支出")
