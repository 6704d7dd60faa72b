"""Goals set by the leading group, settings, and each department feed's freshness."""

from datetime import date, datetime

from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel, UniqueConstraint

CITY_SCOPE = "city"


class Goal(SQLModel, table=True):
    """A target for one KPI, one scope and one period.

    scope_code is a town code or CITY_SCOPE for the whole city (a sentinel, not NULL,
    so the unique constraint holds on every database).
    period is '2025' (year), '2025-Q3' (quarter) or '2025-09' (month).
    """

    __table_args__ = (UniqueConstraint("kpi_key", "scope_code", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    kpi_key: str = Field(index=True, max_length=60)
    scope_code: str = Field(max_length=20)
    period: str = Field(max_length=10)
    target: float
    note: str = Field(default="", max_length=200)
    updated_at: NaiveDatetime = Field(default_factory=datetime.now)
    updated_by: str = Field(default="system", max_length=40)


class Setting(SQLModel, table=True):
    """A policy threshold the plan leaves open, editable without a release."""

    key: str = Field(primary_key=True, max_length=60)
    value: str = Field(max_length=200)
    updated_at: NaiveDatetime = Field(default_factory=datetime.now)


class FeedStatus(SQLModel, table=True):
    """The latest data from one department's feed (组织保障.4: source and freshness)."""

    __tablename__ = "feed_status"

    feed: str = Field(primary_key=True, max_length=40)
    department: str = Field(max_length=20)
    label: str = Field(max_length=40)
    data_date: date
    loaded_at: NaiveDatetime
    source: str = Field(default="", max_length=200)
    is_demo: bool = False
