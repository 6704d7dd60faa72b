"""数据导入: a department's spreadsheet into the store. Templates first; every file is checked
(试导入) before anything is written; the load is all-or-nothing and can be undone as a whole."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access.db import get_engine
from data_access.ingest import (
    KINDS,
    ImportFailed,
    ImportRejected,
    UndoRefused,
    batches,
    commit,
    dry_run,
    kind_choices,
    report_xlsx,
    template_csv,
    template_name,
    template_xlsx,
    undo,
)
from data_access.ingest.commit import sha256
from data_access.ingest.describe import batch_rows, change_rows, column_rows, move_rows, report_sheets, sample_rows
from data_access.ingest.templates import CSV_MIME, XLSX_MIME
from pages.ui.context import current
from pages.ui.intake import acting_user, after_write, plain, show_flash

MAX_SHOWN_PROBLEMS = 1_000

ctx = current()
if not ctx.principal.is_admin:
    st.error("仅管理员可使用此页面（导入、目标、标准的修改均需管理员权限）。")
    st.stop()
engine = get_engine(ctx.url)
st.title("数据导入")
st.caption("各部门的 Excel 或 CSV 数据先校验、后导入：有任何错误整个文件都不会写入；每次导入都有记录，可整批撤销。")
show_flash()

choices = kind_choices()
kind_key = st.selectbox("数据类型", options=list(choices), format_func=choices.__getitem__, key="import_kind")
kind = KINDS[kind_key]

with st.expander(f"“{kind.label}”模板与填写说明", expanded=False):
    st.write(kind.description)
    if kind.depends_on:
        st.caption("请先导入：" + "、".join(KINDS[k].label for k in kind.depends_on))
    left, right = st.columns(2)
    left.download_button(
        "下载 Excel 模板",
        data=template_xlsx(kind),
        file_name=template_name(kind, "xlsx"),
        mime=XLSX_MIME,
        icon=":material/download:",
        key="import_template_xlsx",
    )
    right.download_button(
        "下载 CSV 模板",
        data=template_csv(kind),
        file_name=template_name(kind, "csv"),
        mime=CSV_MIME,
        icon=":material/download:",
        key="import_template_csv",
    )
    st.dataframe(pd.DataFrame(column_rows(kind)), hide_index=True, width="stretch")

user = acting_user(ctx, key="import_user", label="导入人")
# A new uploader after each load, so the file just loaded does not linger on the page.
upload_round = st.session_state.get("import_round", 0)
uploaded = st.file_uploader(
    "选择文件（.xlsx 或 .csv）", type=["xlsx", "csv"], key=f"import_file_{kind_key}_{upload_round}"
)

if uploaded is not None:
    data = uploaded.getvalue()
    # The check runs once per file, kind and store state, not on every rerun of the page.
    plan_key = (sha256(data), kind_key, ctx.version)
    cached = st.session_state.get("import_plan")
    if cached is None or cached[0] != plan_key:
        with st.spinner("正在校验……"):
            cached = (plan_key, dry_run(engine, data, uploaded.name, kind))
        st.session_state["import_plan"] = cached
    plan = cached[1]

    st.subheader("试导入结果")
    counts = plan.counts()
    columns = st.columns(len(counts))
    for column, (label, value) in zip(columns, counts.items(), strict=True):
        column.metric(label, f"{value:,} {'人' if label == '变更家庭' else '行'}")
    if plan.encoding:
        st.caption(f"文件编码：{plan.encoding}")
    if plan.errors:
        st.error(plan.summary(), icon=":material/block:")
    elif plan.changes:
        st.info(plan.summary(), icon=":material/fact_check:")
    else:
        st.success("文件校验通过，但与系统中已有记录完全相同，没有需要写入的内容。")

    if plan.field_changes:
        # Which stored values an update changes: a partial or wrong file shows here before it is loaded.
        st.markdown("**将改变的字段**（只统计更新的行；文件中没有的列保持原值）")
        left, right = st.columns([1, 2])
        left.dataframe(pd.DataFrame(change_rows(plan)), hide_index=True, width="stretch")
        right.dataframe(pd.DataFrame(sample_rows(plan)), hide_index=True, width="stretch")
    if plan.moves:
        st.warning(
            f"家庭变动：{len(plan.moves):,} 人将从原家庭移到另一个家庭，这不是普通的更新，请逐一核对。",
            icon=":material/swap_horiz:",
        )
        st.dataframe(pd.DataFrame(move_rows(plan)), hide_index=True, width="stretch")

    if plan.problems:
        shown = plan.problems[:MAX_SHOWN_PROBLEMS]
        st.markdown(f"**问题清单**（{len(plan.errors):,} 个错误，{len(plan.warnings):,} 个提示）")
        st.dataframe(pd.DataFrame([p.as_row() for p in shown]), hide_index=True, width="stretch", height=320)
        if len(plan.problems) > len(shown) or plan.problems_dropped:
            st.caption(f"只显示前 {len(shown):,} 个问题，完整清单请下载。")
    if plan.problems or plan.moves or plan.field_changes:
        # The Excel report: problems, field changes and household moves, a sheet each.
        st.download_button(
            "下载问题清单（Excel）",
            data=report_xlsx(plan.problems, title=plan.summary(), sheets=report_sheets(plan)),
            file_name=f"{kind.label}_问题清单.xlsx".replace("/", "、"),
            mime=XLSX_MIME,
            icon=":material/download:",
            key="import_report",
        )

    if plan.ok and plan.changes:
        if st.button("确认导入", type="primary", disabled=not user, key="import_commit"):
            try:
                result = commit(engine, data, uploaded.name, kind, user=user)
            except ImportRejected as exc:
                st.session_state.pop("import_plan", None)
                st.error("数据库中的数据在试导入后发生了变化，重新校验发现错误：" + exc.plan.summary())
            except ImportFailed as exc:
                st.error(plain(exc))
            else:
                st.session_state.pop("import_plan", None)
                st.session_state["import_round"] = upload_round + 1
                after_write(result.message)
        if not user:
            st.caption("填写导入人后才能导入。")

st.subheader("导入记录")
with engine.connect() as conn:
    recent = batches(conn, limit=200)
if not recent:
    st.caption("尚无导入记录。")
else:
    st.dataframe(
        pd.DataFrame(batch_rows(recent)), hide_index=True, width="stretch", height=min(35 * (len(recent) + 1) + 3, 400)
    )
    undoable = [b for b in recent if b["status"] == "committed"]
    if undoable:
        labels = {
            int(b["id"]): f"批次 {b['id']} · {KINDS[b['kind']].label if b['kind'] in KINDS else b['kind']}"
            for b in undoable
        }
        with st.form("import_undo"):
            st.markdown("**撤销一个批次**：删除该批次新增的记录，并把它更新过的记录恢复原值。")
            batch_id = st.selectbox(
                "批次", options=list(labels), format_func=labels.__getitem__, key="import_undo_batch"
            )
            confirmed = st.checkbox("我确认撤销该批次", key="import_undo_confirm")
            submitted = st.form_submit_button("撤销", disabled=not user)
        if submitted:
            if not confirmed:
                st.warning("请先勾选确认。")
            else:
                try:
                    outcome = undo(engine, int(batch_id), user=user)
                except UndoRefused as exc:
                    st.error(plain(exc))
                else:
                    st.session_state.pop("import_plan", None)
                    after_write(outcome.message)
