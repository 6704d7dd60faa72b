"""Month keys (yyyymm integers) and their first and last days."""

from __future__ import annotations

import calendar
from datetime import date


def key(day: date) -> int:
    return day.year * 100 + day.month


def first_day(month: int) -> date:
    return date(month // 100, month % 100, 1)


def last_day(month: int) -> date:
    year, mon = divmod(month, 100)
    return date(year, mon, calendar.monthrange(year, mon)[1])


def following(month: int) -> int:
    year, mon = divmod(month, 100)
    return (year + 1) * 100 + 1 if mon == 12 else month + 1


def between(first: int, last: int) -> list[int]:
    """Every month key from first to last, inclusive."""
    out, cur = [], first
    while cur <= last:
        out.append(cur)
        cur = following(cur)
    return out


def is_month_end(day: date) -> bool:
    return day == last_day(key(day))


def quarter_start(month: int) -> date:
    year, mon = divmod(month, 100)
    return date(year, 3 * ((mon - 1) // 3) + 1, 1)


def span_name(start: date, end: date) -> str | None:
    """Which span of the span facts (placements, housing) start..end is: to a month end from
    that month's, quarter's or year's first day (the shortest name when two coincide)."""
    if not is_month_end(end):
        return None
    month = key(end)
    for name, first in (("month", first_day(month)), ("quarter", quarter_start(month)), ("year", date(end.year, 1, 1))):
        if start == first:
            return name
    return None
