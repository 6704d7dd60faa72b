"""Drill-down city -> town -> village: breadcrumbs, and turning a click into a new scope."""

from __future__ import annotations

import streamlit as st

from data_access.models.governance import CITY_SCOPE
from data_access.reference import CITY_NAME
from pages.ui.filters import PENDING_SCOPE, Filters
from pages.ui.plain import md


def _choose_town(code: str) -> None:
    st.session_state[PENDING_SCOPE] = code
    if "village" in st.query_params:
        del st.query_params["village"]


def open_town(code: str) -> None:
    _choose_town(code)
    st.rerun()


def choose_unit(filters: Filters, code: str) -> None:
    """A click on a row or bar, handled in the widget's callback (before the rerun it causes,
    so a drill costs one script run, not a run that stops halfway and a second one): a town at
    city level, a village at town level."""
    if filters.is_city:
        if code in filters.towns:
            _choose_town(code)
    elif code in filters.village_names and code != filters.village:
        st.query_params["village"] = code


def picked_code(value: object) -> str | None:
    """The unit code a chart point carries (customdata: a code, or a list holding one)."""
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value else None


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
            else:
                st.button(
                    f"{md(label)} ›",
                    key=f"{key}_crumb_{i}",
                    type="tertiary",
                    on_click=_choose_town,
                    args=(str(target or CITY_SCOPE),),
                )
