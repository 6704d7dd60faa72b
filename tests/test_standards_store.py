"""A new 低保标准, on SQLite and PostgreSQL: the preview equals an independent per-household
computation with rules.classify; a standard is only ever added after the latest one; months
before its effective date keep their figures."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

import pytest
from sqlalchemy import text

from data_access import standards
from data_access.models.governance import CITY_SCOPE
from metrics.domain.periods import Period
from metrics.domain.rules import Group, Standard, classify
from metrics.evaluate import Evaluator
from metrics.registry import KPI_BY_KEY
from metrics.standard_change import preview
from tests import oracle
from tests.conftest import BACKENDS
from tests.intake_support import seeded_store

AS_OF = date(2026, 10, 31)


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    engine = seeded_store(request.param, "standards_store", tmp_path_factory.mktemp("standards_store"))
    yield engine
    engine.dispose()


def _towns(conn) -> tuple[str, ...]:
    return tuple(conn.execute(text("SELECT code FROM town ORDER BY sort_order")).scalars())


@pytest.mark.parametrize("yuan", [1208, 1300, 1500, 1000])
def test_preview_equals_a_household_by_household_count(store, yuan):
    current = Standard(date(2025, 7, 1), 120_800, 2.0)
    proposed = Standard(date(2026, 7, 1), yuan * 100, 2.0 if yuan != 1500 else 1.8)
    with store.connect() as conn:
        result = preview(conn, towns=_towns(conn), as_of=AS_OF, current=current, proposed=proposed)
        households = oracle.active_households(conn, AS_OF)
    moves: dict[str, dict[tuple[Group, Group], int]] = defaultdict(lambda: defaultdict(int))
    relief = defaultdict(lambda: [0, 0])
    for town, income, persons in households.values():
        if income is None:
            continue
        before, after = classify(income, current), classify(income, proposed)
        moves[town][(before, after)] += 1
        if before is Group.FLOOR:
            relief[town][0] += (current.floor_fen - income) * persons
        if after is Group.FLOOR:
            relief[town][1] += (proposed.floor_fen - income) * persons
    for change in result.towns:
        assert {k: v for k, v in change.moves.items() if v} == dict(moves[change.town_code])
        assert [change.floor_relief_before_fen, change.floor_relief_after_fen] == relief[change.town_code]
    assert result.total.households == sum(1 for _, i, _ in households.values() if i is not None)
    if yuan == 1208:
        assert result.total.moved == 0 and result.total.floor_relief_change_fen == 0
    if yuan == 1500:
        assert result.total.after[Group.FLOOR] > result.total.before[Group.FLOOR]
        assert result.total.floor_relief_change_fen > 0
    if yuan == 1000:
        assert result.total.floor_relief_change_fen < 0


def test_standards_are_added_never_overwritten(store):
    with store.connect() as conn:
        before = conn.execute(text("SELECT effective_from, amount_fen FROM living_standard ORDER BY id")).all()
    for day, fen, multiplier, message in (
        (date(2025, 7, 1), 130_000, 2.0, "晚于现行标准"),
        (date(2024, 7, 1), 130_000, 2.0, "晚于现行标准"),
        (date(2026, 7, 1), 0, 2.0, "大于 0"),
        (date(2026, 7, 1), 130_000, 0.5, "倍数"),
        (date(2026, 7, 1), 130_000, float("nan"), "倍数"),
        (date(2030, 7, 1), 130_000, 2.0, "过远"),
    ):
        with pytest.raises(standards.StandardError, match=message):
            standards.add_standard(
                store,
                effective_from=day,
                amount_fen=fen,
                multiplier=multiplier,
                source="",
                user="甲",
                now=datetime(2026, 11, 28),
            )
    with pytest.raises(standards.StandardError, match="录入人"):
        standards.add_standard(store, effective_from=date(2026, 7, 1), amount_fen=1, multiplier=2.0, source="", user="")
    with store.connect() as conn:
        assert conn.execute(text("SELECT effective_from, amount_fen FROM living_standard ORDER BY id")).all() == before


def test_earlier_months_keep_their_standard(store):
    kpis = [KPI_BY_KEY[k] for k in ("caseload_households", "floor_households", "relief_gaps", "key_targets")]

    def figures(period: str) -> list[float | None]:
        with store.connect() as conn:
            evaluator = Evaluator(conn, towns=_towns(conn), period=Period.parse(period))
            return [evaluator.value(k, s) for k in kpis for s in (CITY_SCOPE, *evaluator.towns)]

    earlier = {p: figures(p) for p in ("2026-06", "2026-Q2", "2025")}
    later = figures("2026-09")
    new_id = standards.add_standard(
        store,
        effective_from=date(2026, 7, 1),
        amount_fen=150_000,
        multiplier=2.0,
        source="测试文件",
        user="甲",
        now=datetime(2026, 11, 28, 9, 0),
    )
    try:
        assert {p: figures(p) for p in earlier} == earlier
        assert figures("2026-09") != later  # the new standard applies from its date
        with store.connect() as conn:
            source = conn.execute(text("SELECT source FROM living_standard WHERE id = :i"), {"i": new_id}).scalar_one()
        assert source.startswith("测试文件（甲 2026-11-28 09:00 录入）")
    finally:
        with store.begin() as conn:  # keep the module's store as it was for the other tests
            conn.execute(text("DELETE FROM living_standard WHERE id = :i"), {"i": new_id})
