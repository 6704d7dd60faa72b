"""Demo caseload: members of a household, income assessments, and the household, event and
assessment rows (一户一档, 两级审核)."""

from __future__ import annotations

import random
from bisect import bisect_right
from datetime import date

from data_access.demo.base import (
    DEMO_END,
    END_OF_DATA,
    _age_on,
    _days,
    _random_day,
    _standard_at,
    _Village,
    _yuan,
)
from data_access.demo.households import _Assessment, _GeneratorState, _Household, _Member, _Review, _review
from data_access.demo.names import ENTRY_REASONS, EXIT_INCOME, ID_AREA, SURNAMES, _person_name, id_check_digit
from data_access.models import CaseEvent, Household, IncomeAssessment, Member

# 返贫: of the households that leave for income (or 其他), a share comes back onto the register.
# Chosen only among households whose return owes them no relief the generator would have to
# pay (adults only, nobody disabled or seriously ill, income back in the band S <= I < M), so
# the return adds no 应助未助 case. Its own random stream per household, so the rest of the
# city is exactly what it was without returns.
RETURN_REASONS = (EXIT_INCOME, "其他")
RETURN_SHARE = 0.16  # of eligible exits
RETURN_SHARE_BY_TOWN = {"花桥": 0.30, "周市": 0.26, "千灯": 0.24, "陆家": 0.06, "周庄": 0.05}
RETURN_SALT = 0x5EED_12


class _CaseloadMixin(_GeneratorState):
    def _maybe_return(self, hh: _Household) -> None:
        """Maybe a re-entry some months after an effective exit, with its assessments."""
        exit_on = hh.exit_on
        if exit_on is None or exit_on > DEMO_END or hh.has_disabled or hh.has_ill:
            return
        rng = random.Random(hh.id * 1_000_003 + RETURN_SALT)
        if rng.random() >= RETURN_SHARE_BY_TOWN.get(self.town.ref.short_name, RETURN_SHARE):
            return
        # Most returns come within a year; some in the second or third year.
        months = rng.choices((rng.randint(4, 12), rng.randint(13, 24), rng.randint(25, 36)), weights=(60, 28, 12))[0]
        approved_on = min(exit_on + _days(months * 30 + rng.randint(-10, 10)), exit_on + _days(months * 31))
        review = _review(rng, approved_on, self.profile.slow_review)
        if review.submitted > END_OF_DATA or review.submitted.date() <= exit_on:
            return
        if any(_age_on(m.birth_date, review.submitted.date()) < 18 for m in hh.members):
            return  # a returning family with children would be owed 教育资助
        self._write_event(hh, "entry", ENTRY_REASONS[hh.cause], review)
        on = review.submitted.date()
        while on <= DEMO_END:
            income = round(rng.uniform(1.08, 1.85) * _standard_at(on).floor_fen)
            self._write_assessment(hh, _Assessment(on, income, 0))
            on += _days(rng.randint(162, 202))

    def _pick_village(self) -> _Village:
        weights = self.town.village_weights
        return self.town.villages[bisect_right(weights, self.rng.random() * weights[-1])]

    # -- members --------------------------------------------------------------------------

    def _members(self, cause: str) -> list[_Member]:
        rng = self.rng
        size = rng.choices((1, 2, 3, 4, 5), weights=(20, 28, 27, 17, 8))[0]
        if cause == "schooling":
            size = max(size, 2)
        head_age = self._head_age(cause)
        head_gender = "男" if rng.random() < 0.66 else "女"
        people: list[tuple[str, str, int]] = [("户主", head_gender, head_age)]
        for slot in range(1, size):
            people.append(self._relative(slot, head_age, head_gender, cause, people))
        surnames = self._surnames(people)
        members = [
            self._member(relation, gender, age, surname)
            for (relation, gender, age), surname in zip(people, surnames, strict=True)
        ]
        self._ensure_cause(members, cause)
        return members

    def _surnames(self, people: list[tuple[str, str, int]]) -> list[str]:
        """Children and grandchildren take the father's surname, as is usual."""
        head = self.rng.choice(SURNAMES)
        spouse = self.rng.choice(SURNAMES)
        father = head if people[0][1] == "男" or all(r != "配偶" for r, _, _ in people) else spouse
        by_relation = {"户主": head, "配偶": spouse, "子女": father, "其他": father}
        return [
            by_relation.get(relation, head if gender == "男" else self.rng.choice(SURNAMES))
            for relation, gender, _ in people
        ]

    def _head_age(self, cause: str) -> int:
        rng = self.rng
        if cause == "schooling":
            return rng.randint(38, 55)
        roll = rng.random()
        if roll < 0.35:
            return rng.randint(60, 88)
        if roll < 0.80:
            return rng.randint(40, 59)
        return rng.randint(25, 39)

    def _relative(
        self, slot: int, head_age: int, head_gender: str, cause: str, people: list[tuple[str, str, int]]
    ) -> tuple[str, str, int]:
        rng = self.rng
        if slot == 1 and cause == "schooling":
            return ("子女", rng.choice("男女"), rng.randint(8, 20))
        if slot == 1 and head_age < 80 and rng.random() < 0.8:
            spouse = "女" if head_gender == "男" else "男"
            return ("配偶", spouse, max(20, min(95, head_age + rng.randint(-5, 5))))
        if head_age >= 58 and rng.random() < 0.4:
            return ("其他", rng.choice("男女"), max(0, head_age - rng.randint(45, 60)))  # a grandchild
        has_parent = any(r == "父母" for r, _, _ in people)
        if head_age < 55 and not has_parent and rng.random() < 0.25:
            return ("父母", rng.choice("男女"), min(95, head_age + rng.randint(22, 32)))
        return ("子女", rng.choice("男女"), max(0, head_age - rng.randint(20, 38)))

    def _member(self, relation: str, gender: str, age: int, surname: str) -> _Member:
        rng = self.rng
        birth = DEMO_END - _days(age * 365 + (age // 4) + rng.randint(0, 364))
        member = _Member(
            id=self.writer.new_id(Member),
            name=_person_name(rng, gender, surname),
            id_number=self._id_number(birth, gender),
            gender=gender,
            birth_date=birth,
            relation=relation,
        )
        age = _age_on(birth, DEMO_END)
        member.severe_disability = rng.random() < (0.035 if age >= 60 else 0.015)
        member.serious_illness = rng.random() < (0.04 if age >= 60 else 0.015)
        if rng.random() < 0.9:
            member.upper_track = "high_school" if rng.random() < 0.55 else "secondary_vocational"
            member.college = rng.random() < (0.7 if member.upper_track == "high_school" else 0.25)
        self._set_labour(member, age)
        return member

    def _set_labour(self, member: _Member, age: int) -> None:
        """About a third of adults 18-60 can and want to work: the key employment targets."""
        rng = self.rng
        healthy = not (member.severe_disability or member.serious_illness)
        if 18 <= age <= 60 and healthy and member.stage_on(DEMO_END) == "none":
            member.labour_capacity = rng.random() < 0.58
            member.willing_to_work = member.labour_capacity and rng.random() < 0.72
        elif 61 <= age <= 65 and healthy:
            member.labour_capacity = rng.random() < 0.2
        member.has_individual_plan = member.key_target and rng.random() < self.profile.plan

    def _ensure_cause(self, members: list[_Member], cause: str) -> None:
        """An illness or disability household has at least one such member."""
        rng = self.rng
        if cause == "disability" and not any(m.severe_disability for m in members):
            chosen = rng.choice(members)
            chosen.severe_disability = True
            chosen.labour_capacity = chosen.willing_to_work = chosen.has_individual_plan = False
        if cause == "illness" and not any(m.serious_illness for m in members):
            chosen = rng.choice(members)
            chosen.serious_illness = True
            chosen.labour_capacity = chosen.willing_to_work = chosen.has_individual_plan = False

    def _id_number(self, birth: date, gender: str) -> str:
        """An 18-digit ID: area 320583, the birth date, a sequence (odd for men), the check."""
        while True:
            sequence = 2 * self.rng.randrange(500) + 1 if gender == "男" else 2 * self.rng.randrange(1, 500)
            first17 = f"{ID_AREA}{birth:%Y%m%d}{sequence:03d}"
            number = first17 + id_check_digit(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    # -- income --------------------------------------------------------------------------

    def _assessments(
        self, hh: _Household, first_on: date, exit_on: date | None, income_exit_on: date | None
    ) -> list[_Assessment]:
        """At entry, then about every six months while on the register.

        A household leaving for income gets an assessment at or above the line M some
        weeks before its exit is submitted; a few others have a sharp drop near the end.
        """
        rng = self.rng
        floor_band = rng.random() < 0.41
        base = rng.uniform(0.30, 0.92) if floor_band else rng.uniform(1.08, 1.85)
        monthly_medical = self._monthly_medical(hh)
        last_day = min(DEMO_END, exit_on - _days(1)) if exit_on else DEMO_END
        dates = [first_on]
        while (following := dates[-1] + _days(rng.randint(162, 202))) <= last_day:
            dates.append(following)

        above_on = None
        if income_exit_on is not None:
            above_on = max(first_on + _days(30), income_exit_on - _days(rng.randint(5, 100)))
            above_on = min(above_on, income_exit_on - _days(1))
            dates = [d for d in dates if d < above_on]

        items: list[_Assessment] = []
        for i, on in enumerate(dates):
            ratio = base * rng.uniform(0.92, 1.08)
            if i > 0 and not floor_band and rng.random() < 0.02:
                ratio = rng.uniform(2.0, 2.25)  # briefly above the line: an exit candidate that stays
            items.append(self._assessment(on, ratio, monthly_medical))
        if above_on is not None and above_on > first_on and above_on <= DEMO_END:
            items.append(self._assessment(above_on, rng.uniform(2.02, 2.8), monthly_medical))
        elif exit_on is None or exit_on > DEMO_END:
            self._maybe_sharp_drop(items, monthly_medical)
        return items

    def _assessment(self, on: date, ratio: float, monthly_medical_fen: int) -> _Assessment:
        income = round(ratio * _standard_at(on).floor_fen)
        return _Assessment(on, income, self._medical_ytd(on, monthly_medical_fen))

    def _maybe_sharp_drop(self, items: list[_Assessment], monthly_medical_fen: int) -> None:
        """A few percent lose at least 30 % of income in the last three months (early warning)."""
        rng = self.rng
        if rng.random() >= 0.035:
            return
        on = _random_day(rng, DEMO_END - _days(91), DEMO_END)
        previous = items[-1]
        if on <= previous.on + _days(14):
            return
        income = int(previous.income_fen * rng.uniform(0.30, 0.68))
        items.append(_Assessment(on, income, self._medical_ytd(on, monthly_medical_fen), sharp_drop=True))

    def _monthly_medical(self, hh: _Household) -> int:
        rng = self.rng
        if hh.cause == "illness" or hh.has_ill:
            if rng.random() < 0.12:
                return _yuan(rng, 5000, 15000)
            return _yuan(rng, 600, 3500)
        return _yuan(rng, 50, 400) if rng.random() < 0.25 else 0

    def _medical_ytd(self, on: date, monthly_fen: int) -> int:
        """Medical spending from January to the assessment month (三.2)."""
        return round(monthly_fen * on.month * self.rng.uniform(0.85, 1.15) / 100) * 100

    # -- relief ----------------------------------------------------------------------------

    def _write_household(self, hh: _Household) -> None:
        head = hh.members[0]
        self.writer.add(
            Household,
            {
                "id": hh.id,
                "town_code": hh.town.code,
                "village_code": hh.village.code,
                "head_name": head.name,
                "head_id_number": head.id_number,
                "phone": f"13{self.rng.randrange(10**9):09d}",
                "cause": hh.cause,
            },
        )
        for m in hh.members:
            self.writer.add(
                Member,
                {
                    "id": m.id,
                    "household_id": hh.id,
                    "name": m.name,
                    "id_number": m.id_number,
                    "gender": m.gender,
                    "birth_date": m.birth_date,
                    "relation": m.relation,
                    "labour_capacity": m.labour_capacity,
                    "willing_to_work": m.willing_to_work,
                    "severe_disability": m.severe_disability,
                    "serious_illness": m.serious_illness,
                    "student_stage": m.stage_on(DEMO_END),
                    "has_individual_plan": m.has_individual_plan,
                },
            )

    def _write_event(self, hh: _Household, kind: str, reason: str, review: _Review) -> None:
        self.writer.add(
            CaseEvent,
            {
                "id": self.writer.new_id(CaseEvent),
                "household_id": hh.id,
                "town_code": hh.town.code,
                "kind": kind,
                "reason": reason,
                "submitted_at": review.submitted,
                "village_reviewed_at": review.village,
                "town_approved_at": review.town,
                "city_filed_at": review.city,
                "effective_date": review.effective,
            },
        )

    def _write_assessment(self, hh: _Household, a: _Assessment) -> None:
        self.writer.add(
            IncomeAssessment,
            {
                "id": self.writer.new_id(IncomeAssessment),
                "household_id": hh.id,
                "assessed_on": a.on,
                "household_size": hh.size,
                "per_capita_income_fen": a.income_fen,
                "medical_spending_ytd_fen": a.medical_ytd_fen,
            },
        )
