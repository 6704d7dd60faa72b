"""Bring a store's schema to the latest migration: `python -m data_access.migrate`."""

from __future__ import annotations

import sys

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from data_access.db import PROJECT_ROOT, create_store_file, database_url, describe_url, get_engine


def alembic_config() -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return cfg


def upgrade(engine: Engine | None = None) -> None:
    engine = engine or get_engine()
    # Migrations are the only place a store is created (the app's engine never creates one).
    create_store_file(engine.url.render_as_string(hide_password=False))
    cfg = alembic_config()
    cfg.attributes["configure_logger"] = False
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def main() -> int:
    url = database_url()
    try:
        upgrade(get_engine(url))
    except Exception as exc:
        print(f"数据库迁移失败（{describe_url(url)}）：{exc}", file=sys.stderr)
        return 1
    print(f"数据库结构已是最新：{describe_url(url)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
