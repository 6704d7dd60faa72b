"""社会保障衔接: pension coverage ("一个不少"), medical insurance (应保尽保) and long-term
care of the monitored population, by unit, with the uncovered listed at village level."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.domains.social import SCHEME_KPIS, SCHEME_LABELS
from pages.ui import charts, league, store
from pages.ui.cards import card_row
from pages.ui.context import current
from pages.ui.page import chart, header
from pages.ui.tables import table

CARDS = tuple(SCHEME_KPIS.values())

ctx = current()
f = ctx.filters
header("社会保障衔接", f, key="social")
view = store.domain(ctx.url, ctx.version, f.towns, f.period.key, f.scope, CARDS, CARDS)
detail = store.detail(ctx.url, ctx.version, f.towns, f.period.key, f.scope, f.village, "social")

card_row(view.cards, per_row=3)
st.subheader("各区镇对照目标" if view.level == "town" else f"{f.scope_name}各村(社区)")
league.show(f, view.units, view.league, CARDS, key="social_league", level=view.level)

names = [name for _, name in view.units]
codes = [code for code, _ in view.units]
for column, (scheme, key) in zip(st.columns(len(SCHEME_KPIS)), SCHEME_KPIS.items(), strict=True):
    with column:
        figures = [view.league[c][key] for c in codes]
        fig = charts.bars_vs_goal(
            names=names,
            codes=codes,
            values=[x.value for x in figures],
            targets=[x.target for x in figures],
            statuses=[x.status for x in figures],
            unit="%",
            title=f"{SCHEME_LABELS[scheme]}覆盖率（%）",
        )
        fig.update_yaxes(range=[min([x.value for x in figures if x.value is not None] or [90]) - 2, 100.5])
        chart(fig, f, name=f"{SCHEME_LABELS[scheme]}覆盖率", key=f"social_{scheme}")

if f.village:
    st.subheader(f"{f.village_name}：应参保未参保人员（已脱敏）")
    if detail and detail.uncovered:
        table(pd.DataFrame(detail.uncovered))
    else:
        st.success("该村(社区)监测对象均已参保。")
elif not f.is_city:
    st.caption("选择一个村(社区)可查看应参保未参保人员名单。")
