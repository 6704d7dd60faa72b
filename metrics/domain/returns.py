"""返贫 (households returning to the register after an exit) and review waiting times: the pure
rules, shared by the SQL layer's callers, the page and the tests.

The plan's long-term aim (一、总体要求: 巩固脱贫成果, 长效机制) is that households who leave the
register stay out. It fixes no observation window, so the window is a setting
(`return_window_months`, default 12); the page also shows twice the window (24 months).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (earlier when negative), clipped to the
    month's end: 2024-02-29 + 12 -> 2025-02-28; 2024-01-31 + 1 -> 2024-02-29."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def returned_within(exit_on: date, back_on: date, months: int) -> bool:
    """The return counts when its entry takes effect after the exit and at most `months`
    calendar months after it, the day itself included: an exit on 2024-03-15 and a re-entry
    on 2025-03-15 is a return within 12 months; 2025-03-16 is not."""
    return exit_on < back_on <= add_months(exit_on, months)


def cohort(as_of: date, window: int, *, generation: int = 1) -> tuple[date, date]:
    """The exits a window observes at as_of: effective after the first date, up to and
    including the second. Generation 1 is the `window` months ending `window` months before
    as_of, so every exit in it has been watched for the whole window by as_of; generation 2
    (the 2 × window view) is the `window` months before that."""
    through = add_months(as_of, -window * generation)
    return add_months(as_of, -window * (generation + 1)), through


def windows(as_of: date, window: int) -> tuple[tuple[date, date, int], ...]:
    """The two exit cohorts /caseload shows at as_of, newest first, as (after, through, months
    watched): generation 1 watched for the window, generation 2 for twice the window."""
    return (*cohort(as_of, window), window), (*cohort(as_of, window, generation=2), 2 * window)


def median(counts: Mapping[int, int]) -> float | None:
    """Median of a histogram {value: how many}; the mean of the two middle values when even."""
    total = sum(counts.values())
    if total <= 0:
        return None
    ordered = sorted((v, n) for v, n in counts.items() if n > 0)

    def nth(k: int) -> int:  # the k-th value, 0-based
        seen = 0
        for value, n in ordered:
            seen += n
            if k < seen:
                return value
        raise IndexError(k)

    if total % 2:
        return float(nth(total // 2))
    return (nth(total // 2 - 1) + nth(total // 2)) / 2
