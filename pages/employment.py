"""就业帮扶: key targets and placement against goal, channels, the funnel, training,
entrepreneurship support, the job reserve pool and 一人一策."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from briefing import charts
from data_access.reference import PLACEMENT_CHANNELS
from metrics.domains.employment import FUNNEL_STEPS, SUBSIDY_KINDS
from metrics.registry import DOMAIN_CARDS
from pages.ui import exports, league, store
from pages.ui.cards import card_row
from pages.ui.context import current
from pages.ui.goal_bars import goal_bars
from pages.ui.page import chart, header
from pages.ui.tables import table

CARDS = DOMAIN_CARDS["employment"]
FEN_PER_WAN = 1_000_000

ctx = current()
f = ctx.filters
header("就业帮扶", f, key="employment")
view = store.domain(ctx.url, ctx.version, f.towns, f.period.key, f.scope, CARDS, CARDS, f.village)
detail = store.detail(ctx.url, ctx.version, f.towns, f.period.key, f.scope, None, "employment", ctx.principal)

card_row(view.cards, per_row=3)
village_slot = st.container()  # a selected village's own lists, right under its cards
unit_label = "区镇" if view.level == "town" else "村(社区)"
st.subheader("各区镇对照目标" if view.level == "town" else f"{f.scope_md}各村(社区)")
league.show(f, view.units, view.league, CARDS, key="employment_league", level=view.level)

if detail is None:
    st.info("该期间尚无就业数据。")
    st.stop()

names = [name for _, name in view.units]
codes = [code for code, _ in view.units]
goal_bars(view, f, kpi_key="placement_rate", title="期末就业安置率", name="就业安置率", key="employment_rate")

left, right = st.columns(2)
with left:
    totals = {step: sum(detail.funnel.get(c, {}).get(step, 0) for c in codes) for step in FUNNEL_STEPS}
    retained = sum(detail.funnel.get(c, {}).get("retained", 0) for c in codes)
    steps = [*FUNNEL_STEPS.values(), f"稳定就业满{detail.retention_months}个月"]
    counts = [*totals.values(), retained]
    base = counts[0] or 1
    funnel = go.Figure(
        go.Bar(
            y=steps,
            x=counts,
            orientation="h",
            marker_color=charts.VALUE_COLOUR,
            # Two short lines: beside a bar at half a 1024 px page, one line is cut off.
            text=[f"{n:,} 人<br>（{n / base * 100:.0f}%）" for n in counts],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}：%{x:,} 人<extra></extra>",
        )
    )
    # Half a page wide: the note on the percentages goes on its own line, or the title is cut off.
    title = "帮扶进程（人）<br><span style='font-size:12px'>括号内为占重点帮扶对象比例</span>"
    funnel = charts.base_layout(funnel, title=title, y_title="")
    funnel.update_yaxes(autorange="reversed")
    # Labels beside the bars, with room for the longest bar's label.
    funnel.update_xaxes(range=[0, max(counts) * 1.8 if max(counts) else 1])
    charts.unit_label(funnel, "人")
    chart(funnel, f, name="就业帮扶进程", key="employment_funnel", drillable=False)
    st.caption(
        f"稳定就业：安置满{detail.retention_months}个月的对象中岗位持续满{detail.retention_months}个月的人数"
        "（观察期为设置项）。"
    )
with right:
    channels = list(PLACEMENT_CHANNELS)
    fig = charts.stacked_bars(
        names=names,
        codes=codes,
        series=[
            (PLACEMENT_CHANNELS[ch], [detail.new_by_channel.get((c, ch), 0) for c in codes], charts.CHANNEL_COLOURS[ch])
            for ch in channels
        ],
        unit="人次",
        # Half a page wide: the period goes on its own line, or the title is cut off.
        title=f"期内新增安置（人次，按渠道）<br><span style='font-size:12px'>{f.period.label}</span>",
        horizontal=True,
    )
    chart(fig, f, name="新增安置_按渠道", key="employment_channels")
    st.caption("按安置记录计（人次）：同一人期内多次安置各计一次；卡片“新增就业安置”按人数去重。")

st.subheader("技能培训与一人一策")
table(
    "技能培训与一人一策",
    pd.DataFrame(
        [
            {
                unit_label: name,
                "重点帮扶对象（人）": detail.funnel.get(code, {}).get("targets", 0),
                "有一人一策（人）": detail.funnel.get(code, {}).get("with_plan", 0),
                "期内开班培训（人次）": detail.trainings.get(code, {}).get("started", 0),
                "期内结业（人次）": detail.trainings.get(code, {}).get("completed", 0),
                "取得证书（人次）": detail.trainings.get(code, {}).get("certified", 0),
            }
            for code, name in view.units
        ]
    ),
)


def _ratio(vacancies: int, seekers: int) -> float | None:
    return round(vacancies / seekers, 2) if seekers else None


town_codes = codes if view.level == "town" else [f.scope]
town_names = names if view.level == "town" else [f.scope_name]
st.subheader("创业扶持（二(二).5）")
table(
    "创业扶持",
    pd.DataFrame(
        [
            {
                "区镇": name,
                **{
                    f"{label}（笔）": detail.subsidies.get((code, kind), (0, 0))[0]
                    for kind, label in SUBSIDY_KINDS.items()
                },
                "补贴金额（万元）": round(
                    sum(detail.subsidies.get((code, kind), (0, 0))[1] for kind in SUBSIDY_KINDS) / FEN_PER_WAN, 2
                ),
                "创业担保贷款（笔）": detail.loans.get(code, (0, 0, 0))[0],
                "贷款金额（万元）": round(detail.loans.get(code, (0, 0, 0))[1] / FEN_PER_WAN, 2),
                "贴息（万元）": round(detail.loans.get(code, (0, 0, 0))[2] / FEN_PER_WAN, 2),
            }
            for code, name in zip(town_codes, town_names, strict=True)
        ]
    ),
)
st.caption("创业补贴与贷款为期内发放。")
st.subheader("岗位储备库与供需对接（二(二).4）")
table(
    "岗位储备库",
    pd.DataFrame(
        [
            {
                "区镇": name,
                "储备岗位（个）": detail.job_pool.get(code, (0, 0))[0],
                "空缺人数（人）": detail.job_pool.get(code, (0, 0))[1],
                "待就业重点对象（人）": detail.supply.get(code, (0, 0))[1],
                "岗位供需比（岗/人）": _ratio(*detail.supply.get(code, (0, 0))),
            }
            for code, name in zip(town_codes, town_names, strict=True)
        ]
    ),
)
st.caption(
    "期末在库岗位及未补足的空缺；待就业重点对象为有劳动能力和就业意愿、期末未在岗的监测对象家庭劳动力。"
    "岗位供需比 = 空缺人数 ÷ 待就业重点对象，小于1表示岗位不足。"
)

st.divider()
exports.excel_button("就业帮扶")
