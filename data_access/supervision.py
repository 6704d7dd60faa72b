"""督办 follow-up tasks: created on a lagging figure by the leading group, answered by the town
or department that owns them, closed by the leading group. Who may do what is decided here,
below the pages; every change is written to the audit log.

Keyword-only functions over an Engine; each change is one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Executable

from data_access import audit
from data_access.access import DEPARTMENTS, AccessDenied, Principal
from data_access.models.supervision import SupervisionTask, TaskReply
from data_access.tables import table_of

STATUS_LABELS = {"open": "待办理", "overdue": "已超期", "answered": "已答复", "closed": "已办结"}
STATUS_ORDER = {"overdue": 0, "open": 1, "answered": 2, "closed": 3}  # overdue first
MAX_TEXT = {"requirement": 1000, "reply": 2000, "close_note": 500}
_TASK = table_of(SupervisionTask)
_REPLY = table_of(TaskReply)


class TaskError(ValueError):
    """A request that cannot be carried out, with a Chinese message for the user."""


@dataclass(frozen=True)
class Task:
    id: int
    kpi_key: str
    town_code: str
    period: str
    frozen_value: float | None
    frozen_target: float | None
    frozen_status: str
    owner_kind: str
    owner: str
    requirement: str
    deadline: date
    stored_status: str
    created_by: str
    created_at: datetime
    closed_by: str | None
    closed_at: datetime | None
    close_note: str
    replies: tuple[tuple[str, datetime, str], ...] = ()  # (author, when, text)

    def status(self, today: date) -> str:
        """open / overdue / answered / closed: an open task past its deadline is overdue."""
        if self.stored_status == "open" and today > self.deadline:
            return "overdue"
        return self.stored_status


# -- rights ---------------------------------------------------------------------------------
def may_create(principal: Principal) -> bool:
    return principal.role in {"leader", "admin"}


def may_close(principal: Principal) -> bool:
    return principal.role in {"leader", "admin"}


def may_answer(principal: Principal, task: Task) -> bool:
    """The owner answers: the town's operator, or the head of the owning department."""
    if task.owner_kind == "town":
        return principal.role == "town" and principal.town_code == task.owner
    return principal.role == "department" and principal.department == task.owner


def may_see(principal: Principal, task: Task) -> bool:
    """A town operator sees only their town's tasks; everyone else sees all."""
    if principal.role == "town":
        return task.town_code == principal.town_code
    return principal.role in {"leader", "admin", "department"}


def _text(value: str, field: str, label: str) -> str:
    cleaned = audit.clean(value, keep_newlines=True).strip()
    if not cleaned:
        raise TaskError(f"请填写{label}")
    if len(cleaned) > MAX_TEXT[field]:
        raise TaskError(f"{label}最多 {MAX_TEXT[field]} 字")
    return cleaned


# -- changes --------------------------------------------------------------------------------
def create_task(
    engine: Engine,
    *,
    principal: Principal,
    kpi_key: str,
    town_code: str,
    period: str,
    frozen_value: float | None,
    frozen_target: float | None,
    frozen_status: str,
    owner_kind: str,
    owner: str,
    requirement: str,
    deadline: date,
    today: date | None = None,
) -> int:
    if not may_create(principal):
        raise AccessDenied("只有领导小组成员和管理员可以发起督办")
    if owner_kind not in {"town", "department"}:
        raise TaskError("责任主体须为区镇或部门")
    if owner_kind == "department" and owner not in DEPARTMENTS:
        raise TaskError(f"未知的部门“{owner}”")
    if owner_kind == "town" and owner != town_code:
        raise TaskError("区镇督办只能交由该区镇办理")
    if deadline < (today or date.today()):
        raise TaskError("办理期限不能早于今天")
    body = _text(requirement, "requirement", "督办要求")
    values = {
        "kpi_key": kpi_key,
        "town_code": town_code,
        "period": period,
        "frozen_value": frozen_value,
        "frozen_target": frozen_target,
        "frozen_status": frozen_status,
        "owner_kind": owner_kind,
        "owner": owner,
        "requirement": body,
        "deadline": deadline,
        "status": "open",
        "created_by": principal.username,
        "created_at": datetime.now().replace(microsecond=0),
    }
    with engine.begin() as conn:
        task_id = int(conn.execute(insert(_TASK).returning(_TASK.c.id), values).scalar_one())
    audit.record(
        engine,
        username=principal.username,
        action="task_create",
        target=f"督办 #{task_id}",
        detail=f"{kpi_key} · {town_code} · {period} · 交办 {owner} · 期限 {deadline:%Y-%m-%d}",
    )
    return task_id


def answer_task(engine: Engine, *, principal: Principal, task_id: int, reply: str) -> None:
    task = get_task(engine, principal=principal, task_id=task_id)
    if not may_answer(principal, task):
        raise AccessDenied("只有承办的区镇或部门可以答复该督办事项")
    if task.stored_status == "closed":
        raise TaskError("该督办事项已办结，不能再答复")
    body = _text(reply, "reply", "办理情况")
    now = datetime.now().replace(microsecond=0)
    with engine.begin() as conn:
        conn.execute(
            insert(_REPLY), {"task_id": task_id, "body": body, "author": principal.username, "created_at": now}
        )
        conn.execute(update(_TASK).where(_TASK.c.id == task_id, _TASK.c.status != "closed").values(status="answered"))
    audit.record(engine, username=principal.username, action="task_reply", target=f"督办 #{task_id}", detail=body[:200])


def close_task(engine: Engine, *, principal: Principal, task_id: int, note: str = "") -> None:
    if not may_close(principal):
        raise AccessDenied("只有领导小组成员和管理员可以办结督办事项")
    task = get_task(engine, principal=principal, task_id=task_id)
    if task.stored_status == "closed":
        raise TaskError("该督办事项已办结")
    cleaned = audit.clean(note, keep_newlines=True).strip()[: MAX_TEXT["close_note"]]
    now = datetime.now().replace(microsecond=0)
    with engine.begin() as conn:
        # One statement: two leaders closing at once close it once.
        done = conn.execute(
            update(_TASK)
            .where(_TASK.c.id == task_id, _TASK.c.status != "closed")
            .values(status="closed", closed_by=principal.username, closed_at=now, close_note=cleaned)
        ).rowcount
    if done:
        audit.record(
            engine, username=principal.username, action="task_close", target=f"督办 #{task_id}", detail=cleaned[:200]
        )


# -- reading --------------------------------------------------------------------------------
def get_task(engine: Engine, *, principal: Principal, task_id: int) -> Task:
    found = list_tasks(engine, principal=principal, ids=[task_id])
    if not found:
        raise TaskError("未找到该督办事项，或无权查看")
    return found[0]


def list_tasks(
    engine: Engine,
    *,
    principal: Principal,
    town_code: str | None = None,
    ids: list[int] | None = None,
) -> list[Task]:
    """The tasks this principal may see (a town operator: their town's only), newest first."""
    stmt = select(_TASK).order_by(_TASK.c.id.desc())
    if principal.role == "town":
        stmt = stmt.where(_TASK.c.town_code == principal.town_code)
    elif principal.role not in {"leader", "admin", "department"}:
        return []
    if town_code is not None:
        stmt = stmt.where(_TASK.c.town_code == town_code)
    if ids is not None:
        stmt = stmt.where(_TASK.c.id.in_(ids))
    with engine.connect() as conn:
        return _read(conn, stmt)


def tasks_in_towns(conn: Connection, *, towns: tuple[str, ...]) -> list[Task]:
    """The tasks about the given towns (the meeting pack's scope), newest first."""
    return _read(conn, select(_TASK).where(_TASK.c.town_code.in_(list(towns))).order_by(_TASK.c.id.desc()))


def _read(conn: Connection, stmt: Executable) -> list[Task]:
    rows = [dict(r._mapping) for r in conn.execute(stmt)]
    task_ids = [r["id"] for r in rows]
    replies: dict[int, list[tuple[str, datetime, str]]] = {}
    if task_ids:
        ordered_replies = (
            select(_REPLY).where(_REPLY.c.task_id.in_(task_ids)).order_by(_REPLY.c.created_at, _REPLY.c.id)
        )
        for r in conn.execute(ordered_replies):
            replies.setdefault(r.task_id, []).append((r.author, _dt(r.created_at), r.body))
    return [
        Task(
            id=int(r["id"]),
            kpi_key=r["kpi_key"],
            town_code=r["town_code"],
            period=r["period"],
            frozen_value=r["frozen_value"],
            frozen_target=r["frozen_target"],
            frozen_status=r["frozen_status"],
            owner_kind=r["owner_kind"],
            owner=r["owner"],
            requirement=r["requirement"],
            deadline=_d(r["deadline"]),
            stored_status=r["status"],
            created_by=r["created_by"],
            created_at=_dt(r["created_at"]),
            closed_by=r["closed_by"],
            closed_at=_dt(r["closed_at"]) if r["closed_at"] else None,
            close_note=r["close_note"],
            replies=tuple(replies.get(int(r["id"]), [])),
        )
        for r in rows
    ]


def ordered(tasks: list[Task], today: date) -> list[Task]:
    """Overdue first, then open, answered, closed; within each the nearest deadline first."""
    return sorted(tasks, key=lambda t: (STATUS_ORDER[t.status(today)], t.deadline, t.id))


def _d(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _dt(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
