"""The fact layer (issue 9): small pre-aggregated tables every KPI reads instead of raw rows.

Per village x month (`month` is yyyymm) the additive parts of each KPI: stocks at month end,
flows within the month, numerators and denominators rather than ratios. Distinct-person
counts do not add across months, so placements keep one row per span the app uses (the
month, the quarter to the month's end, the year to the month's end). Yearly feeds are per
village x year. Every fact row names the department feed it comes from. `town_code` is the
town the raw rows are filed under (a payment keeps its town when its household later moves),
so a town's figure is the sum of its rows and a village's the sum over the towns it appears
under: both equal the raw queries, whatever moved.

`analytics_month` lists the months built, with the 低保标准 lines and the settings they were
built with: a reader uses a month only when they match its own, else it reads raw rows.
"""

from pydantic import NaiveDatetime
from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

# SQLite keeps each fact table in its primary-key b-tree (no rowid copy): the tables stay small.
# Reads filter a month range first, so the key (month, ...) is the only index they need.
_COMPACT = {"sqlite_with_rowid": False}


class AnalyticsState(SQLModel, table=True):
    """One row when the fact layer is in use; refreshes extend the built months from here."""

    __tablename__ = "analytics_state"

    id: int = Field(default=1, primary_key=True)
    from_month: int | None = None  # first month built (yyyymm); None: from the earliest data
    built_at: NaiveDatetime | None = None


class AnalyticsMonth(SQLModel, table=True):
    __tablename__ = "analytics_month"
    __table_args__ = _COMPACT

    month: int = Field(primary_key=True)
    floor_fen: int = Field(sa_type=BigInteger)  # 低保标准 in force at the month's end
    line_fen: int = Field(sa_type=BigInteger)  # monitoring line at the month's end
    params: str = Field(max_length=400)  # the settings stocks were computed with (JSON)


class FactCaseloadMonth(SQLModel, table=True):
    __tablename__ = "fact_caseload_month"
    __table_args__ = _COMPACT

    month: int = Field(primary_key=True)
    town_code: str = Field(primary_key=True, max_length=20)
    village_code: str = Field(primary_key=True, max_length=20)
    feed: str = Field(default="caseload", max_length=40)
    floor_households: int = 0
    floor_persons: int = 0
    monitored_households: int = 0
    monitored_persons: int = 0
    above_households: int = 0  # 应退未退: on the register, latest income at or over the line
    above_persons: int = 0
    unknown_households: int = 0  # on the register with no income assessment yet
    unknown_persons: int = 0
    entries: int = 0
    exits: int = 0
    waiting: int = 0
    overdue: int = 0
    village_waiting: int = 0  # waiting and overdue by review stage (二(一).3); the two above are their sums
    village_overdue: int = 0
    town_waiting: int = 0
    town_overdue: int = 0
    city_waiting: int = 0
    city_overdue: int = 0
    warning_near_line: int = 0
    warning_income_drop: int = 0
    warning_medical: int = 0
    warning_any: int = 0
    cadre_linked: int = 0  # 六.2: monitored households with a cadre linked by the month end
    cadre_visited: int = 0  # and visited in the window (setting cadre_visit_days) before it
    review_days: int = 0  # 二(一).3: days from submission to 区镇审核认定, summed over cases approved in the month
    review_cases: int = 0  # cases approved in the month
    return_exits: int = 0  # 返贫: exits of the cohort watched at the month end (setting return_window_months)
    returned: int = 0  # of which back on the register within the window
    pairing_running: int = 0  # 六.4: monitored households with a 结对帮扶 running at the month end
    industry_linked: int = 0  # 五.3: and with an industry link (联农带农) running
    elderly: int = 0  # 四.4: members of monitored households at or over setting elderly_min_age
    elderly_visited: int = 0  # of them visited at home in the window (setting elderly_visit_days)


class FactCauseMonth(SQLModel, table=True):
    """Floor-group and monitored households at the month end by 致贫原因 (household.cause)."""

    __tablename__ = "fact_cause_month"
    __table_args__ = _COMPACT

    month: int = Field(primary_key=True)
    town_code: str = Field(primary_key=True, max_length=20)
    village_code: str = Field(primary_key=True, max_length=20)
    cause: str = Field(primary_key=True, max_length=20)
    feed: str = Field(default="caseload", max_length=40)
    households: int = 0


class FactReviewWaitMonth(SQLModel, table=True):
    """二(一).3 waiting times as histograms of whole days: kind 'done' counts the stages completed
    in the month, 'waiting' the cases still waiting at its end (review_waits.finished / waiting)."""

    __tablename__ = "fact_review_wait_month"
    __table_args__ = _COMPACT

    month: int = Field(primary_key=True)
    town_code: str = Field(primary_key=True, max_length=20)
    village_code: str = Field(primary_key=True, max_length=20)
    kind: str = Field(primary_key=True, max_length=8)
    stage: str = Field(primary_key=True, max_length=10)
    days: int = Field(primary_key=True)
    feed: str = Field(default="caseload", max_length=40)
    cases: int = 0


class FactReturnMonth(SQLModel, table=True):
    """返贫 cohorts watched at the month end by 致贫原因: cohort 0 the exits watched for the window
    (setting return_window_months), cohort 1 for twice the window (returns.cohorts)."""

    __tablename__ = "fact_return_month"
    __table_args__ = _COMPACT

    month: int = Field(primary_key=True)
    town_code: str = Field(primary_key=True, max_length=20)
    village_code: str = Field(primary_key=True, max_length=20)
    cause: str = Field(primary_key=True, max_length=20)
    cohort: int = Field(primary_key=True)
    feed: str = Field(default="caseload", max_length=40)
    exits: int = 0
    returned: int = 0


class FactReliefMonth(SQLModel, table=True):
    __tablename__ = "fact_relief_month"
    __table_args__ = _COMPACT

    month: int = Field(primary_key=True)
    town_code: str = Field(primary_key=True, max_length=20)
    village_code: str = Field(primary_key=True, max_length=20)
    relief_type: str = Field(primary_key=True, max_length=20)
    feed: str = Field(default="relief_civil", max_length=40)
    amount_fen: int = Field(default=0, sa_type=BigInteger)
    payments: int = 0
    persons: int = 0
    gap_eligible: int = 0  # households meeting the type's 应助尽助 rule at month end
    gap_unpaid: int = 0  # of them with no payment of the type in the look-back window


class FactEmploymentMonth(SQLModel, table=True):
    __tablename__ = "fact_employment_month"
    __table_args__ = _COMPACT

    month: int = Field(primary_key=True)
    town_code: str = Field(primary_key=True, max_length=20)
    village_code: str = Field(primary_key=True, max_length=20)
    feed: str = Field(default="employment", max_length=40)
    targets: int = 0
    trained: int = 0
    placed: int = 0
    employed: int = 0
    retention_base: int = 0
    retained: int = 0
    with_plan: int = 0
    placement_records: int = 0
    trainings_started: int = 0
    pension_covered: int = 0
    pension_eligible: int = 0
    pension_subsidy_enrolled: int = 0  # 四.2: low-income members in resident pension at month end
    pension_subsidised: int = 0  # of them with the premium subsidised


class FactMedicalMonth(SQLModel, table=True):
    __tablename__ = "fact_medical_month"
    __table_args__ = _COMPACT

    month: int = Field(primary_key=True)
    town_code: str = Field(primary_key=True, max_length=20)
    village_code: str = Field(primary_key=True, max_length=20)
    feed: str = Field(default="medical", max_length=40)
    medical_covered: int = 0
    medical_eligible: int = 0
    ltc_covered: int = 0
    ltc_eligible: int = 0
    medical_subsidy_enrolled: int = 0  # 四.3: low-income members in 居民医保 at month end
    medical_subsidised: int = 0  # of them with the premium subsidised
    anti_poverty_covered: int = 0  # 三.7: members of monitored households in 防贫保险 at month end
    anti_poverty_eligible: int = 0  # members of monitored households (its denominator)


class FactHousingSpan(SQLModel, table=True):
    """三.5 初筛: floor-group and monitored households impoverished by illness, schooling or
    disaster at the month end, and of them those paid housing support in the span ending then
    ('month', 'quarter' or 'year', as fact_placement_span)."""

    __tablename__ = "fact_housing_span"
    __table_args__ = _COMPACT

    month: int = Field(primary_key=True)
    span: str = Field(primary_key=True, max_length=8)
    town_code: str = Field(primary_key=True, max_length=20)
    village_code: str = Field(primary_key=True, max_length=20)
    feed: str = Field(default="housing", max_length=40)
    candidates: int = 0
    supported: int = 0


class FactPlacementSpan(SQLModel, table=True):
    """Distinct persons placed in a span ending at the month's end: 'month', 'quarter' or 'year'
    (quarter and year run from their first day to the month's end)."""

    __tablename__ = "fact_placement_span"
    __table_args__ = _COMPACT

    month: int = Field(primary_key=True)
    span: str = Field(primary_key=True, max_length=8)
    town_code: str = Field(primary_key=True, max_length=20)
    village_code: str = Field(primary_key=True, max_length=20)
    feed: str = Field(default="employment", max_length=40)
    persons: int = 0


class FactDividendYear(SQLModel, table=True):
    __tablename__ = "fact_dividend_year"
    __table_args__ = _COMPACT

    year: int = Field(primary_key=True)
    town_code: str = Field(primary_key=True, max_length=20)
    village_code: str = Field(primary_key=True, max_length=20)
    feed: str = Field(default="agriculture", max_length=40)
    coops_met: int = 0
    coops_reporting: int = 0
    dividends_fen: int = Field(default=0, sa_type=BigInteger)
    fumin_households: int = 0
