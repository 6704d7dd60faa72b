"""社会力量: 结对帮扶 and 志愿服务 (六.2, 六.4), 慈善资金 raised, spent and disclosed (六.3), and
统筹整合资金 (组织保障.2), by unit against goals, with where the funds came from and went."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.registry import DOMAIN_CARDS, KPI_BY_KEY
from pages.ui import exports, league, store
from pages.ui.cards import card_row
from pages.ui.context import current
from pages.ui.goal_bars import goal_bars
from pages.ui.page import header
from pages.ui.tables import table

CARDS = DOMAIN_CARDS["forces"]

ctx = current()
f = ctx.filters
header("社会力量", f, key="forces")
view = store.domain(ctx.url, ctx.version, f.towns, f.period.key, f.scope, CARDS, CARDS, f.village)
detail = store.detail(ctx.url, ctx.version, f.towns, f.period.key, f.scope, None, "forces", ctx.principal)

card_row(view.cards, per_row=3)
st.subheader("各区镇对照目标" if view.level == "town" else f"{f.scope_md}各村(社区)")
league.show(f, view.units, view.league, CARDS, key="forces_league", level=view.level)


goal_bars(view, f, kpi_key="pairing_rate", title="期末结对帮扶覆盖率", name="结对帮扶覆盖率", key="forces_pairing")

if detail is not None and detail.categories:
    st.subheader("慈善资金来源与用途、统筹资金来源（六.3、组织保障.2）")
    table("资金来源与用途", pd.DataFrame(detail.categories))
    disclosure = KPI_BY_KEY["charity_disclosure_rate"]
    st.caption(
        f"{f.scope_md}，{f.period.label}。慈善资金由慈善总会报送，{disclosure.short}按使用金额计；"
        "统筹整合资金由财政局报送，不含救助预算（救助预算执行见“救助支出”）。"
    )

st.divider()
exports.excel_button("社会力量")
