"""The demo city's 帮扶服务记录 (assistance_record) and 防贫保险 enrolments: deterministic, leaving
every other row as it was, only for members and households the stored rows say qualify, in the
kind's shape and categories, never after the feed's data date, with some towns behind."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

import data_access.demo as demo
from data_access.demo import towns as demo_towns
from data_access.demo.names import TABLE_LABELS
from data_access.models import (
    AssistanceRecord,
    Cooperative,
    FeedStatus,
    Household,
    InsuranceEnrolment,
    Member,
    Village,
)
from data_access.reference import ASSISTANCE_CATEGORIES, ASSISTANCE_KINDS
from data_access.tables import table_of
from metrics.domain import rules
from tests.conftest import TEST_SCALE, migrated_engine
from tests.test_demo import Register

SMALL = 0.02  # for the generations compared row by row
COLUMNS = tuple(c.name for c in table_of(AssistanceRecord).columns)
ELDERLY = ("elderly_visit", "home_retrofit", "mutual_aid_care")


def _rows(engine: Engine, model: type, *columns: str) -> list[tuple]:
    table = table_of(model)
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(*(table.c[c] for c in columns)))]


def _records(engine: Engine) -> list[dict]:
    return [dict(zip(COLUMNS, r, strict=True)) for r in sorted(_rows(engine, AssistanceRecord, *COLUMNS))]


def _generate(path: Path, scale: float) -> Engine:
    engine = migrated_engine(f"sqlite:///{path}")
    demo.generate(engine, scale=scale)
    return engine


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = _generate(tmp_path_factory.mktemp("assist") / "demo.db", TEST_SCALE)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def register(store: Engine) -> Register:
    return Register(store)


@pytest.fixture(scope="module")
def records(store: Engine) -> list[dict]:
    return _records(store)


def _below_line(register: Register, household_id: int, day: date) -> bool:
    """On the register on day, in the floor or monitored group (I < M), from the stored rows."""
    if not register.active(household_id, day):
        return False
    income = register.income(household_id, day)
    return income is not None and rules.classify(income, register.standard(day)) is not rules.Group.ABOVE


def _age(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# --- determinism, and nothing else moves --------------------------------------------------------


def _table_digest(engine: Engine, name: str) -> str:
    table = next(t for t in table_of(AssistanceRecord).metadata.sorted_tables if t.name == name)
    with engine.connect() as conn:
        rows = conn.execute(select(table)).all()
    if name == "insurance_enrolment":
        rows = [r for r in rows if r.scheme != "anti_poverty"]
    return hashlib.sha256(repr(sorted(tuple(r) for r in rows)).encode()).hexdigest()


def test_same_seed_same_rows_and_no_other_row_changes(tmp_path, monkeypatch):
    first = _generate(tmp_path / "a.db", SMALL)
    second = _generate(tmp_path / "b.db", SMALL)
    records = _records(first)
    assert records and _records(second) == records
    enrolments = sorted(_rows(first, InsuranceEnrolment, "id", "member_id", "scheme", "enrolled_on", "ended_on"))
    assert enrolments == sorted(
        _rows(second, InsuranceEnrolment, "id", "member_id", "scheme", "enrolled_on", "ended_on")
    )
    assert any(e[2] == "anti_poverty" for e in enrolments)

    # The same city without the new rows: every other table is row for row what it was.
    monkeypatch.setattr(demo_towns._TownGenerator, "_assistance", lambda self, hh: None)
    monkeypatch.setattr(demo, "_write_town_assistance", lambda *args: None)
    monkeypatch.setattr(demo, "_write_anti_poverty", lambda *args: None)
    without = _generate(tmp_path / "c.db", SMALL)
    assert _records(without) == []
    for name in TABLE_LABELS:
        if name != "assistance_record":
            assert _table_digest(without, name) == _table_digest(first, name), name
    for engine in (first, second, without):
        engine.dispose()


# --- who gets what ---------------------------------------------------------------------------------


def test_elderly_care_goes_to_members_60_and_over_in_the_floor_or_monitored_group(store, register, records):
    members = {mid: (hid, birth) for mid, hid, birth in _rows(store, Member, "id", "household_id", "birth_date")}
    seen = defaultdict(int)
    for r in records:
        if r["kind"] not in ELDERLY:
            continue
        household_id, birth = members[r["member_id"]]
        assert r["household_id"] == household_id
        for day in (r["served_on"], r["ended_on"]):
            if day is None:
                continue
            assert _age(birth, day) >= 60, r
            assert _below_line(register, household_id, day), r
        seen[r["kind"]] += 1
    assert set(seen) == set(ELDERLY)
    assert seen["elderly_visit"] > 10 * seen["home_retrofit"]


def test_household_help_and_anti_poverty_insurance_only_while_below_the_line(store, register, records):
    kinds = {k for k, v in ASSISTANCE_KINDS.items() if v[4] == "household"}
    villages = dict(_rows(store, Village, "code", "kind"))
    homes = {
        hid: (town, villages[village])
        for hid, town, village in _rows(store, Household, "id", "town_code", "village_code")
    }
    for r in records:
        if r["kind"] in kinds:
            assert r["town_code"] == homes[r["household_id"]][0]
            assert _below_line(register, r["household_id"], r["served_on"]), r
            if r["kind"] == "industry_link":
                assert homes[r["household_id"]][1] == "村"  # 联农带农: households living in villages
    households = dict(_rows(store, Member, "id", "household_id"))
    insured = [
        e
        for e in _rows(
            store, InsuranceEnrolment, "member_id", "scheme", "enrolled_on", "ended_on", "premium_subsidised"
        )
        if e[1] == "anti_poverty"
    ]
    assert insured
    for member_id, _, enrolled, ended, subsidised in insured:
        assert subsidised and enrolled >= date(2023, 1, 1)
        assert _below_line(register, households[member_id], enrolled)
        assert ended is None or not register.active(households[member_id], ended)


def test_rows_have_their_kind_shape_subject_and_category(records):
    kinds = set()
    for r in records:
        _, _, _, _, subject, shape = ASSISTANCE_KINDS[r["kind"]]
        kinds.add(r["kind"])
        if shape == "event":
            assert r["ended_on"] is None, r
        elif r["ended_on"] is not None:
            assert r["ended_on"] >= r["served_on"], r
        assert (r["member_id"] is not None) == (subject == "member")
        assert (r["household_id"] is not None) == (subject in ("member", "household"))
        # Every row but the town-level funds names a village (a household's rows its household's).
        assert (r["village_code"] is not None) == (subject != "town")
        allowed = ASSISTANCE_CATEGORIES.get(r["kind"])
        assert r["category"] in allowed if allowed else r["category"] == "", r
        assert r["amount_fen"] >= 0 and 1 <= r["quantity"] <= 4
    assert kinds == set(ASSISTANCE_KINDS)


def test_no_row_after_its_feeds_data_date(store, records):
    dates = dict(_rows(store, FeedStatus, "feed", "data_date"))
    assert {"welfare", "charity", "rural", "finance"} <= set(dates)
    assert dates["charity"] == date(2026, 9, 30) and dates["welfare"] == demo.DEMO_END
    for r in records:
        until = dates[ASSISTANCE_KINDS[r["kind"]][3]]
        assert r["served_on"] <= until and (r["ended_on"] is None or r["ended_on"] <= until), r
    for _, scheme, enrolled, ended in _rows(
        store, InsuranceEnrolment, "member_id", "scheme", "enrolled_on", "ended_on"
    ):
        if scheme == "anti_poverty":
            assert enrolled <= dates["rural"] and (ended is None or ended <= dates["rural"])


def test_every_town_has_its_funds_and_weak_villages_get_more_projects(store, records):
    """Even a small store has charity in and out every month and a fund batch every quarter in
    every town (so each town has a figure for each period)."""
    towns = {t for (t,) in _rows(store, Household, "town_code")}
    for kind, months in (("charity_raised", 1), ("charity_spent", 1), ("pooled_fund", 3)):
        periods = {
            (r["town_code"], r["served_on"].year, (r["served_on"].month - 1) // months)
            for r in records
            if r["kind"] == kind
        }
        last = max(r["served_on"] for r in records if r["kind"] == kind)
        expected = {
            (town, year, period)
            for town in towns
            for year in range(2022, last.year + 1)
            for period in range(12 // months)
            if (year, period) <= (last.year, (last.month - 1) // months)
        }
        assert periods == expected, kind
    weak = dict(_rows(store, Cooperative, "village_code", "economically_weak"))
    projects = defaultdict(list)
    for r in records:
        if r["kind"] == "village_project":
            projects[weak[r["village_code"]]].append(r["amount_fen"])
    per_village = {flag: len(projects[flag]) / sum(1 for w in weak.values() if w == flag) for flag in (True, False)}
    assert per_village[True] > 1.5 * per_village[False]
    assert sum(projects[True]) / len(projects[True]) > sum(projects[False]) / len(projects[False])


# --- towns side by side ----------------------------------------------------------------------------


def test_some_towns_lag_on_pairing_visits_and_charity_disclosure(store, register, records):
    end = demo.DEMO_END
    towns = dict(_rows(store, Household, "id", "town_code"))
    below = {hid for hid in towns if _below_line(register, hid, end)}
    paired = {
        r["household_id"]
        for r in records
        if r["kind"] == "pairing" and r["served_on"] <= end and (r["ended_on"] is None or r["ended_on"] >= end)
    }
    pairing = _shares((towns[h], h in paired) for h in below)
    assert min(pairing.values()) < 0.6 * max(pairing.values()), pairing

    births = {mid: (hid, birth) for mid, hid, birth in _rows(store, Member, "id", "household_id", "birth_date")}
    visited = {
        r["member_id"] for r in records if r["kind"] == "elderly_visit" and r["served_on"] > end - timedelta(days=90)
    }
    elderly = [
        (towns[hid], mid in visited) for mid, (hid, birth) in births.items() if hid in below and _age(birth, end) >= 60
    ]
    visits = _shares(elderly)
    assert min(visits.values()) < 0.85 * max(visits.values()), visits

    disclosure = _shares((r["town_code"], r["disclosed"]) for r in records if r["kind"] == "charity_spent")
    assert min(disclosure.values()) < 0.8 * max(disclosure.values()), disclosure


def _shares(pairs) -> dict[str, float]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for town, hit in pairs:
        counts[town][0] += bool(hit)
        counts[town][1] += 1
    return {town: hits / n for town, (hits, n) in counts.items()}
