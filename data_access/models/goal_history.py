"""Every change to a goal: old value, new value, who and when (目标调整留痕)."""

from datetime import datetime

from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel


class GoalHistory(SQLModel, table=True):
    __tablename__ = "goal_history"

    id: int | None = Field(default=None, primary_key=True)
    kpi_key: str = Field(index=True, max_length=60)
    scope_code: str = Field(max_length=20)
    period: str = Field(max_length=10)
    old_target: float | None = None  # None: the goal did not exist before
    new_target: float | None = None  # None: the goal was removed
    old_note: str | None = Field(default=None, max_length=200)
    new_note: str | None = Field(default=None, max_length=200)
    changed_by: str = Field(max_length=40)
    changed_at: NaiveDatetime = Field(default_factory=datetime.now, index=True)
    source: str = Field(default="", max_length=60)  # 目标管理页面 / 导入批次 N / 撤销导入批次 N
