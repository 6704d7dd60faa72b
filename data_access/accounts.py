"""Local accounts: bcrypt hashes, lockout after repeated failures, demo accounts per role,
and a command to create the first administrator on a real deployment.

    python -m data_access.accounts create-admin --username admin
"""

from __future__ import annotations

import argparse
import getpass
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta

import bcrypt
from sqlalchemy import Engine, select, update
from sqlmodel import Session

from data_access import audit
from data_access.access import ROLES, Principal
from data_access.models.auth import UserAccount

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 10
# Demo accounts exist only while demo data is loaded; `make run` prints them.
DEMO_PASSWORD = "Demo-2026!"
DEMO_ACCOUNTS = (
    ("leader", "领导小组（演示）", "leader", "", ""),
    ("minzheng", "民政局负责人（演示）", "department", "民政局", ""),
    ("renshe", "人社局负责人（演示）", "department", "人社局", ""),
    ("bacheng", "巴城镇操作员（演示）", "town", "", "320583101000"),
    ("admin", "系统管理员（演示）", "admin", "", ""),
)


class SignInError(ValueError):
    pass


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=12)).decode("ascii")


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SignInError(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
    kinds = sum(any(test(c) for c in password) for test in (str.isdigit, str.islower, str.isupper))
    kinds += any(not c.isalnum() for c in password)
    if kinds < 3:
        raise SignInError("密码须包含大写字母、小写字母、数字、符号中的至少三类")


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


def authenticate(
    engine: Engine, *, username: str, password: str, source: str = "", now: datetime | None = None
) -> SignIn:
    """Check a password; lock the account for a while after repeated failures. Always audited."""
    now = now or datetime.now()
    with Session(engine) as session:
        account = session.exec(select(UserAccount).where(UserAccount.username == username.strip())).scalars().first()
        if account is None or not account.active:
            audit.record(
                engine,
                username=username[:60],
                action="sign_in_failed",
                detail="账号不存在或已停用",
                source=source,
                ok=False,
            )
            raise SignInError("用户名或密码错误")
        if account.locked_until and account.locked_until > now:
            audit.record(
                engine, username=account.username, action="sign_in_failed", detail="账号锁定中", source=source, ok=False
            )
            raise SignInError(
                f"连续登录失败次数过多，账号已锁定至 {account.locked_until:%H:%M}，请稍后再试或联系管理员"
            )
        valid = bool(account.password_hash) and bcrypt.checkpw(
            password.encode("utf-8"), account.password_hash.encode("ascii")
        )
        if not valid:
            account.failed_attempts += 1
            locked = account.failed_attempts >= MAX_FAILURES
            if locked:
                account.locked_until = now + timedelta(minutes=LOCK_MINUTES)
                account.failed_attempts = 0
            session.add(account)
            session.commit()
            audit.record(
                engine,
                username=account.username,
                action="locked" if locked else "sign_in_failed",
                source=source,
                ok=False,
            )
            if locked:
                raise SignInError(f"连续 {MAX_FAILURES} 次密码错误，账号锁定 {LOCK_MINUTES} 分钟")
            raise SignInError("用户名或密码错误")
        account.failed_attempts = 0
        account.locked_until = None
        session.add(account)
        session.commit()
        result = SignIn(principal_of(account), account.must_change_password)
    audit.record(engine, username=username, action="sign_in", source=source)
    return result


def change_password(engine: Engine, *, username: str, old: str, new: str) -> None:
    authenticate(engine, username=username, password=old)
    check_password_strength(new)
    with Session(engine) as session:
        session.exec(
            update(UserAccount)
            .where(UserAccount.username == username)
            .values(password_hash=hash_password(new), must_change_password=False)
        )
        session.commit()
    audit.record(engine, username=username, action="password_changed")


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
    if role not in ROLES:
        raise SignInError(f"未知角色“{role}”")
    if role == "town" and not town_code:
        raise SignInError("区镇操作员必须指定区镇")
    if role == "department" and not department:
        raise SignInError("部门负责人必须指定部门")
    if password and check_strength:
        check_password_strength(password)
    with Session(engine) as session:
        session.add(
            UserAccount(
                username=username.strip(),
                display_name=display_name,
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


def principal_for_email(engine: Engine, email: str) -> Principal | None:
    """Map an identity-provider login (OIDC) to a local account by e-mail."""
    with Session(engine) as session:
        account = (
            session.exec(select(UserAccount).where(UserAccount.email == email, UserAccount.active.is_(True)))
            .scalars()
            .first()
        )
        return principal_of(account) if account else None


def ensure_demo_accounts(engine: Engine) -> list[tuple[str, str]]:
    """One account per role for the demo city; returns (username, role label) created."""
    created = []
    with Session(engine) as session:
        existing = set(session.exec(select(UserAccount.username)).scalars())
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


if __name__ == "__main__":
    sys.exit(main())


def list_accounts(engine: Engine) -> list[dict[str, object]]:
    with Session(engine) as session:
        rows = session.exec(select(UserAccount).order_by(UserAccount.role, UserAccount.username)).scalars().all()
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
    """unlock / deactivate / activate / reset (with a temporary password the user must change)."""
    values: dict[str, object]
    if action == "unlock":
        values = {"locked_until": None, "failed_attempts": 0}
    elif action == "deactivate":
        values = {"active": False}
    elif action == "activate":
        values = {"active": True}
    elif action == "reset":
        if not password:
            raise SignInError("请填写临时密码")
        check_password_strength(password)
        values = {"password_hash": hash_password(password), "must_change_password": True, "locked_until": None}
    else:
        raise SignInError(f"未知操作“{action}”")
    with Session(engine) as session:
        session.exec(update(UserAccount).where(UserAccount.username == username).values(**values))
        session.commit()
    audit.record(engine, username=by, action="account_change", target=username, detail=action)
