"""The demo city: the same rows for the same seed, valid IDs, relief only where the rules
allow it, and the size and shape a user would expect. Checks recompute from raw rows with
metrics.domain.rules, independently of the generator's own bookkeeping."""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from data_access import demo, reference
from data_access.db import make_engine
from data_access.migrate import upgrade
from data_access.models import (
    CaseEvent,
    Cooperative,
    CooperativeYear,
    FeedStatus,
    Household,
    IncomeAssessment,
    LivingStandard,
    Member,
    ReliefPayment,
    Town,
    Village,
)
from metrics.domain import rules

SCALE = 0.05  # about 400 households on the register: seconds to build


def _store(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return engine


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, dict[str, int]]]:
    engine = _store(tmp_path_factory.mktemp("demo") / "demo.db")
    counts = demo.generate(engine, scale=SCALE)
    yield engine, counts
    engine.dispose()


def _rows(engine: Engine, model: type, *columns: str) -> list[tuple]:
    table = model.__table__
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(*(table.c[c] for c in columns)))]


def _payments_checksum(engine: Engine) -> str:
    rows = sorted(_rows(engine, ReliefPayment, "household_id", "relief_type", "paid_on", "amount_fen"))
    return hashlib.sha256(repr(rows).encode()).hexdigest()


# --- an independent model of the register, from raw rows --------------------------------


class Register:
    """Who is on the register and what their income is at a date, from the stored rows."""

    def __init__(self, engine: Engine) -> None:
        self.standards = [
            rules.Standard(d, a, m)
            for d, a, m in _rows(engine, LivingStandard, "effective_from", "amount_fen", "monitoring_multiplier")
        ]
        self.events: dict[int, list[tuple[date, int, str]]] = defaultdict(list)
        for hid, eid, kind, effective in _rows(engine, CaseEvent, "household_id", "id", "kind", "effective_date"):
            if effective is not None:
                self.events[hid].append((effective, eid, kind))
        self.assessments: dict[int, list[tuple[date, int, int]]] = defaultdict(list)
        for hid, aid, on, income in _rows(
            engine, IncomeAssessment, "household_id", "id", "assessed_on", "per_capita_income_fen"
        ):
            self.assessments[hid].append((on, aid, income))
        for items in (*self.events.values(), *self.assessments.values()):
            items.sort()
        self.members: dict[int, list[tuple[bool, bool, str]]] = defaultdict(list)
        for hid, disabled, ill, stage in _rows(
            engine, Member, "household_id", "severe_disability", "serious_illness", "student_stage"
        ):
            self.members[hid].append((disabled, ill, stage))

    def active(self, household_id: int, day: date) -> bool:
        past = [e for e in self.events[household_id] if e[0] <= day]
        return bool(past) and past[-1][2] == "entry"

    def income(self, household_id: int, day: date) -> int | None:
        items = self.assessments[household_id]
        index = bisect_right(items, (day, float("inf"), 0)) - 1
        return items[index][2] if index >= 0 else None

    def standard(self, day: date) -> rules.Standard:
        return rules.standard_in_force(self.standards, day)


@pytest.fixture(scope="module")
def register(store: tuple[Engine, dict[str, int]]) -> Register:
    return Register(store[0])


# --- determinism ---------------------------------------------------------------------------


def test_same_seed_gives_the_same_city_and_another_seed_does_not(store, tmp_path):
    engine, counts = store
    again = _store(tmp_path / "again.db")
    other = _store(tmp_path / "other.db")
    assert demo.generate(again, scale=SCALE) == counts
    demo.generate(other, scale=SCALE, seed=demo.DEFAULT_SEED + 1)
    assert _payments_checksum(again) == _payments_checksum(engine)
    assert _payments_checksum(other) != _payments_checksum(engine)
    ids = sorted(_rows(engine, Member, "id", "id_number", "birth_date"))
    assert sorted(_rows(again, Member, "id", "id_number", "birth_date")) == ids
    again.dispose()
    other.dispose()


def test_seed_if_empty_seeds_only_once(tmp_path):
    engine = _store(tmp_path / "once.db")
    assert demo.seed_if_empty(engine, scale=0.02) is True
    households = len(_rows(engine, Household, "id"))
    assert households > 0
    assert demo.seed_if_empty(engine, scale=0.02) is False
    assert len(_rows(engine, Household, "id")) == households
    with pytest.raises(demo.DemoStoreNotEmptyError):
        demo.generate(engine, scale=0.02)


# --- people ----------------------------------------------------------------------------------

ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]  # GB 11643: W_i = 2^(i-1) mod 11, from the right


def test_every_id_number_is_valid_and_matches_the_birth_date(store):
    engine, _ = store
    members = _rows(engine, Member, "id", "household_id", "id_number", "birth_date", "gender", "relation")
    numbers = [m[2] for m in members]
    assert len(set(numbers)) == len(numbers)
    for _, _, number, birth, gender, _ in members:
        assert len(number) == 18 and number[:17].isdigit(), number
        assert number.startswith("320583")
        assert number[6:14] == birth.strftime("%Y%m%d")
        check = (12 - sum(int(c) * w for c, w in zip(number[:17], ID_WEIGHTS, strict=True)) % 11) % 11
        assert number[17] == ("X" if check == 10 else str(check)), number
        assert int(number[16]) % 2 == (1 if gender == "男" else 0)
    heads = {(hid, number) for _, hid, number, _, _, relation in members if relation == "户主"}
    assert heads == set(_rows(engine, Household, "id", "head_id_number"))


# --- relief follows the rules -------------------------------------------------------------------


def test_living_relief_goes_only_to_qualifying_households(store, register):
    engine, _ = store
    payments = [p for p in _rows(engine, ReliefPayment, "household_id", "paid_on", "relief_type") if p[2] == "living"]
    assert payments
    for hid, paid_on, _ in payments:
        assert register.active(hid, paid_on), (hid, paid_on)
        income = register.income(hid, paid_on)
        assert income is not None
        group = rules.classify(income, register.standard(paid_on))
        disabled_or_ill = any(d or i for d, i, _ in register.members[hid])
        assert group is rules.Group.FLOOR or (group is rules.Group.MONITORED and disabled_or_ill), (
            hid,
            paid_on,
        )


def test_dibao_tops_income_up_to_the_standard(store, register):
    """低保补差: (S - I) x household size for the floor group."""
    engine, _ = store
    rows = _rows(engine, ReliefPayment, "household_id", "paid_on", "relief_type", "amount_fen", "persons_covered")
    checked = 0
    for hid, paid_on, kind, amount, persons in rows:
        if kind != "living":
            continue
        standard = register.standard(paid_on)
        income = register.income(hid, paid_on)
        if rules.classify(income, standard) is rules.Group.FLOOR:
            assert persons == len(register.members[hid])
            assert amount == (standard.floor_fen - income) * persons
            checked += 1
    assert checked > 0


def test_education_aid_goes_only_to_households_below_the_line(store, register):
    engine, _ = store
    payments = [
        p for p in _rows(engine, ReliefPayment, "household_id", "paid_on", "relief_type") if p[2] == "education"
    ]
    assert payments
    for hid, paid_on, _ in payments:
        assert paid_on.month in (3, 9)
        assert register.active(hid, paid_on)
        assert register.income(hid, paid_on) < register.standard(paid_on).monitoring_line_fen


def test_every_relief_payment_is_to_a_household_on_the_register(store, register):
    engine, _ = store
    departments = {key: dept for key, (_, dept, _) in reference.RELIEF_TYPES.items()}
    towns = dict(_rows(engine, Household, "id", "town_code"))
    kinds = set()
    for hid, paid_on, kind, dept, town in _rows(
        engine, ReliefPayment, "household_id", "paid_on", "relief_type", "department", "town_code"
    ):
        assert demo.DEMO_START <= paid_on <= demo.DEMO_END
        assert register.active(hid, paid_on)
        assert dept == departments[kind] and town == towns[hid]
        kinds.add(kind)
    assert kinds == set(reference.RELIEF_TYPES)


def test_some_qualifying_households_are_left_unpaid(store, register):
    """应助尽助 gaps exist, and they are the exception."""
    engine, _ = store
    day = date(2026, 10, 10)
    paid = {
        p[0] for p in _rows(engine, ReliefPayment, "household_id", "paid_on", "relief_type") if p[1:] == (day, "living")
    }
    standard = register.standard(day)
    due = [
        hid
        for hid in register.members
        if register.active(hid, day)
        and rules.living_relief_case(
            per_capita_income_fen=register.income(hid, day),
            has_severe_disability=any(d for d, _, _ in register.members[hid]),
            has_serious_illness=any(i for _, i, _ in register.members[hid]),
            standard=standard,
        )
        is not rules.LivingRelief.NONE
    ]
    unpaid = [hid for hid in due if hid not in paid]
    assert 0 < len(unpaid) < 0.2 * len(due)


# --- size and shape --------------------------------------------------------------------------------


def test_register_at_the_end_is_about_8000_households_per_unit_of_scale(store, register):
    engine, _ = store
    active = [hid for hid in register.members if register.active(hid, demo.DEMO_END)]
    assert 300 <= len(active) <= 500
    towns = dict(_rows(engine, Household, "id", "town_code"))
    assert {towns[h] for h in active} == {t.code for t in reference.TOWNS}
    # Most are below the line; a few percent sit above it, waiting to exit.
    standard = register.standard(demo.DEMO_END)
    groups = defaultdict(int)
    for hid in active:
        groups[rules.classify(register.income(hid, demo.DEMO_END), standard)] += 1
    assert groups[rules.Group.FLOOR] > 0.25 * len(active)
    assert groups[rules.Group.MONITORED] > 0.4 * len(active)
    assert 0 < groups[rules.Group.ABOVE] < 0.1 * len(active)


def test_all_towns_villages_and_standards_are_there(store):
    engine, _ = store
    towns = {code: (name, order) for code, name, order in _rows(engine, Town, "code", "name", "sort_order")}
    assert towns == {t.code: (t.name, i) for i, t in enumerate(reference.TOWNS)}
    villages = _rows(engine, Village, "code", "town_code", "name", "kind")
    for code, town, name, kind in villages:
        prefix = town if town.endswith("GXQ") else town[:9]
        number = int(code[len(prefix) :])
        assert code.startswith(prefix) and len(code) == len(prefix) + 3
        assert (1 <= number <= 199) if kind == "社区" else (200 <= number <= 399)
        assert name.endswith(kind)
    assert len({(t, n) for _, t, n, _ in villages}) == len(villages)  # names unique within a town
    assert {t for _, t, _, _ in villages} == set(towns)
    standards = _rows(engine, LivingStandard, "effective_from", "amount_fen", "monitoring_multiplier")
    assert sorted(standards) == [(s.effective_from, s.yuan * 100, 2.0) for s in reference.STANDARDS]


def test_cooperatives_mostly_meet_the_dividend_target_but_not_all(store):
    engine, _ = store
    villages = {code for (code,) in _rows(engine, Village, "code")}
    cooperatives = dict(_rows(engine, Cooperative, "id", "village_code"))
    assert set(cooperatives.values()) == villages
    years = {
        (cid, year): (net, div)
        for cid, year, net, div in _rows(
            engine, CooperativeYear, "cooperative_id", "year", "net_income_fen", "dividends_fen"
        )
    }
    met = missed = on_boundary = 0
    for (cid, year), (net, dividends) in years.items():
        previous = years.get((cid, year - 1))
        if previous is None:
            continue
        # Exactly +5 % or exactly 30 % of net income: the rule counts both as met.
        on_boundary += dividends * 100 in (previous[1] * 105, net * 30)
        outcome = rules.dividend_target(dividends_fen=dividends, previous_dividends_fen=previous[1], net_income_fen=net)
        if rules.dividend_target_met(outcome):
            met += 1
        else:
            missed += 1
    assert missed > 0
    assert 0.6 < met / (met + missed) < 0.95
    assert on_boundary > 0


def test_the_review_pipeline_has_cases_waiting_at_each_stage(store):
    engine, _ = store
    events = _rows(
        engine,
        CaseEvent,
        "submitted_at",
        "village_reviewed_at",
        "town_approved_at",
        "city_filed_at",
        "effective_date",
    )
    waiting = defaultdict(int)
    for submitted, village, town, city, effective in events:
        assert submitted is not None
        assert (effective is None) == (town is None)
        if town is not None:
            assert effective == town.date() and village is not None and submitted < village < town
        if city is not None:
            assert town is not None and town < city
        stage = "village" if village is None else "town" if town is None else "city" if city is None else None
        waiting[stage] += 1
    assert waiting["village"] > 0 and waiting["town"] > 0 and waiting["city"] > 0


def test_feeds_say_where_the_demo_data_comes_from(store):
    engine, _ = store
    feeds = {
        f: (dept, label, d, src, is_demo)
        for f, dept, label, d, src, is_demo in _rows(
            engine, FeedStatus, "feed", "department", "label", "data_date", "source", "is_demo"
        )
    }
    assert set(feeds) == set(reference.FEEDS)
    for feed, (dept, label, data_date, source, is_demo) in feeds.items():
        assert (dept, label) == reference.FEEDS[feed]
        assert source == "演示数据生成器" and is_demo
        assert data_date <= demo.DEMO_END
    assert feeds["caseload"][2] == demo.DEMO_END
    assert feeds["agriculture"][2] == date(2025, 12, 31)
