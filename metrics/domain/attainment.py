"""Goal attainment: value against target with direction, status colours, and pacing."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from metrics.domain.periods import Period
from metrics.domain.settings import Settings


class Direction(StrEnum):
    HIGHER = "higher"  # more is better
    LOWER = "lower"  # less is better (a ceiling)
    NEUTRAL = "neutral"  # watched, no good or bad direction


DIRECTION_LABELS = {Direction.HIGHER: "越高越好", Direction.LOWER: "越低越好（控制数）", Direction.NEUTRAL: "监测"}


class Status(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    INCOMPLETE = "incomplete"  # a feed stops before the period's end: never judged 落后
    NONE = "none"


STATUS_LABELS = {
    Status.GREEN: "达标",
    Status.AMBER: "接近",
    Status.RED: "落后",
    Status.INCOMPLETE: "数据不全",
    Status.NONE: "无目标",
}
STATUS_COLOURS: dict[str, str] = {  # keyed by Status (a str)
    Status.GREEN: "#2E7D32",
    Status.AMBER: "#E0A100",
    Status.RED: "#C62828",
    Status.INCOMPLETE: "#5C6BC0",
    Status.NONE: "#9E9E9E",
}
STATUS_ICONS = {Status.GREEN: "●", Status.AMBER: "▲", Status.RED: "■", Status.INCOMPLETE: "◐", Status.NONE: "○"}


def attainment(value: float | None, target: float | None, direction: Direction) -> float | None:
    """How far the goal is met: 1.0 = exactly on target, above 1 = better than target."""
    if value is None or target is None or direction is Direction.NEUTRAL:
        return None
    if direction is Direction.HIGHER:
        if target == 0:
            return None
        return value / target
    # Lower is better: at or under the ceiling is >= 1.
    if value == 0:
        return float("inf") if target >= 0 else None
    return target / value


def status(ratio: float | None, settings: Settings) -> Status:
    if ratio is None:
        return Status.NONE
    if ratio >= settings["rag_green_ratio"]:
        return Status.GREEN
    if ratio >= settings["rag_amber_ratio"]:
        return Status.AMBER
    return Status.RED


def paced_target(target: float, *, goal_period: Period, period: Period, data_date: date, accumulates: bool) -> float:
    """The part of a goal due by the end of the data inside the selected period.

    A flow KPI (spending, placements) set for a year is due in proportion to the days
    elapsed: a year goal viewed for a quarter, or for a year still running, shrinks to
    the elapsed share. A state KPI (a rate, a stock) is due in full at any date.
    """
    if not accumulates:
        return target
    end = period.clipped_end(data_date)
    overlap_start = max(period.start, goal_period.start)
    overlap_end = min(end, goal_period.end)
    days = (overlap_end - overlap_start).days + 1
    if days <= 0:
        return 0.0
    return target * days / goal_period.days
