"""Employment support (clause 二(二)): placements, training, entrepreneurship, job pool."""

from datetime import date

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel


class Placement(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    town_code: str = Field(foreign_key="town.code", index=True, max_length=20)
    # employer / flexible (弹性岗位) / public_welfare (公益性岗位) / cooperative (劳务合作社)
    channel: str = Field(max_length=20)
    employer: str = Field(default="", max_length=80)
    started_on: date = Field(index=True)
    ended_on: date | None = None


class Training(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    town_code: str = Field(foreign_key="town.code", index=True, max_length=20)
    course: str = Field(max_length=80)
    started_on: date = Field(index=True)
    completed_on: date | None = None
    certified: bool = False


class EntrepreneurshipSubsidy(SQLModel, table=True):
    __tablename__ = "entrepreneurship_subsidy"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    town_code: str = Field(foreign_key="town.code", index=True, max_length=20)
    # opening / job_creation / rent / social_insurance (一次性开业/带动就业/租金/社保)
    kind: str = Field(max_length=20)
    granted_on: date = Field(index=True)
    amount_fen: int = Field(sa_type=BigInteger)


class GuaranteedLoan(SQLModel, table=True):
    """创业担保贷款 with its 贴息 (interest subsidy)."""

    __tablename__ = "guaranteed_loan"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    town_code: str = Field(foreign_key="town.code", index=True, max_length=20)
    issued_on: date = Field(index=True)
    principal_fen: int = Field(sa_type=BigInteger)
    interest_subsidy_fen: int = Field(sa_type=BigInteger)
    term_months: int


class JobPosting(SQLModel, table=True):
    """A posting in the 岗位储备库 (job reserve pool)."""

    __tablename__ = "job_posting"

    id: int | None = Field(default=None, primary_key=True)
    town_code: str = Field(foreign_key="town.code", index=True, max_length=20)
    employer: str = Field(max_length=80)
    title: str = Field(max_length=80)
    channel: str = Field(max_length=20)
    posted_on: date = Field(index=True)
    closed_on: date | None = None
    vacancies: int
    filled: int = 0
