"""One demo household in memory (members, assessments, review timestamps) and the state that
every part of the town generator shares."""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime

from data_access.demo.base import (
    BACKLOG_FROM,
    DEMO_END,
    END_OF_DATA,
    TownProfile,
    _age_on,
    _days,
    _office_time,
    _standard_at,
    _Town,
    _Village,
)
from data_access.demo.writer import _Ledger, _Writer

# --------------------------------------------------------------------------- households


@dataclass
class _Member:
    id: int
    name: str
    id_number: str
    gender: str
    birth_date: date
    relation: str
    severe_disability: bool = False
    serious_illness: bool = False
    labour_capacity: bool = False
    willing_to_work: bool = False
    has_individual_plan: bool = False
    upper_track: str = "none"  # what the member does at 15-17: high_school / secondary_vocational / none
    college: bool = False

    def stage_on(self, day: date) -> str:
        """School stage at a date, from age (so history follows a child through school)."""
        age = _age_on(self.birth_date, day)
        if 3 <= age <= 5:
            return "preschool"
        if 6 <= age <= 14:
            return "compulsory"
        if 15 <= age <= 17:
            return self.upper_track
        if 18 <= age <= 21 and self.college:
            return "college"
        return "none"

    @property
    def key_target(self) -> bool:
        return self.labour_capacity and self.willing_to_work


@dataclass(frozen=True)
class _Assessment:
    on: date
    income_fen: int
    medical_ytd_fen: int
    sharp_drop: bool = False


@dataclass(frozen=True)
class _Review:
    """Timestamps of one case through 村 review, 区镇 approval and 市级备案 (None = not yet)."""

    submitted: datetime
    village: datetime | None
    town: datetime | None
    city: datetime | None

    @property
    def effective(self) -> date | None:
        return self.town.date() if self.town else None


@dataclass(frozen=True)
class _Spell:
    entry: date  # simulated approval date of the entry (may fall after DEMO_END)
    exit: date | None  # simulated approval date of the exit (may fall after DEMO_END)
    exit_reason: str | None


@dataclass
class _Household:
    id: int
    town: _Town
    village: _Village
    cause: str
    members: list[_Member]
    entry_on: date | None  # effective entry; None while the entry is still under review
    exit_on: date | None  # effective exit; None while on the register or the exit is pending
    gaps: frozenset[str] = frozenset()  # relief types withheld although due (应助尽助 gaps)
    assessments: list[_Assessment] = field(default_factory=list)
    _assessed_on: list[date] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def has_disabled(self) -> bool:
        return any(m.severe_disability for m in self.members)

    @property
    def has_ill(self) -> bool:
        return any(m.serious_illness for m in self.members)

    @property
    def last_active_day(self) -> date | None:
        if self.entry_on is None:
            return None
        return min(DEMO_END, self.exit_on - _days(1)) if self.exit_on else DEMO_END

    def set_assessments(self, items: list[_Assessment]) -> None:
        self.assessments = items
        self._assessed_on = [a.on for a in items]

    def active_on(self, day: date) -> bool:
        """On the register: its latest effective event on or before day is the entry."""
        return self.entry_on is not None and self.entry_on <= day and (self.exit_on is None or day < self.exit_on)

    def assessment_on(self, day: date) -> _Assessment | None:
        index = bisect_right(self._assessed_on, day) - 1
        return self.assessments[index] if index >= 0 else None

    def below_line_on(self, day: date) -> _Assessment | None:
        """The assessment in force when the household is on the register with I < M, else None."""
        if not self.active_on(day):
            return None
        current = self.assessment_on(day)
        if current is None or current.income_fen >= _standard_at(day).monitoring_line_fen:
            return None
        return current


def _review(rng: random.Random, approved_on: date, slow_share: float) -> _Review:
    """Stage timestamps around an approval date; stages after DEMO_END have not happened yet."""
    if approved_on >= BACKLOG_FROM:
        slow_share = min(0.75, slow_share * 6)
    town_days = _stage_days(rng, 3, 20, slow_share)
    village_days = _stage_days(rng, 2, 15, slow_share)
    filing_days = _stage_days(rng, 2, 30, slow_share)
    town = _office_time(rng, approved_on)
    village = _office_time(rng, approved_on - _days(town_days))
    submitted = _office_time(rng, village.date() - _days(village_days))
    stages: list[datetime | None] = [village, town, _office_time(rng, approved_on + _days(filing_days))]
    for i, stamp in enumerate(stages):
        if stamp is not None and stamp > END_OF_DATA:
            stages[i:] = [None] * (len(stages) - i)
            break
    return _Review(submitted, *stages)


def _stage_days(rng: random.Random, low: int, high: int, slow_share: float) -> int:
    if rng.random() < slow_share:
        return rng.randint(high + 1, high + 75)  # a stalled case
    return rng.randint(low, high)


class _GeneratorState:
    """What every part of the town generator shares: one town's random stream and the writers."""

    rng: random.Random
    town: _Town
    profile: TownProfile
    scale: float
    writer: _Writer
    ledger: _Ledger
    used_ids: set[str]
    active_at_end: int
