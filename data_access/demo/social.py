"""Demo social security and cadre links: pension, medical and long-term-care enrolment of the
monitored population, and 挂钩联系."""

from __future__ import annotations

from datetime import date

from data_access.demo.base import DEMO_END, _age_on, _days, _standard_at, _years_after
from data_access.demo.households import _GeneratorState, _Household, _Member
from data_access.models import CadreLink, InsuranceEnrolment


class _SocialMixin(_GeneratorState):
    def _insurance(
        self, hh: _Household, anchor: date, employer_spells: dict[int, list[tuple[date, date | None]]]
    ) -> None:
        """Pension, 居民医保 and 长期护理 enrolments, mostly dated before the household's entry."""
        rng = self.rng
        last = hh.last_active_day
        last_assessment = hh.assessment_on(last) if last else None
        subsidised = last_assessment is not None and last_assessment.income_fen < _standard_at(last).monitoring_line_fen
        for m in hh.members:
            age = _age_on(m.birth_date, DEMO_END)
            around_entry = anchor + _days(rng.randint(-1500, 30))
            if rng.random() < 0.99:
                enrolled = min(DEMO_END, max(m.birth_date + _days(rng.randint(0, 60)), around_entry))
                self._enrol(m, "medical", enrolled, None, subsidised)
            if age >= 16 and m.stage_on(DEMO_END) == "none":
                of_age = min(DEMO_END, max(_years_after(m.birth_date, 16) + _days(rng.randint(0, 60)), around_entry))
                self._pension(m, of_age, employer_spells.get(m.id, []))
            # 四.3: every disabled (失能) member belongs in long-term care; a few are missed.
            if m.severe_disability and rng.random() < (0.95 if age >= 60 else 0.85):
                self._enrol(m, "ltc", min(DEMO_END, max(date(2017, 6, 1), around_entry)), None, False)

    def _pension(self, m: _Member, enrolled: date, employer_spells: list[tuple[date, date | None]]) -> None:
        """Resident pension, switching to employee pension while placed with an employer."""
        if employer_spells:
            start, ended = employer_spells[0]
            if enrolled < start:
                self._enrol(m, "pension", enrolled, start, False)
            self._enrol(m, "employee_pension", start, ended, False)
            if ended is not None:
                self._enrol(m, "pension", ended, None, False)
        elif self.rng.random() >= self.profile.pension_gap:
            self._enrol(m, "pension", enrolled, None, False)

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
        visited = None if rng.random() < 0.05 else max(since, DEMO_END - _days(rng.randint(0, 150)))
        self.writer.add(
            CadreLink,
            {
                "id": self.writer.new_id(CadreLink),
                "household_id": hh.id,
                "cadre_name": rng.choice(hh.village.cadres),
                "since": since,
                "last_visit_on": visited,
            },
        )

    # -- household rows ------------------------------------------------------------------
