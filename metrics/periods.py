"""Reporting periods: a month ('2025-09'), a quarter ('2025-Q3') or a year ('2025')."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
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
    start: date
    end: date  # inclusive
    grain: Grain

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

    @property
    def key(self) -> str:
        if self.grain is Grain.MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.grain is Grain.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}"

    @property
    def label(self) -> str:
        if self.grain is Grain.MONTH:
            return f"{self.start.year}年{self.start.month}月"
        if self.grain is Grain.QUARTER:
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.start.year}年"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        return Period.containing(self.start - timedelta(days=1), self.grain)

    def same_period_last_year(self) -> Period:
        return Period.containing(date(self.start.year - 1, self.start.month, 1), self.grain)

    def parents(self) -> list[Period]:
        """This period and the longer ones containing it, shortest first."""
        out = [self]
        if self.grain is Grain.MONTH:
            out.append(Period.containing(self.start, Grain.QUARTER))
        if self.grain is not Grain.YEAR:
            out.append(Period.year(self.start.year))
        return out

    def clipped_end(self, data_date: date) -> date:
        """The last day with data inside the period (the period may still be running)."""
        return min(self.end, max(data_date, self.start - timedelta(days=1)))

    def months(self) -> list[Period]:
        out, cur = [], Period.month(self.start.year, self.start.month)
        while cur.start <= self.end:
            out.append(cur)
            nxt = cur.end + timedelta(days=1)
            cur = Period.month(nxt.year, nxt.month)
        return out


def recent_periods(data_date: date, grain: Grain, count: int) -> list[Period]:
    """The `count` periods up to the one containing data_date, newest first."""
    out = [Period.containing(data_date, grain)]
    while len(out) < count:
        out.append(out[-1].previous())
    return out
