"""The page layer's view of the store: which towns the user may see, and cached loaders.

Caches are keyed by the data version, so an import or a goal change shows at once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import streamlit as st

from data_access.access import Principal
from data_access.db import database_url, get_engine
from data_access.queries import households, reference
from metrics.domain.periods import Period
from metrics.overview import Overview, build_overview
from metrics.views import DomainView, domain_view, evaluator_for, units_for

CACHE_TTL_SECONDS = 600


def engine_url() -> str:
    return database_url()


@st.cache_data(ttl=60, show_spinner=False)
def data_version(url: str) -> str:
    with get_engine(url).connect() as conn:
        return reference.data_version(conn)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def towns(url: str, version: str) -> list[dict[str, Any]]:
    with get_engine(url).connect() as conn:
        return reference.towns(conn)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def feeds(url: str, version: str) -> list[dict[str, Any]]:
    with get_engine(url).connect() as conn:
        return reference.feeds(conn)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def settings_raw(url: str, version: str) -> dict[str, str]:
    with get_engine(url).connect() as conn:
        return reference.settings(conn)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def village_names(url: str, version: str, town: str) -> dict[str, str]:
    with get_engine(url).connect() as conn:
        return {str(v["code"]): str(v["name"]) for v in households.villages(conn, towns=(town,))}


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner="正在计算指标…")
def overview(url: str, version: str, towns: tuple[str, ...], period_key: str, scope: str) -> Overview:
    with get_engine(url).connect() as conn:
        return build_overview(conn, towns=towns, period=Period.parse(period_key), scope=scope)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner="正在计算指标…")
def domain(
    url: str,
    version: str,
    towns: tuple[str, ...],
    period_key: str,
    scope: str,
    card_keys: tuple[str, ...],
    league_keys: tuple[str, ...],
    village: str | None = None,
) -> DomainView:
    with get_engine(url).connect() as conn:
        return domain_view(
            conn,
            towns=towns,
            period=Period.parse(period_key),
            scope=scope,
            card_keys=card_keys,
            league_keys=league_keys,
            village=village,
        )


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner="正在汇总明细…")
def detail(
    url: str,
    version: str,
    towns: tuple[str, ...],
    period_key: str,
    scope: str,
    village: str | None,
    what: str,
    principal: Principal,
):
    """A page's own breakdowns (metrics.domains.*), cached like the KPIs; lists masked.

    The principal is part of the cache key: who may see a list differs by user.
    """
    return _detail(url, towns, period_key, scope, village, what, principal, unmask=False)


def detail_unmasked(
    url: str, towns: tuple[str, ...], period_key: str, scope: str, village: str | None, what: str, principal: Principal
):
    """The same with personal data in full, where the principal may; never cached, always logged."""
    return _detail(url, towns, period_key, scope, village, what, principal, unmask=True)


def _detail(url, towns, period_key, scope, village, what, principal, *, unmask):
    from metrics.domains import DETAILS

    with get_engine(url).connect() as conn:
        evaluator = evaluator_for(conn, towns=towns, period=Period.parse(period_key), scope=scope)
        units = units_for(conn, towns=towns, scope=scope)
        return DETAILS[what](evaluator, units, village, principal, unmask)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner="正在生成区镇画像…")
def profile(url: str, version: str, towns: tuple[str, ...], period_key: str, town: str):
    from metrics.views import town_profile

    with get_engine(url).connect() as conn:
        return town_profile(conn, towns=towns, period=Period.parse(period_key), town=town)


def signoff_labels(url: str, period_key: str) -> dict[str, str]:
    """Feed -> 已确认（who, when）/ 未确认 for a period (not cached: confirmations are live)."""
    from data_access import signoff

    with get_engine(url).connect() as conn:
        states = signoff.states(conn, periods=[period_key])
    return {subject: s.label for (kind, subject, _), s in states.items() if kind == "feed"}


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def task_figures(url: str, version: str, towns: tuple[str, ...], tasks: tuple[tuple[int, str, str, str], ...]):
    """Task id -> today's figure of its KPI, town and period (cached by data version)."""
    from data_access.supervision import Task
    from metrics.supervision import current_figures

    stubs = [
        Task(i, k, t, p, None, None, "", "", "", "", date.min, "open", "", datetime.min, None, None, "")
        for i, k, t, p in tasks
    ]
    with get_engine(url).connect() as conn:
        return current_figures(conn, towns=towns, tasks=stubs)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner="正在准备会议材料…")
def pack_preview(url: str, version: str, towns: tuple[str, ...], period_key: str, scope: str):
    from briefing.content import build_pack

    with get_engine(url).connect() as conn:
        return build_pack(conn, towns=towns, period=Period.parse(period_key), scope=scope)
