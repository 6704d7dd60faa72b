"""The overview's content: headline cards, the town scorecard, a trend, and data freshness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from data_access.queries import reference
from metrics.domain.periods import Grain, Period, recent_periods
from metrics.evaluate import Evaluator, Figure
from metrics.registry import KPI_BY_KEY, OVERVIEW_KPIS, Kpi, prefetch_months

# The scorecard's columns: every KPI with a direction that a goal can be set for.
SCORECARD_KPIS: tuple[str, ...] = (
    "caseload_households",
    "relief_spending",
    "relief_budget_execution",
    "placement_rate",
    "dividend_compliance",
    "pension_coverage",
    "medical_coverage",
)
TREND_KPI = "caseload_households"
TREND_MONTHS = 13  # this month back to the same month last year


@dataclass(frozen=True)
class TrendPoint:
    period: Period
    value: float | None
    target: float | None


@dataclass(frozen=True)
class Overview:
    period: Period
    scope: str
    cards: list[Figure]
    scorecard: dict[str, dict[str, Figure]]  # town code -> kpi key -> figure
    trend_kpi: Kpi
    trend: list[TrendPoint]
    feeds: list[dict[str, Any]]


def build_overview(conn: Connection, *, towns: tuple[str, ...], period: Period, scope: str) -> Overview:
    evaluator = Evaluator(conn, towns=towns, period=period)
    cards = [evaluator.figure(KPI_BY_KEY[key], scope) for key in OVERVIEW_KPIS]
    scorecard: dict[str, dict[str, Figure]] = {town: {} for town in towns}  # the towns' usual order
    for key in SCORECARD_KPIS:
        for town, figure in evaluator.town_figures(KPI_BY_KEY[key]).items():
            scorecard.setdefault(town, {})[key] = figure
    trend_kpi = KPI_BY_KEY[TREND_KPI]
    period = evaluator.period  # a running period ends on its data date: no trend past it
    return Overview(
        period=period,
        scope=scope,
        cards=cards,
        scorecard=scorecard,
        trend_kpi=trend_kpi,
        trend=monthly_trend(evaluator, kpi=trend_kpi, scope=scope, end=period.end),
        feeds=reference.feeds(conn),
    )


def monthly_trend(
    evaluator: Evaluator, *, kpi: Kpi, scope: str, end: date, months: int = TREND_MONTHS
) -> list[TrendPoint]:
    """The KPI month by month up to `end`, with the goal in force for each month."""
    points = []
    series = list(reversed(recent_periods(end, Grain.MONTH, months)))
    ctx = evaluator.context(kpi)
    if ctx is not None:  # one query per fact table for the whole trend, not one per month
        prefetch_months(ctx, series[0].start, series[-1].end)
    for month in series:
        figure = evaluator.for_period(month).figure(kpi, scope, compare=False)
        points.append(TrendPoint(month, figure.value, figure.target))
    return points
