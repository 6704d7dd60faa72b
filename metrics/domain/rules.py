"""The plan's rules as pure functions, each citing its clause.

Money is in fen (1/100 yuan) so that boundary comparisons are exact.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


@dataclass(frozen=True)
class Standard:
    """One row of the 低保标准 history (二(一).1)."""

    effective_from: date
    amount_fen: int
    monitoring_multiplier: float = 2.0

    @property
    def floor_fen(self) -> int:
        """兜底线 = the standard S."""
        return self.amount_fen

    @property
    def monitoring_line_fen(self) -> int:
        """相对贫困监测线 M = multiplier x S (2 x S in the plan)."""
        return round(self.amount_fen * self.monitoring_multiplier)


class NoStandardError(LookupError):
    """No 低保标准 was in force at the date asked about."""


def standard_in_force(history: Sequence[Standard], at: date) -> Standard:
    """The standard in force at a date: the latest one effective on or before it.

    A new standard from July 1 therefore never changes earlier months (二(一).1).
    """
    ordered = sorted(history, key=lambda s: s.effective_from)
    idx = bisect_right([s.effective_from for s in ordered], at)
    if idx == 0:
        raise NoStandardError(f"{at.isoformat()} 之前没有生效的低保标准")
    return ordered[idx - 1]


class Group(StrEnum):
    FLOOR = "floor"  # 低保 (兜底): I < S
    MONITORED = "monitored"  # 低保边缘 / 相对贫困监测对象: S <= I < M
    ABOVE = "above"  # above the line: candidate for exit


GROUP_LABELS = {
    Group.FLOOR: "低保（兜底线以下）",
    Group.MONITORED: "低保边缘（监测线以下）",
    Group.ABOVE: "监测线以上（可退出）",
}


def classify(per_capita_income_fen: int, standard: Standard) -> Group:
    """A household's group from its monthly per-capita income I (二(一).1)."""
    if per_capita_income_fen < standard.floor_fen:
        return Group.FLOOR
    if per_capita_income_fen < standard.monitoring_line_fen:
        return Group.MONITORED
    return Group.ABOVE


def temporary_relief_eligible(
    *,
    per_capita_income_fen: int,
    household_size: int,
    months: int,
    medical_spending_fen: int,
    standard: Standard,
) -> bool:
    """临时救助 test (三.2).

    From January to the month of application, household disposable income minus the
    relief subject's medical spending, per person per month, below the monitoring line M.
    Reading: `standard` is the one in force in the application month (the line the family
    was measured against), and the test applies to every household with medical spending,
    including registered households already below M.
    """
    if household_size <= 0 or months <= 0:
        raise ValueError("家庭人口数和月份数必须为正数")
    disposable = per_capita_income_fen * household_size * months
    remaining_per_person_month = (disposable - medical_spending_fen) / (household_size * months)
    return remaining_per_person_month < standard.monitoring_line_fen


class LivingRelief(StrEnum):
    NONE = "none"
    DIBAO = "dibao"  # 纳入城乡低保
    MONTHLY_LIVING = "monthly_living"  # 按月生活救助 for the disabled / seriously ill member


def living_relief_case(
    *,
    per_capita_income_fen: int,
    has_severe_disability: bool,
    has_serious_illness: bool,
    standard: Standard,
) -> LivingRelief:
    """生活救助 cases of 三.1.

    I < S: 低保.  S <= I < M with a severely disabled member or a member with a listed
    serious illness: monthly living relief.  Otherwise nothing under this clause.
    """
    group = classify(per_capita_income_fen, standard)
    if group is Group.FLOOR:
        return LivingRelief.DIBAO
    if group is Group.MONITORED and (has_severe_disability or has_serious_illness):
        return LivingRelief.MONTHLY_LIVING
    return LivingRelief.NONE


def medical_relief_eligible(*, per_capita_income_fen: int, has_serious_illness: bool, standard: Standard) -> bool:
    """医疗救助 (三.3): "家庭收入低于监测线的相关重病患者和家庭收入低于低保标准的" —
    a household below S is eligible as such; between S and M only with a seriously ill member."""
    group = classify(per_capita_income_fen, standard)
    return group is Group.FLOOR or (group is Group.MONITORED and has_serious_illness)


def education_aid_eligible(*, per_capita_income_fen: int, student_stage: str, standard: Standard) -> bool:
    """教育资助 (三.4): a preschool to high-school / secondary-vocational student, I < M."""
    return (
        student_stage in {"preschool", "compulsory", "high_school", "secondary_vocational"}
        and per_capita_income_fen < standard.monitoring_line_fen
    )


class DividendOutcome(StrEnum):
    BOTH = "both"
    GROWTH = "growth"  # >= 5 % on the previous year
    SHARE = "share"  # >= 30 % of net income
    MISSED = "missed"
    NO_DATA = "no_data"


DIVIDEND_OUTCOME_LABELS = {
    DividendOutcome.BOTH: "两项均达标",
    DividendOutcome.GROWTH: "增长≥5%达标",
    DividendOutcome.SHARE: "占净收益≥30%达标",
    DividendOutcome.MISSED: "未达标",
    DividendOutcome.NO_DATA: "无数据",
}


def dividend_target(
    *, dividends_fen: int | None, previous_dividends_fen: int | None, net_income_fen: int | None
) -> DividendOutcome:
    """五.2: dividends grow >= 5 % on last year OR reach >= 30 % of net income.

    Integer arithmetic so that exactly 5 % and exactly 30 % count as met.
    """
    if dividends_fen is None:
        return DividendOutcome.NO_DATA
    growth_ok = (
        previous_dividends_fen is not None
        and previous_dividends_fen > 0
        and dividends_fen * 100 >= previous_dividends_fen * 105
    )
    share_ok = net_income_fen is not None and net_income_fen > 0 and dividends_fen * 100 >= net_income_fen * 30
    if growth_ok and share_ok:
        return DividendOutcome.BOTH
    if growth_ok:
        return DividendOutcome.GROWTH
    if share_ok:
        return DividendOutcome.SHARE
    return DividendOutcome.MISSED


def dividend_target_met(outcome: DividendOutcome) -> bool:
    return outcome in {DividendOutcome.BOTH, DividendOutcome.GROWTH, DividendOutcome.SHARE}
