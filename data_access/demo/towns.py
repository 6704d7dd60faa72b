"""The demo town generator (register dynamics, one household end to end) composed from the
domain parts, and the city-level reference rows."""

from __future__ import annotations

import math
import random
from datetime import date, datetime, time

from sqlalchemy import text
from sqlalchemy.engine import Connection

from data_access import reference
from data_access.demo.assistance import _AssistanceMixin
from data_access.demo.base import (
    DEMO_END,
    DEMO_START,
    END_OF_DATA,
    FUTURE_MONTHS,
    INITIAL_ENTRY_FROM,
    MIN_STAY_DAYS,
    MONTHS,
    PROFILES,
    SOURCE,
    _add_months,
    _days,
    _geometric,
    _month_end,
    _pick,
    _poisson,
    _random_day,
    _Town,
    _Village,
    feed_data_date,
)
from data_access.demo.caseload import RETURN_REASONS, _CaseloadMixin
from data_access.demo.dividends import _DividendsMixin
from data_access.demo.employment import _EmploymentMixin
from data_access.demo.households import _Household, _review, _Spell
from data_access.demo.names import (
    CAUSE_WEIGHTS,
    COMMUNITY_SECOND,
    ENTRY_REASONS,
    EXIT_INCOME,
    EXIT_REASON_WEIGHTS,
    VILLAGE_SECOND,
    _person_name,
    _place_names,
)
from data_access.demo.relief import _ReliefMixin
from data_access.demo.social import _SocialMixin
from data_access.demo.writer import _Ledger, _Writer
from data_access.models import FeedStatus, Household, LivingStandard, Setting, Town, Village


class _TownGenerator(_CaseloadMixin, _ReliefMixin, _EmploymentMixin, _SocialMixin, _DividendsMixin, _AssistanceMixin):
    """Households of one town and everything hanging off them, streamed to the writer."""

    def __init__(
        self,
        rng: random.Random,
        town: _Town,
        *,
        scale: float,
        writer: _Writer,
        ledger: _Ledger,
        used_ids: set[str],
    ) -> None:
        self.rng = rng
        self.town = town
        self.profile = town.profile
        self.scale = scale
        self.writer = writer
        self.ledger = ledger
        self.used_ids = used_ids
        self.active_at_end = 0
        self.anti_poverty = []

    # -- register dynamics --------------------------------------------------------------

    def run(self) -> int:
        for spell in sorted(self._spells(), key=lambda s: s.entry):
            self._household(spell)
        return self.active_at_end

    def _spells(self) -> list[_Spell]:
        """Entry and exit dates: an opening stock, monthly entries, a monthly exit hazard.

        Entries are sized so the expected register at DEMO_END is the profile's, and the
        opening stock so the register drifts by the profile's growth over the 60 months.
        """
        rng, p = self.rng, self.profile
        stay = 1.0 - p.exit_hazard
        target = p.households * self.scale
        opening = round(target / p.growth)
        min_stay_months = MIN_STAY_DAYS // 30
        survival = sum(
            1.0 if m + min_stay_months >= MONTHS else stay ** (MONTHS - m - min_stay_months) for m in range(MONTHS)
        )
        monthly_entries = max(0.0, (target - opening * stay**MONTHS) / survival)
        spells = [
            self._spell(_random_day(rng, INITIAL_ENTRY_FROM, DEMO_START - _days(1)), first_exit_month=0)
            for _ in range(opening)
        ]
        for m in range(MONTHS + FUTURE_MONTHS):
            first = _add_months(DEMO_START, m)
            for _ in range(_poisson(rng, monthly_entries)):
                entry = _random_day(rng, first, _month_end(first))
                spells.append(self._spell(entry, first_exit_month=m + min_stay_months))
        return spells

    def _spell(self, entry: date, *, first_exit_month: int) -> _Spell:
        month = first_exit_month + _geometric(self.rng, self.profile.exit_hazard)
        if month >= MONTHS + FUTURE_MONTHS:
            return _Spell(entry, None, None)
        first = _add_months(DEMO_START, month)
        exit_on = max(_random_day(self.rng, first, _month_end(first)), entry + _days(MIN_STAY_DAYS))
        return _Spell(entry, exit_on, _pick(self.rng, EXIT_REASON_WEIGHTS))

    # -- one household --------------------------------------------------------------------

    def _household(self, spell: _Spell) -> None:
        rng, p = self.rng, self.profile
        # The opening stock went through on the normal timetable, so no review predates the
        # first standard (2019-07-01) that its entry assessment is measured against.
        entry = _review(rng, spell.entry, p.slow_review if spell.entry >= DEMO_START else 0.0)
        if entry.submitted > END_OF_DATA:
            return  # applies only after the data ends
        exit_review = None
        if spell.exit is not None and entry.effective is not None:
            exit_review = _review(rng, spell.exit, p.slow_review)
            if exit_review.submitted.date() <= entry.effective + _days(30):
                exit_review = _review(rng, spell.exit, 0.0)
        cause = _pick(rng, CAUSE_WEIGHTS)
        hh = _Household(
            id=self.writer.new_id(Household),
            town=self.town,
            village=self._pick_village(),
            cause=cause,
            members=self._members(cause),
            entry_on=entry.effective,
            exit_on=exit_review.effective if exit_review else None,
            gaps=frozenset(t for t in ("living", "medical", "education") if rng.random() < p.relief_gap),
        )
        income_exit_on = exit_review.submitted.date() if exit_review and spell.exit_reason == EXIT_INCOME else None
        hh.set_assessments(self._assessments(hh, entry.submitted.date(), spell.exit, income_exit_on))
        if hh.active_on(DEMO_END):
            self.active_at_end += 1

        self._write_household(hh)
        self._write_event(hh, "entry", ENTRY_REASONS[cause], entry)
        if exit_review is not None and exit_review.submitted <= END_OF_DATA:
            self._write_event(hh, "exit", spell.exit_reason or "其他", exit_review)
        if spell.exit_reason in RETURN_REASONS:
            self._maybe_return(hh)  # 返贫: a few come back; written after the first spell's rows
        for a in hh.assessments:
            self._write_assessment(hh, a)
        if hh.entry_on is not None:
            self._relief(hh)
            self._fumin(hh)
            self._cadre(hh)
            placements = {m.id: self._employment(hh, m) for m in hh.members if m.key_target}
        else:
            placements = {}
        self._insurance(hh, entry.submitted.date(), placements)
        self._assistance(hh)


# --------------------------------------------------------------------------- city-level rows


def _village_scale(scale: float) -> float:
    # Tiny test stores get fewer villages so each still has a handful of households.
    return min(1.0, max(scale, 0.1))


def _build_towns(rng: random.Random, scale: float) -> list[_Town]:
    towns = []
    for order, ref in enumerate(reference.TOWNS):
        profile = PROFILES[ref.short_name]
        prefix = ref.code if ref.code_is_placeholder else ref.code[:9]
        taken: set[str] = set()
        villages = []
        for kind, count, seconds, first_number in (
            ("社区", profile.communities, COMMUNITY_SECOND, 1),
            ("村", profile.villages, VILLAGE_SECOND, 201),
        ):
            count = max(1, math.ceil(count * _village_scale(scale)))
            for i, name in enumerate(_place_names(rng, count, seconds, kind, taken)):
                cadres = tuple(_person_name(rng, rng.choice("男女")) for _ in range(rng.randint(3, 5)))
                villages.append(_Village(f"{prefix}{first_number + i:03d}", ref.code, name, kind, cadres))
        cumulative, total = [], 0.0
        for _ in villages:
            total += rng.lognormvariate(0.0, 0.5)  # unequal village sizes
            cumulative.append(total)
        towns.append(_Town(ref, order, profile, villages, cumulative))
    return towns


def _write_reference(writer: _Writer, towns: list[_Town]) -> None:
    for town in towns:
        writer.add(
            Town,
            {
                "code": town.code,
                "name": town.ref.name,
                "short_name": town.ref.short_name,
                "kind": town.ref.kind,
                "code_is_placeholder": town.ref.code_is_placeholder,
                "sort_order": town.sort_order,
            },
        )
        for v in town.villages:
            writer.add(Village, {"code": v.code, "town_code": v.town_code, "name": v.name, "kind": v.kind})
    for s in reference.STANDARDS:
        writer.add(
            LivingStandard,
            {
                "id": writer.new_id(LivingStandard),
                "effective_from": s.effective_from,
                "amount_fen": s.yuan * 100,
                "monitoring_multiplier": reference.DEFAULT_MONITORING_MULTIPLIER,
                "source": s.source,
            },
        )
    loaded = datetime.combine(DEMO_END + _days(1), time(8, 0))
    writer.add(Setting, {"key": "dataset", "value": "demo", "updated_at": loaded})
    for feed, (department, label) in reference.FEEDS.items():
        data_date = feed_data_date(feed)
        writer.add(
            FeedStatus,
            {
                "feed": feed,
                "department": department,
                "label": label,
                "data_date": data_date,
                "loaded_at": datetime.combine(data_date + _days(3), time(6, 30)),
                "source": SOURCE,
                "is_demo": True,
            },
        )


def _reset_sequences(connection: Connection, tables: list[str]) -> None:
    """PostgreSQL: explicit ids leave the serial sequences behind; move them past max(id)."""
    for name in tables:
        sequence = f"pg_get_serial_sequence('{name}', 'id')"
        connection.execute(text(f"SELECT setval({sequence}, COALESCE(MAX(id), 0) + 1, false) FROM {name}"))
