"""二(一).3 review waiting times and 返贫 (households back on the register after an exit):
each new KPI and breakdown against an independent computation from raw rows written here,
towns adding up to the city, the boundaries of the rules, on SQLite and PostgreSQL; and
/caseload shows them (AppTest).

The 返贫 rule: a return counts within N months when the household's first entry after the
exit takes effect at most N calendar months after the exit, the same day of the month
included (2024-03-15 -> 2025-03-15 counts, 2025-03-16 does not; a month end clips:
2024-02-29 -> 2025-02-28 counts, 2025-03-01 does not)."""

from __future__ import annotations

import calendar
import re
import statistics
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from data_access.db import make_engine
from data_access.models import CaseEvent, Household, LivingStandard, Town, Village
from data_access.models.governance import CITY_SCOPE
from data_access.queries import returns, review_waits
from metrics.domain import returns as return_rules
from metrics.domain.periods import Period
from metrics.evaluate import Evaluator
from metrics.registry import DOMAIN_CARDS, KPI_BY_KEY
from tests.conftest import signed_in

PERIODS = ("2026-10", "2026-Q3", "2025", "2024-07")
WINDOW = 12  # the default of the setting return_window_months


# --- an independent model from raw rows ----------------------------------------------------


def _dt(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _d(value: Any) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    return date.fromisoformat(str(value)[:10])


def _events(conn) -> list[dict[str, Any]]:
    rows = conn.execute(
        text(
            "SELECT e.id, e.household_id, e.kind, e.submitted_at, e.village_reviewed_at, e.town_approved_at,"
            " e.city_filed_at, e.effective_date, h.town_code, h.village_code, h.cause"
            " FROM case_event e JOIN household h ON h.id = e.household_id"
        )
    )
    out = []
    for r in rows:
        m = dict(r._mapping)
        for k in ("submitted_at", "village_reviewed_at", "town_approved_at", "city_filed_at"):
            m[k] = _dt(m[k])
        m["effective_date"] = _d(m["effective_date"])
        out.append(m)
    return out


def _shift(day: date, months: int) -> date:
    """Calendar months later (earlier when negative), clipped to the month's end."""
    total = day.year * 12 + (day.month - 1) + months
    year, month0 = total // 12, total % 12
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def _within(exit_on: date, back_on: date, months: int) -> bool:
    apart = (back_on.year * 12 + back_on.month) - (exit_on.year * 12 + exit_on.month)
    return back_on > exit_on and (apart < months or (apart == months and back_on.day <= exit_on.day))


def _first_back(events: list[dict[str, Any]], exit_event: dict[str, Any], as_of: date) -> date | None:
    later = [
        e["effective_date"]
        for e in events
        if e["household_id"] == exit_event["household_id"]
        and e["kind"] == "entry"
        and e["effective_date"] is not None
        and exit_event["effective_date"] < e["effective_date"] <= as_of
    ]
    return min(later) if later else None


def expected_returns(events, as_of: date, months: int = WINDOW, generation: int = 1) -> dict[str, tuple[int, int]]:
    """Per town: (exits in the cohort, returned within `months`)."""
    after = _shift(as_of, -months * (generation + 1))
    through = _shift(as_of, -months * generation)
    window = months * generation
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for x in events:
        if x["kind"] != "exit" or x["effective_date"] is None or not after < x["effective_date"] <= through:
            continue
        out[x["town_code"]][0] += 1
        back = _first_back(events, x, as_of)
        if back is not None and _within(x["effective_date"], back, window):
            out[x["town_code"]][1] += 1
    return {t: (n, b) for t, (n, b) in out.items()}


def returns_in(events, start: date, end: date, months: int) -> list[dict[str, Any]]:
    """Entries effective in [start, end] within `months` of the household's last exit before them."""
    out = []
    for r in events:
        if r["kind"] != "entry" or r["effective_date"] is None or not start <= r["effective_date"] <= end:
            continue
        exits = [
            e["effective_date"]
            for e in events
            if e["household_id"] == r["household_id"]
            and e["kind"] == "exit"
            and e["effective_date"] is not None
            and e["effective_date"] < r["effective_date"]
        ]
        if exits and _within(max(exits), r["effective_date"], months):
            out.append(r)
    return out


def expected_returned(events, start: date, end: date, months: int) -> dict[str, int]:
    """Per town: entries effective in [start, end] within `months` of the household's last exit."""
    out: dict[str, int] = defaultdict(int)
    for r in returns_in(events, start, end, months):
        out[r["town_code"]] += 1
    return dict(out)


STAGE_COLUMNS = {
    "village": ("village_reviewed_at", "submitted_at"),
    "town": ("town_approved_at", "village_reviewed_at"),
    "city": ("city_filed_at", "town_approved_at"),
    "approval": ("town_approved_at", "submitted_at"),
}


def expected_finished(events, start: date, end: date) -> dict[tuple[str, str], dict[int, int]]:
    out: dict[tuple[str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for e in events:
        for stage, (done, since) in STAGE_COLUMNS.items():
            if e[done] is not None and e[since] is not None and start <= e[done].date() <= end:
                out[(e["town_code"], stage)][(e[done].date() - e[since].date()).days] += 1
    return {k: dict(v) for k, v in out.items()}


def expected_waiting(events, as_of: date) -> dict[tuple[str, str], dict[int, int]]:
    cutoff = datetime.combine(as_of, time.max)
    out: dict[tuple[str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for e in events:
        if e["submitted_at"] > cutoff or (e["city_filed_at"] is not None and e["city_filed_at"] <= cutoff):
            continue
        if e["village_reviewed_at"] is None or e["village_reviewed_at"] > cutoff:
            stage, since = "village", e["submitted_at"]
        elif e["town_approved_at"] is None or e["town_approved_at"] > cutoff:
            stage, since = "town", e["village_reviewed_at"]
        else:
            stage, since = "city", e["town_approved_at"]
        out[(e["town_code"], stage)][(as_of - since.date()).days] += 1
    return {k: dict(v) for k, v in out.items()}


def _evaluator(conn, period: str) -> Evaluator:
    towns = tuple(r[0] for r in conn.execute(text("SELECT code FROM town ORDER BY sort_order, code")))
    return Evaluator(conn, towns=towns, period=Period.parse(period))


# --- the demo city, both backends ------------------------------------------------------------


@pytest.mark.parametrize("period", PERIODS)
def test_returns_rate_matches_independent_count(demo_engine, period):
    kpi = KPI_BY_KEY["returns_rate"]
    with demo_engine.connect() as conn:
        ev = _evaluator(conn, period)
        as_of = ev.as_of(kpi, ev.period)
        expected = expected_returns(_events(conn), as_of)
        for town in ev.towns:
            exited, back = expected.get(town, (0, 0))
            m = ev.measure(kpi, town)
            assert m is not None and (m.num, m.den or 0) == (back, exited)
            assert ev.value(kpi, town) == (pytest.approx(back / exited * 100) if exited else None)
        exited, back = map(sum, zip(*expected.values(), strict=True))
        assert exited > 0
        assert ev.value(kpi, CITY_SCOPE) == pytest.approx(back / exited * 100)  # towns add up to the city


def test_the_demo_city_has_returns_and_some_towns_more(demo_engine):
    with demo_engine.connect() as conn:
        events = _events(conn)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for period in ("2024-12", "2025-06", "2025-12", "2026-10"):
        end = Period.parse(period).end
        for town, (n, b) in expected_returns(events, end, 24, 1).items():
            totals[town][0] += n
            totals[town][1] += b
    exited, back = map(sum, zip(*totals.values(), strict=True))
    assert 0 < back < 0.1 * exited  # a few percent of exits come back
    assert len({b for _, b in totals.values()}) > 1  # not the same everywhere


@pytest.mark.parametrize("period", PERIODS)
def test_return_cohorts_and_reentries_match_by_town_and_cause(demo_engine, period):
    kpi = KPI_BY_KEY["returns_rate"]
    with demo_engine.connect() as conn:
        ev = _evaluator(conn, period)
        as_of = ev.as_of(kpi, ev.period)
        events = _events(conn)
        windows = (
            (*return_rules.cohort(as_of, WINDOW), WINDOW),
            (*return_rules.cohort(as_of, WINDOW, generation=2), 2 * WINDOW),
        )
        got = returns.cohorts(conn, towns=ev.towns, as_of=as_of, windows=windows)
        for generation, months in ((0, WINDOW), (1, 2 * WINDOW)):
            # cohort 2 is the window before cohort 1, watched for twice the window
            after = _shift(as_of, -WINDOW * (generation + 2))
            through = _shift(as_of, -WINDOW * (generation + 1))
            expected: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
            for x in events:
                if x["kind"] == "exit" and x["effective_date"] and after < x["effective_date"] <= through:
                    key = (x["town_code"], x["cause"])
                    expected[key][0] += 1
                    back = _first_back(events, x, as_of)
                    expected[key][1] += int(back is not None and _within(x["effective_date"], back, months))
            mine = {(u, c): v for (u, c, g), v in got.items() if g == generation}
            assert mine == {k: tuple(v) for k, v in expected.items()}
        returned = returns.returned(conn, towns=ev.towns, start=ev.period.start, end=as_of, months=2 * WINDOW)
        assert returned == expected_returned(events, ev.period.start, as_of, 2 * WINDOW)


@pytest.mark.parametrize("period", PERIODS)
def test_review_days_and_waits_match_independent_computation(demo_engine, period):
    kpi = KPI_BY_KEY["review_days"]
    with demo_engine.connect() as conn:
        ev = _evaluator(conn, period)
        as_of = ev.as_of(kpi, ev.period)
        events = _events(conn)
        finished = expected_finished(events, ev.period.start, as_of)
        assert review_waits.finished(conn, towns=ev.towns, start=ev.period.start, end=as_of) == finished
        assert review_waits.waiting(conn, towns=ev.towns, as_of=as_of) == expected_waiting(events, as_of)
        total_days = total_cases = 0
        for town in ev.towns:
            counts = finished.get((town, "approval"), {})
            days, cases = sum(d * n for d, n in counts.items()), sum(counts.values())
            total_days, total_cases = total_days + days, total_cases + cases
            assert ev.value(kpi, town) == (pytest.approx(days / cases) if cases else None)
        assert total_cases > 0
        assert ev.value(kpi, CITY_SCOPE) == pytest.approx(total_days / total_cases)


def test_median_of_a_histogram():
    assert return_rules.median({}) is None
    assert return_rules.median({3: 1}) == 3
    assert return_rules.median({1: 1, 5: 1}) == 3
    sample = [2, 2, 7, 9, 9, 9, 30]
    assert return_rules.median({v: sample.count(v) for v in set(sample)}) == statistics.median(sample)
    sample = [1, 4, 4, 10, 12, 40]
    assert return_rules.median({v: sample.count(v) for v in set(sample)}) == statistics.median(sample)


# --- boundaries in a store we fill ourselves ----------------------------------------------------

TOWN = "320583101000"
OTHER_TOWN = "320583102000"
VILLAGE = "320583101201"


@pytest.mark.parametrize(
    ("exit_on", "back_on", "counts"),
    [
        (date(2024, 3, 15), date(2025, 3, 15), True),  # exactly 12 months: counts
        (date(2024, 3, 15), date(2025, 3, 16), False),  # one day more: does not
        (date(2024, 2, 29), date(2025, 2, 28), True),  # month end clipped
        (date(2024, 2, 29), date(2025, 3, 1), False),
        (date(2024, 1, 31), date(2025, 1, 31), True),
        (date(2024, 3, 15), date(2024, 3, 15), False),  # a re-entry must follow the exit
    ],
)
def test_the_twelve_month_rule(exit_on, back_on, counts):
    assert return_rules.returned_within(exit_on, back_on, 12) is counts
    assert _within(exit_on, back_on, 12) is counts


def _event(session, hid: int, kind: str, effective: date, *, town: str = TOWN) -> None:
    approved = datetime.combine(effective, time(9, 0))
    session.add(
        CaseEvent(
            household_id=hid,
            town_code=town,
            kind=kind,
            reason="因病致贫" if kind == "entry" else "收入超过监测线",
            submitted_at=approved - timedelta(days=20),
            village_reviewed_at=approved - timedelta(days=10),
            town_approved_at=approved,
            city_filed_at=approved + timedelta(days=5),
            effective_date=effective,
        )
    )


def _boundary_store(engine) -> None:
    with Session(engine) as session:
        session.add(Town(code=TOWN, name="巴城镇", short_name="巴城", kind="镇"))
        session.add(Town(code=OTHER_TOWN, name="周市镇", short_name="周市", kind="镇"))
        session.add(Village(code=VILLAGE, town_code=TOWN, name="测试村", kind="村"))
        session.add(LivingStandard(effective_from=date(2023, 7, 1), amount_fen=110_000))
        session.flush()
        # (household, exit, re-entry): the cohort for 2025-12 is exits after 2023-12-31 up to 2024-12-31.
        cases = [
            (1, date(2024, 3, 15), date(2025, 3, 15)),  # back exactly 12 months later: a return
            (2, date(2024, 3, 15), date(2025, 3, 16)),  # a day later: not within 12 months
            (3, date(2024, 2, 29), date(2025, 2, 28)),  # month end: a return
            (4, date(2024, 2, 29), date(2025, 3, 1)),
            (5, date(2024, 12, 31), None),  # the cohort's last day: in, not back
            (6, date(2023, 12, 31), date(2024, 6, 1)),  # the day before the cohort: out
        ]
        for hid, exit_on, back_on in cases:
            session.add(
                Household(
                    id=hid,
                    town_code=TOWN,
                    village_code=VILLAGE,
                    head_name=f"测试户{hid}",
                    head_id_number=f"32058319800101{hid:04d}",
                    phone=f"1380000{hid:04d}",
                    cause="illness" if hid % 2 else "labour",
                )
            )
            session.flush()
            _event(session, hid, "entry", date(2023, 1, 10))
            _event(session, hid, "exit", exit_on)
            if back_on:
                _event(session, hid, "entry", back_on)
        # Review timing at the period's last second, and one second later.
        for hid in (7, 8):
            session.add(
                Household(
                    id=hid,
                    town_code=TOWN,
                    village_code=VILLAGE,
                    head_name=f"测试户{hid}",
                    head_id_number=f"32058319800101{hid:04d}",
                    cause="illness",
                )
            )
        session.flush()
        session.add(
            CaseEvent(
                household_id=7,
                town_code=TOWN,
                kind="entry",
                reason="因病致贫",
                submitted_at=datetime(2025, 12, 1, 9, 0),
                village_reviewed_at=datetime(2025, 12, 11, 9, 0),
                town_approved_at=datetime(2025, 12, 31, 23, 59, 59),
                effective_date=date(2025, 12, 31),
            )
        )
        session.add(
            CaseEvent(
                household_id=8,
                town_code=TOWN,
                kind="entry",
                reason="因病致贫",
                submitted_at=datetime(2025, 12, 20, 9, 0),
                village_reviewed_at=datetime(2025, 12, 30, 9, 0),
                town_approved_at=datetime(2026, 1, 1, 0, 0, 0),
                effective_date=date(2026, 1, 1),
            )
        )
        session.commit()


def test_returns_rate_boundaries_in_the_store(empty_engine):
    _boundary_store(empty_engine)
    kpi = KPI_BY_KEY["returns_rate"]
    with empty_engine.connect() as conn:
        ev = _evaluator(conn, "2025-12")
        # Exits of households 1-5 are in the cohort; 1 and 3 came back within 12 months.
        m = ev.measure(kpi, TOWN)
        assert m is not None and (m.num, m.den) == (2, 5)
        assert ev.value(kpi, TOWN) == pytest.approx(40.0)
        assert ev.value(kpi, OTHER_TOWN) is None  # no exits: no rate
        assert ev.value(kpi, CITY_SCOPE) == pytest.approx(40.0)
        assert ev.measure(kpi, TOWN) == Evaluator(conn, towns=ev.towns, period=Period.parse("2025")).measure(kpi, TOWN)
        towns = ev.towns
        year = Period.parse("2025")
        # Re-entries in 2025: within 24 months all four; within 12 months only 1 and 3.
        assert returns.returned(conn, towns=towns, start=year.start, end=year.end, months=24) == {TOWN: 4}
        assert returns.returned(conn, towns=towns, start=year.start, end=year.end, months=12) == {TOWN: 2}
        listed = returns.returned_households(
            conn, towns=towns, village=VILLAGE, start=year.start, end=year.end, months=12
        )
        assert [(r["household_id"], r["exit_on"], r["back_on"]) for r in listed] == [
            (3, date(2024, 2, 29), date(2025, 2, 28)),
            (1, date(2024, 3, 15), date(2025, 3, 15)),
        ]


def test_waiting_time_boundaries_in_the_store(empty_engine):
    _boundary_store(empty_engine)
    kpi = KPI_BY_KEY["review_days"]
    with empty_engine.connect() as conn:
        ev = _evaluator(conn, "2025-12")
        # Household 7 was approved at 23:59:59 on the period's last day (30 days after submission);
        # household 8 one second into January: not in December's figure.
        m = ev.measure(kpi, TOWN)
        assert m is not None and (m.num, m.den) == (30, 1)
        assert ev.value(kpi, CITY_SCOPE) == pytest.approx(30.0)
        towns, end = ev.towns, date(2025, 12, 31)
        finished = review_waits.finished(conn, towns=towns, start=date(2025, 12, 1), end=end)
        assert finished == {
            (TOWN, "village"): {10: 2},
            (TOWN, "town"): {20: 1},
            (TOWN, "approval"): {30: 1},
        }
        # At the end of December: 7 waits for city filing since that day, 8 at the town since the 30th.
        assert review_waits.waiting(conn, towns=towns, as_of=end) == {(TOWN, "city"): {0: 1}, (TOWN, "town"): {1: 1}}
        assert review_waits.finished(conn, towns=towns, start=date(2026, 1, 1), end=date(2026, 1, 31)) == {
            (TOWN, "town"): {2: 1},
            (TOWN, "approval"): {12: 1},
        }


# --- /caseload shows them ------------------------------------------------------------------------

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _page(monkeypatch, url: str, **query: str) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    at = signed_in(AppTest.from_file(APP, default_timeout=180))
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/caseload.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _frame(at: AppTest, column: str):
    for df in at.dataframe:
        value = df.value
        frame = value.data if hasattr(value, "data") else value
        if column in frame.columns:
            return frame
    raise AssertionError(f"no table with {column}")


@pytest.mark.usefixtures("clear_streamlit_caches")
def test_caseload_page_shows_returns_and_waits(monkeypatch, sqlite_demo_url):
    assert "returns_rate" in DOMAIN_CARDS["caseload"]
    at = _page(monkeypatch, sqlite_demo_url, period="2026-Q3")
    engine = make_engine(sqlite_demo_url)
    with engine.connect() as conn:
        ev = _evaluator(conn, "2026-Q3")
        as_of = ev.as_of(KPI_BY_KEY["returns_rate"], ev.period)
        events = _events(conn)
    engine.dispose()
    expected = expected_returns(events, as_of)
    exited, back = map(sum, zip(*expected.values(), strict=True))
    card = next(m for m in at.metric if m.label.startswith("返贫率"))
    assert card.value == f"{back / exited * 100:.1f}%"

    by_unit = _frame(at, "期内返贫（户，退出后24个月内再次纳入）")
    assert by_unit["退出（户，12个月观察组）"].sum() == exited
    assert by_unit["12个月内返贫（户）"].sum() == back
    assert len(by_unit) == 11
    by_cause = _frame(at, "致贫原因")
    assert by_cause["12个月内返贫（户）"].sum() == back
    older = expected_returns(events, as_of, WINDOW, 2)
    assert by_cause["退出（户，24个月观察组）"].sum() == sum(n for n, _ in older.values())
    reentries = expected_returned(events, ev.period.start, as_of, 2 * WINDOW)
    assert by_unit["期内返贫（户，退出后24个月内再次纳入）"].sum() == sum(reentries.values())

    waits = _frame(at, "用时中位数（天）")
    assert len(waits) == 3 * 12  # the total and 11 towns, three stages each
    finished = expected_finished(events, ev.period.start, as_of)
    days = [d for (_, s), c in finished.items() if s == "town" for d, n in c.items() for _ in range(n)]
    total = waits[(waits["区镇"] == "合计") & (waits["环节"] == "区镇审核认定")].iloc[0]
    assert total["期内完成（件）"] == len(days)
    assert total["用时中位数（天）"] == statistics.median(days)
    assert total["最长用时（天）"] == max(days)
    waiting = expected_waiting(events, as_of)
    assert waits["期末仍在等待（件）"].sum() == 2 * sum(sum(c.values()) for c in waiting.values())


@pytest.mark.usefixtures("clear_streamlit_caches")
def test_village_lists_households_back_on_the_register_masked(monkeypatch, sqlite_demo_url):
    engine = make_engine(sqlite_demo_url)
    with engine.connect() as conn:
        events = _events(conn)
    engine.dispose()
    year = Period.parse("2025")
    backs = returns_in(events, year.start, year.end, 2 * WINDOW)
    assert backs, "the demo city should have households back on the register in 2025"
    village, town = backs[0]["village_code"], backs[0]["town_code"]
    want = sum(1 for r in backs if r["village_code"] == village)
    at = _page(monkeypatch, sqlite_demo_url, period="2025", scope=town, village=village)
    listed = _frame(at, "再次纳入日期")
    assert len(listed) == want > 0
    assert all(re.fullmatch(r"\w\*+\w?", n) for n in listed["户主"])
    assert all(re.fullmatch(r"320583\*{8}\d{3}[\dX]", i) for i in listed["身份证号"])
    assert all(re.fullmatch(r"\d{3}\*{4}\d{4}", p) for p in listed["联系电话"])
