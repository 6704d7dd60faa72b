"""What every oversight page shows first: headline figures for the scope and a league
table of its units (towns for the city, villages for a town), against goals."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Connection

from data_access.models.governance import CITY_SCOPE
from data_access.queries import households, reference
from metrics.completeness import TOWN_ONLY
from metrics.domain.periods import Period
from metrics.evaluate import Evaluator, Figure
from metrics.registry import KPI_BY_KEY


@dataclass(frozen=True)
class DomainView:
    period: Period
    level: str  # "town" (city scope) or "village" (town scope)
    scope: str
    cards: list[Figure]
    units: list[tuple[str, str]]  # (code, display name) in their usual order
    league: dict[str, dict[str, Figure]]  # unit code -> kpi key -> figure
    league_keys: tuple[str, ...]


def evaluator_for(conn: Connection, *, towns: tuple[str, ...], period: Period, scope: str) -> Evaluator:
    if scope == CITY_SCOPE:
        return Evaluator(conn, towns=towns, period=period)
    if scope not in towns:
        raise PermissionError("无权查看该区镇")
    return Evaluator(conn, towns=(scope,), period=period, level="village")


def units_for(conn: Connection, *, towns: tuple[str, ...], scope: str) -> list[tuple[str, str]]:
    if scope == CITY_SCOPE:
        names = {str(t["code"]): str(t["name"]) for t in reference.towns(conn)}
        return [(code, names.get(code, code)) for code in towns]
    return [(str(v["code"]), str(v["name"])) for v in households.villages(conn, towns=(scope,))]


def domain_view(
    conn: Connection,
    *,
    towns: tuple[str, ...],
    period: Period,
    scope: str,
    card_keys: tuple[str, ...],
    league_keys: tuple[str, ...],
    village: str | None = None,
) -> DomainView:
    """With a village, the cards are that village's own figures (its town's league stays)."""
    evaluator = evaluator_for(conn, towns=towns, period=period, scope=scope)
    units = units_for(conn, towns=towns, scope=scope)
    codes = tuple(code for code, _ in units)
    card_scope = village if village and village in codes and evaluator.level == "village" else scope
    card_keys = tuple(k for k in card_keys if not (card_scope != scope and k in TOWN_ONLY))
    league: dict[str, dict[str, Figure]] = {code: {} for code in codes}
    for key in league_keys:
        for code, figure in evaluator.unit_figures(KPI_BY_KEY[key], codes).items():
            league[code][key] = figure
    return DomainView(
        period=evaluator.period,
        level=evaluator.level,
        scope=scope,
        cards=[evaluator.figure(KPI_BY_KEY[key], card_scope) for key in card_keys],
        units=units,
        league=league,
        league_keys=league_keys,
    )


@dataclass(frozen=True)
class ProfileRow:
    figure: Figure
    rank: int | None  # 1 = best among the towns with a value
    ranked: int  # how many towns were ranked
    city_value: float | None


def town_profile(conn: Connection, *, towns: tuple[str, ...], period: Period, town: str) -> dict[str, list[ProfileRow]]:
    """Every KPI for one town against its goals, with its rank among the visible towns, by domain."""
    from metrics.domain.attainment import Direction
    from metrics.registry import KPIS

    if town not in towns:
        raise PermissionError("无权查看该区镇")
    evaluator = Evaluator(conn, towns=towns, period=period)
    out: dict[str, list[ProfileRow]] = {}
    for kpi in KPIS:
        figures = evaluator.town_figures(kpi)
        rank = None
        valued = [(code, f.value) for code, f in figures.items() if f.value is not None]
        own = figures[town].value
        if kpi.direction is not Direction.NEUTRAL and own is not None:
            ordered = sorted(valued, key=lambda cv: cv[1], reverse=kpi.direction is Direction.HIGHER)
            # Ties share the better rank.
            rank = 1 + sum(1 for _, v in ordered if (v > own if kpi.direction is Direction.HIGHER else v < own))
        out.setdefault(kpi.domain, []).append(
            ProfileRow(figures[town], rank, len(valued), evaluator.value(kpi, CITY_SCOPE))
        )
    return out
