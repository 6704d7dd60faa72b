"""What a KPI is: its record (Kpi), the context its computation gets (QueryContext) and what
it returns (KpiValues of additive Measures per town)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar, cast

from sqlalchemy.engine import Connection

from metrics.domain.attainment import Direction
from metrics.domain.periods import Period
from metrics.domain.rules import Standard
from metrics.domain.settings import Settings

_T = TypeVar("_T")


@dataclass(frozen=True)
class Measure:
    """A KPI's numerator (and denominator, for rates) in one town: additive across towns."""

    num: float
    den: float | None = None

    def __add__(self, other: Measure) -> Measure:
        den = None if self.den is None and other.den is None else (self.den or 0) + (other.den or 0)
        return Measure(self.num + other.num, den)


@dataclass(frozen=True)
class QueryContext:
    conn: Connection
    towns: tuple[str, ...]
    period: Period
    start: date  # first day counted (period start)
    as_of: date  # last day counted: period end, clipped to the KPI's data date
    standard: Standard  # 低保标准 in force at as_of
    settings: Settings
    level: str = "town"  # group results by town code or by village code
    # Results shared by several KPIs of one evaluator (e.g. spending, 户次, 人次 come from one
    # query): computed once per (query, period) and reused.
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    # False: compute from raw rows even where facts could serve (tests, `check`).
    use_facts: bool = True

    def shared(self, name: str, compute: Callable[[], _T]) -> _T:
        key = (name, self.start, self.as_of, self.level, self.towns)
        if key not in self.memo:
            self.memo[key] = compute()
        return cast(_T, self.memo[key])


@dataclass(frozen=True)
class KpiValues:
    by_town: dict[str, Measure]
    basis: str | None = None  # e.g. which year a yearly KPI used
    year: int | None = None  # the reporting year of a yearly KPI


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: str
    department: str  # 责任单位
    direction: Direction
    domain: str  # caseload / relief / employment / dividends / social
    clause: str  # where in the plan it comes from
    meaning: str
    formula: str
    feed: str  # which department feed dates it
    accumulates: bool  # True: summed over the period (flow); False: state at period end
    # True: the value runs from January 1 to the data date whatever the period, so its
    # goal is paced by the elapsed share of the year (budget execution).
    compute: Callable[[QueryContext], KpiValues] = field(repr=False)
    short_label: str = ""  # for card titles and table headers; defaults to label
    year_to_date: bool = False
    # True: reported once a year; any period shows the latest year reported (its basis says
    # which), rather than going blank while the year's report is not yet in.
    reported_yearly: bool = False
    ratio: bool = False  # a quotient that is not a percentage (e.g. 元/户次)
    scale: float = 1.0  # display = num * scale (or num / den * scale)
    decimals: int = 0

    @property
    def short(self) -> str:
        return self.short_label or self.label

    def value(self, measure: Measure | None) -> float | None:
        if measure is None:
            return None
        if measure.den is None:
            return measure.num * self.scale
        if measure.den == 0:
            return None
        return measure.num / measure.den * self.scale

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"
