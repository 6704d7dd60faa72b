"""The current figure beside a 督办 task's frozen one, so everyone sees whether it moved."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.engine import Connection

from data_access.supervision import Task
from metrics.domain.periods import Period
from metrics.evaluate import Evaluator, Figure
from metrics.registry import KPI_BY_KEY


def current_figures(conn: Connection, *, towns: tuple[str, ...], tasks: Iterable[Task]) -> dict[int, Figure]:
    """Task id -> today's figure for its KPI, town and period (one evaluator per period)."""
    by_period: dict[str, list[Task]] = {}
    for task in tasks:
        if task.kpi_key in KPI_BY_KEY and task.town_code in towns:
            by_period.setdefault(task.period, []).append(task)
    out: dict[int, Figure] = {}
    for period, group in by_period.items():
        evaluator = Evaluator(conn, towns=towns, period=Period.parse(period))
        for task in group:
            out[task.id] = evaluator.figure(KPI_BY_KEY[task.kpi_key], task.town_code, compare=False)
    return out


def movement(task: Task, figure: Figure | None) -> str:
    """ "好转" / "下滑" / "持平" against the frozen value, in the KPI's direction."""
    from metrics.domain.attainment import Direction

    if figure is None or figure.value is None or task.frozen_value is None:
        return "—"
    delta = figure.value - task.frozen_value
    if abs(delta) < 1e-9:
        return "持平"
    better = delta > 0 if figure.kpi.direction is Direction.HIGHER else delta < 0
    if figure.kpi.direction is Direction.NEUTRAL:
        return "上升" if delta > 0 else "下降"
    return "好转" if better else "下滑"
