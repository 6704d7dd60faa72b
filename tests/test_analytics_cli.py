"""`python -m data_access.analytics rebuild [--from]` and `check`: a rebuild from a month builds
that month on; check finds a tampered fact and names it; a bad month is a usage error."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from data_access.analytics.__main__ import main
from data_access.analytics.refresh import built_months
from data_access.db import get_engine
from tests.intake_support import seeded_store


@pytest.fixture
def store(tmp_path, monkeypatch):
    engine = seeded_store("sqlite", "cli_store", tmp_path)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_engine.cache_clear()
    yield engine
    get_engine.cache_clear()
    engine.dispose()


def test_rebuild_from_a_month_and_check(store, capsys):
    assert main(["rebuild", "--from", "2026-01"]) == 0
    assert "个月" in capsys.readouterr().out
    with store.connect() as conn:
        months = sorted(built_months(conn))
    assert months[0] == 202601 and months[-1] == 202610
    assert main(["check"]) == 0
    assert "一致" in capsys.readouterr().out

    with store.begin() as conn:
        conn.execute(text("UPDATE fact_relief_month SET amount_fen = amount_fen + 1 WHERE month = 202603"))
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "不一致" in out and "fact_relief_month (202603" in out


def test_a_bad_month_is_a_usage_error(store, capsys):
    assert main(["rebuild", "--from", "2026-13"]) == 2
    assert "无法识别的月份" in capsys.readouterr().err


def test_make_run_rebuilds_facts_built_under_other_rules(store, capsys):
    """A store whose facts predate a migration or a settings change (here: a setting written
    behind the app's back) reads raw rows until rebuilt; `make run`'s seed step rebuilds it."""
    from data_access.analytics.freshness import stale_months
    from metrics import seed

    with store.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO setting (key, value, updated_at) VALUES ('review_overdue_days', '45', '2026-11-01') "
                "ON CONFLICT (key) DO UPDATE SET value = '45'"
            )
        )
    with store.connect() as conn:
        assert stale_months(conn), "the facts no longer match the settings"
    assert seed.main([]) == 0
    assert "已建立统计事实表" in capsys.readouterr().out
    with store.connect() as conn:
        assert stale_months(conn) == []
    assert main(["check"]) == 0
