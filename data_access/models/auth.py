"""Local accounts and the append-only audit log (个人信息保护法: who saw what, when)."""

from datetime import datetime

from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel


class UserAccount(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60, unique=True, index=True)
    display_name: str = Field(max_length=60)
    role: str = Field(max_length=20)  # leader / department / town / admin
    department: str = Field(default="", max_length=20)  # for role department
    town_code: str = Field(default="", max_length=20)  # for role town
    email: str = Field(default="", max_length=120)  # maps an identity-provider login
    password_hash: str = Field(default="", max_length=100)  # bcrypt; empty: no local password
    failed_attempts: int = 0
    locked_until: NaiveDatetime | None = None
    must_change_password: bool = False
    active: bool = True
    # Raised by deactivation and password changes: a session signed in under an older value ends.
    session_epoch: int = 0
    created_at: NaiveDatetime = Field(default_factory=datetime.now)


class AuditEvent(SQLModel, table=True):
    """One thing a user did. The app only ever inserts (triggers refuse updates and deletes)."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: NaiveDatetime = Field(default_factory=datetime.now, index=True)
    username: str = Field(max_length=60, index=True)
    action: str = Field(max_length=40, index=True)
    target: str = Field(default="", max_length=200)
    detail: str = Field(default="", max_length=1000)
    source: str = Field(default="", max_length=100)  # where from (client address)
    ok: bool = True
    # sha256 of the previous entry's chain_hash and this entry's content (audit.chain_hash):
    # an edited, removed or inserted entry breaks the chain from there on.
    chain_hash: str = Field(default="", max_length=64)
