"""监测对象: stock by group, entries and exits with the flow identity, the review pipeline,
causes, early warnings, review waiting times and 返贫; city -> town -> village."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import pandas as pd
import streamlit as st

from briefing import charts
from metrics import format as fmt
from metrics.domains.caseload import (
    GROUP_NAMES,
    LIST_DEPARTMENTS,
    STAGES,
    return_rows_by_cause,
    return_rows_by_unit,
    return_window_text,
    wait_rows,
)
from metrics.registry import DOMAIN_CARDS
from pages.ui import exports, league, privacy, store
from pages.ui.cards import card_row
from pages.ui.context import current
from pages.ui.page import chart, header
from pages.ui.tables import table

CARDS = DOMAIN_CARDS["caseload"]
RECONCILE = {
    "caseload_households": "期末在册户数 − 应退未退户数（收入已达监测线、尚未办理退出）= 本卡片户数，"
    "见“卡片与表格的关系”表；期初在册 + 新增 − 退出 = 期末在册，见“动态管理”表。",
    "new_entries": "等于“动态管理”表“新增”列之和。",
    "exits": "等于“动态管理”表“退出”列之和。",
    "overdue_reviews": "等于“两级审核进度”表各“超期”列之和。",
    "warning_households": "等于“风险预警”表“预警户数”列之和。",
    "returns_rate": "等于“返贫监测”表合计：观察期内返贫户数 ÷ 同组退出户数。",
}

ctx = current()
f = ctx.filters
header("监测对象", f, key="caseload")
view = store.domain(ctx.url, ctx.version, f.towns, f.period.key, f.scope, CARDS, CARDS, f.village)
detail = store.detail(ctx.url, ctx.version, f.towns, f.period.key, f.scope, f.village, "caseload", ctx.principal)

card_row(view.cards, reconcile=RECONCILE)
village_slot = st.container()  # a selected village's own lists, right under its cards

st.subheader("各区镇对照目标" if view.level == "town" else f"{f.scope_md}各村(社区)")
league.show(f, view.units, view.league, CARDS, key="caseload_league", level=view.level)

if detail is None:
    st.info("该期间尚无监测对象数据。")
    st.stop()

names = [name for _, name in view.units]
codes = [code for code, _ in view.units]
left, right = st.columns(2)
with left:
    fig = charts.stacked_bars(
        names=names,
        codes=codes,
        series=[
            (
                GROUP_NAMES[g],
                [detail.groups.get(c, {}).get(f"{g}_households", 0) for c in codes],
                charts.GROUP_COLOURS[g],
            )
            for g in ("floor", "monitored")
        ],
        unit="户",
        # Half a page wide: a running period's label ("…（季度至今，截至…）") on its own line.
        title=f"期末监测对象户数<br><span style='font-size:12px'>{f.period.label}</span>",
        horizontal=True,
    )
    chart(fig, f, name="监测对象户数", key="caseload_groups")
with right:
    causes = detail.causes
    fig = charts.stacked_bars(
        names=list(causes),
        codes=list(causes),
        series=[("监测对象户数", list(causes.values()), charts.VALUE_COLOUR)],
        unit="户",
        title="致贫原因（期末监测对象）",
        horizontal=True,
    )
    chart(fig, f, name="致贫原因", key="caseload_causes", drillable=False)

st.subheader("动态管理：期初 + 新增 − 退出 = 期末（在册户数）")


def _flow_frame(rows, first: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                first: r.label,
                "期初在册（户）": r.opening,
                "新增（户）": r.entries,
                "退出（户）": r.exits,
                "期末在册（户）": r.closing,
                "核对": "✓ 平衡" if r.balanced else "✗ 不平衡",
            }
            for r in rows
        ]
    )


table(
    "期初期末核对_分单位",
    _flow_frame([row for _, row in detail.flows_by_unit], "区镇" if view.level == "town" else "村(社区)"),
)
table("期初期末核对_分月", _flow_frame(detail.flows_by_month, "月份"))

st.subheader("卡片与表格的关系：期末在册 = 监测对象 + 应退未退")
unit_label = "区镇" if view.level == "town" else "村(社区)"
recon_rows = []
for code, name in view.units:
    register, monitored, due = detail.reconciliation(code)
    recon_rows.append(
        {
            unit_label: name,
            "期末在册（户）": register,
            "其中：监测对象（户）": monitored,
            "其中：应退未退（户）": due,
            "其中：未评估收入（户）": register - monitored - due,
        }
    )
recon = pd.DataFrame(recon_rows)
if not recon.empty and not recon["其中：未评估收入（户）"].any():
    recon = recon.drop(columns="其中：未评估收入（户）")
table("在册与监测对象核对", recon)
st.caption(
    "监测对象：在册且最近一次收入评估低于监测线的家庭（即上方卡片）；应退未退：仍在册、但收入已达到或超过监测线、"
    "尚未办理退出的家庭，应按二(一).3 组织退出核查。选择一个村(社区)可查看应退未退名单。"
)
reasons = sorted(detail.reasons.items(), key=lambda kv: (kv[0][0], -kv[1]))
if reasons:
    st.caption(
        "期内新增原因："
        + "；".join(f"{r} {fmt.number(n)} 户" for (k, r), n in reasons if k == "entry")
        + "。退出原因："
        + "；".join(f"{r} {fmt.number(n)} 户" for (k, r), n in reasons if k == "exit")
        + "。"
    )

st.subheader(f"两级审核进度（超过 {detail.overdue_days} 天为超期）")
pipe = pd.DataFrame(
    [
        {
            "区镇" if view.level == "town" else "村(社区)": name,
            **{
                f"{label}等待（件）": detail.pipeline.get(code, {}).get(f"{s}_waiting", 0)
                for s, label in STAGES.items()
            },
            **{
                f"{label}超期（件）": detail.pipeline.get(code, {}).get(f"{s}_overdue", 0)
                for s, label in STAGES.items()
            },
        }
        for code, name in view.units
    ]
)
table("两级审核进度", pipe)
fig = charts.stacked_bars(
    names=names,
    codes=codes,
    series=[
        (f"{label}等待", [detail.pipeline.get(c, {}).get(f"{s}_waiting", 0) for c in codes], charts.STAGE_COLOURS[s])
        for s, label in STAGES.items()
    ],
    unit="件",
    title="各环节等待件数",
)
chart(fig, f, name="审核进度", key="caseload_pipeline")

st.subheader("审核等待时间（村初审 → 区镇审核认定 → 市级备案）")
table("审核等待时间", pd.DataFrame(wait_rows(detail, view.units, unit_label)))
st.caption(
    "每个环节从上一环节完成（村初审从提交）起算，按日历天计。期内完成：本期完成该环节的件数及其用时；"
    "期末仍在等待：期末尚未完成该环节的件数及已等待天数。指标“审核认定平均用时”为提交至区镇审核认定的平均天数（见区镇画像和指标说明）。"
)

st.subheader("风险预警")
warn = pd.DataFrame(
    [
        {
            "区镇" if view.level == "town" else "村(社区)": name,
            "刚过监测线（户）": detail.warnings.get(code, {}).get("near_line", 0),
            "收入骤降（户）": detail.warnings.get(code, {}).get("income_drop", 0),
            "大额医疗支出（户）": detail.warnings.get(code, {}).get("medical", 0),
            "预警户数（户）": detail.warnings.get(code, {}).get("any", 0),
        }
        for code, name in view.units
    ]
)
table("风险预警", warn)
st.caption("预警阈值为系统设置项，见“指标说明”页。")

st.subheader("返贫监测：退出后再次纳入")
table("返贫监测_分单位", pd.DataFrame(return_rows_by_unit(detail, view.units, unit_label)))
table("返贫监测_分致贫原因", pd.DataFrame(return_rows_by_cause(detail)))
st.caption(
    f"{return_window_text(detail)}；每组只看已满观察期的退出（按退出件计），再次纳入生效日期不晚于退出日期加观察期"
    "（同日计入）即为返贫。观察期为系统设置项（默认 12 个月）。选择一个村(社区)可查看期内返贫家庭名单。"
)

if f.village:
    with village_slot:

        def _unmasked(field: str) -> Callable[[], list[dict[str, object]] | None]:
            """The list in full, fetched (and logged) only when the user asks to unmask."""

            def fetch() -> list[dict[str, object]] | None:
                detail = store.detail_unmasked(
                    ctx.url, f.towns, f.period.key, f.scope, f.village, "caseload", ctx.principal
                )
                return cast("list[dict[str, object]] | None", getattr(detail, field))

            return fetch

        # (heading, list title, the detail's field, text when empty, widget key)
        village_lists = (
            ("预警家庭名单", "预警家庭名单", "village_households", "该村(社区)当前无预警家庭。", "caseload_list"),
            ("应退未退家庭名单", "应退未退家庭名单", "due_exit", "该村(社区)当前无应退未退家庭。", "caseload_due_exit"),
            ("期内返贫家庭名单", "返贫家庭名单", "returned_list", "该村(社区)本期无返贫家庭。", "caseload_returned"),
        )
        for heading, title, field, empty_text, key in village_lists:
            st.subheader(f"{f.village_md}：{heading}")
            privacy.person_list(
                title,
                getattr(detail, field),
                departments=LIST_DEPARTMENTS,
                unmasked=_unmasked(field),
                empty_text=empty_text,
                key=key,
            )
elif not f.is_city:
    st.caption("选择一个村(社区)可查看预警家庭名单。")

st.divider()
exports.excel_button("监测对象")
