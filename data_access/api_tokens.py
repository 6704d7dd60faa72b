"""API tokens for the read API: created and revoked by administrators, hashed at rest.

A token is a random secret shown once at creation; the store keeps its sha256 only. It carries
a role and scope like a user account (a town token sees one town), so the API applies the same
access rules as the pages through `Principal`. Calls are counted per token and minute by one
upsert (the rate limit), and every call is audited by the API.

    python -m data_access.api_tokens create --name 大数据局 --role leader --by admin
    python -m data_access.api_tokens list
    python -m data_access.api_tokens revoke --name 大数据局 --by admin

The limit is `API_RATE_LIMIT` (calls per token per minute, default 60).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Engine, Row, Table, insert, select, text, update

from data_access import audit
from data_access.access import DEPARTMENTS, ROLES, Principal
from data_access.models.api import ApiToken

SECRET_PREFIX = "kt_"  # recognisable in logs and secret scanners
PREFIX_SHOWN = 10  # characters of the secret kept to tell tokens apart in lists
RATE_LIMIT_ENV = "API_RATE_LIMIT"
DEFAULT_RATE_LIMIT = 60  # calls per token per minute
AUDIT_ACTION = "api_token"
_TABLE = cast(Table, ApiToken.__table__)  # type: ignore[attr-defined]
# One statement counts the call and returns the count (SQLite >= 3.35 and PostgreSQL alike).
_COUNT = text(
    "INSERT INTO api_rate_window (token_id, minute, n) VALUES (:token_id, :minute, 1) "
    "ON CONFLICT (token_id, minute) DO UPDATE SET n = api_rate_window.n + 1 RETURNING n"
)

_PRUNE = text("DELETE FROM api_rate_window WHERE token_id = :token_id AND minute < :minute")


class TokenError(ValueError):
    """A request an administrator can correct (message in Chinese)."""


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    prefix: str
    role: str
    department: str
    town_code: str
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def principal(self) -> Principal:
        """Who the token acts as: the same access rules as a user with this role and scope."""
        return Principal(
            username=f"api:{self.name}",
            display_name=self.name,
            role=self.role,
            department=self.department,
            town_code=self.town_code,
        )


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def rate_limit() -> int:
    """Calls per token per minute (env API_RATE_LIMIT; default 60; at least 1)."""
    raw = os.environ.get(RATE_LIMIT_ENV, "").strip()
    try:
        return max(1, int(raw)) if raw else DEFAULT_RATE_LIMIT
    except ValueError:
        return DEFAULT_RATE_LIMIT


def _info(row: Row[Any]) -> TokenInfo:
    m = row._mapping
    return TokenInfo(
        id=int(m["id"]),
        name=str(m["name"]),
        prefix=str(m["prefix"]),
        role=str(m["role"]),
        department=str(m["department"]),
        town_code=str(m["town_code"]),
        created_by=str(m["created_by"]),
        created_at=_dt(m["created_at"]),
        last_used_at=_dt(m["last_used_at"]) if m["last_used_at"] is not None else None,
        revoked_at=_dt(m["revoked_at"]) if m["revoked_at"] is not None else None,
        revoked_by=str(m["revoked_by"]),
    )


def _dt(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _validate(conn: Connection, *, name: str, role: str, department: str, town_code: str) -> None:
    if not name or len(name) > 60:
        raise TokenError("令牌名称不能为空，且不超过60个字")
    if audit.UNSAFE_CHARS.search(name):
        raise TokenError("令牌名称含不可见控制字符，请删除后重试")
    if role not in ROLES:
        raise TokenError(f"未知角色“{role}”：可选 {'、'.join(ROLES)}")
    if role == "department" and department not in DEPARTMENTS:
        raise TokenError(f"部门负责人令牌须指定部门：{'、'.join(DEPARTMENTS)}")
    if role == "town":
        known = conn.execute(text("SELECT 1 FROM town WHERE code = :c"), {"c": town_code}).first()
        if not known:
            raise TokenError(f"区镇令牌须指定存在的区镇代码（收到“{town_code}”）")
    if conn.execute(select(_TABLE.c.id).where(_TABLE.c.name == name)).first():
        raise TokenError(f"已有名为“{name}”的令牌：请换一个名称")


def create(
    engine: Engine,
    *,
    name: str,
    role: str,
    created_by: str,
    department: str = "",
    town_code: str = "",
    source: str = "",
) -> tuple[TokenInfo, str]:
    """A new token and its secret (the only time the secret exists outside the client)."""
    name = name.strip()
    department = department if role == "department" else ""
    town_code = town_code.strip() if role == "town" else ""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        _validate(conn, name=name, role=role, department=department, town_code=town_code)
        conn.execute(
            insert(_TABLE).values(
                name=name,
                token_hash=hash_secret(secret),
                prefix=secret[:PREFIX_SHOWN],
                role=role,
                department=department,
                town_code=town_code,
                created_by=created_by,
                created_at=datetime.now().replace(microsecond=0),
                revoked_by="",
            )
        )
        row = conn.execute(select(_TABLE).where(_TABLE.c.name == name)).one()
    info = _info(row)
    scope = info.department or info.town_code or "全部区镇"
    audit.record(
        engine,
        username=created_by,
        action=AUDIT_ACTION,
        target=name,
        detail=f"创建接口令牌：角色 {ROLES[role]}，范围 {scope}",
        source=source,
    )
    return info, secret


def list_tokens(engine: Engine) -> list[TokenInfo]:
    with engine.connect() as conn:
        return [_info(r) for r in conn.execute(select(_TABLE).order_by(_TABLE.c.created_at, _TABLE.c.id))]


def revoke(engine: Engine, *, name: str, revoked_by: str, source: str = "") -> bool:
    """Revoke an active token by name; False when there is no such active token."""
    now = datetime.now().replace(microsecond=0)
    with engine.begin() as conn:
        done = conn.execute(
            update(_TABLE)
            .where(_TABLE.c.name == name, _TABLE.c.revoked_at.is_(None))
            .values(revoked_at=now, revoked_by=revoked_by)
        ).rowcount
    if done:
        audit.record(
            engine, username=revoked_by, action=AUDIT_ACTION, target=name, detail="吊销接口令牌", source=source
        )
    return bool(done)


def authenticate(conn: Connection, *, secret: str) -> TokenInfo | None:
    """The active token with this secret, or None (unknown or revoked)."""
    if not secret or len(secret) > 200:
        return None
    row = conn.execute(
        select(_TABLE).where(_TABLE.c.token_hash == hash_secret(secret), _TABLE.c.revoked_at.is_(None))
    ).first()
    return _info(row) if row is not None else None


def count_call(conn: Connection, *, token_id: int, now: float | None = None) -> int:
    """This call's number within the token's current minute (counted atomically).

    On a minute's first call the token's last use is stamped and its older counters dropped,
    so the counter table holds about one row per token.
    """
    minute = int((time.time() if now is None else now) // 60)
    n = int(conn.execute(_COUNT, {"token_id": token_id, "minute": minute}).scalar_one())
    if n == 1:
        conn.execute(
            update(_TABLE).where(_TABLE.c.id == token_id).values(last_used_at=datetime.now().replace(microsecond=0))
        )
        conn.execute(_PRUNE, {"token_id": token_id, "minute": minute})
    return n


def seconds_to_next_minute(now: float | None = None) -> int:
    now = time.time() if now is None else now
    return max(1, 60 - int(now % 60))


# -- command line --------------------------------------------------------------------------


def _print_list(tokens: list[TokenInfo]) -> None:
    if not tokens:
        print("尚无接口令牌。")
        return
    for t in tokens:
        scope = t.department or t.town_code or "全部区镇"
        state = f"已吊销 {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "有效"
        used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "从未使用"
        print(
            f"{t.name}\t{t.prefix}…\t{ROLES.get(t.role, t.role)}\t{scope}\t{state}\t"
            f"创建 {t.created_at:%Y-%m-%d %H:%M}（{t.created_by}）\t最近使用 {used}"
        )


def main(argv: list[str] | None = None) -> int:
    from data_access.db import database_url, describe_url, get_engine

    parser = argparse.ArgumentParser(prog="python -m data_access.api_tokens", description="数据接口令牌（管理员）")
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("create", help="创建令牌（密钥只显示这一次）")
    make.add_argument("--name", required=True, help="调用方名称，如 大数据局共享平台")
    make.add_argument("--role", required=True, choices=list(ROLES), help="角色：leader / department / town / admin")
    make.add_argument("--department", default="", help="部门负责人令牌的部门，如 民政局")
    make.add_argument("--town", default="", help="区镇令牌的区镇代码")
    make.add_argument("--by", required=True, help="创建人（管理员账号）")
    sub.add_parser("list", help="列出令牌（不含密钥）")
    drop = sub.add_parser("revoke", help="吊销令牌")
    drop.add_argument("--name", required=True)
    drop.add_argument("--by", required=True, help="吊销人（管理员账号）")
    args = parser.parse_args(argv)
    url = database_url()
    engine = get_engine(url)
    try:
        if args.command == "create":
            info, secret = create(
                engine,
                name=args.name,
                role=args.role,
                department=args.department,
                town_code=args.town,
                created_by=args.by,
                source="命令行",
            )
            print(f"已创建令牌“{info.name}”。密钥只显示这一次，请妥善保存：")
            print(secret)
            return 0
        if args.command == "list":
            _print_list(list_tokens(engine))
            return 0
        if revoke(engine, name=args.name, revoked_by=args.by, source="命令行"):
            print(f"已吊销令牌“{args.name}”。")
            return 0
        print(f"没有名为“{args.name}”的有效令牌。", file=sys.stderr)
        return 2
    except TokenError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except Exception as exc:
        cause = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(f"数据库操作失败（{describe_url(url)}）：{cause}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
