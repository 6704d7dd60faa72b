"""The audit log: sign-ins, imports and undos, exports and packs, unmasking, changes to goals,
standards and accounts.

Append-only twice over: the database refuses updates, deletes and REPLACE (triggers; on
PostgreSQL also no UPDATE/DELETE privilege for the app's role), and every entry is chained
to the one before (sha256 of the previous entry's hash and this entry's content), so a change
made by someone who can write the store directly is evident:

    python -m data_access.audit verify     # exit 0: chain intact; 1: the first changed entry
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select, text

from data_access.models.auth import AuditEvent
from data_access.tables import table_of

ACTIONS = {
    "sign_in": "登录成功",
    "sign_in_failed": "登录失败",
    "sign_out": "退出登录",
    "locked": "账号锁定",
    "password_changed": "修改密码",
    "unmask": "查看完整个人信息",
    "export_excel": "导出表格",
    "export_image": "导出图片",
    "meeting_pack": "生成会议材料",
    "import": "数据导入",
    "import_undo": "撤销导入",
    "goal_change": "修改目标",
    "standard_change": "新增低保标准",
    "account_change": "账号变更",
    "task_create": "发起督办",
    "task_reply": "答复督办",
    "task_close": "办结督办",
    "signoff": "确认数据",
    "unlock": "解锁已确认数据",
    "remark": "会议批注",
    "api_read": "接口调用",
    "api_token": "接口令牌变更",
}
GENESIS = ""  # the "previous hash" of the first entry
CHAIN_FIELDS = ("at", "username", "action", "target", "detail", "source", "ok")
LIMITS = {"username": 60, "action": 40, "target": 200, "detail": 1000, "source": 100}
# One key for PostgreSQL's advisory lock that serialises appends (any constant; "KTAU").
_APPEND_LOCK = 0x4B544155
# Control characters (C0, DEL, C1) and the invisible direction marks / overrides that can
# disguise text: never stored (they break Excel exports and can make a name read backwards).
UNSAFE_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
REPLACEMENT = "\ufffd"
_TABLE = table_of(AuditEvent)


def clean(value: object, *, keep_newlines: bool = False) -> str:
    """Text safe to store and to export: unsafe characters become U+FFFD (visible, not lost)."""
    value = str(value)
    if keep_newlines:
        return "\n".join(UNSAFE_CHARS.sub(REPLACEMENT, part) for part in value.replace("\r\n", "\n").split("\n"))
    return UNSAFE_CHARS.sub(REPLACEMENT, value)


def _at_text(value: object) -> str:
    """The timestamp to the second, whatever form the driver returns it in."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.strftime("%Y-%m-%d %H:%M:%S")


def canonical(entry: Mapping[str, object]) -> str:
    """An entry's content as one string. Frozen: changing it would break every existing chain."""
    fields = [_at_text(entry["at"]), *(str(entry[k]) for k in CHAIN_FIELDS[1:-1]), bool(entry["ok"])]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def chain_hash(previous: str, entry: Mapping[str, object]) -> str:
    return hashlib.sha256(f"{previous}\n{canonical(entry)}".encode()).hexdigest()


def _lock_for_append(conn: Connection) -> None:
    """Serialise appends so two writers never chain onto the same previous entry."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # takes the write lock before reading the last hash
    else:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK})


def record(
    engine: Engine,
    *,
    username: str,
    action: str,
    target: str = "",
    detail: str = "",
    source: str = "",
    ok: bool = True,
) -> None:
    """Append one entry: one transaction reads the last hash and inserts the next one."""
    entry: dict[str, object] = {
        "at": datetime.now().replace(microsecond=0),
        "username": clean(username)[: LIMITS["username"]],
        "action": clean(action)[: LIMITS["action"]],
        "target": clean(target)[: LIMITS["target"]],
        "detail": clean(detail, keep_newlines=True)[: LIMITS["detail"]],
        "source": clean(source)[: LIMITS["source"]],
        "ok": bool(ok),
    }
    with engine.connect() as conn:
        _lock_for_append(conn)
        previous = conn.execute(select(_TABLE.c.chain_hash).order_by(_TABLE.c.id.desc()).limit(1)).scalar()
        entry["chain_hash"] = chain_hash(previous if previous is not None else GENESIS, entry)
        conn.execute(insert(_TABLE).values(**entry))
        conn.commit()


@dataclass(frozen=True)
class Verification:
    entries: int
    first_bad_id: int | None  # None: the chain is intact
    head: str  # the last entry's hash (note it down to detect a removed tail later)

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None

    def message(self) -> str:
        if self.ok:
            return f"审计日志链校验通过：共 {self.entries:,} 条，最新链哈希 {self.head[:16] or '（空）'}"
        return f"审计日志链校验失败：第 {self.first_bad_id} 条（编号）起被改动，请立即报告系统管理员"


def first_break(rows: Iterable[Mapping[Any, Any]]) -> tuple[int, int | None, str]:
    """(entries seen, id of the first entry whose hash does not follow, last stored hash)."""
    previous, count = GENESIS, 0
    for row in rows:
        count += 1
        if row["chain_hash"] != chain_hash(previous, row):
            return count, int(row["id"]), previous
        previous = str(row["chain_hash"])
    return count, None, previous


def verify(engine: Engine) -> Verification:
    """Recompute the chain in id order, streaming (the log may be long)."""
    columns = [_TABLE.c.id, *(_TABLE.c[name] for name in CHAIN_FIELDS), _TABLE.c.chain_hash]
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=2000).execute(select(*columns).order_by(_TABLE.c.id))
        count, bad, head = first_break(r._mapping for r in result)
    return Verification(count, bad, head)


def search(
    engine: Engine,
    *,
    username: str = "",
    actions: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 2000,
) -> list[dict[str, object]]:
    """Newest first. Every filter is a bound parameter (no text is ever pasted into SQL)."""
    clauses = ["1 = 1"]
    params: dict[str, Any] = {"limit": limit}
    if username:
        clauses.append("username = :username")
        params["username"] = username
    if actions:
        clauses.append("action IN :actions")
        params["actions"] = actions
    if since:
        clauses.append("at >= :since")
        params["since"] = since
    if until:
        clauses.append("at <= :until")
        params["until"] = until
    stmt = text(
        "SELECT id, at, username, action, target, detail, source, ok FROM audit_event "
        f"WHERE {' AND '.join(clauses)} ORDER BY at DESC, id DESC LIMIT :limit"
    )
    if actions:
        stmt = stmt.bindparams(bindparam("actions", expanding=True))
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt, params)]


def main(argv: list[str] | None = None) -> int:
    from data_access.db import database_url, describe_url, get_engine

    parser = argparse.ArgumentParser(description="审计日志")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("verify", help="校验审计日志链：0 = 完好，1 = 被改动（输出第一条被改动的编号）")
    parser.parse_args(argv)
    url = database_url()
    try:
        result = verify(get_engine(url))
    except Exception as exc:
        cause = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(f"无法读取审计日志（{describe_url(url)}）：{cause}", file=sys.stderr)
        return 2
    print(result.message(), file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
