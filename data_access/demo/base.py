"""Demo city constants: the data window, department feed dates, town profiles, dates and
standards, and the small random helpers every part of the generator shares."""

from __future__ import annotations

import math
import random
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

from data_access import reference
from metrics.domain import rules

DEMO_START = date(2021, 11, 1)  # first month of monthly history
DEMO_END = date(2026, 10, 31)  # last day with data
DEFAULT_SEED = 20200805
MONTHS = 60
SOURCE = "演示数据生成器"
CHUNK_ROWS = 5_000

# Timestamps are naive local (Beijing) time, as the store keeps them; reviews happen in office hours.
END_OF_DATA = datetime.combine(DEMO_END, time(23, 59, 59))

INITIAL_ENTRY_FROM = date(2019, 10, 1)  # the opening stock entered 2019-2021
FUTURE_MONTHS = 8  # simulated past DEMO_END: cases submitted before it, approved after, are pending
MIN_STAY_DAYS = 183
BACKLOG_FROM = date(2026, 5, 1)  # reviews slow down in the last months: the pipeline fills up
EMPLOYMENT_FROM = date(2020, 1, 1)

# Departments report on their own schedule (组织保障.4): these feeds lag DEMO_END.
FEED_DATA_DATES: dict[str, date] = {
    "medical": date(2026, 9, 30),
    "education": date(2026, 9, 30),
    "legal": date(2026, 9, 30),
    "agriculture": date(2025, 12, 31),
    "charity": date(2026, 9, 30),  # 慈善总会 reports a month behind
}
RELIEF_FEED = {
    "living": "relief_civil",
    "temporary": "relief_civil",
    "medical": "medical",
    "education": "education",
    "housing": "housing",
    "legal": "legal",
    "insurance": "agriculture",
}


def feed_data_date(feed: str) -> date:
    return FEED_DATA_DATES.get(feed, DEMO_END)


# --------------------------------------------------------------------------- towns


@dataclass(frozen=True)
class TownProfile:
    """How one town's demo data differs, so towns can be compared side by side."""

    villages: int  # 村
    communities: int  # 社区
    households: int  # on the register at DEMO_END, at scale 1
    growth: float  # register at DEMO_END / register at DEMO_START
    relief_gap: float  # share of qualifying households left unpaid (应助尽助 gap)
    placement: float  # share of key employment targets in work
    plan: float  # share of key targets with an individual plan (一人一策)
    pension_gap: float  # share of pension-age members not enrolled
    dividend_met: float  # share of cooperatives meeting 五.2 each year
    slow_review: float  # share of cases stalling at a review stage
    budget_factor: float  # budget / expected spending: >1 behind pace, <1 ahead
    exit_hazard: float = 0.013  # monthly probability a household leaves the register
    fumin: float = 0.70  # share of eligible households receiving 富民 dividends


PROFILES: dict[str, TownProfile] = {
    "开发区": TownProfile(6, 45, 1150, 0.94, 0.04, 0.82, 0.88, 0.010, 0.84, 0.12, 1.05, 0.014, 0.72),
    "高新区": TownProfile(5, 35, 720, 1.04, 0.03, 0.80, 0.85, 0.060, 0.82, 0.06, 0.92, 0.013, 0.68),
    "花桥": TownProfile(6, 30, 680, 1.08, 0.11, 0.76, 0.78, 0.080, 0.80, 0.07, 1.20, 0.012, 0.66),
    "巴城": TownProfile(16, 14, 830, 0.93, 0.04, 0.74, 0.82, 0.015, 0.60, 0.05, 1.00, 0.013, 0.74),
    "周市": TownProfile(14, 20, 780, 0.95, 0.12, 0.78, 0.80, 0.020, 0.83, 0.06, 0.88, 0.013, 0.70),
    "陆家": TownProfile(10, 14, 580, 0.92, 0.03, 0.80, 0.90, 0.010, 0.85, 0.04, 1.10, 0.014, 0.76),
    "淀山湖": TownProfile(18, 8, 520, 0.90, 0.04, 0.60, 0.70, 0.020, 0.58, 0.05, 0.95, 0.013, 0.64),
    "张浦": TownProfile(18, 12, 880, 0.93, 0.05, 0.79, 0.84, 0.015, 0.80, 0.13, 1.02, 0.013, 0.71),
    "周庄": TownProfile(20, 6, 480, 0.88, 0.03, 0.62, 0.72, 0.020, 0.78, 0.05, 1.15, 0.014, 0.69),
    "千灯": TownProfile(16, 12, 720, 0.94, 0.10, 0.77, 0.86, 0.020, 0.81, 0.06, 0.90, 0.013, 0.73),
    "锦溪": TownProfile(20, 14, 660, 0.89, 0.04, 0.63, 0.75, 0.025, 0.60, 0.05, 1.22, 0.014, 0.67),
}


@dataclass(frozen=True)
class _Village:
    code: str
    town_code: str
    name: str
    kind: str  # 村 / 社区
    cadres: tuple[str, ...]


@dataclass
class _Town:
    ref: reference.TownRef
    sort_order: int
    profile: TownProfile
    villages: list[_Village]
    village_weights: list[float]  # cumulative, for picking a household's village

    @property
    def code(self) -> str:
        return self.ref.code


# --------------------------------------------------------------------------- dates and standards

STANDARDS: tuple[rules.Standard, ...] = tuple(
    rules.Standard(s.effective_from, s.yuan * 100, reference.DEFAULT_MONITORING_MULTIPLIER) for s in reference.STANDARDS
)


@cache
def _standard_at(day: date) -> rules.Standard:
    # Cached: the same few hundred payment dates are asked about for every household.
    return rules.standard_in_force(STANDARDS, day)


def _add_months(day: date, months: int) -> date:
    """First day of the month `months` after day's month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_end(first: date) -> date:
    return _add_months(first, 1) - timedelta(days=1)


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def _random_day(rng: random.Random, first: date, last: date) -> date:
    return first + _days(rng.randint(0, max(0, (last - first).days)))


def _office_time(rng: random.Random, day: date) -> datetime:
    minute = rng.randint(8 * 60 + 30, 17 * 60 + 30)
    return datetime.combine(day, time(minute // 60, minute % 60))


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _monthly(day_of_month: int, until: date, months: Sequence[int] = tuple(range(1, 13))) -> tuple[date, ...]:
    out = []
    for i in range(MONTHS):
        first = _add_months(DEMO_START, i)
        day = first.replace(day=day_of_month)
        if first.month in months and day <= until:
            out.append(day)
    return tuple(out)


LIVING_DAYS = _monthly(10, feed_data_date("relief_civil"))
HOUSING_DAYS = _monthly(15, feed_data_date("housing"))
MEDICAL_DAYS = _monthly(20, feed_data_date("medical"), months=(1, 4, 7, 10))
EDUCATION_DAYS = _monthly(20, feed_data_date("education"), months=(3, 9))
FUMIN_YEARS = range(DEMO_START.year + 1, DEMO_END.year + 1)  # paid each January for the year before
COOPERATIVE_YEARS = range(2020, 2026)
BUDGET_YEARS = range(2021, 2027)


def _days_within(days: Sequence[date], first: date, last: date) -> Sequence[date]:
    return days[bisect_left(days, first) : bisect_right(days, last)]


# --------------------------------------------------------------------------- small random helpers


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, product = math.exp(-lam), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _geometric(rng: random.Random, p: float) -> int:
    """Failures before the first success: months until a monthly event happens."""
    return int(math.log(1.0 - rng.random()) / math.log(1.0 - p))


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(tuple(weights), weights=tuple(weights.values()))[0]


def _yuan(rng: random.Random, low: int, high: int, step: int = 10) -> int:
    """A random amount in fen, between low and high yuan, in steps of `step` yuan."""
    return rng.randrange(low // step, high // step + 1) * step * 100
