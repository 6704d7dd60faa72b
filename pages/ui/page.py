"""The frame every oversight page shares: title, scope line, breadcrumbs, drillable charts."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from briefing import charts
from pages.ui import drill, exports
from pages.ui.filters import Filters


def header(title: str, filters: Filters, *, key: str) -> None:
    exports.reset_tables()
    st.title(title)
    where = filters.scope_md + (f" · {filters.village_md}" if filters.village else "")
    st.caption(f"{where} · {filters.period.label} · 对照领导小组目标")
    drill.breadcrumbs(filters, key=key)


def chart(fig: go.Figure, filters: Filters, *, name: str, key: str, drillable: bool = True) -> None:
    """Draw a chart; with drillable, a click on a bar opens that town or village."""
    filename = exports.meta().file_name(name, "png")[: -len(".png")]
    if not drillable or filters.village:
        st.plotly_chart(fig, width="stretch", config=charts.plotly_config(filename))
        exports.chart_buttons(fig, name=name, key=key)
        return
    widget = f"{key}_{filters.scope}_{filters.period.key}"

    def picked() -> None:
        state = st.session_state.get(widget)
        for point in state["selection"]["points"] if state else []:
            code = drill.picked_code(point.get("customdata"))
            if code:
                drill.choose_unit(filters, code)
                return

    st.plotly_chart(
        fig,
        width="stretch",
        config=charts.plotly_config(filename),
        on_select=picked,
        selection_mode="points",
        key=widget,
    )
    exports.chart_buttons(fig, name=name, key=key)
