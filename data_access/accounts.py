"""Local accounts: bcrypt hashes, lockout after repeated failures, demo accounts per role,
and a command to create the first administrator on a real deployment.

    python -m data_access.accounts create-admin --username admin
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import DateTime, Engine, bindparam, text, update
from sqlmodel import Session, col, select

from data_access import audit
from data_access.access import ROLES, Principal
from data_access.models.auth import UserAccount

# Re-exported: the password rule and errors are part of what callers of accounts use.
from data_access.passwords import MAX_PASSWORD_LENGTH as MAX_PASSWORD_LENGTH
from data_access.passwords import MIN_PASSWORD_LENGTH as MIN_PASSWORD_LENGTH
from data_access.passwords import SignInError as SignInError
from data_access.passwords import _password_matches, _spend_same_time
from data_access.passwords import check_password_strength as check_password_strength
from data_access.passwords import hash_password as hash_password

MAX_FAILURES = 5
LOCK_MINUTES = 15
# One message for every failed sign-in (unknown user, wrong password, locked, deactivated), so
# the form never tells an outsider which user names exist.
SIGN_IN_FAILED = (
    f"用户名或密码错误。连续 {MAX_FAILURES} 次错误后账号将锁定 {LOCK_MINUTES} 分钟；"
    "如多次失败，请稍后再试或联系管理员。"
)
# Demo accounts exist only while demo data is loaded; `make run` prints them. Their password
# is set directly (check_strength=False), not through the password rule.
DEMO_PASSWORD = "Demo-2026!"
DEMO_ACCOUNTS = (
    ("leader", "领导小组（演示）", "leader", "", ""),
    ("minzheng", "民政局负责人（演示）", "department", "民政局", ""),
    ("renshe", "人社局负责人（演示）", "department", "人社局", ""),
    ("bacheng", "巴城镇操作员（演示）", "town", "", "320583101000"),
    ("admin", "系统管理员（演示）", "admin", "", ""),
)
USERNAME = re.compile(r"[\w.@-]{1,60}")


def valid_username(name: str) -> bool:
    """1 to 60 letters (any script), digits and . _ - @: no spaces, controls, direction marks
    or Markdown punctuation, so a user name is safe wherever it is shown."""
    return USERNAME.fullmatch(name) is not None


def masked_typed_name(typed: str) -> str:
    """What the audit log keeps of a user name that matches no account: it may be a password
    typed into the wrong field, so only its first character and its length."""
    cleaned = audit.clean(typed.strip(" \u3000"))
    return f"{cleaned[:1]}***（未知用户名，{len(cleaned)} 个字符）" if cleaned else "（空用户名）"


def principal_of(account: UserAccount) -> Principal:
    return Principal(
        username=account.username,
        display_name=account.display_name,
        role=account.role,
        department=account.department,
        town_code=account.town_code,
    )


@dataclass(frozen=True)
class SignIn:
    principal: Principal
    must_change_password: bool
    session_epoch: int = 0


# failed_attempts counts attempts as they start, so parallel guesses cannot outrun the lock:
# the attempt that takes the counter to MAX_FAILURES also sets the lock; no attempt starts
# while locked; an expired lock starts the count again. One statement, atomic on both backends.
_NEXT_COUNT = "CASE WHEN locked_until IS NOT NULL AND locked_until <= :now THEN 1 ELSE failed_attempts + 1 END"
_RESERVE_ATTEMPT = text(
    f"UPDATE user_account SET failed_attempts = {_NEXT_COUNT}, "
    f"locked_until = CASE WHEN {_NEXT_COUNT} >= :max THEN :until "
    "WHEN locked_until IS NOT NULL AND locked_until <= :now THEN NULL ELSE locked_until END "
    "WHERE id = :id AND (locked_until IS NULL OR locked_until <= :now)"
    "RETURNING failed_attempts"
).bindparams(bindparam("now", type_=DateTime), bindparam("until", type_=DateTime))
# A right password clears the count, unless a parallel attempt locked the account meanwhile
# (the attempt that set the lock may clear its own).
_SUCCEED = text(
    "UPDATE user_account SET failed_attempts = 0, locked_until = NULL "
    "WHERE id = :id AND (locked_until IS NULL OR locked_until <= :now OR failed_attempts = :mine)"
).bindparams(bindparam("now", type_=DateTime))


def authenticate(
    engine: Engine, *, username: str, password: str, source: str = "", now: datetime | None = None
) -> SignIn:
    """Check a password; lock the account for a while after repeated failures. Always audited,
    and every refusal gives the same message."""
    now = now or datetime.now()
    name = username.strip(" \u3000")  # spaces only: a name with control characters is refused
    account = None
    if valid_username(name) and len(password) <= MAX_PASSWORD_LENGTH:
        with Session(engine) as session:
            account = session.exec(select(UserAccount).where(col(UserAccount.username) == name)).first()
            if account is not None:
                session.expunge(account)
    if account is None or not account.active:
        _spend_same_time(password[:MAX_PASSWORD_LENGTH])
        audit.record(
            engine,
            username=account.username if account else masked_typed_name(username),
            action="sign_in_failed",
            detail="账号已停用" if account else "用户名不存在或不合法",
            source=source,
            ok=False,
        )
        raise SignInError(SIGN_IN_FAILED)
    until = now + timedelta(minutes=LOCK_MINUTES)
    with engine.begin() as conn:
        count = conn.execute(
            _RESERVE_ATTEMPT, {"id": account.id, "now": now, "max": MAX_FAILURES, "until": until}
        ).scalar()
    if count is None:  # locked
        _spend_same_time(password)
        audit.record(
            engine, username=account.username, action="sign_in_failed", detail="账号锁定中", source=source, ok=False
        )
        raise SignInError(SIGN_IN_FAILED)
    if not _password_matches(password, account.password_hash):
        locked = count >= MAX_FAILURES
        audit.record(
            engine,
            username=account.username,
            action="locked" if locked else "sign_in_failed",
            detail=f"连续 {count} 次密码错误" + (f"，锁定 {LOCK_MINUTES} 分钟" if locked else ""),
            source=source,
            ok=False,
        )
        raise SignInError(SIGN_IN_FAILED)
    with engine.begin() as conn:
        cleared = conn.execute(_SUCCEED, {"id": account.id, "now": now, "mine": count}).rowcount
        epoch = conn.execute(
            text("SELECT session_epoch FROM user_account WHERE id = :id"), {"id": account.id}
        ).scalar_one()
    if not cleared:
        audit.record(
            engine, username=account.username, action="sign_in_failed", detail="账号锁定中", source=source, ok=False
        )
        raise SignInError(SIGN_IN_FAILED)
    audit.record(engine, username=account.username, action="sign_in", source=source)
    return SignIn(principal_of(account), account.must_change_password, int(epoch))


@dataclass(frozen=True)
class AccountState:
    """What an open session is checked against on every page load."""

    active: bool
    session_epoch: int
    role: str
    department: str
    town_code: str

    def allows(self, principal: Principal, epoch: int) -> bool:
        return (
            self.active
            and self.session_epoch == epoch
            and (self.role, self.department, self.town_code)
            == (principal.role, principal.department, principal.town_code)
        )


def account_state(engine: Engine, username: str) -> AccountState | None:
    """One lookup by the unique user name index."""
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT active, session_epoch, role, department, town_code FROM user_account WHERE username = :u"),
            {"u": username},
        ).first()
    if row is None:
        return None
    return AccountState(bool(row[0]), int(row[1]), str(row[2]), str(row[3] or ""), str(row[4] or ""))


def change_password(engine: Engine, *, username: str, old: str, new: str) -> int:
    """Returns the new session epoch: the caller's session carries on, every other one ends."""
    try:
        signed = authenticate(engine, username=username, password=old)
    except SignInError:
        raise SignInError(f"当前密码不正确（连续 {MAX_FAILURES} 次错误将锁定账号）") from None
    check_password_strength(new, user_inputs=(username, signed.principal.display_name))
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE user_account SET password_hash = :h, must_change_password = :f, "
                "session_epoch = session_epoch + 1 WHERE username = :u"
            ),
            {"h": hash_password(new), "f": False, "u": username},
        )
        read = conn.execute(text("SELECT session_epoch FROM user_account WHERE username = :u"), {"u": username})
        epoch = int(read.scalar_one())
    audit.record(engine, username=username, action="password_changed")
    return epoch


def create_account(
    engine: Engine,
    *,
    username: str,
    display_name: str,
    role: str,
    password: str | None,
    department: str = "",
    town_code: str = "",
    email: str = "",
    by: str = "system",
    must_change_password: bool = True,
    check_strength: bool = True,
) -> None:
    username = username.strip()
    if not valid_username(username):
        raise SignInError("用户名须为 1 至 60 个字符，只能包含字母、汉字、数字和 . _ - @")
    if audit.UNSAFE_CHARS.search(display_name) or audit.UNSAFE_CHARS.search(email):
        raise SignInError("姓名和邮箱不能包含控制字符或方向控制字符")
    if role not in ROLES:
        raise SignInError(f"未知角色“{role}”")
    if role == "town" and not town_code:
        raise SignInError("区镇操作员必须指定区镇")
    if role == "department" and not department:
        raise SignInError("部门负责人必须指定部门")
    if password and check_strength:
        check_password_strength(password, user_inputs=(username, display_name))
    with Session(engine) as session:
        session.add(
            UserAccount(
                username=username,
                display_name=display_name.strip(),
                role=role,
                department=department,
                town_code=town_code,
                email=email,
                password_hash=hash_password(password) if password else "",
                must_change_password=must_change_password,
            )
        )
        session.commit()
    audit.record(engine, username=by, action="account_change", target=username, detail=f"新建账号，角色 {ROLES[role]}")


def sign_in_by_email(engine: Engine, email: str) -> SignIn | None:
    """Map an identity-provider login (OIDC) to an active local account by e-mail."""
    if not email:
        return None
    with Session(engine) as session:
        account = session.exec(
            select(UserAccount).where(col(UserAccount.email) == email, col(UserAccount.active).is_(True))
        ).first()
        return SignIn(principal_of(account), False, account.session_epoch) if account else None


def principal_for_email(engine: Engine, email: str) -> Principal | None:
    signed = sign_in_by_email(engine, email)
    return signed.principal if signed else None


def ensure_demo_accounts(engine: Engine) -> list[tuple[str, str]]:
    """One account per role for the demo city; returns (username, role label) created."""
    created = []
    with Session(engine) as session:
        existing = set(session.exec(select(UserAccount.username)))
    for username, name, role, department, town in DEMO_ACCOUNTS:
        if username in existing:
            continue
        create_account(
            engine,
            username=username,
            display_name=name,
            role=role,
            password=DEMO_PASSWORD,
            department=department,
            town_code=town,
            must_change_password=False,
            check_strength=False,
        )
        created.append((username, ROLES[role]))
    return created


def main(argv: list[str] | None = None) -> int:
    from data_access.db import get_engine
    from data_access.migrate import upgrade

    parser = argparse.ArgumentParser(description="账号管理")
    sub = parser.add_subparsers(dest="command", required=True)
    admin = sub.add_parser("create-admin", help="创建管理员（真实部署时的第一个账号）")
    admin.add_argument("--username", required=True)
    admin.add_argument("--name", default="系统管理员")
    args = parser.parse_args(argv)
    engine = get_engine()
    upgrade(engine)
    password = getpass.getpass("新密码：")
    if password != getpass.getpass("再次输入："):
        print("两次输入的密码不一致", file=sys.stderr)
        return 2
    try:
        create_account(
            engine,
            username=args.username,
            display_name=args.name,
            role="admin",
            password=password,
            must_change_password=False,
        )
    except SignInError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    print(f"已创建管理员 {args.username}")
    return 0


def list_accounts(engine: Engine) -> list[dict[str, object]]:
    with Session(engine) as session:
        rows = session.exec(select(UserAccount).order_by(col(UserAccount.role), col(UserAccount.username))).all()
        return [
            {
                "用户名": a.username,
                "姓名": a.display_name,
                "角色": ROLES.get(a.role, a.role),
                "部门": a.department,
                "区镇": a.town_code,
                "邮箱": a.email,
                "状态": "停用"
                if not a.active
                else ("锁定" if a.locked_until and a.locked_until > datetime.now() else "正常"),
            }
            for a in rows
        ]


def admin_update(engine: Engine, *, username: str, by: str, action: str, password: str | None = None) -> None:
    """unlock / deactivate / activate / reset (with a temporary password the user must change).
    Deactivation and reset end the account's open sessions (session_epoch)."""
    values: dict[str, object]
    if action == "unlock":
        values = {"locked_until": None, "failed_attempts": 0}
    elif action == "deactivate":
        values = {"active": False, "session_epoch": UserAccount.session_epoch + 1}
    elif action == "activate":
        values = {"active": True}
    elif action == "reset":
        if not password:
            raise SignInError("请填写临时密码")
        check_password_strength(password, user_inputs=(username,))
        values = {
            "password_hash": hash_password(password),
            "must_change_password": True,
            "locked_until": None,
            "failed_attempts": 0,
            "session_epoch": UserAccount.session_epoch + 1,
        }
    else:
        raise SignInError(f"未知操作“{action}”")
    if not valid_username(username):
        raise SignInError("没有该用户名的账号")
    with Session(engine) as session:
        changed = session.exec(
            update(UserAccount).where(col(UserAccount.username) == username).values(**values)
        ).rowcount
        session.commit()
    if not changed:
        raise SignInError(f"没有用户名为“{username}”的账号")
    audit.record(engine, username=by, action="account_change", target=username, detail=action)


if __name__ == "__main__":
    sys.exit(main())
