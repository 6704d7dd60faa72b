"""会议批注: a leader's remark on a KPI for a scope and period, kept with its meeting date and
shown on that figure's card and in the meeting pack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, insert, select
from sqlalchemy.engine import Connection

from data_access import audit
from data_access.access import AccessDenied, Principal
from data_access.models.supervision import MeetingRemark
from data_access.tables import table_of

_TABLE = table_of(MeetingRemark)
MAX_LENGTH = 1000


@dataclass(frozen=True)
class Remark:
    kpi_key: str
    scope_code: str
    period: str
    meeting_date: date
    body: str
    author: str


def may_remark(principal: Principal) -> bool:
    return principal.role == "leader"


def add_remark(
    engine: Engine,
    *,
    principal: Principal,
    kpi_key: str,
    scope_code: str,
    period: str,
    meeting_date: date,
    body: str,
) -> None:
    if not may_remark(principal):
        raise AccessDenied("只有领导小组成员可以添加会议批注")
    text = audit.clean(body, keep_newlines=True).strip()
    if not text:
        raise ValueError("请填写批注内容")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"批注最多 {MAX_LENGTH} 字")
    values = {
        "kpi_key": kpi_key,
        "scope_code": scope_code,
        "period": period,
        "meeting_date": meeting_date,
        "body": text,
        "author": principal.username,
        "created_at": datetime.now().replace(microsecond=0),
    }
    with engine.begin() as conn:
        conn.execute(insert(_TABLE), values)
    audit.record(
        engine, username=principal.username, action="remark", target=f"{kpi_key} · {scope_code} · {period}", detail=text
    )


def remarks(
    conn: Connection, *, scopes: list[str] | None = None, period: str | None = None, meeting_date: date | None = None
) -> list[Remark]:
    """Remarks for the given scopes and period (or one meeting), oldest first."""
    stmt = select(_TABLE).order_by(_TABLE.c.meeting_date, _TABLE.c.id)
    if scopes is not None:
        stmt = stmt.where(_TABLE.c.scope_code.in_(scopes))
    if period is not None:
        stmt = stmt.where(_TABLE.c.period == period)
    if meeting_date is not None:
        stmt = stmt.where(_TABLE.c.meeting_date == meeting_date)
    return [Remark(r.kpi_key, r.scope_code, r.period, _d(r.meeting_date), r.body, r.author) for r in conn.execute(stmt)]


def _d(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
