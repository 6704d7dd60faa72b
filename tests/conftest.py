"""Shared fixtures: the same store tests run on SQLite and on PostgreSQL.

PostgreSQL comes from TEST_DATABASE_URL (set by .ci/run). Each purpose gets its own schema
so session-wide and per-test stores never collide. In CI a missing database or browser
fails the run; on a laptop those tests skip and say why.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from data_access.db import make_engine
from data_access.migrate import upgrade

TEST_SCALE = 0.05  # ~400 households on the register: every rule exercised, seconds to build
BACKENDS = ("sqlite", "postgresql")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> None:
    """Skip on a developer's machine; fail in CI, where everything must be present."""
    if in_ci():
        pytest.fail(f"CI 环境缺少必需组件：{reason}")
    pytest.skip(reason)


def postgres_url(schema: str) -> str:
    base = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not base:
        unavailable("未设置 TEST_DATABASE_URL（PostgreSQL 测试库），跳过 PostgreSQL 测试")
    url = make_url(
        base.replace("postgresql://", "postgresql+psycopg://", 1) if base.startswith("postgresql://") else base
    )
    admin = make_engine(url.render_as_string(hide_password=False))
    try:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        unavailable(f"无法连接 PostgreSQL 测试库：{exc}")
    finally:
        admin.dispose()
    # Every connection of this engine works inside the schema.
    options = quote(f"-csearch_path={schema}")
    return url.render_as_string(hide_password=False) + ("&" if url.query else "?") + f"options={options}"


def fresh_store_url(backend: str, name: str, tmp_dir) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_dir / (name + '.db')}"
    return postgres_url(name)


def migrated_engine(url: str) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    return engine


@pytest.fixture(scope="session", params=BACKENDS)
def demo_engine(request, tmp_path_factory) -> Iterator[Engine]:
    """A migrated store holding the small demo city with its goals (one per backend)."""
    from metrics.seed import seed_demo

    url = fresh_store_url(request.param, "demo_store", tmp_path_factory.mktemp("demo"))
    engine = migrated_engine(url)
    seed_demo(engine, scale=TEST_SCALE)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_demo_url(tmp_path_factory) -> str:
    """A SQLite demo store for page tests, which read the store through DATABASE_URL."""
    from metrics.seed import seed_demo

    url = fresh_store_url("sqlite", "page_store", tmp_path_factory.mktemp("pages"))
    engine = migrated_engine(url)
    seed_demo(engine, scale=TEST_SCALE)
    engine.dispose()
    return url


@pytest.fixture(params=BACKENDS)
def empty_engine(request, tmp_path) -> Iterator[Engine]:
    """A migrated, empty store for tests that write their own rows."""
    url = fresh_store_url(request.param, "empty_store", tmp_path)
    engine = migrated_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def clear_streamlit_caches() -> Iterator[None]:
    """st.cache_* survive between AppTest runs in one process: start each test clean."""
    import streamlit as st

    from data_access.db import get_engine

    st.cache_data.clear()
    st.cache_resource.clear()
    get_engine.cache_clear()
    yield
    st.cache_data.clear()
    get_engine.cache_clear()


def signed_in(at, principal=None):
    """Put a signed-in user into an AppTest session (sign-in itself is tested separately)."""
    from datetime import datetime

    from data_access.access import Principal

    at.session_state["_principal"] = principal or Principal("leader", "领导小组（测试）", "leader")
    at.session_state["_last_seen"] = datetime.now()
    return at
