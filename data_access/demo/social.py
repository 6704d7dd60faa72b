"""Demo social security and cadre links: pension, medical and long-term-care enrolment of the
monitored population, and 挂钩联系."""

from __future__ import annotations

import random
from datetime import date

from data_access.demo.base import DEMO_END, _age_on, _days, _standard_at, _years_after
from data_access.demo.households import _GeneratorState, _Household, _Member
from data_access.models import CadreLink, InsuranceEnrolment

# Per town (short name): share of low-income members whose resident-pension / 居民医保 premium
# subsidy was missed (四.2, 四.3), and how far behind its cadres' visits are (六.2): the visit
# lag stretches the days since the last visit, so a lagging town has fewer recent visits.
# Drawn from a side stream per household, so the town's main random stream is unchanged.
_SUBSIDY_MISS: dict[str, tuple[float, float]] = {
    "开发区": (0.04, 0.01),
    "高新区": (0.06, 0.02),
    "花桥": (0.18, 0.07),
    "巴城": (0.05, 0.01),
    "周市": (0.08, 0.03),
    "陆家": (0.03, 0.00),
    "淀山湖": (0.14, 0.05),
    "张浦": (0.05, 0.02),
    "周庄": (0.10, 0.04),
    "千灯": (0.04, 0.01),
    "锦溪": (0.12, 0.06),
}
_CADRE_LAG: dict[str, tuple[float, float]] = {  # (extra share without a link, visit-day stretch)
    "开发区": (0.00, 0.8),
    "高新区": (0.02, 1.0),
    "花桥": (0.08, 1.4),
    "巴城": (0.00, 0.8),
    "周市": (0.03, 1.1),
    "陆家": (0.00, 0.75),
    "淀山湖": (0.06, 1.3),
    "张浦": (0.01, 0.9),
    "周庄": (0.04, 1.3),
    "千灯": (0.00, 0.8),
    "锦溪": (0.05, 1.4),
}


class _SocialMixin(_GeneratorState):
    def _side(self, hh: _Household, what: str) -> random.Random:
        return random.Random(f"{what}-{self.town.code}-{hh.id}")

    def _insurance(
        self, hh: _Household, anchor: date, employer_spells: dict[int, list[tuple[date, date | None]]]
    ) -> None:
        """Pension, 居民医保 and 长期护理 enrolments, mostly dated before the household's entry."""
        rng = self.rng
        last = hh.last_active_day
        last_assessment = hh.assessment_on(last) if last else None
        subsidised = last_assessment is not None and last_assessment.income_fen < _standard_at(last).monitoring_line_fen
        side = self._side(hh, "subsidy")
        pension_miss, medical_miss = _SUBSIDY_MISS.get(self.town.ref.short_name, (0.05, 0.02))
        for m in hh.members:
            pension_paid = subsidised and side.random() >= pension_miss
            medical_paid = subsidised and side.random() >= medical_miss
            age = _age_on(m.birth_date, DEMO_END)
            around_entry = anchor + _days(rng.randint(-1500, 30))
            if rng.random() < 0.99:
                enrolled = min(DEMO_END, max(m.birth_date + _days(rng.randint(0, 60)), around_entry))
                self._enrol(m, "medical", enrolled, None, medical_paid)
            if age >= 16 and m.stage_on(DEMO_END) == "none":
                of_age = min(DEMO_END, max(_years_after(m.birth_date, 16) + _days(rng.randint(0, 60)), around_entry))
                self._pension(m, of_age, employer_spells.get(m.id, []), pension_paid)
            # 四.3: every disabled (失能) member belongs in long-term care; a few are missed.
            if m.severe_disability and rng.random() < (0.95 if age >= 60 else 0.85):
                self._enrol(m, "ltc", min(DEMO_END, max(date(2017, 6, 1), around_entry)), None, False)

    def _pension(
        self, m: _Member, enrolled: date, employer_spells: list[tuple[date, date | None]], subsidised: bool
    ) -> None:
        """Resident pension (its premium subsidised for low-income members, 四.2), switching to
        employee pension (paid with the employer, never subsidised) while placed with an employer."""
        if employer_spells:
            start, ended = employer_spells[0]
            if enrolled < start:
                self._enrol(m, "pension", enrolled, start, subsidised)
            self._enrol(m, "employee_pension", start, ended, False)
            if ended is not None:
                self._enrol(m, "pension", ended, None, subsidised)
        elif self.rng.random() >= self.profile.pension_gap:
            self._enrol(m, "pension", enrolled, None, subsidised)

    def _enrol(self, m: _Member, scheme: str, enrolled: date, ended: date | None, subsidised: bool) -> None:
        self.writer.add(
            InsuranceEnrolment,
            {
                "id": self.writer.new_id(InsuranceEnrolment),
                "member_id": m.id,
                "scheme": scheme,
                "enrolled_on": enrolled,
                "ended_on": ended,
                "premium_subsidised": subsidised,
            },
        )

    def _cadre(self, hh: _Household) -> None:
        """挂钩联系 for about 90 % of households on the register at DEMO_END."""
        rng = self.rng
        if not hh.active_on(DEMO_END) or rng.random() >= 0.9:
            return
        assert hh.entry_on is not None
        since = min(DEMO_END, hh.entry_on + _days(rng.randint(0, 45)))
        never = rng.random() < 0.05
        days_ago = 0 if never else rng.randint(0, 150)  # drawn as before: the stream stays the same
        cadre = rng.choice(hh.village.cadres)
        unlinked, stretch = _CADRE_LAG.get(self.town.ref.short_name, (0.0, 1.0))
        if self._side(hh, "cadre").random() < unlinked:
            return  # a town behind: this household has no cadre yet
        visited = None if never else max(since, DEMO_END - _days(round(days_ago * stretch)))
        self.writer.add(
            CadreLink,
            {
                "id": self.writer.new_id(CadreLink),
                "household_id": hh.id,
                "cadre_name": cadre,
                "since": since,
                "last_visit_on": visited,
            },
        )

    # -- household rows ------------------------------------------------------------------
