"""三.5 住房保障 split into 公租房租赁补贴 and 经济适用住房购房补贴 (issue 12): on a store we fill,
on SQLite and PostgreSQL, the split, the candidates (因病、因教、因灾 on the register) and the
import rule for the new column; on the demo city, the split adds up to housing spending and the
KPI equals an independent count from raw rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

import pytest
from sqlalchemy import text
from sqlmodel import Session

from data_access.ingest import ImportRejected, commit
from data_access.ingest.kinds import example_id
from data_access.models import Household, ReliefPayment
from metrics.domain.periods import Period
from metrics.domains.relief import housing_rows
from metrics.evaluate import Evaluator
from tests.intake_support import csv_bytes
from tests.test_social_linkage import OTHER_TOWN, TOWN, _d, _fill, _towns

NOW = datetime(2025, 10, 8, 9, 0)
HEAD = example_id("32058319800101901")


def _pay(session: Session, household: int, day: date, fen: int, item: str, town: str = TOWN) -> None:
    session.add(
        ReliefPayment(
            household_id=household,
            town_code=town,
            relief_type="housing",
            department="住建局",
            paid_on=day,
            amount_fen=fen,
            persons_covered=2,
            item=item,
        )
    )


@pytest.fixture
def store(empty_engine):
    """test_social_linkage's store: households 1, 2, 4 monitored in TOWN (all 因病), 3 above the
    line, 5 monitored in OTHER_TOWN; 2025-Q3 ends on END."""
    with Session(empty_engine) as session:
        _fill(session)
        session.get(Household, 1).head_id_number = HEAD  # a valid check digit, for the import test
        session.get(Household, 4).cause = "labour"  # 缺劳动力: not a 三.5 cause
        session.get(Household, 5).cause = "disaster"
        _pay(session, 1, date(2025, 7, 15), 60_000, "rent")
        _pay(session, 1, date(2025, 8, 15), 60_000, "rent")
        _pay(session, 2, date(2025, 9, 30), 5_000_000, "purchase")
        _pay(session, 2, date(2025, 6, 30), 60_000, "rent")  # before the quarter
        _pay(session, 3, date(2025, 8, 15), 60_000, "")  # unclassified, above the line
        session.commit()
    return empty_engine


def test_split_and_candidates(store):
    with store.connect() as conn:
        ev = Evaluator(conn, towns=(TOWN, OTHER_TOWN), period=Period.parse("2025-Q3"))
        rows = {r["单位"]: r for r in housing_rows(ev, [(TOWN, "巴城镇"), (OTHER_TOWN, "周市镇")])}
        town = rows["巴城镇"]
        assert (town["租赁补贴（户）"], town["租赁补贴（万元）"]) == (1, 0.12)  # household 1, twice
        assert (town["购房补贴（户）"], town["购房补贴（万元）"]) == (1, 5.0)
        # Candidates: 1 and 2 (因病, monitored); 4 is 缺劳动力, 3 above the line. Both got support.
        assert (town["初筛对象（户）"], town["其中已获保障（户）"], town["获保障比例（%）"]) == (
            2,
            2,
            100.0,
        )
        other = rows["周市镇"]
        assert (other["初筛对象（户）"], other["其中已获保障（户）"], other["获保障比例（%）"]) == (
            1,
            0,
            0.0,
        )


def test_item_only_for_housing(store):
    header = ["户主身份证号", "救助类型", "发放日期", "金额（元）", "补贴方式"]
    head = HEAD
    bad = csv_bytes([header, [head, "临时救助", "2025-09-01", "500", "租赁补贴"]])
    with pytest.raises(ImportRejected) as caught:
        commit(store, bad, "救助.csv", "relief_payments", user="测试员", now=NOW)
    assert any("只有住房保障填写补贴方式" in p.message for p in caught.value.plan.problems)
    good = csv_bytes([header, [head, "住房保障", "2025-09-01", "650", "公租房租赁补贴"]])
    commit(store, good, "救助.csv", "relief_payments", user="测试员", now=NOW)
    with store.connect() as conn:
        item = conn.execute(
            text("SELECT item FROM relief_payment WHERE household_id = 1 AND paid_on = :d"), {"d": date(2025, 9, 1)}
        ).scalar_one()
    assert item == "rent"


@pytest.mark.parametrize("period", ("2026-Q3", "2025"))
def test_demo_split_adds_up_and_matches_raw_rows(demo_engine, period):
    with demo_engine.connect() as conn:
        ev = Evaluator(conn, towns=_towns(conn), period=Period.parse(period))
        ctx = ev.feed_context("housing", accumulates=True)
        households: dict[str, set[int]] = defaultdict(set)
        fen: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        rows = conn.execute(
            text("SELECT household_id, town_code, paid_on, amount_fen, item, relief_type FROM relief_payment")
        )
        for hid, town, paid, amount, item, relief_type in rows:
            if relief_type == "housing" and ctx.start <= _d(paid) <= ctx.as_of:
                households[town].add(hid)
                fen[town][item] += amount
        table = housing_rows(ev, [(t, t) for t in ev.towns])
        for row in table:
            town = row["单位"]
            assert row["租赁补贴（户）"] + row["购房补贴（户）"] == len(households.get(town, ()))  # demo: one form each
            assert row["租赁补贴（万元）"] == round(fen[town]["rent"] / 1_000_000, 2)
            assert row["购房补贴（万元）"] == round(fen[town]["purchase"] / 1_000_000, 2)
        assert sum(fen[t]["rent"] for t in fen) > 0
        purchases = conn.execute(text("SELECT COUNT(*) FROM relief_payment WHERE item = 'purchase'")).scalar_one()
        assert purchases > 0  # one-off: not in every quarter, but in the demo city
        assert sum(fen[t][""] for t in fen) == 0  # the demo classifies every housing payment
        # The split reconciles with housing spending by type (the relief page's other table).
        from data_access.analytics import serve

        by_type = serve.spending_by_type(conn, towns=ev.towns, start=ctx.start, end=ctx.as_of, by="town")
        for town in ev.towns:
            assert by_type.get((town, "housing"), {}).get("amount_fen", 0) == sum(fen[town].values())


def test_the_relief_page_shows_the_split(monkeypatch, sqlite_demo_url, clear_streamlit_caches):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from tests.conftest import signed_in

    monkeypatch.setenv("DATABASE_URL", sqlite_demo_url)
    at = signed_in(AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=180))
    at.query_params["period"] = "2025"
    at.run()
    at.switch_page("pages/relief.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("住房保障：租赁补贴与购房补贴（三.5）" in s.value for s in at.subheader)
    headers = {c for df in at.dataframe for c in (df.value.data if hasattr(df.value, "data") else df.value).columns}
    assert {"租赁补贴（户）", "购房补贴（万元）", "获保障比例（%）"} <= headers
