"""Evaluate registry KPIs for a period and scope: values, goals, pacing, status, change.

One SQL query per KPI and period yields every visible town at once; the city figure is
the sum of the towns' numerators and denominators, so towns always add up to the city.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from data_access.models.governance import CITY_SCOPE
from data_access.queries import reference
from metrics.completeness import TOWN_ONLY_NOTES, gap_note, lagging_feeds
from metrics.domain.attainment import Status, attainment, paced_target, status
from metrics.domain.periods import Grain, Period
from metrics.domain.rules import NoStandardError, Standard, standard_in_force
from metrics.domain.settings import Settings
from metrics.registry import Kpi, KpiValues, Measure, QueryContext

PREVIOUS_LABELS = {Grain.MONTH: "较上月", Grain.QUARTER: "较上季度", Grain.YEAR: "较上年"}
# A running period is compared with the same elapsed span of the earlier one.
PREVIOUS_LABELS_TO_DATE = {Grain.MONTH: "较上月同期", Grain.QUARTER: "较上季度同期", Grain.YEAR: "较上年同期"}

# Why a figure shows "—" (one wording everywhere: cards, tables, charts, exports).
NO_DATA = "无数据"
NOT_APPLICABLE = "不适用"
INCOMPLETE = "数据不全"
NO_GOAL = "无目标"


@dataclass(frozen=True)
class Figure:
    kpi: Kpi
    scope: str  # a town code, or CITY_SCOPE
    value: float | None
    goal: float | None  # as set by the leading group
    goal_period: str | None
    target: float | None  # the goal due by the data date (paced for flow KPIs)
    attainment: float | None
    status: Status
    previous: float | None
    last_year: float | None
    basis: str | None
    as_of: date | None
    previous_label: str = "较上期"
    incomplete: str | None = None  # e.g. "医保局数据截至9月30日，本期不完整"
    missing: str | None = None  # why value is None: 无数据 / 不适用
    last_year_label: str = "较上年同期"

    @property
    def change(self) -> float | None:
        """On the previous period: percentage points for rates, relative % otherwise.

        An incomplete figure is not compared: its missing part would read as a fall."""
        return None if self.incomplete else _change(self.kpi, self.value, self.previous)

    @property
    def change_on_last_year(self) -> float | None:
        return None if self.incomplete else _change(self.kpi, self.value, self.last_year)

    @property
    def value_reason(self) -> str | None:
        """Why the value is shown as "—" (None when there is a value)."""
        if self.value is not None:
            return None
        return self.missing or NO_DATA

    @property
    def status_reason(self) -> str:
        return STATUS_REASONS[self.status]


STATUS_REASONS = {
    Status.GREEN: "",
    Status.AMBER: "",
    Status.RED: "",
    Status.INCOMPLETE: INCOMPLETE,
    Status.NONE: NO_GOAL,
}


def _change(kpi: Kpi, value: float | None, before: float | None) -> float | None:
    if value is None or before is None:
        return None
    if kpi.is_rate:
        return value - before
    if before == 0:
        return None
    return (value / before - 1) * 100


class Evaluator:
    """Computes figures for one connection, visible-town set and period; memoises queries.

    At level "town" the units are the towns and the total is the city (CITY_SCOPE). At
    level "village" the evaluator covers one town: the units are its villages and the
    total is the town (its code), so the same code serves city -> town -> village.
    """

    def __init__(
        self,
        conn: Connection,
        *,
        towns: tuple[str, ...],
        period: Period,
        settings: Settings | None = None,
        level: str = "town",
    ) -> None:
        if level == "village" and len(towns) != 1:
            raise ValueError("village level covers exactly one town")
        self.conn = conn
        self.towns = tuple(sorted(towns))
        self.level = level
        self.total_scope = CITY_SCOPE if level == "town" else self.towns[0]
        self.settings = settings or Settings.from_store(reference.settings(conn))
        self.standards = [Standard(d, a, m) for d, a, m, _ in reference.standards(conn)]
        self.feed_dates = {f["feed"]: f["data_date"] for f in reference.feeds(conn)}
        # The data date is the newest feed's: a period past it is running and counts only to it.
        self.data_date: date | None = max(self.feed_dates.values()) if self.feed_dates else None
        self.period = self._through(period)
        self._values: dict[tuple[str, date, date], tuple[KpiValues, date | None]] = {}
        self._memo: dict[Any, Any] = {}  # queries shared between KPIs (QueryContext.shared)
        self._goals: dict[tuple[str, str, str], float] | None = None

    def for_period(self, period: Period) -> Evaluator:
        """An evaluator for another period sharing this one's reference data and query memo."""
        other = object.__new__(Evaluator)
        other.conn, other.towns, other.data_date = self.conn, self.towns, self.data_date
        other.period = self._through(period)
        other.level, other.total_scope = self.level, self.total_scope
        other.settings, other.standards, other.feed_dates = self.settings, self.standards, self.feed_dates
        other._values, other._goals, other._memo = self._values, None, self._memo
        return other

    def _through(self, period: Period) -> Period:
        return period if self.data_date is None else period.through(self.data_date)

    # -- values ---------------------------------------------------------------
    def as_of(self, kpi: Kpi, period: Period) -> date | None:
        return self.feed_as_of(kpi.feed, period, accumulates=kpi.accumulates, yearly=kpi.reported_yearly)

    def feed_as_of(self, feed: str, period: Period, *, accumulates: bool = False, yearly: bool = False) -> date | None:
        """The last day counted: the period end, clipped to the feed's data date."""
        feed_date = None if yearly else self.feed_dates.get(feed)
        end = period.end if feed_date is None else min(period.end, feed_date)
        if end >= period.start:
            return end
        # A lagging feed: a state KPI shows its latest reading (the basis says when);
        # a flow KPI has nothing to sum in this period yet.
        return None if accumulates or feed_date is None else feed_date

    def values(self, kpi: Kpi, period: Period | None = None) -> tuple[KpiValues, date | None]:
        period = self._through(period or self.period)
        cache_key = (kpi.key, period.start, period.end)
        if cache_key not in self._values:
            self._values[cache_key] = self._compute(kpi, period)
        return self._values[cache_key]

    def context(self, kpi: Kpi, period: Period | None = None) -> QueryContext | None:
        """The query context a KPI is computed in (None when the period has no data yet)."""
        return self.feed_context(kpi.feed, period, accumulates=kpi.accumulates, yearly=kpi.reported_yearly)

    def feed_context(
        self,
        feed: str,
        period: Period | None = None,
        *,
        accumulates: bool = False,
        yearly: bool = False,
        level: str | None = None,
    ) -> QueryContext | None:
        period = self._through(period or self.period)
        as_of = self.feed_as_of(feed, period, accumulates=accumulates, yearly=yearly)
        if as_of is None:
            return None
        try:
            standard = standard_in_force(self.standards, as_of)
        except NoStandardError:
            return None
        return QueryContext(
            conn=self.conn,
            towns=self.towns,
            period=period,
            start=period.start,
            as_of=as_of,
            standard=standard,
            settings=self.settings,
            level=level or self.level,
            memo=self._memo,
        )

    def _town_only(self, kpi: Kpi) -> bool:
        """A figure that exists for whole towns only, asked for at village level."""
        return self.level == "village" and kpi.key in TOWN_ONLY_NOTES

    def _compute(self, kpi: Kpi, period: Period) -> tuple[KpiValues, date | None]:
        level = "town" if self._town_only(kpi) else None
        ctx = self.feed_context(kpi.feed, period, accumulates=kpi.accumulates, yearly=kpi.reported_yearly, level=level)
        if ctx is None:
            reason = "该期间尚无数据" if self.as_of(kpi, period) is None else "该日期无生效的低保标准"
            return KpiValues({}, basis=reason), None
        as_of = ctx.as_of
        values = kpi.compute(ctx)
        if as_of < period.start and values.basis is None:
            values = KpiValues(values.by_town, basis=f"最新数据截至{as_of:%Y年%m月%d日}")
        return values, as_of

    def measure(self, kpi: Kpi, scope: str, period: Period | None = None) -> Measure | None:
        """A unit's measure, or the sum over all units for the total scope."""
        values, as_of = self.values(kpi, period)
        if as_of is None:
            return None
        if self._town_only(kpi):
            # Computed for the town as a whole; its villages have no such figure.
            return values.by_town.get(scope) if scope == self.total_scope else None
        if scope == self.total_scope:
            units = self.towns if self.level == "town" else tuple(values.by_town)
            total: Measure = _zero(kpi)
            for unit in units:
                total = total + values.by_town.get(unit, _zero(kpi))
            return total
        if self.level == "town" and scope not in self.towns:
            return None
        return values.by_town.get(scope, _zero(kpi))

    def value(self, kpi: Kpi, scope: str, period: Period | None = None) -> float | None:
        return kpi.value(self.measure(kpi, scope, period))

    # -- goals ----------------------------------------------------------------
    def goal(self, kpi: Kpi, scope: str) -> tuple[float, Period] | None:
        """The goal for this scope set for the period itself or the nearest period containing it."""
        goals = self._load_goals()
        for candidate in self.period.parents():
            target = goals.get((kpi.key, scope, candidate.key))
            if target is not None:
                return target, candidate
        return None

    def _load_goals(self) -> dict[tuple[str, str, str], float]:
        if self._goals is None:
            from metrics.registry import KPIS

            self._goals = reference.goals(
                self.conn,
                kpi_keys=[k.key for k in KPIS],
                scopes=[CITY_SCOPE, *self.towns],  # goals exist for the city and towns only
                periods=[p.key for p in self.period.parents()],
            )
        return self._goals

    # -- figures --------------------------------------------------------------
    def figure(self, kpi: Kpi, scope: str, *, compare: bool = True) -> Figure:
        """The figure for a scope; compare=False skips the earlier periods (tables, trends),
        which costs two fewer queries per KPI."""
        values, as_of = self.values(kpi)
        value = self.value(kpi, scope)
        gaps = lagging_feeds(kpi, self.period, self.feed_dates)
        incomplete = gap_note(gaps, year=self.period.end.year)
        missing = None
        if value is None:
            missing = NOT_APPLICABLE if self._town_only(kpi) and scope != self.total_scope else NO_DATA
        found = self.goal(kpi, scope)
        goal = target = None
        goal_period = None
        if found is not None and as_of is not None:
            goal, gp = found
            goal_period = gp.key
            if kpi.year_to_date:
                running_year = Period.year(as_of.year)
                target = paced_target(
                    goal, goal_period=running_year, period=running_year, data_date=as_of, accumulates=True
                )
            else:
                # Only sums are paced: a rate or a ratio over the period is judged in full
                # (a disclosure rate of 25 % in March is not on track for 100 %).
                paced = kpi.accumulates and not (kpi.is_rate or kpi.ratio)
                target = paced_target(goal, goal_period=gp, period=self.period, data_date=as_of, accumulates=paced)
        ratio = attainment(value, target, kpi.direction)
        # A yearly report compares with the year before, whatever the period's grain.
        last_year_period: Period | None = self.period.same_period_last_year()
        if kpi.reported_yearly:
            # Compare the reported year with the year before it; there is no other change.
            year = values.year or self.period.end.year
            previous_period, previous_label = Period.year(year - 1), "较上年度"
            last_year_period = None
        else:
            labels = PREVIOUS_LABELS_TO_DATE if self.period.is_running else PREVIOUS_LABELS
            previous_period, previous_label = self.period.previous(), labels[self.period.grain]
        # Missing data is not failure: an incomplete figure is never judged against its goal.
        judged = Status.INCOMPLETE if incomplete else status(ratio, self.settings)
        basis = values.basis
        if self._town_only(kpi) and scope == self.total_scope and self.level == "village":
            note = TOWN_ONLY_NOTES[kpi.key]
            basis = f"{basis}；{note}" if basis else note
        return Figure(
            kpi=kpi,
            scope=scope,
            value=value,
            goal=goal,
            goal_period=goal_period,
            target=target,
            attainment=ratio,
            status=judged,
            previous=self.value(kpi, scope, previous_period) if compare else None,
            last_year=self.value(kpi, scope, last_year_period) if compare and last_year_period else None,
            basis=basis,
            as_of=as_of,
            previous_label=previous_label,
            incomplete=incomplete,
            missing=missing,
        )

    def town_figures(self, kpi: Kpi, *, compare: bool = False) -> dict[str, Figure]:
        return {town: self.figure(kpi, town, compare=compare) for town in self.towns}

    def unit_figures(self, kpi: Kpi, units: tuple[str, ...], *, compare: bool = False) -> dict[str, Figure]:
        return {unit: self.figure(kpi, unit, compare=compare) for unit in units}


def _zero(kpi: Kpi) -> Measure:
    # A town with no rows has zero of a count and 0/0 (no value) of a rate.
    return Measure(0.0, 0.0) if kpi.is_rate or kpi.ratio else Measure(0.0)
