"""会议批注 on a page's headline figures: leaders add a remark to a KPI for the scope and period
in view; remarks show on the figure's card and go into the meeting pack."""

from __future__ import annotations

from datetime import date

import streamlit as st

from data_access import remarks
from data_access.access import AccessDenied
from data_access.db import get_engine
from metrics.evaluate import Figure
from pages.ui.context import current
from pages.ui.plain import md


def for_cards(figures: list[Figure]) -> dict[str, str]:
    """KPI key -> the remarks on it for this scope and period, as one Markdown-safe line."""
    ctx = current()
    f = ctx.filters
    with get_engine(ctx.url).connect() as conn:
        found = remarks.remarks(conn, scopes=[f.scope], period=f.period.key)
    keys = {fig.kpi.key for fig in figures}
    out: dict[str, list[str]] = {}
    for r in found:
        if r.kpi_key in keys:
            out.setdefault(r.kpi_key, []).append(f"{r.meeting_date.month}月{r.meeting_date.day}日批注：{md(r.body)}")
    return {k: "；".join(v) for k, v in out.items()}


def form(figures: list[Figure]) -> None:
    """For leaders: add a remark to one of the figures above."""
    ctx = current()
    if not remarks.may_remark(ctx.principal) or not figures:
        return
    f = ctx.filters
    with st.expander("会议批注"), st.form("remark", clear_on_submit=True):
        labels = {fig.kpi.key: fig.kpi.label for fig in figures}
        key = st.selectbox("指标", options=list(labels), format_func=labels.get)
        meeting = st.date_input("会议日期", value=date.today())
        body = st.text_area("批注", max_chars=remarks.MAX_LENGTH)
        if st.form_submit_button("保存批注"):
            try:
                remarks.add_remark(
                    get_engine(ctx.url),
                    principal=ctx.principal,
                    kpi_key=key,
                    scope_code=f.scope,
                    period=f.period.key,
                    meeting_date=meeting,
                    body=body,
                )
                st.rerun()
            except (ValueError, AccessDenied) as exc:
                st.error(str(exc))
