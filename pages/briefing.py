"""会议材料: the meeting pack (PowerPoint, Word, PDF) and the 汇报材料 (Word in 公文 layout, PDF)
for the chosen period and scope."""

from __future__ import annotations

import streamlit as st

from briefing import pdf
from briefing.build import meeting_pack
from data_access.db import get_engine
from metrics.what_if import Scenario
from pages.ui import exports, store
from pages.ui.context import current

ctx = current()
f = ctx.filters
exports.reset_tables()
st.title("会议材料")
st.caption(f"{f.scope_md} · {f.period.label} · 在左侧选择期间和范围")
st.markdown(
    "一键生成领导小组会议材料：封面、监测对象 / 救助支出 / 就业帮扶 / 集体经济分红 / 社会保障衔接各一页"
    "（可编辑的原生图表、对照目标的关键数字和自动生成的文字说明）、各单位对照目标表、数据来源页。"
)


# A 政策测算 the user added on /policy in this session (pages/policy.py stores it).
added = st.session_state.get("policy_scenario")
scenario: Scenario | None = None
if isinstance(added, Scenario):
    described = f"低保标准 {added.standard_fen / 100:,.2f} 元/人·月，监测线倍数 {added.multiplier:g}"
    if added.temporary_line_fen is not None:
        described += f"，三.2 门槛 {added.temporary_line_fen / 100:,.2f} 元/人·月"
    if st.checkbox(f"加入政策测算页（测算：{described}）", value=True, key="pack_what_if"):
        scenario = added
else:
    st.caption("如需在材料中加入政策测算页，请先在 [政策测算](/policy) 页点击“加入会议材料”。")


def _pack(fmt: str) -> bytes:
    with get_engine(ctx.url).connect() as conn:
        data, _ = meeting_pack(conn, period=f.period.key, scope=f.scope, fmt=fmt, towns=f.towns, scenario=scenario)
    return data


meta = exports.meta()
left, right, _ = st.columns([2, 2, 3])
left.download_button(
    "生成 PowerPoint 会议材料",
    data=exports.logged("meeting_pack", meta.file_name("会议材料", "pptx"), lambda: _pack("pptx")),
    file_name=meta.file_name("会议材料", "pptx"),
    mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
    type="primary",
    icon=":material/slideshow:",
    on_click="ignore",
    key="pack_pptx",
)
right.download_button(
    "生成 Word 会议材料",
    data=exports.logged("meeting_pack", meta.file_name("会议材料", "docx"), lambda: _pack("docx")),
    file_name=meta.file_name("会议材料", "docx"),
    mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    icon=":material/description:",
    on_click="ignore",
    key="pack_docx",
)

st.markdown(
    "**汇报材料**：按党政机关公文格式（GB/T 9704）排版的书面汇报——总体情况、主要指标完成情况、存在的问题、"
    "下步工作建议，文字由系统根据指标生成，可在 Word 中直接修改后报送。**PDF** 版适合在手机上阅读。"
)
report, pack_pdf, report_pdf = st.columns([2, 2, 3])
report.download_button(
    "生成 Word 汇报材料（公文格式）",
    data=exports.logged("meeting_pack", meta.file_name("汇报材料", "docx"), lambda: _pack("report")),
    file_name=meta.file_name("汇报材料", "docx"),
    mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    icon=":material/article:",
    on_click="ignore",
    key="report_docx",
)
if pdf.available():
    pack_pdf.download_button(
        "生成 PDF 会议材料",
        data=exports.logged("meeting_pack", meta.file_name("会议材料", "pdf"), lambda: _pack("pdf")),
        file_name=meta.file_name("会议材料", "pdf"),
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        key="pack_pdf",
    )
    report_pdf.download_button(
        "生成 PDF 汇报材料",
        data=exports.logged("meeting_pack", meta.file_name("汇报材料", "pdf"), lambda: _pack("report-pdf")),
        file_name=meta.file_name("汇报材料", "pdf"),
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        key="report_pdf",
    )
else:
    pack_pdf.button("生成 PDF 会议材料", disabled=True, help=pdf.HOW_TO_ENABLE, key="pack_pdf_off")
    report_pdf.button("生成 PDF 汇报材料", disabled=True, help=pdf.HOW_TO_ENABLE, key="report_pdf_off")
    st.caption(f"PDF 暂不可用：{pdf.HOW_TO_ENABLE}")
st.caption("材料中的数字与本系统各页面一致；标注“数据不全”的指标不作达标评判。需要定时生成的，请联系系统管理员。")

st.subheader("文字说明预览")
pack = store.pack_preview(ctx.url, ctx.version, f.towns, f.period.key, f.scope)
for section in pack.sections:
    st.markdown(f"**{section.title}**")
    for sentence in section.narrative:
        st.markdown(f"- {sentence}")
