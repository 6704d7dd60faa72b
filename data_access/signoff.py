"""数据确认: a department confirms its feed for a period (a town operator their town's figures)
before the meeting. A confirmed feed period is locked: an import that would change it is
refused until an administrator unlocks it with a reason, after which it needs confirming again.

The lock check is one indexed read inside the import's own transaction, so a confirmation
made while a file is being checked still stops that file's commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, and_, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from data_access import audit
from data_access.access import AccessDenied, Principal
from data_access.models.supervision import Signoff
from data_access.reference import FEEDS
from data_access.tables import table_of

_TABLE = table_of(Signoff)


class PeriodLocked(Exception):
    """An import would change a confirmed period (the message is for the user, in Chinese)."""


class PeriodRunning(ValueError):
    """A period whose data do not yet reach its end cannot be confirmed: confirming it would
    lock the rest of the period against the imports that have not come yet."""


@dataclass(frozen=True)
class SignoffState:
    subject_kind: str
    subject: str
    period: str
    confirmed: bool
    by: str | None
    at: datetime | None
    unlock_reason: str = ""

    @property
    def label(self) -> str:
        if self.confirmed:
            return f"已确认（{self.by}，{self.at:%Y-%m-%d %H:%M}）" if self.at else "已确认"
        if self.unlock_reason:
            return f"未确认（已解锁：{self.unlock_reason}）"
        return "未确认"


def may_confirm(principal: Principal, *, subject_kind: str, subject: str) -> bool:
    if subject_kind == "feed":
        return principal.role == "department" and FEEDS.get(subject, ("",))[0] == principal.department
    return principal.role == "town" and principal.town_code == subject


def confirm(
    engine: Engine,
    *,
    principal: Principal,
    subject_kind: str,
    subject: str,
    period: str,
    period_end: date,
    data_date: date | None,
) -> None:
    """Confirm a finished period: `data_date` (the feed's, or for a town the dashboard's) must
    reach `period_end`, the period's calendar end."""
    if not may_confirm(principal, subject_kind=subject_kind, subject=subject):
        raise AccessDenied("只有责任部门（或本区镇操作员）可以确认本单位的数据")
    if data_date is None:
        raise PeriodRunning("该数据尚未报送，不能确认")
    if data_date < period_end:
        raise PeriodRunning(
            f"该期间数据截至{data_date.month}月{data_date.day}日，尚未覆盖到期末"
            f"（{period_end.month}月{period_end.day}日），期末数据报齐后才能确认"
        )
    now = datetime.now().replace(microsecond=0)
    key = and_(_TABLE.c.subject_kind == subject_kind, _TABLE.c.subject == subject, _TABLE.c.period == period)
    values = {"confirmed": True, "confirmed_by": principal.username, "confirmed_at": now}
    try:
        with engine.begin() as conn:
            if not conn.execute(update(_TABLE).where(key).values(**values)).rowcount:
                row = {"subject_kind": subject_kind, "subject": subject, "period": period, **values}
                conn.execute(insert(_TABLE), row)
    except IntegrityError:  # confirmed at the same moment by a second click: the row exists now
        with engine.begin() as conn:
            conn.execute(update(_TABLE).where(key).values(**values))
    audit.record(engine, username=principal.username, action="signoff", target=f"{subject} · {period}")


def unlock(engine: Engine, *, principal: Principal, subject_kind: str, subject: str, period: str, reason: str) -> None:
    if not principal.is_admin:
        raise AccessDenied("只有管理员可以解锁已确认的数据")
    reason = audit.clean(reason).strip()[:500]
    if not reason:
        raise ValueError("请填写解锁原因")
    key = and_(_TABLE.c.subject_kind == subject_kind, _TABLE.c.subject == subject, _TABLE.c.period == period)
    with engine.begin() as conn:
        done = conn.execute(
            update(_TABLE)
            .where(key, _TABLE.c.confirmed.is_(True))
            .values(
                confirmed=False,
                unlocked_by=principal.username,
                unlocked_at=datetime.now().replace(microsecond=0),
                unlock_reason=reason,
            )
        ).rowcount
    if not done:
        raise ValueError("该期间尚未确认，无需解锁")
    audit.record(engine, username=principal.username, action="unlock", target=f"{subject} · {period}", detail=reason)


def states(conn: Connection, *, periods: Iterable[str]) -> dict[tuple[str, str, str], SignoffState]:
    """(kind, subject, period) -> state, for the periods asked about."""
    wanted = list(periods)
    if not wanted:
        return {}
    rows = conn.execute(select(_TABLE).where(_TABLE.c.period.in_(wanted)))
    return {
        (r.subject_kind, r.subject, r.period): SignoffState(
            r.subject_kind,
            r.subject,
            r.period,
            bool(r.confirmed),
            r.confirmed_by if r.confirmed else r.unlocked_by,
            _dt(r.confirmed_at if r.confirmed else r.unlocked_at),
            r.unlock_reason or "",
        )
        for r in rows
    }


def check_unlocked(conn: Connection, *, feed_spans: dict[str, tuple[date, date]]) -> None:
    """Refuse an import whose rows for a feed fall in a period that feed has confirmed.

    feed_spans: feed -> (earliest, latest) date of the file's rows for it. A confirmed month,
    quarter or year overlapping that span locks the file.
    """
    for feed, (first, last) in feed_spans.items():
        keys = overlapping_keys(first, last)
        locked = (
            conn.execute(
                select(_TABLE.c.period).where(
                    _TABLE.c.subject_kind == "feed",
                    _TABLE.c.subject == feed,
                    _TABLE.c.confirmed.is_(True),
                    _TABLE.c.period.in_(keys),
                )
            )
            .scalars()
            .all()
        )
        if locked:
            department = FEEDS.get(feed, (feed, ""))[0]
            raise PeriodLocked(
                f"{department}已确认 {', '.join(sorted(locked))} 的数据，该期间已锁定，本次导入未写入任何数据。"
                "如确需更正，请管理员在“数据确认”中说明原因后解锁，导入后由责任部门重新确认。"
            )


def overlapping_keys(first: date, last: date) -> list[str]:
    """Every month, quarter and year key ('2025-09', '2025-Q3', '2025') the span touches."""
    keys: set[str] = set()
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        keys |= {f"{year}-{month:02d}", f"{year}-Q{(month - 1) // 3 + 1}", f"{year}"}
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return sorted(keys)


def _dt(value: object) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
