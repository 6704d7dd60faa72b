"""From seeing to acting: 督办 follow-up tasks and their replies, department and town sign-off
of a period's figures (数据确认), and the leading group's remarks on a figure (会议批注)."""

from datetime import date, datetime

from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel, UniqueConstraint


class SupervisionTask(SQLModel, table=True):
    """A follow-up assigned on a lagging figure; the figure and goal are frozen at creation."""

    __tablename__ = "supervision_task"

    id: int | None = Field(default=None, primary_key=True)
    kpi_key: str = Field(max_length=60)
    town_code: str = Field(index=True, max_length=20)  # the town the figure is about
    period: str = Field(max_length=10)
    frozen_value: float | None = None
    frozen_target: float | None = None
    frozen_status: str = Field(max_length=20)
    owner_kind: str = Field(max_length=12)  # "town" (the town's operator) or "department"
    owner: str = Field(index=True, max_length=20)  # a town code or a department name
    requirement: str = Field(max_length=1000)
    deadline: date
    status: str = Field(default="open", index=True, max_length=12)  # open / answered / closed
    created_by: str = Field(max_length=60)
    created_at: NaiveDatetime = Field(default_factory=datetime.now)
    closed_by: str | None = Field(default=None, max_length=60)
    closed_at: NaiveDatetime | None = None
    close_note: str = Field(default="", max_length=500)


class TaskReply(SQLModel, table=True):
    """The owner's measures and progress on a task."""

    __tablename__ = "task_reply"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="supervision_task.id", index=True)
    body: str = Field(max_length=2000)
    author: str = Field(max_length=60)
    created_at: NaiveDatetime = Field(default_factory=datetime.now)


class Signoff(SQLModel, table=True):
    """A department's confirmation of its feed for a period, or a town's of its figures.

    A confirmed period is locked against imports until an administrator unlocks it (with a
    reason); then it needs confirming again.
    """

    __tablename__ = "signoff"
    __table_args__ = (UniqueConstraint("subject_kind", "subject", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    subject_kind: str = Field(max_length=12)  # "feed" or "town"
    subject: str = Field(max_length=40)  # feed key or town code
    period: str = Field(max_length=10)
    confirmed: bool = True
    confirmed_by: str | None = Field(default=None, max_length=60)
    confirmed_at: NaiveDatetime | None = None
    unlocked_by: str | None = Field(default=None, max_length=60)
    unlocked_at: NaiveDatetime | None = None
    unlock_reason: str = Field(default="", max_length=500)


class MeetingRemark(SQLModel, table=True):
    """A leader's remark on a KPI for a scope and period, kept with the meeting it was made in."""

    __tablename__ = "meeting_remark"

    id: int | None = Field(default=None, primary_key=True)
    kpi_key: str = Field(max_length=60)
    scope_code: str = Field(max_length=20)
    period: str = Field(max_length=10)
    meeting_date: date = Field(index=True)
    body: str = Field(max_length=1000)
    author: str = Field(max_length=60)
    created_at: NaiveDatetime = Field(default_factory=datetime.now)
