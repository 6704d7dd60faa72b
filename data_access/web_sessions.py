"""Sign-in sessions that survive a reload, a new tab and a copied link.

The browser holds a cookie `<token>.<hmac>`: a random token signed with the deployment's key
(so a forged or truncated value is refused before the store is asked). The store holds only
sha256(token), with the user, the account's session epoch, an idle and an absolute expiry, and
a revocation mark. Every app process reads the same rows, so a user can move between processes
and a sign-out, a deactivation or a password change ends the session everywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Boolean, DateTime, Engine, Integer, String, bindparam, column, text

from data_access import audit
from data_access.access import Principal

COOKIE_NAME = "kd_session"
IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=8)
# last_seen is written at most once a minute per session: a page run is a read, not a write.
TOUCH_EVERY = timedelta(seconds=60)
KEY_ENV = "KUNSHAN_COOKIE_KEY"
KEY_FILE = Path(__file__).resolve().parent.parent / "data" / ".cookie_key"

SIGNED_OUT = "您已退出登录。"
IDLE_ENDED = f"超过 {int(IDLE.total_seconds() // 60)} 分钟未操作，已自动退出，请重新登录。"
ABSOLUTE_ENDED = f"本次登录已超过 {int(ABSOLUTE.total_seconds() // 3600)} 小时，请重新登录。"
ACCOUNT_ENDED = "账号已停用、密码已重置或权限已变更，本次登录已失效，请重新登录。"
ENDED_REASONS = {"signed_out": SIGNED_OUT, "idle": IDLE_ENDED, "absolute": ABSOLUTE_ENDED, "account": ACCOUNT_ENDED}


def cookie_key() -> bytes:
    """The signing key: KUNSHAN_COOKIE_KEY (every app process of a deployment sets the same),
    else a key file made once next to the default store (a single machine needs no setup)."""
    configured = os.environ.get(KEY_ENV, "").strip()
    if configured:
        return configured.encode("utf-8")
    try:
        return KEY_FILE.read_bytes().strip()
    except FileNotFoundError:
        KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
        fresh = secrets.token_urlsafe(48).encode("ascii")
        try:  # O_EXCL: two processes starting at once end up with the same key
            fd = os.open(KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return KEY_FILE.read_bytes().strip()
        with os.fdopen(fd, "wb") as handle:
            handle.write(fresh)
        return fresh


def _signature(token: str, key: bytes) -> str:
    return hmac.new(key, token.encode("ascii"), hashlib.sha256).hexdigest()


def sign(token: str, *, key: bytes | None = None) -> str:
    return f"{token}.{_signature(token, key or cookie_key())}"


def unsign(value: str | None, *, key: bytes | None = None) -> str | None:
    """The token of a well-formed, correctly signed cookie value, else None."""
    if not value or value.count(".") != 1 or len(value) > 200:
        return None
    token, signature = value.split(".")
    if not token.isascii() or not signature.isascii():
        return None
    return token if hmac.compare_digest(signature, _signature(token, key or cookie_key())) else None


def session_id(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class Active:
    """A valid session: who, and whether a temporary password must be changed first."""

    principal: Principal
    must_change_password: bool
    session_epoch: int


@dataclass(frozen=True)
class Ended:
    """A session that existed but is over: why (a code for URLs) and the sentence shown."""

    code: str

    @property
    def reason(self) -> str:
        return ENDED_REASONS[self.code]


_LOOKUP = text(
    "SELECT s.username, s.session_epoch, s.expires_at, s.last_seen, s.revoked_at, s.revoked_reason, "
    "a.active, a.session_epoch AS account_epoch, a.display_name, a.role, a.department, a.town_code, "
    "a.must_change_password "
    "FROM web_session s LEFT JOIN user_account a ON a.username = s.username WHERE s.id = :id"
).columns(
    # Typed, so SQLite's stored text comes back as datetimes like PostgreSQL's timestamps.
    column("username", String),
    column("session_epoch", Integer),
    column("expires_at", DateTime),
    column("last_seen", DateTime),
    column("revoked_at", DateTime),
    column("revoked_reason", String),
    column("active", Boolean),
    column("account_epoch", Integer),
    column("display_name", String),
    column("role", String),
    column("department", String),
    column("town_code", String),
    column("must_change_password", Boolean),
)
# Extends the idle window, but only for a session that is still valid at this moment.
_TOUCH = text(
    "UPDATE web_session SET last_seen = :now WHERE id = :id AND revoked_at IS NULL "
    "AND expires_at > :now AND last_seen > :idle_from AND last_seen < :touch_before"
).bindparams(
    bindparam("now", type_=DateTime), bindparam("idle_from", type_=DateTime), bindparam("touch_before", type_=DateTime)
)
_REVOKE = text(
    "UPDATE web_session SET revoked_at = :now, revoked_reason = :reason WHERE id = :id AND revoked_at IS NULL"
).bindparams(bindparam("now", type_=DateTime))


def start(
    engine: Engine,
    *,
    username: str,
    session_epoch: int,
    source: str = "",
    replaces: str | None = None,
    now: datetime | None = None,
) -> str:
    """A new session (a new random id at every sign-in); returns the cookie value. The session
    the browser held before, if any, is revoked (no fixation)."""
    now = now or datetime.now()
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        old = unsign(replaces)
        if old:
            conn.execute(_REVOKE, {"id": session_id(old), "now": now, "reason": "replaced"})
        conn.execute(
            text(
                "INSERT INTO web_session (id, username, session_epoch, created_at, last_seen, expires_at, "
                "source, revoked_at, revoked_reason) "
                "VALUES (:id, :u, :e, :now, :now, :until, :src, NULL, '')"
            ).bindparams(bindparam("now", type_=DateTime), bindparam("until", type_=DateTime)),
            {
                "id": session_id(token),
                "u": username,
                "e": session_epoch,
                "now": now,
                "until": now + ABSOLUTE,
                "src": audit.clean(source)[:100],
            },
        )
    return sign(token)


def resolve(engine: Engine, cookie: str | None, *, now: datetime | None = None) -> Active | Ended | None:
    """What a cookie stands for now: an Active session, an Ended one (with its reason), or None
    when there is no (valid) cookie at all. One indexed read; a write at most once a minute."""
    token = unsign(cookie)
    if token is None:
        return None
    now = now or datetime.now()
    sid = session_id(token)
    with engine.connect() as conn:
        row = conn.execute(_LOOKUP, {"id": sid}).mappings().first()
    if row is None:
        return None
    if row["revoked_at"] is not None:
        return Ended("signed_out" if row["revoked_reason"] in ("signed_out", "replaced") else "account")
    if row["expires_at"] <= now:
        return Ended("absolute")
    if row["last_seen"] <= now - IDLE:
        return Ended("idle")
    if not row["active"] or row["account_epoch"] != row["session_epoch"]:
        return Ended("account")
    if row["last_seen"] < now - TOUCH_EVERY:
        with engine.begin() as conn:
            conn.execute(_TOUCH, {"id": sid, "now": now, "idle_from": now - IDLE, "touch_before": now - TOUCH_EVERY})
    principal = Principal(
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        department=row["department"] or "",
        town_code=row["town_code"] or "",
    )
    return Active(principal, bool(row["must_change_password"]), int(row["session_epoch"]))


def revoke(engine: Engine, cookie: str | None, *, reason: str = "signed_out", now: datetime | None = None) -> bool:
    """End the session behind a cookie (sign-out). True when a live session was ended."""
    token = unsign(cookie)
    if token is None:
        return False
    with engine.begin() as conn:
        ended = conn.execute(_REVOKE, {"id": session_id(token), "now": now or datetime.now(), "reason": reason})
    return bool(ended.rowcount)


def renew_epoch(engine: Engine, cookie: str | None, *, username: str, session_epoch: int) -> None:
    """After the user changed their own password: this session carries on, the others end."""
    token = unsign(cookie)
    if token is None:
        return
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE web_session SET session_epoch = :e WHERE id = :id AND username = :u AND revoked_at IS NULL"),
            {"e": session_epoch, "id": session_id(token), "u": username},
        )


def purge(engine: Engine, *, older_than: timedelta = timedelta(days=30), now: datetime | None = None) -> int:
    """Drop rows of sessions that ended long ago (the audit log keeps the sign-ins)."""
    cutoff = (now or datetime.now()) - older_than
    with engine.begin() as conn:
        gone = conn.execute(
            text("DELETE FROM web_session WHERE expires_at < :cutoff").bindparams(bindparam("cutoff", type_=DateTime)),
            {"cutoff": cutoff},
        )
    return int(gone.rowcount or 0)
