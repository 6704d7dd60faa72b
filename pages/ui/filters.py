"""Sidebar filters (period and scope) kept in the URL, so a copied link reproduces the view."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import streamlit as st

from data_access.models.governance import CITY_SCOPE
from data_access.reference import CITY_NAME
from metrics.domain.periods import GRAIN_LABELS, Grain, Period, PeriodError, latest_complete, recent_periods
from pages.ui.plain import md

PERIOD_CHOICES = {Grain.MONTH: 36, Grain.QUARTER: 16, Grain.YEAR: 6}
PENDING_SCOPE = "_pending_scope"  # a drill-down click, applied before the widget is drawn


@dataclass(frozen=True)
class Filters:
    period: Period
    scope: str  # CITY_SCOPE or a town code
    towns: tuple[str, ...]  # visible town codes
    town_names: dict[str, str]  # code -> short display name
    data_date: date
    village: str | None = None  # a village of the scope town, from the link
    village_names: dict[str, str] = field(default_factory=dict)  # villages of the scope town

    @property
    def scope_name(self) -> str:
        return CITY_NAME if self.scope == CITY_SCOPE else self.town_names.get(self.scope, self.scope)

    @property
    def is_city(self) -> bool:
        return self.scope == CITY_SCOPE

    @property
    def village_name(self) -> str:
        return self.village_names.get(self.village or "", "")

    # Names as Markdown-safe text, for titles, captions and buttons (imported names are data).
    @property
    def scope_md(self) -> str:
        return md(self.scope_name)

    @property
    def village_md(self) -> str:
        return md(self.village_name)


def _initial_state(data_date: date, towns: tuple[str, ...]) -> None:
    """On a session's first run, take the period and scope from the link."""
    qp = st.query_params
    try:
        period = Period.parse(qp.get("period", ""))
        if period.start > data_date:
            raise PeriodError("future")
    except PeriodError:
        # The latest complete month: a meeting opens on finished figures, not a partial month.
        period = latest_complete(data_date, Grain.MONTH)
    scope = qp.get("scope", CITY_SCOPE)
    if scope not in _scope_options(towns):
        scope = _scope_options(towns)[0]
    st.session_state["flt_grain"] = period.grain
    st.session_state["flt_period"] = period.key
    st.session_state["flt_scope"] = scope


def sidebar_filters(
    *,
    towns: tuple[str, ...],
    town_names: dict[str, str],
    data_date: date,
    villages_of: Callable[[str], dict[str, str]],
) -> Filters:
    if "flt_period" not in st.session_state:
        _initial_state(data_date, towns)
    if PENDING_SCOPE in st.session_state:
        st.session_state["flt_scope"] = st.session_state.pop(PENDING_SCOPE)

    sidebar = st.sidebar
    sidebar.markdown("**查看范围**")
    grain = (
        sidebar.segmented_control(
            "期间类型", options=list(Grain), format_func=lambda g: GRAIN_LABELS[g], key="flt_grain"
        )
        or Grain.MONTH
    )
    options = recent_periods(data_date, Grain(grain), PERIOD_CHOICES[Grain(grain)])
    keys = [p.key for p in options]
    current = st.session_state.get("flt_period")
    if current not in keys:
        # Switching month -> quarter keeps the same moment in time.
        try:
            anchor = Period.parse(current).start
        except (PeriodError, TypeError):
            anchor = data_date
        # Switching month -> quarter keeps the same moment in time, but never lands on a period
        # still running: that is chosen on purpose, with its "至今" label in view.
        containing = Period.containing(min(anchor, data_date), Grain(grain))
        if containing.end > data_date:
            containing = latest_complete(data_date, Grain(grain))
        st.session_state["flt_period"] = containing.key if containing.key in keys else keys[0]
    # Short in the picker (the caption below and the page header give the full "截至" date).
    labels = {p.key: p.base_label + ("（至今）" if p.is_running else "") for p in options}
    period_key = sidebar.selectbox("期间", options=keys, format_func=lambda k: labels[k], key="flt_period")
    if options[0].is_running:
        sidebar.caption(f"{options[0].base_label}尚未结束，按“至今”统计，并与上期、上年同期的相同天数比较。")
    scope_options = _scope_options(towns)
    if st.session_state.get("flt_scope") not in scope_options:
        st.session_state["flt_scope"] = scope_options[0]
    scope = sidebar.selectbox(
        "区域",
        options=scope_options,
        format_func=lambda c: f"{CITY_NAME}（全市）" if c == CITY_SCOPE else town_names.get(c, c),
        key="flt_scope",
    )
    sidebar.caption(f"数据截至 {data_date:%Y年%m月%d日}（各部门报送日期见总览页）")
    village_names = villages_of(scope) if scope != CITY_SCOPE else {}
    village = st.query_params.get("village")
    if village not in village_names:
        village = None
    # Set, not replace: pages keep their own parameters beside these.
    _sync_param("period", period_key)
    _sync_param("scope", scope)
    _sync_param("village", village)
    return Filters(
        period=Period.parse(period_key).through(data_date),
        scope=scope,
        towns=towns,
        town_names=town_names,
        data_date=data_date,
        village=village,
        village_names=village_names,
    )


def _scope_options(towns: tuple[str, ...]) -> list[str]:
    """The whole city only for those who see every town; a town operator sees their town."""
    return [CITY_SCOPE, *towns] if len(towns) > 1 else list(towns)


def _sync_param(key: str, value: str | None) -> None:
    if value is None:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != value:
        st.query_params[key] = value
