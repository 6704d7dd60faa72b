"""League tables: one row per unit (town or village), numeric columns sortable by any
header, each cell tinted by its status; a row click drills down."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.completeness import TOWN_ONLY, town_only_note
from metrics.domain.attainment import Status
from metrics.evaluate import Figure
from metrics.registry import KPI_BY_KEY
from pages.ui import drill, exports
from pages.ui.filters import Filters
from pages.ui.scorecard import TINTS, legend, table_height
from pages.ui.tables import MISSING


def header(key: str) -> str:
    kpi = KPI_BY_KEY[key]
    return f"{kpi.short}（{kpi.unit}）"


def league_frame(
    units: list[tuple[str, str]], league: dict[str, dict[str, Figure]], keys: tuple[str, ...], unit_label: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, statuses = [], []
    for code, name in units:
        figures = league.get(code, {})
        rows.append({unit_label: name, **{header(k): figures[k].value if k in figures else None for k in keys}})
        statuses.append({header(k): figures[k].status if k in figures else Status.NONE for k in keys})
    frame = pd.DataFrame(rows, index=[code for code, _ in units])
    # Numeric columns even when every value is missing (a feed not yet in): an all-None
    # column would be an object column that Streamlit prints as "None" instead of "—".
    frame = frame.astype({header(k): "float64" for k in keys})
    return frame, pd.DataFrame(statuses, index=frame.index)


def show(
    filters: Filters,
    units: list[tuple[str, str]],
    league: dict[str, dict[str, Figure]],
    keys: tuple[str, ...],
    *,
    key: str,
    level: str,
) -> None:
    unit_label = "区镇" if level == "town" else "村(社区)"
    dropped = [k for k in keys if level == "village" and k in TOWN_ONLY]
    keys = tuple(k for k in keys if k not in dropped)  # a column that would be "—" in every row
    frame, statuses = league_frame(units, league, keys, unit_label)
    exports.collect("各区镇对照目标" if level == "town" else "各村(社区)", frame)
    formats = {header(k): f"{{:,.{KPI_BY_KEY[k].decimals}f}}" for k in keys}
    styled = (
        frame.style.format(formats, na_rep="—")
        .apply(
            lambda col: [f"background-color: {TINTS[Status(s)]}" for s in statuses[col.name]],
            axis=0,
            subset=list(statuses.columns),
        )
        .hide(axis="index")
    )
    # One widget per view: a selection made at city level must not carry into the town.
    widget = f"{key}_{filters.scope}_{filters.village}_{filters.period.key}"

    def picked() -> None:
        state = st.session_state.get(widget)
        rows = state["selection"]["rows"] if state else []
        if rows:
            drill.choose_unit(filters, str(frame.index[rows[0]]))

    st.dataframe(
        styled,
        width="stretch",
        height=min(table_height(len(frame)), 560),
        on_select=picked,
        selection_mode="single-row",
        placeholder=MISSING,  # a null cell shows this in the browser, whatever the Styler says
        key=widget,
        hide_index=True,
    )
    hint = "点击一行查看该区镇的村(社区)" if level == "town" else "点击一行查看该村(社区)的明细名单（已脱敏）"
    note = f"{'、'.join(KPI_BY_KEY[k].short for k in dropped)}：{town_only_note(dropped)}。" if dropped else ""
    st.caption(f"{legend()}　{hint}；点击列标题排序。{note}")
