"""政策测算: a 低保标准, monitoring-line multiple and 三.2 threshold of the leader's choosing,
side by side with today, by town and for the city. Nothing is saved; one click puts the
scenario into this session's meeting pack (/briefing)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import streamlit as st

from data_access.db import get_engine
from data_access.models.governance import CITY_SCOPE
from data_access.reference import CITY_NAME
from metrics.domain.periods import Period
from metrics.domain.rules import Group
from metrics.what_if import Scenario, UnitWhatIf, WhatIfError, WhatIfResult, today_standard, what_if
from pages.ui import exports
from pages.ui.context import current

SESSION_KEY = "policy_scenario"  # read by pages/briefing.py
SHORT = {
    Group.FLOOR.value: "低保",
    Group.MONITORED.value: "低保边缘",
    Group.ABOVE.value: "监测线以上",
    "unknown": "未评估收入",
}

ctx = current()
f = ctx.filters
exports.reset_tables()
towns = f.towns if f.scope == CITY_SCOPE else (f.scope,)
st.title("政策测算")
st.caption(f"{f.scope_md} · {f.period.label} · 测算结果，不是统计数据" + (" · 演示数据" if ctx.is_demo else ""))


@st.cache_data(ttl=600, show_spinner=False)
def _today(url: str, version: str, towns: tuple[str, ...], period_key: str) -> tuple[str, int, float, str]:
    with get_engine(url).connect() as conn:
        as_of, standard = today_standard(conn, towns=towns, period=Period.parse(period_key))
    return as_of.isoformat(), standard.amount_fen, standard.monitoring_multiplier, standard.effective_from.isoformat()


@st.cache_data(ttl=600, show_spinner="正在测算…")
def _result(url: str, version: str, towns: tuple[str, ...], period_key: str, scenario: Scenario) -> WhatIfResult:
    with get_engine(url).connect() as conn:
        return what_if(conn, towns=towns, period=Period.parse(period_key), scenario=scenario)


try:
    as_of_text, today_fen, today_multiplier, effective_text = _today(ctx.url, ctx.version, towns, f.period.key)
except WhatIfError as exc:
    st.info(str(exc))
    st.stop()

st.markdown(
    f"以 {as_of_text} 在册家庭各自最近一次收入评估为基础，假设自 {effective_text} 起执行的低保标准"
    "改为下面的数值，看各区镇家庭分组和生活救助（低保补差）年度支出的变化。"
    "默认值即现行标准，此时测算结果与“监测对象”页一致。"
)
left, middle, right = st.columns(3)
yuan = left.number_input(
    "低保标准（元/人·月）",
    min_value=1.0,
    max_value=100_000.0,
    value=today_fen / 100,
    step=10.0,
    format="%.2f",
    key="policy_standard",
)
multiplier = middle.number_input(
    "监测线倍数（监测线 = 倍数 × 低保标准）",
    min_value=1.0,
    max_value=5.0,
    value=float(today_multiplier),
    step=0.1,
    format="%.2f",
    key="policy_multiplier",
)
standard_fen = int((Decimal(str(yuan)) * 100).quantize(Decimal(1)))
line_yuan = round(standard_fen * round(float(multiplier), 4)) / 100
same_line = right.checkbox("三.2 门槛 = 监测线", value=True, key="policy_temporary_same")  # whole at 1024 px
temporary_fen: int | None = None
if not same_line:
    temporary_yuan = right.number_input(
        "三.2 临时救助门槛（元/人·月）",
        min_value=1.0,
        max_value=500_000.0,
        value=line_yuan,
        step=10.0,
        format="%.2f",
        key="policy_temporary",
    )
    temporary_fen = int((Decimal(str(temporary_yuan)) * 100).quantize(Decimal(1)))
else:
    right.caption(f"门槛：{line_yuan:,.2f} 元/人·月（随监测线）")

try:
    scenario = Scenario(standard_fen, round(float(multiplier), 4), temporary_fen)
except WhatIfError as exc:
    st.error(str(exc))
    st.stop()
result = _result(ctx.url, ctx.version, towns, f.period.key, scenario)
now, new = result.current, result.proposed


def _wan(fen: int) -> float:
    return round(fen / 1_000_000, 2)


st.caption(
    f"现行：低保标准 {now.floor_fen / 100:,.2f} 元/人·月，监测线 {now.monitoring_line_fen / 100:,.2f} 元/人·月；"
    f"测算：低保标准 {new.floor_fen / 100:,.2f} 元/人·月，监测线 {new.monitoring_line_fen / 100:,.2f} 元/人·月，"
    f"三.2 门槛 {result.temporary_line_fen / 100:,.2f} 元/人·月。"
)
total = result.total


def _change(diff: float, text: str) -> dict[str, str]:
    """A change against today for a card: no arrow and 与现行相同 when nothing moves (an arrow on
    +0 would read as a rise)."""
    if diff == 0:
        return {"delta": "与现行相同", "delta_color": "off", "delta_arrow": "off"}
    return {"delta": f"较现行 {text}", "delta_color": "off"}


a, b, c, d = st.columns(4)
a.metric("变动分组的家庭", f"{total.moved_households:,} 户", help=f"涉及 {total.moved_persons:,} 人")
floor_change = total.scenario.households[Group.FLOOR.value] - total.today.households[Group.FLOOR.value]
monitored_change = total.scenario.monitored_households - total.today.monitored_households
budget_change = _wan(total.living_budget_change_fen)
b.metric(
    "低保户（兜底线以下）",
    f"{total.scenario.households[Group.FLOOR.value]:,} 户",
    **_change(floor_change, f"{floor_change:+,} 户"),
)
c.metric(
    "监测对象（监测线以下）",
    f"{total.scenario.monitored_households:,} 户",
    **_change(monitored_change, f"{monitored_change:+,} 户"),
)
d.metric(
    "生活救助（低保补差）年度支出",
    f"{_wan(total.scenario.living_budget_fen):,.2f} 万元",
    **_change(round(budget_change, 2), f"{budget_change:+,.2f} 万元"),
)


def _row(name: str, unit: UnitWhatIf) -> dict[str, object]:
    row: dict[str, object] = {"区镇": name}
    for group in (Group.FLOOR.value, Group.MONITORED.value, Group.ABOVE.value):
        row[f"{SHORT[group]}（现，户）"] = unit.today.households[group]
        row[f"{SHORT[group]}（测算，户）"] = unit.scenario.households[group]
    row["监测对象人数（现，人）"] = unit.today.monitored_persons
    row["监测对象人数（测算，人）"] = unit.scenario.monitored_persons
    row["变动户数（户）"] = unit.moved_households
    row["变动人数（人）"] = unit.moved_persons
    row["三.1 按月生活救助（现，户）"] = unit.today.monthly_living_households
    row["三.1 按月生活救助（测算，户）"] = unit.scenario.monthly_living_households
    row["三.2 临时救助符合（现，户）"] = unit.today.temporary_households
    row["三.2 临时救助符合（测算，户）"] = unit.scenario.temporary_households
    row["低保补差年度支出（现，万元）"] = _wan(unit.today.living_budget_fen)
    row["低保补差年度支出（测算，万元）"] = _wan(unit.scenario.living_budget_fen)
    row["变化（万元）"] = _wan(unit.living_budget_change_fen)
    return row


st.subheader("各区镇对比")
frame = pd.DataFrame(
    [_row(f.town_names.get(u.code, u.code), u) for u in result.units]
    + [_row(f"{CITY_NAME if f.is_city else f.scope_name}合计", total)]
)
exports.collect("政策测算_各区镇", frame)
st.dataframe(
    frame,
    hide_index=True,
    width="stretch",
    column_config={k: st.column_config.NumberColumn(format="%,.2f") for k in frame.columns if "万元" in k},
)
moves = [
    {"现分组": SHORT[a_], "测算分组": SHORT[b_], "户数（户）": h, "人数（人）": p}
    for (a_, b_), (h, p) in sorted(total.moves.items())
    if a_ != b_ and h
]
st.markdown("**分组变动（合计）**")
if moves:
    exports.collect("政策测算_分组变动", pd.DataFrame(moves))
    st.dataframe(pd.DataFrame(moves), hide_index=True)
else:
    st.caption("没有家庭变动分组。")
st.caption(
    "分组规则（二(一).1）：月家庭人均收入 I < 低保标准 S 为低保（兜底线以下），S ≤ I < 监测线 M 为低保边缘，"
    "I ≥ M 为监测线以上（可退出）；与“监测对象”页使用同一计算。"
    "生活救助支出（三.1）：低于低保标准的家庭纳入城乡低保，按 (S − I) × 家庭人口数 × 12 个月计算年度低保补差；"
    "S ≤ I < M 且有重度残疾或重病成员的家庭按月生活救助，方案未规定金额，只计户数。"
    "临时救助（三.2）：当年1月至申请当月，家庭可支配收入扣除医疗费用后月人均低于门槛；"
    f"{effective_text} 以后评估的家庭按测算门槛，此前评估的仍按当月生效的监测线。"
    "测算为估算，实际发放以审批为准。"
)
exports.excel_button("政策测算")

st.divider()
st.markdown("本页只做测算，不保存任何数据。新标准须由管理员在 [标准管理](/standards) 页录入生效日期后才会执行。")
if st.button("加入会议材料", type="primary", icon=":material/add_chart:", key="policy_add"):
    st.session_state[SESSION_KEY] = scenario
saved = st.session_state.get(SESSION_KEY)
if isinstance(saved, Scenario):
    line = (
        f"本次会话的会议材料将包含政策测算页：低保标准 {saved.standard_fen / 100:,.2f} 元/人·月，"
        f"监测线倍数 {saved.multiplier:g}"
    )
    if saved.temporary_line_fen is not None:
        line += f"，三.2 门槛 {saved.temporary_line_fen / 100:,.2f} 元/人·月"
    st.success(line + "。请到 [会议材料](/briefing) 页生成。")
