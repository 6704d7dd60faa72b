"""政策测算: what a different 低保标准, monitoring-line multiple or 三.2 threshold would change.

A scenario replaces the standard in force at the period's caseload date (from the same
effective date). Every household on the register keeps its latest income assessment; its group
today and in the scenario come from the caseload SQL (data_access.queries.what_if), so with
today's standard the scenario reproduces the caseload figures exactly.

Budget rule (三.1, 二(一).1): a household below the floor is 纳入城乡低保 and receives the
difference between the standard and its monthly per-capita income for every member:
(S − I) × 家庭人口 per month, × 12 for a year. The 三.1 按月生活救助 of the band S ≤ I < M (a
severely disabled or seriously ill member) has no amount in the plan: it is counted, not priced.
Nothing here writes to the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.engine import Connection

from data_access.queries import what_if as queries
from metrics.domain.periods import Period
from metrics.domain.rules import Group, Standard
from metrics.evaluate import Evaluator

GROUPS: tuple[str, ...] = (Group.FLOOR.value, Group.MONITORED.value, Group.ABOVE.value, "unknown")
MONTHS_PER_YEAR = 12


class WhatIfError(ValueError):
    """The scenario cannot be computed (no caseload data or no standard in force)."""


@dataclass(frozen=True)
class Scenario:
    """The leader's inputs: 低保标准 S (fen per person per month), 监测线倍数, 三.2 threshold.

    temporary_line_fen None: the 三.2 threshold is the scenario's monitoring line, as the plan
    writes it."""

    standard_fen: int
    multiplier: float
    temporary_line_fen: int | None = None

    def __post_init__(self) -> None:
        if self.standard_fen <= 0:
            raise WhatIfError("低保标准必须大于 0")
        if not 1.0 <= self.multiplier <= 5.0:
            raise WhatIfError("监测线倍数应在 1 至 5 之间")
        if self.temporary_line_fen is not None and self.temporary_line_fen <= 0:
            raise WhatIfError("临时救助门槛必须大于 0")

    def standard(self, effective_from: date) -> Standard:
        return Standard(effective_from, self.standard_fen, self.multiplier)

    def temporary_line(self, effective_from: date) -> int:
        if self.temporary_line_fen is not None:
            return self.temporary_line_fen
        return self.standard(effective_from).monitoring_line_fen

    @classmethod
    def of(cls, standard: Standard) -> Scenario:
        """Today's settings as a scenario (the page's defaults)."""
        return cls(standard.amount_fen, standard.monitoring_multiplier)


@dataclass
class Side:
    """One side (today or the scenario) of one unit."""

    households: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GROUPS, 0))
    persons: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GROUPS, 0))
    monthly_living_households: int = 0  # 三.1 按月生活救助: S ≤ I < M with a disabled / ill member
    monthly_living_persons: int = 0  # those members
    temporary_households: int = 0  # meet 三.2 临时救助
    floor_gap_monthly_fen: int = 0  # Σ (S − I) × persons over the floor group

    @property
    def living_budget_fen(self) -> int:
        """低保补差 for a year: (S − I) × 家庭人口 × 12 (三.1)."""
        return self.floor_gap_monthly_fen * MONTHS_PER_YEAR

    @property
    def monitored_households(self) -> int:
        """相对贫困监测对象: floor and monitored together (I < M)."""
        return self.households[Group.FLOOR.value] + self.households[Group.MONITORED.value]

    @property
    def monitored_persons(self) -> int:
        return self.persons[Group.FLOOR.value] + self.persons[Group.MONITORED.value]

    def add(self, other: Side) -> None:
        for g in GROUPS:
            self.households[g] += other.households[g]
            self.persons[g] += other.persons[g]
        self.monthly_living_households += other.monthly_living_households
        self.monthly_living_persons += other.monthly_living_persons
        self.temporary_households += other.temporary_households
        self.floor_gap_monthly_fen += other.floor_gap_monthly_fen


@dataclass
class UnitWhatIf:
    code: str  # a town code, or "city"
    today: Side = field(default_factory=Side)
    scenario: Side = field(default_factory=Side)
    moves: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)  # (from, to) -> (户, 人)

    @property
    def moved_households(self) -> int:
        return sum(h for (a, b), (h, _) in self.moves.items() if a != b)

    @property
    def moved_persons(self) -> int:
        return sum(p for (a, b), (_, p) in self.moves.items() if a != b)

    @property
    def living_budget_change_fen(self) -> int:
        return self.scenario.living_budget_fen - self.today.living_budget_fen

    def add(self, other: UnitWhatIf) -> None:
        self.today.add(other.today)
        self.scenario.add(other.scenario)
        for key, (h, p) in other.moves.items():
            h0, p0 = self.moves.get(key, (0, 0))
            self.moves[key] = (h0 + h, p0 + p)


@dataclass(frozen=True)
class WhatIfResult:
    period: Period
    as_of: date  # the register and income assessments the scenario runs on
    current: Standard  # in force at as_of
    proposed: Standard  # the scenario, from the same effective date
    temporary_line_fen: int  # the scenario's 三.2 threshold
    units: list[UnitWhatIf]
    total: UnitWhatIf

    @property
    def is_today(self) -> bool:
        return (
            self.proposed.floor_fen == self.current.floor_fen
            and self.proposed.monitoring_line_fen == self.current.monitoring_line_fen
            and self.temporary_line_fen == self.current.monitoring_line_fen
        )


def today_standard(conn: Connection, *, towns: tuple[str, ...], period: Period) -> tuple[date, Standard]:
    """The caseload figures' date and the standard in force then, exactly as the KPIs take them."""
    ctx = Evaluator(conn, towns=towns, period=period).feed_context("caseload", period)
    if ctx is None:
        raise WhatIfError(f"{period.label}尚无监测对象数据或低保标准，无法测算")
    return ctx.as_of, ctx.standard


def what_if(conn: Connection, *, towns: tuple[str, ...], period: Period, scenario: Scenario) -> WhatIfResult:
    """Today and the scenario, by town and for the towns together, at the period's caseload date."""
    as_of, current = today_standard(conn, towns=towns, period=period)
    proposed = scenario.standard(current.effective_from)
    temporary_line = scenario.temporary_line(current.effective_from)
    rows = queries.what_if_rows(
        conn,
        towns=towns,
        as_of=as_of,
        floor_fen=current.floor_fen,
        line_fen=current.monitoring_line_fen,
        scenario_floor_fen=proposed.floor_fen,
        scenario_line_fen=proposed.monitoring_line_fen,
        temporary_line_fen=temporary_line,
        scenario_from=current.effective_from,
    )
    units = {t: UnitWhatIf(t) for t in towns}
    for row in rows:
        unit = units.setdefault(row.town_code, UnitWhatIf(row.town_code))
        for side, group, living, temporary, gap in (
            (unit.today, row.group_today, row.living_today, row.temporary_today, row.floor_gap_today_fen),
            (
                unit.scenario,
                row.group_scenario,
                row.living_scenario,
                row.temporary_scenario,
                row.floor_gap_scenario_fen,
            ),
        ):
            side.households[group] += row.households
            side.persons[group] += row.persons
            if living and group == Group.MONITORED.value:
                side.monthly_living_households += row.households
                side.monthly_living_persons += row.special_members
            if temporary:
                side.temporary_households += row.households
            side.floor_gap_monthly_fen += gap
        key = (row.group_today, row.group_scenario)
        h, p = unit.moves.get(key, (0, 0))
        unit.moves[key] = (h + row.households, p + row.persons)
    total = UnitWhatIf("city")
    for unit in units.values():
        total.add(unit)
    return WhatIfResult(
        period=period,
        as_of=as_of,
        current=current,
        proposed=proposed,
        temporary_line_fen=temporary_line,
        units=[units[t] for t in towns],
        total=total,
    )
