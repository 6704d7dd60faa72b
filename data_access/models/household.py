"""一户一档: households, their members, income assessments and case events."""

# Times are naive local time (Asia/Shanghai): the programme runs in one time zone.
from datetime import date

from pydantic import NaiveDatetime
from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel


class Household(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    town_code: str = Field(foreign_key="town.code", index=True, max_length=20)
    village_code: str = Field(foreign_key="village.code", index=True, max_length=20)
    head_name: str = Field(max_length=40)
    head_id_number: str = Field(max_length=18, unique=True)
    phone: str = Field(default="", max_length=20)
    # 致贫原因: illness / disability / schooling / disaster / labour / other.
    cause: str = Field(max_length=20)


class Member(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    name: str = Field(max_length=40)
    id_number: str = Field(max_length=18, unique=True)
    gender: str = Field(max_length=2)  # 男 / 女
    birth_date: date
    relation: str = Field(max_length=10)  # 户主 / 配偶 / 子女 / 父母 / 其他
    labour_capacity: bool = False
    willing_to_work: bool = False
    severe_disability: bool = False
    serious_illness: bool = False
    # none / preschool / compulsory / high_school / secondary_vocational / college
    student_stage: str = Field(default="none", max_length=24)
    has_individual_plan: bool = False  # 一人一策


class IncomeAssessment(SQLModel, table=True):
    """A household's assessed income; in force until the next assessment."""

    __tablename__ = "income_assessment"
    # "Latest assessment on or before t" is the hot lookup of every caseload figure.
    __table_args__ = (Index("ix_income_assessment_household_date", "household_id", "assessed_on"),)

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    assessed_on: date = Field(index=True)
    household_size: int
    # 月家庭人均收入 I, fen per person per month.
    per_capita_income_fen: int = Field(sa_type=BigInteger)
    # Medical spending of the relief subject from January to the assessment month (三.2).
    medical_spending_ytd_fen: int = Field(default=0, sa_type=BigInteger)


class CaseEvent(SQLModel, table=True):
    """新增 (entry) or 退出 (exit) through the two-level review (二(一).3).

    An event takes effect when the 区镇 approves it; city filing (备案) follows.
    Pending events have no effective_date yet.
    """

    __tablename__ = "case_event"
    __table_args__ = (
        Index("ix_case_event_household_effective", "household_id", "effective_date"),
        # A period's events by town, and stage completions of a period by town (migration 0015).
        Index("ix_case_event_town_effective", "town_code", "effective_date"),
        Index("ix_case_event_town_village_reviewed", "town_code", "village_reviewed_at"),
        Index("ix_case_event_town_town_approved", "town_code", "town_approved_at"),
        Index("ix_case_event_town_city_filed", "town_code", "city_filed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    town_code: str = Field(foreign_key="town.code", index=True, max_length=20)
    kind: str = Field(max_length=10)  # entry / exit
    reason: str = Field(max_length=40)
    submitted_at: NaiveDatetime
    village_reviewed_at: NaiveDatetime | None = None
    town_approved_at: NaiveDatetime | None = None
    city_filed_at: NaiveDatetime | None = None
    effective_date: date | None = Field(default=None, index=True)
