"""Social-security enrolment (clause 四) and cadre links (clause 六.2)."""

from datetime import date

from sqlmodel import Field, SQLModel


class InsuranceEnrolment(SQLModel, table=True):
    __tablename__ = "insurance_enrolment"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    # pension (城乡居民养老) / employee_pension / medical (居民医保) / ltc (长期护理)
    scheme: str = Field(index=True, max_length=20)
    enrolled_on: date
    ended_on: date | None = None
    premium_subsidised: bool = False


class CadreLink(SQLModel, table=True):
    """村(社区)干部挂钩联系: a cadre linked to a household."""

    __tablename__ = "cadre_link"

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    cadre_name: str = Field(max_length=40)
    since: date
    last_visit_on: date | None = None
