"""社会保障衔接: pension coverage ("一个不少"), medical insurance (应保尽保) and long-term
care of the monitored population, by unit, with the uncovered listed at village level;
资助参保 (四.2, 四.3) and 干部挂钩联系 (六.2) by unit, with a village's unvisited households."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from briefing import charts
from metrics.domains.social import CADRE_DEPARTMENTS, SCHEME_DEPARTMENTS, SCHEME_KPIS, SCHEME_LABELS
from metrics.registry import DOMAIN_CARDS
from pages.ui import exports, league, privacy, store
from pages.ui.cards import card_row
from pages.ui.context import current
from pages.ui.page import chart, header
from pages.ui.tables import table

CARDS = DOMAIN_CARDS["social"]

ctx = current()
f = ctx.filters
header("社会保障衔接", f, key="social")
view = store.domain(ctx.url, ctx.version, f.towns, f.period.key, f.scope, CARDS, CARDS, f.village)
detail = store.detail(ctx.url, ctx.version, f.towns, f.period.key, f.scope, f.village, "social", ctx.principal)

card_row(view.cards, per_row=3)
village_slot = st.container()  # a selected village's own lists, right under its cards
st.subheader("各区镇对照目标" if view.level == "town" else f"{f.scope_md}各村(社区)")
league.show(f, view.units, view.league, CARDS, key="social_league", level=view.level)

names = [name for _, name in view.units]
codes = [code for code, _ in view.units]
SCHEME_COLOURS = {"pension": charts.VALUE_COLOUR, "medical": "#F28E2B", "ltc": "#8E5EA2"}
fig = charts.dots_with_goal(
    names=names,
    codes=codes,
    series=[
        (SCHEME_LABELS[scheme], [view.league[c][key].value for c in codes], SCHEME_COLOURS[scheme])
        for scheme, key in SCHEME_KPIS.items()
    ],
    goal=100.0,
    unit="%",
    title=f"各{'区镇' if view.level == 'town' else '村(社区)'}参保覆盖率（目标100%，{f.period.label}）",
)
chart(fig, f, name="参保覆盖率", key="social_coverage")

if f.village:
    with village_slot:
        st.subheader(f"{f.village_md}：应参保未参保人员")
        privacy.person_list(
            "应参保未参保人员",
            detail.uncovered if detail else [],
            departments=sorted(set(SCHEME_DEPARTMENTS.values())),
            unmasked=lambda: (
                store.detail_unmasked(
                    ctx.url, f.towns, f.period.key, f.scope, f.village, "social", ctx.principal
                ).uncovered
            ),
            empty_text="该村(社区)监测对象均已参保（或您无权查看相关险种名单）。",
            key="social_list",
        )
        st.subheader(f"{f.village_md}：未挂钩或近{detail.visit_days if detail else 90}天未走访的监测户")
        privacy.person_list(
            "未挂钩或未走访监测户",
            detail.unvisited if detail else [],
            departments=list(CADRE_DEPARTMENTS),
            unmasked=lambda: (
                store.detail_unmasked(
                    ctx.url, f.towns, f.period.key, f.scope, f.village, "social", ctx.principal
                ).unvisited
            ),
            empty_text="该村(社区)监测户均已挂钩干部并在期内走访。",
            key="cadre_list",
        )
elif not f.is_city:
    st.caption("选择一个村(社区)可查看应参保未参保人员和未挂钩、未走访监测户名单。")

if detail is not None and detail.subsidy:
    st.subheader("资助参保（四.2、四.3）")
    table("资助参保", pd.DataFrame(detail.subsidy))
    st.caption(
        "低保、低保边缘家庭中期末参保的成员（按人去重）；养老为城乡居民养老保险（人社局数据），"
        "医保为居民医保（医保局数据）。养老金待遇水平暂无数据来源，未列示。"
    )
if detail is not None and detail.welfare:
    st.subheader("防贫保险（三.7）与老年人福利保障（四.4）")
    table("防贫保险与老年人福利保障", pd.DataFrame(detail.welfare))
    st.caption(
        f"防贫保险参保率：低保、低保边缘家庭成员中期末在保的比例（农业农村局数据，按人去重）。"
        f"老年人探访率：这些家庭中{detail.elderly_age}岁及以上老人在期末前{detail.elderly_visit_days}天内"
        "（含当天）接受居家探访的比例；适老化改造为期内完成改造的户数（民政局数据）。年龄和天数为设置项。"
    )
if detail is not None and detail.linkage:
    st.subheader("干部挂钩联系（六.2）")
    table("干部挂钩联系", pd.DataFrame(detail.linkage))
    st.caption(
        f"走访：挂钩干部最近一次走访在期末前{detail.visit_days}天内（含第{detail.visit_days}天），天数为设置项。"
    )

st.divider()
exports.excel_button("社会保障衔接")
