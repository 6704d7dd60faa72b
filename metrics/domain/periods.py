"""Reporting periods: a month ('2025-09'), a quarter ('2025-Q3') or a year ('2025')."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum


class Grain(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


GRAIN_LABELS = {Grain.MONTH: "月", Grain.QUARTER: "季度", Grain.YEAR: "年"}

_PATTERNS = (
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), Grain.MONTH),
    (re.compile(r"^(\d{4})-Q([1-4])$"), Grain.QUARTER),
    (re.compile(r"^(\d{4})$"), Grain.YEAR),
)


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period; a running one (the data stop inside it) ends on its data date.

    `end` is always the last day counted, so every query and comparison of a running period
    covers only the elapsed span; `full_end` keeps the calendar end for labels and goals.
    """

    start: date
    end: date  # inclusive: the last day counted
    grain: Grain
    full_end: date | None = field(default=None, compare=True)  # set only while running

    @classmethod
    def parse(cls, text: str) -> Period:
        text = text.strip().upper()
        for pattern, grain in _PATTERNS:
            match = pattern.match(text)
            if match:
                year = int(match.group(1))
                if grain is Grain.YEAR:
                    return cls.year(year)
                if grain is Grain.QUARTER:
                    return cls.quarter(year, int(match.group(2)))
                return cls.month(year, int(match.group(2)))
        raise PeriodError(f"无法识别的期间“{text}”：请用 2025（年）、2025-Q3（季度）或 2025-09（月）")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        last = calendar.monthrange(year, month)[1]
        return cls(date(year, month, 1), date(year, month, last), Grain.MONTH)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first_month = 3 * (quarter - 1) + 1
        last_month = first_month + 2
        return cls(
            date(year, first_month, 1),
            date(year, last_month, calendar.monthrange(year, last_month)[1]),
            Grain.QUARTER,
        )

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31), Grain.YEAR)

    @classmethod
    def containing(cls, day: date, grain: Grain) -> Period:
        if grain is Grain.MONTH:
            return cls.month(day.year, day.month)
        if grain is Grain.QUARTER:
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        return cls.year(day.year)

    # -- running periods ------------------------------------------------------
    def through(self, data_date: date) -> Period:
        """This period as far as the data reach: itself when finished, else running to data_date."""
        full = self.full()
        end = min(self.end, data_date)  # an earlier clip (a like-for-like span) stays
        if end >= full.end or data_date < full.start:
            return full
        return Period(full.start, end, full.grain, full_end=full.end)

    def full(self) -> Period:
        return Period(self.start, self.full_end or self.end, self.grain)

    @property
    def is_running(self) -> bool:
        return self.full_end is not None

    @property
    def grain_to_date(self) -> str:
        return {Grain.MONTH: "月初至今", Grain.QUARTER: "季度至今", Grain.YEAR: "年度至今"}[self.grain]

    @property
    def key(self) -> str:
        if self.grain is Grain.MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.grain is Grain.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}"

    @property
    def base_label(self) -> str:
        if self.grain is Grain.MONTH:
            return f"{self.start.year}年{self.start.month}月"
        if self.grain is Grain.QUARTER:
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.start.year}年"

    @property
    def label(self) -> str:
        """ "2026年第4季度" or, while running, "2026年第4季度（季度至今，截至10月31日）"."""
        if not self.is_running:
            return self.base_label
        return f"{self.base_label}（{self.grain_to_date}，截至{self.end.month}月{self.end.day}日）"

    @property
    def span_label(self) -> str:
        """The days counted, for comparisons: "2025年10月1日—10月31日"."""
        if not self.is_running:
            return self.base_label
        tail = f"{self.end.month}月{self.end.day}日" if self.end.year == self.start.year else f"{self.end:%Y年%m月%d日}"
        return f"{self.start.year}年{self.start.month}月{self.start.day}日—{tail}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period before, like for like: a running period is compared with the same
        elapsed span of the previous one (Q4 to 31 October against Q3 to 31 July)."""
        before = Period.containing(self.start - timedelta(days=1), self.grain)
        return self._same_span(before)

    def same_period_last_year(self) -> Period:
        """The same period a year earlier, like for like (year to 31 October against the
        year before to 31 October)."""
        before = Period.containing(date(self.start.year - 1, self.start.month, 1), self.grain)
        return self._same_span(before)

    def _same_span(self, other: Period) -> Period:
        if not self.is_running:
            return other
        if _is_month_end(self.end):
            # Whole months elapsed: the same number of whole months (months differ in length).
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month
            index = other.start.year * 12 + other.start.month - 1 + months
            year, month = divmod(index, 12)
            cutoff = date(year, month + 1, calendar.monthrange(year, month + 1)[1])
        else:
            cutoff = other.start + (self.end - self.start)
        return other.through(min(cutoff, other.end))

    def parents(self) -> list[Period]:
        """This period and the longer ones containing it, shortest first (calendar periods:
        goals are set for whole months, quarters and years)."""
        out = [self.full()]
        if self.grain is Grain.MONTH:
            out.append(Period.containing(self.start, Grain.QUARTER))
        if self.grain is not Grain.YEAR:
            out.append(Period.year(self.start.year))
        return out

    def clipped_end(self, data_date: date) -> date:
        """The last day with data inside the period (the period may still be running)."""
        return min(self.end, max(data_date, self.start - timedelta(days=1)))

    def months(self) -> list[Period]:
        """The months counted, the last one running if the period is (never past `end`)."""
        out, cur = [], Period.month(self.start.year, self.start.month)
        while cur.start <= self.end:
            out.append(cur.through(self.end))
            nxt = cur.end + timedelta(days=1)
            cur = Period.month(nxt.year, nxt.month)
        return out


def _is_month_end(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def latest_complete(data_date: date, grain: Grain) -> Period:
    """The newest period of this grain that the data cover to its end."""
    current = Period.containing(data_date, grain)
    return current if current.end <= data_date else current.previous()


def recent_periods(data_date: date, grain: Grain, count: int) -> list[Period]:
    """The `count` periods up to the one containing data_date, newest first; the newest
    runs to data_date when the data stop inside it."""
    out = [Period.containing(data_date, grain)]
    while len(out) < count:
        out.append(out[-1].previous())
    return [out[0].through(data_date), *out[1:]]
