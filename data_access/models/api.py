"""API tokens for the read API (/api/v1): a client holds a random secret; the store keeps only
its sha256, with a role and scope like a user account. Calls are counted per token and minute
(one row per token x minute window) for the rate limit."""

from datetime import datetime

from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, unique=True)  # who the client is, e.g. 大数据局共享平台
    # sha256 (hex) of the secret: the store never holds a usable token.
    token_hash: str = Field(max_length=64, unique=True, index=True)
    prefix: str = Field(default="", max_length=12)  # the secret's first characters, to recognise it
    role: str = Field(max_length=20)  # leader / department / town / admin (data_access.access.ROLES)
    department: str = Field(default="", max_length=20)  # for role department
    town_code: str = Field(default="", max_length=20)  # for role town: the one town it sees
    created_by: str = Field(max_length=60)
    created_at: NaiveDatetime = Field(default_factory=datetime.now)
    last_used_at: NaiveDatetime | None = None  # to the minute: written on a window's first call
    revoked_at: NaiveDatetime | None = None
    revoked_by: str = Field(default="", max_length=60)


class ApiRateWindow(SQLModel, table=True):
    """Calls of one token in one minute: counted by one upsert per call."""

    __tablename__ = "api_rate_window"

    token_id: int = Field(primary_key=True)
    minute: int = Field(primary_key=True)  # minutes since the epoch (UTC)
    n: int = 0
