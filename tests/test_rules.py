"""The plan's rules at their boundaries (clauses 二(一).1, 三.1, 三.2, 三.4, 五.2)."""

from datetime import date

import pytest

from metrics.domain.rules import (
    DividendOutcome,
    Group,
    LivingRelief,
    NoStandardError,
    Standard,
    classify,
    dividend_target,
    dividend_target_met,
    education_aid_eligible,
    living_relief_case,
    standard_in_force,
    temporary_relief_eligible,
)

HISTORY = [
    Standard(date(2019, 7, 1), 99_500),
    Standard(date(2020, 7, 1), 104_500),
    Standard(date(2025, 7, 1), 120_800),
]
S2025 = HISTORY[2]


def test_monitoring_line_is_twice_the_standard_and_the_floor_is_the_standard():
    assert S2025.floor_fen == 120_800
    assert S2025.monitoring_line_fen == 241_600
    assert Standard(date(2026, 7, 1), 120_800, monitoring_multiplier=2.5).monitoring_line_fen == 302_000


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2020, 6, 30), 99_500),  # the day before July 1 keeps the old standard
        (date(2020, 7, 1), 104_500),  # July 1 applies the new one
        (date(2025, 6, 30), 104_500),
        (date(2025, 7, 1), 120_800),
        (date(2030, 1, 1), 120_800),
    ],
)
def test_standard_in_force_changes_on_july_first(day, expected):
    assert standard_in_force(HISTORY, day).amount_fen == expected


def test_no_standard_before_the_first_one():
    with pytest.raises(NoStandardError):
        standard_in_force(HISTORY, date(2019, 6, 30))


def test_adding_a_standard_never_changes_earlier_months():
    before = [standard_in_force(HISTORY, date(2025, m, 15)) for m in range(1, 13)]
    extended = [*HISTORY, Standard(date(2026, 7, 1), 125_000)]
    after = [standard_in_force(extended, date(2025, m, 15)) for m in range(1, 13)]
    assert before == after
    assert standard_in_force(extended, date(2026, 7, 1)).amount_fen == 125_000


@pytest.mark.parametrize(
    ("income", "group"),
    [
        (120_799, Group.FLOOR),
        (120_800, Group.MONITORED),  # exactly at S: no longer under the floor
        (241_599, Group.MONITORED),
        (241_600, Group.ABOVE),  # exactly at M: above the line
        (0, Group.FLOOR),
    ],
)
def test_classify_at_the_lines(income, group):
    assert classify(income, S2025) is group


def test_temporary_relief_subtracts_medical_spending_per_person_month():
    # 3 persons, Jan-Apr (4 months), income 2,600 yuan/person/month: above M = 2,416.
    common = {"per_capita_income_fen": 260_000, "household_size": 3, "months": 4, "standard": S2025}
    assert not temporary_relief_eligible(medical_spending_fen=0, **common)
    # (2,600 - x/12) < 2,416  <=>  x > 2,208 yuan of medical spending over the 12 person-months.
    assert not temporary_relief_eligible(medical_spending_fen=220_800, **common)  # exactly at M
    assert temporary_relief_eligible(medical_spending_fen=220_812, **common)


def test_temporary_relief_rejects_empty_households():
    with pytest.raises(ValueError):
        temporary_relief_eligible(
            per_capita_income_fen=1, household_size=0, months=1, medical_spending_fen=0, standard=S2025
        )


@pytest.mark.parametrize(
    ("income", "disabled", "ill", "expected"),
    [
        (120_799, False, False, LivingRelief.DIBAO),
        (120_800, False, False, LivingRelief.NONE),
        (120_800, True, False, LivingRelief.MONTHLY_LIVING),
        (241_599, False, True, LivingRelief.MONTHLY_LIVING),
        (241_600, True, True, LivingRelief.NONE),
    ],
)
def test_living_relief_cases(income, disabled, ill, expected):
    result = living_relief_case(
        per_capita_income_fen=income, has_severe_disability=disabled, has_serious_illness=ill, standard=S2025
    )
    assert result is expected


def test_education_aid_needs_a_school_stage_and_income_below_the_line():
    assert education_aid_eligible(per_capita_income_fen=241_599, student_stage="compulsory", standard=S2025)
    assert not education_aid_eligible(per_capita_income_fen=241_600, student_stage="compulsory", standard=S2025)
    assert not education_aid_eligible(per_capita_income_fen=100, student_stage="college", standard=S2025)
    assert not education_aid_eligible(per_capita_income_fen=100, student_stage="none", standard=S2025)


@pytest.mark.parametrize(
    ("dividends", "previous", "net", "outcome"),
    [
        (105, 100, 1_000, DividendOutcome.GROWTH),  # exactly 5 % growth
        (104, 100, 1_000, DividendOutcome.MISSED),
        (300, 1_000, 1_000, DividendOutcome.SHARE),  # exactly 30 % of net income
        (299, 1_000, 1_000, DividendOutcome.MISSED),
        (315, 300, 1_000, DividendOutcome.BOTH),
        (300, None, 1_000, DividendOutcome.SHARE),  # no previous year: only the share test
        (100, 0, None, DividendOutcome.MISSED),
        (None, 100, 1_000, DividendOutcome.NO_DATA),
    ],
)
def test_dividend_target_either_condition(dividends, previous, net, outcome):
    result = dividend_target(dividends_fen=dividends, previous_dividends_fen=previous, net_income_fen=net)
    assert result is outcome
    assert dividend_target_met(result) == (
        outcome in {DividendOutcome.GROWTH, DividendOutcome.SHARE, DividendOutcome.BOTH}
    )


def test_medical_relief_reading_of_clause_3_3():
    """Below S: eligible as such; S <= I < M: only with a seriously ill member; at M: not."""
    from metrics.domain.rules import medical_relief_eligible

    s, m = S2025.floor_fen, S2025.monitoring_line_fen
    assert medical_relief_eligible(per_capita_income_fen=s - 1, has_serious_illness=False, standard=S2025)
    assert not medical_relief_eligible(per_capita_income_fen=s, has_serious_illness=False, standard=S2025)
    assert medical_relief_eligible(per_capita_income_fen=s, has_serious_illness=True, standard=S2025)
    assert medical_relief_eligible(per_capita_income_fen=m - 1, has_serious_illness=True, standard=S2025)
    assert not medical_relief_eligible(per_capita_income_fen=m, has_serious_illness=True, standard=S2025)


def test_temporary_relief_applies_below_the_line_too():
    """三.2 covers a registered household already below M whose medical spending counts."""
    below = S2025.monitoring_line_fen - 100
    assert temporary_relief_eligible(
        per_capita_income_fen=below, household_size=2, months=3, medical_spending_fen=1, standard=S2025
    )
