"""Server-side sign-in sessions: a browser holds only a signed random token in a cookie; the
row says who it is, until when, and whether it was revoked (so every app process agrees)."""

from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel


class WebSession(SQLModel, table=True):
    __tablename__ = "web_session"

    # sha256 of the cookie's random token: the store never holds a usable session id.
    id: str = Field(primary_key=True, max_length=64)
    username: str = Field(max_length=60, index=True)
    # The account's session_epoch at sign-in: a password change or deactivation raises it.
    session_epoch: int = 0
    created_at: NaiveDatetime
    last_seen: NaiveDatetime
    expires_at: NaiveDatetime  # absolute end, however active the user is
    source: str = Field(default="", max_length=100)  # client address at sign-in
    revoked_at: NaiveDatetime | None = None
    revoked_reason: str = Field(default="", max_length=40)
