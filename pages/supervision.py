"""督办: follow-up tasks on lagging figures — created by the leading group, answered by the town
or department, closed by the leading group; overdue first, the figure's movement beside it."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from data_access import remarks, supervision
from data_access.access import AccessDenied
from data_access.db import get_engine
from data_access.supervision import STATUS_LABELS, TaskError
from metrics import format as fmt
from metrics.domain.attainment import STATUS_LABELS as FIGURE_STATUS
from metrics.domain.attainment import Status
from metrics.registry import KPI_BY_KEY
from metrics.supervision import movement
from pages.ui import exports, store
from pages.ui.context import current
from pages.ui.plain import md
from pages.ui.tables import table

ctx = current()
f = ctx.filters
principal = ctx.principal
engine = get_engine(ctx.url)
today = date.today()
exports.reset_tables()

st.title("督办事项")
st.caption("领导小组对落后、接近目标的指标发起督办；区镇或部门答复办理情况；领导小组办结。逾期未答复的排在最前。")

# -- new task (from a red or amber figure) -----------------------------------------------------
if supervision.may_create(principal):
    wanted_kpi = st.query_params.get("kpi")
    wanted_town = st.query_params.get("town")
    with st.expander("发起督办", expanded=bool(wanted_kpi)):
        towns = list(f.towns)
        town = st.selectbox(
            "区镇",
            options=towns,
            index=towns.index(wanted_town) if wanted_town in towns else 0,
            format_func=lambda c: f.town_names.get(c, c),
            key="task_town",
        )
        profile = store.profile(ctx.url, ctx.version, f.towns, f.period.key, town)
        lagging = [
            row.figure for rows in profile.values() for row in rows if row.figure.status in (Status.RED, Status.AMBER)
        ]
        if not lagging:
            st.info(f"{md(f.town_names.get(town, town))}在{f.period.label}没有落后或接近目标的指标。")
        else:
            keys = [fig.kpi.key for fig in lagging]
            figure = lagging[keys.index(wanted_kpi)] if wanted_kpi in keys else lagging[0]
            chosen = st.selectbox(
                "指标（仅列出落后、接近目标的指标）",
                options=keys,
                index=keys.index(figure.kpi.key),
                format_func=lambda k: f"{KPI_BY_KEY[k].label}（{FIGURE_STATUS[lagging[keys.index(k)].status]}）",
                key="task_kpi",
            )
            figure = lagging[keys.index(chosen)]
            kpi = figure.kpi
            st.caption(
                f"{f.period.label}：{fmt.kpi_value(kpi, figure.value)}，目标 {fmt.kpi_value(kpi, figure.target)}，"
                f"完成度 {fmt.ratio(figure.attainment)}（督办时数值将随事项保存）"
            )
            with st.form("new_task", clear_on_submit=True):
                owner_kind = st.radio(
                    "承办",
                    options=["town", "department"],
                    format_func=lambda k: (
                        f"区镇：{f.town_names.get(town, town)}" if k == "town" else f"部门：{kpi.department}"
                    ),
                    horizontal=True,
                )
                requirement = st.text_area("督办要求", max_chars=supervision.MAX_TEXT["requirement"])
                deadline = st.date_input("办理期限", value=today + timedelta(days=14), min_value=today)
                if st.form_submit_button("发起督办", type="primary"):
                    try:
                        task_id = supervision.create_task(
                            engine,
                            principal=principal,
                            kpi_key=kpi.key,
                            town_code=town,
                            period=f.period.key,
                            frozen_value=figure.value,
                            frozen_target=figure.target,
                            frozen_status=str(figure.status),
                            owner_kind=owner_kind,
                            owner=town if owner_kind == "town" else kpi.department,
                            requirement=requirement,
                            deadline=deadline,
                        )
                        st.success(f"已发起督办 #{task_id}")
                    except (TaskError, AccessDenied) as exc:
                        st.error(str(exc))

# -- meeting remarks, by meeting date ------------------------------------------------------------
with engine.connect() as conn:
    scopes = list(f.towns) if principal.role == "town" else ["city", *f.towns]
    noted = remarks.remarks(conn, scopes=scopes)
if noted:
    with st.expander(f"会议批注记录（{len(noted)} 条）"):
        for day in sorted({r.meeting_date for r in noted}, reverse=True):
            st.markdown(f"**{day:%Y年%m月%d日}会议**")
            for r in (r for r in noted if r.meeting_date == day):
                kpi = KPI_BY_KEY.get(r.kpi_key)
                where = "全市" if r.scope_code == "city" else f.town_names.get(r.scope_code, r.scope_code)
                st.caption(f"{md(where)} · {kpi.label if kpi else md(r.kpi_key)} · {r.period} · {md(r.author)}：")
                st.text(r.body)

# -- the list ------------------------------------------------------------------------------------
tasks = supervision.ordered(supervision.list_tasks(engine, principal=principal), today)
if not tasks:
    st.info("暂无督办事项。")
    st.stop()
current_figures = store.task_figures(
    ctx.url, ctx.version, f.towns, tuple((t.id, t.kpi_key, t.town_code, t.period) for t in tasks)
)

left, middle, right = st.columns(3)
status_filter = left.multiselect(
    "状态", options=list(STATUS_LABELS), format_func=STATUS_LABELS.get, placeholder="全部状态", key="task_status"
)
town_filter = middle.multiselect(
    "区镇",
    options=sorted({t.town_code for t in tasks}),
    format_func=lambda c: f.town_names.get(c, c),
    placeholder="全部区镇",
    key="task_towns",
)
owner_filter = right.multiselect(
    "承办部门", options=sorted({t.owner for t in tasks if t.owner_kind == "department"}), placeholder="全部部门"
)
shown = [
    t
    for t in tasks
    if (not status_filter or t.status(today) in status_filter)
    and (not town_filter or t.town_code in town_filter)
    and (not owner_filter or t.owner in owner_filter)
]


def _owner(task) -> str:
    return f.town_names.get(task.owner, task.owner) if task.owner_kind == "town" else task.owner


rows = []
for task in shown:
    kpi = KPI_BY_KEY.get(task.kpi_key)
    now = current_figures.get(task.id)
    rows.append(
        {
            "编号": task.id,
            "状态": STATUS_LABELS[task.status(today)],
            "区镇": f.town_names.get(task.town_code, task.town_code),
            "指标": kpi.label if kpi else task.kpi_key,
            "期间": task.period,
            "督办时": fmt.kpi_value(kpi, task.frozen_value) if kpi else "—",
            "当前": fmt.kpi_value(kpi, now.value) if kpi and now else "—",
            "变化": movement(task, now),
            "目标": fmt.kpi_value(kpi, task.frozen_target) if kpi and task.frozen_target is not None else "—",
            "承办": _owner(task),
            "期限": f"{task.deadline:%Y-%m-%d}",
        }
    )
table("督办事项", pd.DataFrame(rows))
st.caption("“当前”为该期间指标的最新数值（随数据更新），“督办时”为发起时冻结的数值。")

for task in shown:
    kpi = KPI_BY_KEY.get(task.kpi_key)
    title = f"#{task.id} {STATUS_LABELS[task.status(today)]} · {f.town_names.get(task.town_code, task.town_code)} · "
    title += f"{kpi.label if kpi else task.kpi_key} · 承办 {_owner(task)} · 期限 {task.deadline:%Y-%m-%d}"
    with st.expander(md(title), expanded=False):
        st.caption(f"由 {md(task.created_by)} 于 {task.created_at:%Y-%m-%d %H:%M} 发起 · 督办要求：")
        st.text(task.requirement)  # typed text: shown as plain text
        for author, when, body in task.replies:
            st.caption(f"{md(author)} 于 {when:%Y-%m-%d %H:%M} 答复：")
            st.text(body)
        if task.stored_status == "closed":
            st.caption(f"已由 {md(task.closed_by or '')} 于 {task.closed_at:%Y-%m-%d %H:%M} 办结。")
            if task.close_note:
                st.text(task.close_note)
            continue
        if supervision.may_answer(principal, task):
            with st.form(f"reply_{task.id}", clear_on_submit=True):
                reply = st.text_area("办理情况（措施、进展）", max_chars=supervision.MAX_TEXT["reply"])
                if st.form_submit_button("提交答复"):
                    try:
                        supervision.answer_task(engine, principal=principal, task_id=task.id, reply=reply)
                        st.rerun()
                    except (TaskError, AccessDenied) as exc:
                        st.error(str(exc))
        if supervision.may_close(principal):
            with st.form(f"close_{task.id}"):
                note = st.text_input("办结意见（可选）", max_chars=supervision.MAX_TEXT["close_note"])
                if st.form_submit_button("办结"):
                    try:
                        supervision.close_task(engine, principal=principal, task_id=task.id, note=note)
                        st.rerun()
                    except (TaskError, AccessDenied) as exc:
                        st.error(str(exc))

st.divider()
exports.excel_button("督办事项")
