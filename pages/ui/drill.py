"""Drill-down city -> town -> village: breadcrumbs, and turning a click into a new scope."""

from __future__ import annotations

import streamlit as st

from data_access.models.governance import CITY_SCOPE
from data_access.reference import CITY_NAME
from pages.ui.filters import PENDING_SCOPE, Filters
from pages.ui.plain import md


def open_town(code: str) -> None:
    st.session_state[PENDING_SCOPE] = code
    if "village" in st.query_params:
        del st.query_params["village"]
    st.rerun()


def open_village(code: str) -> None:
    st.query_params["village"] = code
    st.rerun()


def open_unit(filters: Filters, code: str) -> None:
    """A click on a row or bar: a town at city level, a village at town level."""
    if filters.is_city:
        if code in filters.towns:
            open_town(code)
    elif code in filters.village_names and code != filters.village:
        open_village(code)


def breadcrumbs(filters: Filters, *, key: str) -> None:
    """昆山市 › 巴城镇 › 某村, each step a button back up."""
    steps: list[tuple[str, str | None]] = [(CITY_NAME, CITY_SCOPE)]
    if not filters.is_city:
        steps.append((filters.scope_name, filters.scope))
    if filters.village:
        steps.append((filters.village_name, None))
    if len(steps) == 1:
        st.caption(f"{CITY_NAME}（全市）· 点击图表或表格中的区镇可查看该区镇的村(社区)")
        return
    columns = st.columns([1] * len(steps) + [max(1, 8 - len(steps))])
    for i, ((label, target), column) in enumerate(zip(steps, columns, strict=False)):
        last = i == len(steps) - 1
        with column:
            if last:
                st.markdown(f"**{md(label)}**")
            elif st.button(f"{md(label)} ›", key=f"{key}_crumb_{i}", type="tertiary"):
                if target == CITY_SCOPE:
                    open_town(CITY_SCOPE)
                else:
                    open_town(str(target))
