"""What the read API answers (/api/v1): KPIs for a period and scope, the town scorecard and the
feed dates, as JSON-ready rows. Figures come from the evaluator the pages use (metrics.evaluate),
with the overview's evaluator for the city and a town and a town's village-level one for a
village, so every number equals what the pages show; a missing value is null with its reason,
never NaN. pages/web/api.py is the HTTP side (tokens, limits, audit, JSON/CSV)."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Connection, text

from data_access.access import Principal
from data_access.models.governance import CITY_SCOPE
from data_access.queries import reference
from data_access.reference import CITY_NAME
from data_access.text import clean_for_export
from metrics import format as fmt
from metrics.completeness import due_date
from metrics.domain.attainment import STATUS_LABELS
from metrics.domain.periods import Grain, Period, PeriodError, latest_complete
from metrics.evaluate import NO_GOAL, Evaluator, Figure
from metrics.overview import SCORECARD_KPIS
from metrics.registry import KPI_BY_KEY, KPIS

PREFIX = "/api/v1"
CITY_WORDS = {CITY_SCOPE, "全市", CITY_NAME}
log = logging.getLogger("kunshan.api")

FIGURE_COLUMNS = (
    "scope",
    "scope_name",
    "kpi",
    "label",
    "unit",
    "value",
    "value_reason",
    "display",
    "goal",
    "goal_period",
    "goal_reason",
    "target",
    "attainment",
    "status",
    "status_label",
    "complete",
    "incomplete_note",
    "as_of",
    "basis",
)


class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


@dataclass(frozen=True)
class Call:
    """What a handler needs of the request (read on the event loop, used in a thread)."""

    path: str
    params: dict[str, str]
    authorization: str
    accept: str
    client: str
    query: str


@dataclass(frozen=True)
class Result:
    body: dict[str, Any]
    rows: list[dict[str, Any]]  # the same content flattened, for CSV
    columns: tuple[str, ...]
    name: str  # CSV file stem


# -- scope and period -------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    visible: tuple[str, ...]  # towns the token may see, in their usual order
    names: dict[str, str]  # town code -> short name
    scope: str  # CITY_SCOPE or a town code
    village: str | None
    village_name: str = ""

    @property
    def unit(self) -> str:
        return self.village or self.scope

    @property
    def level(self) -> str:
        return "village" if self.village else "city" if self.scope == CITY_SCOPE else "town"

    @property
    def name(self) -> str:
        if self.village:
            return f"{self.names.get(self.scope, self.scope)}{self.village_name}"
        return CITY_NAME if self.scope == CITY_SCOPE else self.names.get(self.scope, self.scope)


def _towns(conn: Connection, principal: Principal) -> tuple[tuple[str, ...], dict[str, str], dict[str, str]]:
    """(visible codes, code -> short name, any name or code -> code)."""
    rows = reference.towns(conn)
    visible = principal.visible_towns([str(t["code"]) for t in rows])
    if not visible:
        raise ApiError(403, "该令牌无权查看任何区镇")
    names = {str(t["code"]): str(t["short_name"] or t["name"]) for t in rows}
    lookup: dict[str, str] = {}
    for t in rows:
        for key in (t["code"], t["name"], t["short_name"]):
            if key:
                lookup[str(key)] = str(t["code"])
    return visible, names, lookup


def _town_param(params: dict[str, str]) -> str | None:
    scope, town = params.get("scope", "").strip(), params.get("town", "").strip()
    if scope and town and scope != town:
        raise ApiError(400, "scope 与 town 参数不一致：只需给出其中一个")
    return scope or town or None


def resolve_scope(conn: Connection, principal: Principal, params: dict[str, str], *, villages: bool = True) -> Scope:
    """The scope asked for, checked against what the token may see (403 outside it)."""
    visible, names, lookup = _towns(conn, principal)
    asked = _town_param(params)
    village = params.get("village", "").strip() or None
    if village and not villages:
        raise ApiError(400, "该接口不接受 village 参数")
    town: str | None = None
    if asked is not None and asked not in CITY_WORDS:
        town = lookup.get(asked)
        if town is None:
            raise ApiError(404, f"未知的区镇“{clean_for_export(asked)[:40]}”")
        if town not in visible:
            raise ApiError(403, "无权查看该区镇：该令牌只能查看本区镇")
    village_name = ""
    if village:
        row = conn.execute(text("SELECT town_code, name FROM village WHERE code = :v"), {"v": village}).first()
        if row is None:
            raise ApiError(404, f"未知的村（社区）代码“{clean_for_export(village)[:40]}”")
        if str(row[0]) not in visible:
            raise ApiError(403, "无权查看该村（社区）：该令牌只能查看本区镇")
        if asked in CITY_WORDS or (town is not None and town != str(row[0])):
            raise ApiError(400, "该村（社区）不属于所给区镇")
        town, village_name = str(row[0]), str(row[1])
    if town is None:
        # The whole city is for those who see every town (as on the pages); a town token
        # defaults to its town and may not ask for the city.
        if principal.role == "town":
            if asked in CITY_WORDS:
                raise ApiError(403, "无权查看全市数据：该令牌只能查看本区镇")
            town = visible[0]
        else:
            return Scope(visible, names, CITY_SCOPE, None)
    return Scope(visible, names, town, village, village_name)


def resolve_period(conn: Connection, params: dict[str, str]) -> tuple[Period, date | None]:
    dates = [cast(date, f["data_date"]) for f in reference.feeds(conn)]
    data_date = max(dates) if dates else None
    raw = params.get("period", "").strip()
    if not raw:
        if data_date is None:
            raise ApiError(404, "尚无任何部门数据：请先导入数据")
        return latest_complete(data_date, Grain.MONTH), data_date  # the pages' default
    try:
        period = Period.parse(raw)
    except PeriodError as exc:
        raise ApiError(400, str(exc)) from None
    if data_date is not None and period.start > data_date:
        raise ApiError(400, f"期间“{period.key}”晚于数据日期 {data_date:%Y-%m-%d}")
    return period, data_date


# -- figures as JSON ----------------------------------------------------------------------


def _num(value: float | None) -> float | None:
    """A number for JSON: None for missing, never NaN or infinity."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def figure_json(figure: Figure, scope_name: str) -> dict[str, Any]:
    kpi = figure.kpi
    value = _num(figure.value)
    reason = figure.value_reason if value is None else None
    if value is None and reason is None:  # a NaN from the rules: reported, not passed on
        reason = "无数据"
    return {
        "scope": figure.scope,
        "scope_name": scope_name,
        "kpi": kpi.key,
        "label": kpi.label,
        "unit": kpi.unit,
        "value": value,
        "value_reason": reason,
        "display": fmt.kpi_value(kpi, value),
        "goal": _num(figure.goal),
        "goal_period": figure.goal_period,
        "goal_reason": NO_GOAL if figure.goal is None else None,
        "target": _num(figure.target),
        "attainment": _num(figure.attainment),
        "status": figure.status.value,
        "status_label": STATUS_LABELS[figure.status],
        "complete": figure.incomplete is None,
        "incomplete_note": figure.incomplete,
        "as_of": figure.as_of.isoformat() if figure.as_of else None,
        "basis": figure.basis,
    }


def period_json(period: Period, data_date: date | None) -> dict[str, Any]:
    return {
        "key": period.key,
        "label": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "running": period.is_running,
        "data_date": data_date.isoformat() if data_date else None,
    }


def _is_demo(conn: Connection) -> bool:
    return any(bool(f["is_demo"]) for f in reference.feeds(conn))


def _kpi_keys(params: dict[str, str], allowed: tuple[str, ...]) -> tuple[str, ...]:
    raw = params.get("kpi", "").strip()
    if not raw:
        return allowed
    keys = tuple(k.strip() for k in raw.split(",") if k.strip())
    unknown = [k for k in keys if k not in allowed]
    if unknown:
        raise ApiError(400, f"未知的指标“{clean_for_export(unknown[0])[:60]}”：可选 {', '.join(allowed)}")
    return keys


# -- endpoints ----------------------------------------------------------------------------


def kpis(conn: Connection, principal: Principal, params: dict[str, str]) -> Result:
    """GET /api/v1/kpis?period=2025-09&scope=city|<town>&village=<code>&kpi=a,b"""
    scope = resolve_scope(conn, principal, params)
    period, data_date = resolve_period(conn, params)
    keys = _kpi_keys(params, tuple(k.key for k in KPIS))
    if scope.village:
        # A village's own figures: its town's village-level evaluator, as on the domain pages.
        evaluator = Evaluator(conn, towns=(scope.scope,), period=period, level="village")
    else:
        # City and town: the overview's evaluator over the visible towns (cards, scorecard).
        evaluator = Evaluator(conn, towns=scope.visible, period=period)
    figures = [figure_json(evaluator.figure(KPI_BY_KEY[k], scope.unit, compare=False), scope.name) for k in keys]
    body = {
        "period": period_json(evaluator.period, data_date),
        "scope": {"level": scope.level, "code": scope.unit, "name": scope.name, "town": scope.scope},
        "is_demo": _is_demo(conn),
        "kpis": figures,
    }
    return Result(body, figures, FIGURE_COLUMNS, f"kpis_{scope.unit}_{evaluator.period.key}")


def scorecard(conn: Connection, principal: Principal, params: dict[str, str]) -> Result:
    """GET /api/v1/scorecard?period=2025-09[&town=<code>]: towns x the overview's KPIs."""
    scope = resolve_scope(conn, principal, params, villages=False)
    period, data_date = resolve_period(conn, params)
    keys = _kpi_keys(params, SCORECARD_KPIS)
    evaluator = Evaluator(conn, towns=scope.visible, period=period)
    towns = scope.visible if scope.scope == CITY_SCOPE else (scope.scope,)
    rows = []
    flat = []
    for town in towns:
        figures = [figure_json(evaluator.figure(KPI_BY_KEY[k], town, compare=False), scope.names[town]) for k in keys]
        rows.append({"town": town, "town_name": scope.names[town], "figures": figures})
        flat += figures
    body = {
        "period": period_json(evaluator.period, data_date),
        "kpis": [{"kpi": k, "label": KPI_BY_KEY[k].label, "unit": KPI_BY_KEY[k].unit} for k in keys],
        "is_demo": _is_demo(conn),
        "rows": rows,
    }
    return Result(body, flat, FIGURE_COLUMNS, f"scorecard_{evaluator.period.key}")


FEED_COLUMNS = ("feed", "department", "label", "data_date", "loaded_at", "is_demo", "due_date", "covers_period")


def feeds(conn: Connection, principal: Principal, params: dict[str, str]) -> Result:
    """GET /api/v1/feeds[?period=2025-09]: each department feed's data date (and, for a
    period, whether it reaches the period's end, as the overview's feed table says)."""
    _towns(conn, principal)  # a token that sees nothing sees no feeds either
    period = None
    if params.get("period", "").strip():
        period, _ = resolve_period(conn, params)
    out = []
    for f in reference.feeds(conn):
        data_date = cast(date, f["data_date"])
        due = due_date(str(f["feed"]), period) if period else None
        loaded = f["loaded_at"]
        out.append(
            {
                "feed": str(f["feed"]),
                "department": str(f["department"]),
                "label": str(f["label"]),
                "data_date": data_date.isoformat(),
                "loaded_at": (loaded.isoformat(sep=" ") if isinstance(loaded, datetime) else str(loaded)[:19]),
                "is_demo": bool(f["is_demo"]),
                "due_date": due.isoformat() if due else None,
                "covers_period": (data_date >= due) if due else None,
            }
        )
    body = {"period": period.key if period else None, "feeds": out}
    return Result(body, out, FEED_COLUMNS, "feeds")


ENDPOINTS: dict[str, Callable[[Connection, Principal, dict[str, str]], Result]] = {
    f"{PREFIX}/kpis": kpis,
    f"{PREFIX}/scorecard": scorecard,
    f"{PREFIX}/feeds": feeds,
}


# -- the request cycle ------------------------------------------------------------------
