"""Demo relief: the seven relief types paid where metrics.domain.rules says a household qualifies,
with deliberate 应助尽助 gaps, and the yearly budgets."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from data_access import reference
from data_access.demo.base import (
    BUDGET_YEARS,
    DEMO_END,
    DEMO_START,
    EDUCATION_DAYS,
    HOUSING_DAYS,
    LIVING_DAYS,
    MEDICAL_DAYS,
    RELIEF_FEED,
    _add_months,
    _days,
    _days_within,
    _geometric,
    _month_end,
    _random_day,
    _standard_at,
    _Town,
    _yuan,
    feed_data_date,
)
from data_access.demo.households import _GeneratorState, _Household
from data_access.demo.names import EDUCATION_AID_YUAN, MONTHLY_LIVING_SHARE
from data_access.demo.writer import _Ledger, _Writer
from data_access.models import ReliefBudget, ReliefPayment
from metrics.domain import rules


class _ReliefMixin(_GeneratorState):
    def _relief(self, hh: _Household) -> None:
        last = hh.last_active_day
        assert hh.entry_on is not None and last is not None
        self._living(hh, hh.entry_on, last)
        self._temporary(hh)
        self._medical(hh, hh.entry_on, last)
        self._education(hh, hh.entry_on, last)
        self._housing(hh, hh.entry_on, last)
        self._occasional(hh, "legal", 0.0028, lambda: _yuan(self.rng, 800, 3000))
        self._occasional(hh, "insurance", 0.0025, lambda: _yuan(self.rng, 2000, 20000, step=100))

    def _pay(self, hh: _Household, relief_type: str, day: date, amount_fen: int, persons: int, item: str = "") -> None:
        self.writer.add(
            ReliefPayment,
            {
                "id": self.writer.new_id(ReliefPayment),
                "household_id": hh.id,
                "town_code": hh.town.code,
                "relief_type": relief_type,
                "department": reference.RELIEF_TYPES[relief_type][1],
                "paid_on": day,
                "amount_fen": amount_fen,
                "persons_covered": persons,
                "item": item,
            },
        )
        self.ledger.add(day.year, hh.town.code, relief_type, amount_fen)

    def _living(self, hh: _Household, first: date, last: date) -> None:
        """生活救助 (三.1) on the 10th: 低保补差 below S, monthly relief in the band for the disabled/ill."""
        if "living" in hh.gaps:
            return
        special = sum(1 for m in hh.members if m.severe_disability or m.serious_illness)
        for day in _days_within(LIVING_DAYS, first, last):
            current = hh.assessment_on(day)
            assert current is not None
            standard = _standard_at(day)
            case = rules.living_relief_case(
                per_capita_income_fen=current.income_fen,
                has_severe_disability=hh.has_disabled,
                has_serious_illness=hh.has_ill,
                standard=standard,
            )
            if case is rules.LivingRelief.DIBAO:
                self._pay(hh, "living", day, (standard.floor_fen - current.income_fen) * hh.size, hh.size)
            elif case is rules.LivingRelief.MONTHLY_LIVING:
                amount = round(standard.floor_fen * MONTHLY_LIVING_SHARE) * special
                self._pay(hh, "living", day, amount, special)

    def _temporary(self, hh: _Household) -> None:
        """临时救助 (三.2): one-off payments after a shock, only when the rule allows."""
        rng = self.rng
        until = feed_data_date(RELIEF_FEED["temporary"])
        for i, a in enumerate(hh.assessments):
            if a.sharp_drop:
                chance = 0.6
            elif hh.has_ill and a.medical_ytd_fen >= 1_000_000:
                chance = 0.35
            elif hh.cause == "disaster":
                chance = 0.2
            else:
                chance = 0.015
            if rng.random() >= chance:
                continue
            day = a.on + _days(rng.randint(7, 40))
            following = hh.assessments[i + 1].on if i + 1 < len(hh.assessments) else None
            if not (DEMO_START <= day <= until) or (following and day >= following) or not hh.active_on(day):
                continue
            eligible = rules.temporary_relief_eligible(
                per_capita_income_fen=a.income_fen,
                household_size=hh.size,
                months=a.on.month,  # medical spending runs from January to the assessment month
                medical_spending_fen=a.medical_ytd_fen,
                standard=_standard_at(day),
            )
            if not eligible:
                continue
            if a.medical_ytd_fen >= 500_000:
                amount = min(2_000_000, round(a.medical_ytd_fen * rng.uniform(0.2, 0.4) / 1000) * 1000)
                self._pay(hh, "temporary", day, amount, 1)
            else:
                self._pay(hh, "temporary", day, _yuan(rng, 1000, 5000, step=100), hh.size)

    def _medical(self, hh: _Household, first: date, last: date) -> None:
        """医疗救助 (三.3) each quarter for seriously ill members of households below M."""
        ill = sum(1 for m in hh.members if m.serious_illness)
        if not ill or "medical" in hh.gaps:
            return
        for day in _days_within(MEDICAL_DAYS, first, last):
            if hh.below_line_on(day):
                self._pay(hh, "medical", day, ill * _yuan(self.rng, 600, 2500), ill)

    def _education(self, hh: _Household, first: date, last: date) -> None:
        """教育资助 (三.4) each March and September per student, preschool to high school."""
        if "education" in hh.gaps:
            return
        for day in _days_within(EDUCATION_DAYS, first, last):
            current = hh.below_line_on(day)
            if current is None:
                continue
            for m in hh.members:
                stage = m.stage_on(day)
                if rules.education_aid_eligible(
                    per_capita_income_fen=current.income_fen, student_stage=stage, standard=_standard_at(day)
                ):
                    self._pay(hh, "education", day, EDUCATION_AID_YUAN[stage] * 100, 1)

    def _housing(self, hh: _Household, first: date, last: date) -> None:
        """住房保障 (三.5): a monthly rent subsidy for a few households below M; about one in six
        of them (the better-off, 差别化) gets a one-off purchase subsidy instead."""
        rng = self.rng
        if rng.random() >= 0.05:
            return
        rent = _yuan(rng, 300, 900)
        # A side stream: the town's main stream draws exactly what it drew before.
        side = random.Random(f"housing-{self.town.code}-{hh.id}")
        purchase = side.random() < 0.16
        for day in _days_within(HOUSING_DAYS, first, last):
            current = hh.below_line_on(day)
            if not current:
                continue
            if purchase:
                self._pay(hh, "housing", day, _yuan(side, 30_000, 80_000), hh.size, item="purchase")
                return
            self._pay(hh, "housing", day, rent, hh.size, item="rent")

    def _occasional(self, hh: _Household, relief_type: str, monthly_chance: float, amount: Callable[[], int]) -> None:
        """Rare cases (法律援助, 防贫保险 claims): a few a month per town, households below M."""
        rng = self.rng
        until = min(feed_data_date(RELIEF_FEED[relief_type]), hh.last_active_day or DEMO_END)
        month = _geometric(rng, monthly_chance)
        while (first := _add_months(DEMO_START, month)) <= until:
            day = _random_day(rng, first, min(_month_end(first), until))
            if hh.below_line_on(day):
                self._pay(hh, relief_type, day, amount(), 1)
            month += 1 + _geometric(rng, monthly_chance)


def _write_budgets(rng: random.Random, writer: _Writer, towns: list[_Town], ledger: _Ledger) -> None:
    """Yearly budgets: expected spending times a town factor, so some towns run behind or ahead."""
    for year in BUDGET_YEARS:
        for town in towns:
            for relief_type in reference.RELIEF_TYPES:
                factor = min(1.25, max(0.85, town.profile.budget_factor * rng.uniform(0.95, 1.05)))
                expected = ledger.expected(year, town.code, relief_type)
                amount = max(100_000, round(expected * factor / 100_000) * 100_000)  # whole thousands of yuan
                writer.add(
                    ReliefBudget,
                    {
                        "id": writer.new_id(ReliefBudget),
                        "year": year,
                        "town_code": town.code,
                        "relief_type": relief_type,
                        "amount_fen": amount,
                    },
                )
