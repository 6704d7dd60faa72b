"""Download buttons: each chart as PNG (2x) and SVG, each page's tables as one workbook.

Files are made only when a button is pressed (download_button with a callable), so
drawing a page never waits for Chromium.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from briefing import charts, excel, images
from briefing.meta import ExportMeta
from data_access import audit
from data_access.db import get_engine
from data_access.reference import CITY_NAME
from pages.ui.context import current
from pages.ui.tables import typed

_TABLES = "_export_tables"


def meta() -> ExportMeta:
    ctx = current()
    f = ctx.filters
    scope = "全市" if f.is_city else f.scope_name + (f"_{f.village_name}" if f.village else "")
    # The period's own data date: a finished 2025-Q3 is "数据截至 2025年9月30日".
    return ExportMeta(
        period=f.period,
        scope_name=scope if scope != CITY_NAME else "全市",
        data_date=min(f.data_date, f.period.end),
        is_demo=ctx.is_demo,
    )


def reset_tables() -> None:
    """Called as a page starts: the workbook holds this run's tables only."""
    st.session_state[_TABLES] = []


def collect(title: str, frame: pd.DataFrame) -> None:
    """Keep a drawn table for the workbook; it is typed (counts as integers) only when the
    workbook is made."""
    st.session_state.setdefault(_TABLES, []).append((title, frame))


def logged(action: str, target: str, make):
    """Wrap a file producer so that handing the file out is recorded in the audit log."""
    ctx = current()

    def produce() -> bytes:
        data = make()
        audit.record(get_engine(ctx.url), username=ctx.principal.username, action=action, target=target)
        return data

    return produce


def chart_buttons(fig: go.Figure, *, name: str, key: str) -> None:
    m = meta()
    # The stamped copy is made only when a button is pressed: copying a figure costs ~50 ms,
    # three charts a page, on every rerun.
    line = m.context_line
    # A row of buttons as wide as their labels, whatever the chart's column width.
    row = st.container(horizontal=True, gap="small")
    left = right = row
    if not images.available():
        left.button("下载 PNG", key=f"{key}_png_off", disabled=True, help=images.HOW_TO_ENABLE)
        right.button("下载 SVG", key=f"{key}_svg_off", disabled=True, help=images.HOW_TO_ENABLE)
        return
    left.download_button(
        "下载 PNG",
        data=logged("export_image", m.file_name(name, "png"), lambda: images.png(charts.stamped(fig, line))),
        file_name=m.file_name(name, "png"),
        mime="image/png",
        key=f"{key}_png",
        on_click="ignore",
        icon=":material/image:",
        help="高清 PNG（2倍分辨率，适合幻灯片）",
    )
    right.download_button(
        "下载 SVG",
        data=logged("export_image", m.file_name(name, "svg"), lambda: images.svg(charts.stamped(fig, line))),
        file_name=m.file_name(name, "svg"),
        mime="image/svg+xml",
        key=f"{key}_svg",
        on_click="ignore",
        icon=":material/draw:",
        help="矢量图，可在 Word/PowerPoint 中无损缩放",
    )


def excel_button(page_title: str) -> None:
    """One workbook of every table the page drew, one sheet each."""
    tables = list(st.session_state.get(_TABLES, []))
    m = meta()

    def make() -> bytes:
        return excel.workbook([(title, typed(frame)) for title, frame in tables], m, title=page_title)

    st.download_button(
        f"导出本页表格（Excel，{len(tables)} 张表）",
        data=logged(
            "export_excel",
            m.file_name(page_title, "xlsx"),
            make,
        ),
        file_name=m.file_name(page_title, "xlsx"),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"excel_{page_title}",
        on_click="ignore",
        icon=":material/table_view:",
        disabled=not tables,
    )
