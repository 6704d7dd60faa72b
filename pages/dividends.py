"""集体经济分红: each cooperative against 五.2 (>= 5 % growth or >= 30 % of net income),
towns side by side, 富民 dividends to low-income households, economically weak villages."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from briefing import charts
from metrics.registry import DOMAIN_CARDS
from pages.ui import exports, league, store
from pages.ui.cards import card_row
from pages.ui.context import current
from pages.ui.page import chart, header
from pages.ui.tables import table

CARDS = DOMAIN_CARDS["dividends"]
FEN_PER_WAN = 1_000_000

ctx = current()
f = ctx.filters
header("集体经济分红", f, key="dividends")
view = store.domain(ctx.url, ctx.version, f.towns, f.period.key, f.scope, CARDS, CARDS, f.village)
detail = store.detail(ctx.url, ctx.version, f.towns, f.period.key, f.scope, f.village, "dividends", ctx.principal)

st.caption(
    "目标（实施方案五.2）：社区股份合作社红利分配总额同比增长 5% 或达到净收益的 30% 及以上，两项满足其一即达标。"
)
card_row(view.cards, per_row=3)
village_slot = st.container()  # a selected village's own lists, right under its cards
unit_label = "区镇" if view.level == "town" else "村(社区)"
st.subheader("各区镇对照目标" if view.level == "town" else f"{f.scope_md}各村(社区)")
league.show(f, view.units, view.league, CARDS, key="dividends_league", level=view.level)


def _rural() -> None:
    """五.1 resources for villages and 五.3 industry links: monthly feeds, so they follow the
    selected period itself (the dividend tables above show the latest reported year)."""
    rural = store.detail(ctx.url, ctx.version, f.towns, f.period.key, f.scope, None, "rural", ctx.principal)
    st.subheader(f"乡村振兴资源倾斜与联农带农（五.1、五.3，{f.period.label}）")
    table("乡村振兴", pd.DataFrame(rural.per_unit))
    if rural.categories:
        table("乡村振兴项目领域", pd.DataFrame(rural.categories))
    st.caption(
        "项目投入：开工日期在期内的乡村振兴项目；投向薄弱村为其中经济相对薄弱村的项目（农业农村局数据）。"
        "联农带农覆盖率：期末低保、低保边缘家庭中与龙头企业、合作社或家庭农场有利益联结的比例。"
        "薄弱村名单只有现状，没有逐年进出记录，“每年摘帽多少个”暂无法统计。"
    )


if detail is None or detail.year is None:
    st.info("尚无年度分红数据。")
    _rural()
    st.stop()


def _growth(totals: dict[str, int]) -> float | None:
    """Dividends on last year for the same cooperatives, in %."""
    if not totals.get("previous_fen"):
        return None
    return round((totals["dividends_fen"] / totals["previous_fen"] - 1) * 100, 1)


names = [name for _, name in view.units]
codes = [code for code, _ in view.units]
rows = detail.cooperatives
unit_of = (lambda r: r.town_code) if view.level == "town" else (lambda r: r.village_code)
met = {c: sum(1 for r in rows if unit_of(r) == c and r.met) for c in codes}
missed = {c: sum(1 for r in rows if unit_of(r) == c and not r.met) for c in codes}
if view.level == "town":
    fig = charts.stacked_bars(
        names=names,
        codes=codes,
        series=[
            ("达标", [met[c] for c in codes], charts.status_colour("green")),
            ("未达标", [missed[c] for c in codes], charts.status_colour("red")),
        ],
        unit="个",
        title=f"{detail.year}年度各区镇合作社达标情况（个）",
        horizontal=len(names) > charts.HORIZONTAL_FROM,
    )
    chart(fig, f, name="合作社达标情况", key="dividends_met")
else:
    # In a town a leader asks which cooperatives miss 五.2 and by how much: each one against
    # the two lines (growth ≥ 5 % or ≥ 30 % of net income).
    shown = [r for r in rows if r.village_code in codes]
    fig = charts.cooperative_targets(
        names=[r.name for r in shown],
        growth=[r.growth for r in shown],
        share=[r.share for r in shown],
        met=[r.met for r in shown],
        title=f"{detail.year}年度各合作社对照五.2目标（{len(shown)}个）",
    )
    chart(fig, f, name="合作社对照分红目标", key="dividends_coops", drillable=False)

st.subheader(f"{detail.year}年度各区镇汇总" if view.level == "town" else f"{detail.year}年度各村(社区)汇总")
table(
    "年度汇总",
    pd.DataFrame(
        [
            {
                unit_label: name,
                "合作社（个）": met[code] + missed[code],
                "达标（个）": met[code],
                "净收益（万元）": round(detail.town_totals.get(code, {}).get("net_income_fen", 0) / FEN_PER_WAN, 2),
                "红利分配总额（万元）": round(
                    detail.town_totals.get(code, {}).get("dividends_fen", 0) / FEN_PER_WAN, 2
                ),
                "红利同比增长（%）": _growth(detail.town_totals.get(code, {})),
                "经济薄弱村（个）": detail.town_totals.get(code, {}).get("weak", 0),
                "富民分红户数（户）": detail.fumin.get(code, (0, 0))[0],
                "富民分红金额（万元）": round(detail.fumin.get(code, (0, 0))[1] / FEN_PER_WAN, 2),
            }
            for code, name in view.units
        ]
    ),
)

st.subheader("各合作社明细")
only_missed = st.toggle("只看未达标的合作社", value=view.level == "town", key="dividends_only_missed")
shown = [r for r in rows if not only_missed or not r.met]
table(
    "合作社明细",
    pd.DataFrame(
        [
            {
                "合作社": r.name,
                "区镇": f.town_names.get(r.town_code, r.town_code),
                "经济薄弱村": "是" if r.weak else "",
                "净收益（万元）": round(r.net_income_fen / FEN_PER_WAN, 2),
                "红利分配（万元）": round(r.dividends_fen / FEN_PER_WAN, 2),
                "上年红利（万元）": round(r.previous_fen / FEN_PER_WAN, 2) if r.previous_fen is not None else None,
                "同比增长（%）": round(r.growth, 1) if r.growth is not None else None,
                "占净收益（%）": round(r.share, 1) if r.share is not None else None,
                "五.2目标": r.outcome_label,
            }
            for r in shown
        ],
        columns=[
            "合作社",
            "区镇",
            "经济薄弱村",
            "净收益（万元）",
            "红利分配（万元）",
            "上年红利（万元）",
            "同比增长（%）",
            "占净收益（%）",
            "五.2目标",
        ],
    ),
)
st.caption(f"共 {len(rows)} 个合作社报送{detail.year}年度数据，显示 {len(shown)} 个。")
_rural()

st.divider()
exports.excel_button("集体经济分红")
