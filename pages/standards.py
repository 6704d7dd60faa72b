"""标准管理: add a 低保标准 and monitoring multiplier with its effective date (rows are never
overwritten), after previewing which households would change group and what the monthly
低保补差 would cost."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import streamlit as st

from data_access import standards
from data_access.db import get_engine
from data_access.queries import reference
from data_access.reference import CITY_NAME
from metrics.domain.rules import GROUP_LABELS, Group, Standard
from metrics.standard_change import GROUPS, StandardPreview, TownChange, preview
from pages.ui.context import current
from pages.ui.intake import acting_user, after_write, plain, show_flash

ctx = current()
if not ctx.principal.is_admin:
    st.error("仅管理员可使用此页面（导入、目标、标准的修改均需管理员权限）。")
    st.stop()
f = ctx.filters
engine = get_engine(ctx.url)
st.title("标准管理")
st.caption(
    "低保标准（兜底线 S）每年 7 月 1 日调整，相对贫困监测线 M = 倍数 × S（二(一).1）。"
    "标准只增不改：新标准从生效日期起计算，此前各月仍按当时的标准。"
)
show_flash()

with engine.connect() as conn:
    rows = reference.standards(conn)
    feeds = {str(x["feed"]): x["data_date"] for x in reference.feeds(conn)}
st.subheader("标准历史")
st.dataframe(
    pd.DataFrame(
        [
            {
                "生效日期": f"{d:%Y-%m-%d}",
                "低保标准（元/人/月）": a / 100,
                "监测线倍数": m,
                "监测线（元/人/月）": Standard(d, a, m).monitoring_line_fen / 100,
                "来源与说明": s,
            }
            for d, a, m, s in reversed(rows)
        ]
    ),
    hide_index=True,
    width="stretch",
)
if not rows:
    st.info("尚无低保标准：请录入第一条标准。")
latest = Standard(rows[-1][0], rows[-1][1], rows[-1][2]) if rows else None

st.subheader("录入新标准")
next_july = date((latest.effective_from.year if latest else date.today().year - 1) + 1, 7, 1)
left, middle, right = st.columns(3)
yuan = left.number_input(
    "低保标准（元/人/月）",
    min_value=1.0,
    max_value=100_000.0,
    value=float(latest.amount_fen / 100) if latest else 1000.0,
    step=1.0,
    format="%.2f",
    key="standard_amount",
)
multiplier = middle.number_input(
    "监测线倍数",
    min_value=1.0,
    max_value=5.0,
    value=float(latest.monitoring_multiplier) if latest else 2.0,
    step=0.1,
    format="%.2f",
    key="standard_multiplier",
)
effective = right.date_input("生效日期", value=next_july, key="standard_effective", format="YYYY-MM-DD")
source = st.text_input("依据（文件名称或文号）", key="standard_source", max_chars=120)
amount_fen = int((Decimal(str(yuan)) * 100).quantize(Decimal(1)))
proposed = Standard(effective, amount_fen, round(float(multiplier), 4))

try:
    standards.validate(
        effective_from=effective,
        amount_fen=amount_fen,
        multiplier=proposed.monitoring_multiplier,
        latest=latest.effective_from if latest else None,
        today=date.today(),
    )
    problem = None
except standards.StandardError as exc:
    problem = str(exc)
if problem:
    st.error(problem)


SHORT = {Group.FLOOR: "低保", Group.MONITORED: "低保边缘", Group.ABOVE: "监测线以上"}
MONEY_COLUMNS = ("每月低保补差（现，元）", "每月低保补差（新，元）", "每月变化（元）")


def _town_row(name: str, change: TownChange) -> dict[str, object]:
    row: dict[str, object] = {"区镇": name, "在册户数": change.households}
    for group in GROUPS:
        row[f"{SHORT[group]}（现）"] = change.before[group]
        row[f"{SHORT[group]}（新）"] = change.after[group]
    row["变动户数"] = change.moved
    row["每月低保补差（现，元）"] = change.floor_relief_before_fen / 100
    row["每月低保补差（新，元）"] = change.floor_relief_after_fen / 100
    row["每月变化（元）"] = change.floor_relief_change_fen / 100
    return row


def _show(result: StandardPreview) -> None:
    st.subheader("调整影响预览")
    now, new = result.current, result.proposed
    st.caption(
        f"按 {result.as_of:%Y-%m-%d} 在册家庭各自最近一次收入评估测算："
        f"现行标准 {now.floor_fen / 100:,.2f} 元（监测线 {now.monitoring_line_fen / 100:,.2f} 元），"
        f"新标准 {new.floor_fen / 100:,.2f} 元（监测线 {new.monitoring_line_fen / 100:,.2f} 元）。"
    )
    total = result.total
    a, b, c = st.columns(3)
    a.metric("变动分组的家庭", f"{total.moved:,} 户")
    b.metric(
        "低保户（兜底线以下）",
        f"{total.after[Group.FLOOR]:,} 户",
        delta=f"{total.after[Group.FLOOR] - total.before[Group.FLOOR]:+,} 户",
        delta_color="off",
    )
    c.metric(
        "每月低保补差支出",
        f"{total.floor_relief_after_fen / 100:,.2f} 元",
        delta=f"{total.floor_relief_change_fen / 100:+,.2f} 元",
        delta_color="off",
    )
    frame = pd.DataFrame(
        [_town_row(f.town_names.get(t.town_code, t.town_code), t) for t in result.towns]
        + [_town_row(f"{CITY_NAME}合计", total)]
    )
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        height=35 * (len(frame) + 1) + 3,
        column_config={c: st.column_config.NumberColumn(format="%,.2f") for c in MONEY_COLUMNS},
    )
    st.caption("现：按现行标准；新：按拟录入的标准。监测线以上的家庭为可退出对象。")
    moves = [
        {"原分组": GROUP_LABELS[a_], "新分组": GROUP_LABELS[b_], "户数（户）": n}
        for (a_, b_), n in sorted(total.moves.items())
        if a_ != b_ and n
    ]
    if moves:
        st.markdown("**分组变动（全市）**")
        st.dataframe(pd.DataFrame(moves), hide_index=True)
    st.caption("低保补差按 (S − I) × 家庭人口数计算，只含兜底线以下家庭；实际发放以审批为准。")


if latest is not None and problem is None:
    as_of = min(feeds.get("caseload", date.today()), date.today())
    with engine.connect() as conn:
        _show(preview(conn, towns=f.towns, as_of=as_of, current=latest, proposed=proposed))

user = acting_user(ctx, key="standard_user", label="录入人")
if st.button("保存新标准", type="primary", disabled=problem is not None or not user, key="standard_save"):
    try:
        standards.add_standard(
            engine,
            effective_from=effective,
            amount_fen=amount_fen,
            multiplier=proposed.monitoring_multiplier,
            source=source,
            user=user,
        )
    except standards.StandardError as exc:
        st.error(plain(exc))
    else:
        after_write(
            f"已保存新标准：{effective:%Y-%m-%d} 起 {amount_fen / 100:,.2f} 元/人/月，监测线倍数 {multiplier:g}。"
        )
