"""Engine and sessions for the shared store.

SQLite (a file under data/) by default; DATABASE_URL switches to PostgreSQL
(psycopg 3) with the same code. Only migrations create a store: the app's engine opens an
existing SQLite file and never makes an empty one, so a missing file is reported as missing
and picked up as soon as it is back.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session, create_engine

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "kunshan.db"


def database_url() -> str:
    """The configured store: DATABASE_URL, else the embedded SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{DEFAULT_SQLITE_PATH}"
    # Accept the plain libpq form and use psycopg 3, the only driver we pin.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the app read while an import writes; FKs are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # REPLACE deletes conflicting rows without firing DELETE triggers unless this is on; the
    # audit log also has its own trigger against REPLACE (migration 0005), for other clients.
    cursor.execute("PRAGMA recursive_triggers=ON")
    cursor.close()


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite store, or None (PostgreSQL, in-memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).resolve()


class StoreMissing(sqlite3.OperationalError):
    """The SQLite file is not there (raised through SQLAlchemy as an OperationalError)."""


def _open_existing(path: Path) -> Callable[[], sqlite3.Connection]:
    def connect() -> sqlite3.Connection:
        # mode=rw: open read-write, never create. The check gives the clearer message.
        if not path.is_file():
            raise StoreMissing(f"数据库文件不存在：{path}")
        return sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True, check_same_thread=False, timeout=30)

    return connect


def _still_there(path: Path) -> Callable[[Any, Any, Any], None]:
    """A pooled connection to a file that was removed would write into nothing: drop it, so
    the next connection reports the store missing (one stat per checkout)."""

    def check(_dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if not path.is_file():
            raise DisconnectionError(f"数据库文件不存在：{path}")

    return check


def create_store_file(url: str) -> None:
    """For migrations only: make the empty SQLite file (and its folder) a new store starts from."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        sqlite3.connect(path).close()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        kwargs: dict[str, object] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if path is not None:
            kwargs = {"creator": _open_existing(path)}
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        if path is not None:
            event.listen(engine, "checkout", _still_there(path))
        return engine
    # Short connect timeout: an unreachable server must become a message quickly.
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args={"connect_timeout": 5},
    )


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    return make_engine(url or database_url())


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine or get_engine()) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def describe_url(url: str) -> str:
    """The URL without its password, for messages shown to users."""
    return make_url(url).render_as_string(hide_password=True)
