"""Demo employment support: placements, training, entrepreneurship subsidies and loans per key
target, and the town job pool (岗位储备库)."""

from __future__ import annotations

import random
from datetime import date

from data_access.demo.base import (
    DEMO_END,
    DEMO_START,
    EMPLOYMENT_FROM,
    MONTHS,
    _add_months,
    _days,
    _month_end,
    _pick,
    _poisson,
    _random_day,
    _Town,
    _yuan,
)
from data_access.demo.households import _GeneratorState, _Household, _Member
from data_access.demo.names import CHANNEL_WEIGHTS, COURSES, EMPLOYER_BRANDS, EMPLOYER_TRADES, JOB_TITLES
from data_access.demo.writer import _Writer
from data_access.models import EntrepreneurshipSubsidy, GuaranteedLoan, JobPosting, Placement, Training


class _EmploymentMixin(_GeneratorState):
    def _employment(self, hh: _Household, m: _Member) -> list[tuple[date, date | None]]:
        """Placement, training and entrepreneurship support for one key target.

        Returns the member's employer placements (start, end) for the pension records.
        """
        rng = self.rng
        assert hh.entry_on is not None and hh.last_active_day is not None
        first, last = max(hh.entry_on, EMPLOYMENT_FROM), hh.last_active_day
        if (last - first).days < 30:
            return []
        employer_spells: list[tuple[date, date | None]] = []
        # About 15 % of placements end without a new one: place more to land on the profile rate.
        if rng.random() < min(0.97, self.profile.placement / 0.85):
            start: date | None = _random_day(rng, first, last)
            while start is not None:
                channel = _pick(rng, CHANNEL_WEIGHTS)
                ended = start + _days(rng.randint(20, 330)) if rng.random() < 0.25 else None
                ended = ended if ended is not None and ended <= DEMO_END else None
                self._write_placement(hh, m, channel, start, ended)
                if channel == "employer":
                    employer_spells.append((start, ended))
                start = ended + _days(rng.randint(10, 90)) if ended and rng.random() < 0.4 else None
                start = start if start is not None and start <= DEMO_END else None
        if rng.random() < 0.5:
            self._write_training(m, hh, _random_day(rng, first, last))
        entrepreneur = rng.random() < 0.02
        if entrepreneur:
            self._write_subsidies(m, hh, _random_day(rng, first, last))
        if rng.random() < (0.35 if entrepreneur else 0.003):
            self._write_loan(m, hh, _random_day(rng, first, last))
        return employer_spells

    def _employer_name(self, hh: _Household, channel: str) -> str:
        rng = self.rng
        brand = rng.choice(EMPLOYER_BRANDS)
        if channel == "employer":
            return f"昆山{brand}{rng.choice(EMPLOYER_TRADES)}有限公司"
        if channel == "flexible":
            return rng.choice(
                (
                    f"{hh.town.ref.short_name}居家养老服务中心",
                    f"昆山{brand}物业管理有限公司",
                    f"昆山{brand}家政服务有限公司",
                )
            )
        if channel == "public_welfare":
            committee = "村民委员会" if hh.village.kind == "村" else "居民委员会"
            return f"{hh.village.name}{committee}"
        return f"{hh.town.ref.short_name}劳务合作社"

    def _write_placement(self, hh: _Household, m: _Member, channel: str, start: date, ended: date | None) -> None:
        self.writer.add(
            Placement,
            {
                "id": self.writer.new_id(Placement),
                "member_id": m.id,
                "town_code": hh.town.code,
                "channel": channel,
                "employer": self._employer_name(hh, channel),
                "started_on": start,
                "ended_on": ended,
            },
        )

    def _write_training(self, m: _Member, hh: _Household, start: date) -> None:
        rng = self.rng
        completed: date | None = start + _days(rng.randint(5, 60))
        completed = completed if completed is not None and completed <= DEMO_END and rng.random() > 0.07 else None
        self.writer.add(
            Training,
            {
                "id": self.writer.new_id(Training),
                "member_id": m.id,
                "town_code": hh.town.code,
                "course": rng.choice(COURSES),
                "started_on": start,
                "completed_on": completed,
                "certified": completed is not None and rng.random() < 0.7,
            },
        )

    def _write_subsidies(self, m: _Member, hh: _Household, opened: date) -> None:
        """一次性开业补贴, then possibly 带动就业, 租金 and 社保 subsidies."""
        rng = self.rng
        grants = [("opening", opened, _yuan(rng, 5000, 10000, step=1000))]
        for kind, low, high in (
            ("job_creation", 2000, 10000),
            ("rent", 1000, 6000),
            ("social_insurance", 3000, 8000),
        ):
            granted = opened + _days(rng.randint(30, 400))
            if rng.random() < 0.4 and granted <= DEMO_END:
                grants.append((kind, granted, _yuan(rng, low, high, step=100)))
        for kind, granted, amount in grants:
            self.writer.add(
                EntrepreneurshipSubsidy,
                {
                    "id": self.writer.new_id(EntrepreneurshipSubsidy),
                    "member_id": m.id,
                    "town_code": hh.town.code,
                    "kind": kind,
                    "granted_on": granted,
                    "amount_fen": amount,
                },
            )

    def _write_loan(self, m: _Member, hh: _Household, issued: date) -> None:
        """创业担保贷款 of 5-30 万元 with its 贴息 (interest subsidy at about the LPR)."""
        rng = self.rng
        principal = rng.randint(5, 30) * 1_000_000
        term = rng.choice((12, 24, 36))
        subsidy = round(principal * 0.0385 * term / 12 * rng.uniform(0.5, 1.0) / 100) * 100
        self.writer.add(
            GuaranteedLoan,
            {
                "id": self.writer.new_id(GuaranteedLoan),
                "member_id": m.id,
                "town_code": hh.town.code,
                "issued_on": issued,
                "principal_fen": principal,
                "interest_subsidy_fen": subsidy,
                "term_months": term,
            },
        )

    # -- social security and cadres ---------------------------------------------------------


def _write_job_postings(rng: random.Random, writer: _Writer, towns: list[_Town], scale: float) -> None:
    """岗位储备库: a few postings per town and month."""
    for town in towns:
        for month in range(MONTHS):
            first = _add_months(DEMO_START, month)
            for _ in range(max(1, _poisson(rng, 5.5 * scale))):
                channel = _pick(rng, CHANNEL_WEIGHTS)
                posted = _random_day(rng, first, _month_end(first))
                closed: date | None = posted + _days(rng.randint(15, 120))
                closed = closed if closed is not None and closed <= DEMO_END else None
                vacancies = rng.randint(1, 5) if channel == "public_welfare" else rng.randint(1, 15)
                filled_share = rng.uniform(0.5, 1.0) if closed else rng.uniform(0.0, 0.7)
                writer.add(
                    JobPosting,
                    {
                        "id": writer.new_id(JobPosting),
                        "town_code": town.code,
                        "employer": _posting_employer(rng, town, channel),
                        "title": rng.choice(JOB_TITLES[channel]),
                        "channel": channel,
                        "posted_on": posted,
                        "closed_on": closed,
                        "vacancies": vacancies,
                        "filled": round(vacancies * filled_share),
                    },
                )


def _posting_employer(rng: random.Random, town: _Town, channel: str) -> str:
    brand = rng.choice(EMPLOYER_BRANDS)
    if channel == "employer":
        return f"昆山{brand}{rng.choice(EMPLOYER_TRADES)}有限公司"
    if channel == "flexible":
        return f"昆山{brand}物业管理有限公司"
    if channel == "public_welfare":
        return f"{town.ref.name}社会事业局"
    return f"{town.ref.short_name}劳务合作社"
