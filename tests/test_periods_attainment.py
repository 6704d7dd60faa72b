"""Periods, goal attainment, status thresholds and pacing."""

from datetime import date

import pytest

from metrics.domain.attainment import Direction, Status, attainment, paced_target, status
from metrics.domain.periods import Grain, Period, PeriodError
from metrics.domain.settings import Settings


@pytest.mark.parametrize(
    ("text", "start", "end", "grain"),
    [
        ("2025", date(2025, 1, 1), date(2025, 12, 31), Grain.YEAR),
        ("2025-Q3", date(2025, 7, 1), date(2025, 9, 30), Grain.QUARTER),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), Grain.MONTH),
        ("2025-q1", date(2025, 1, 1), date(2025, 3, 31), Grain.QUARTER),
    ],
)
def test_parse_periods(text, start, end, grain):
    period = Period.parse(text)
    assert (period.start, period.end, period.grain) == (start, end, grain)


@pytest.mark.parametrize("text", ["2025-13", "2025-Q5", "25", "2025/09", ""])
def test_bad_periods_say_what_is_expected(text):
    with pytest.raises(PeriodError, match="2025-Q3"):
        Period.parse(text)


def test_previous_and_last_year():
    assert Period.parse("2025-01").previous().key == "2024-12"
    assert Period.parse("2025-Q1").previous().key == "2024-Q4"
    assert Period.parse("2025-Q3").same_period_last_year().key == "2024-Q3"
    assert [p.key for p in Period.parse("2025-08").parents()] == ["2025-08", "2025-Q3", "2025"]


def test_attainment_by_direction():
    assert attainment(90, 100, Direction.HIGHER) == pytest.approx(0.9)
    assert attainment(110, 100, Direction.LOWER) == pytest.approx(100 / 110)
    assert attainment(90, 100, Direction.LOWER) == pytest.approx(100 / 90)
    assert attainment(5, 100, Direction.NEUTRAL) is None
    assert attainment(None, 100, Direction.HIGHER) is None


def test_status_thresholds_are_settings():
    default = Settings.from_store({})
    assert status(1.0, default) is Status.GREEN
    assert status(0.95, default) is Status.AMBER
    assert status(0.9, default) is Status.AMBER
    assert status(0.8999, default) is Status.RED
    assert status(None, default) is Status.NONE
    strict = Settings.from_store({"rag_amber_ratio": "0.97", "rag_green_ratio": "not a number"})
    assert status(0.95, strict) is Status.RED
    assert status(1.0, strict) is Status.GREEN  # malformed value falls back to the default


def test_pacing_a_year_goal():
    year = Period.year(2025)
    q3 = Period.parse("2025-Q3")
    # A flow goal for a quarter inside the year: the quarter's share of the year.
    assert paced_target(365, goal_period=year, period=q3, data_date=date(2025, 12, 31), accumulates=True) == 92
    # The year still running on 31 March: 90 days of 365.
    assert paced_target(365, goal_period=year, period=year, data_date=date(2025, 3, 31), accumulates=True) == 90
    # A state goal (a rate) is due in full.
    assert paced_target(80, goal_period=year, period=q3, data_date=date(2025, 8, 1), accumulates=False) == 80
