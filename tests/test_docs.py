"""The README and the 指标说明 page say what the code does (datasette's habit)."""

import re
from pathlib import Path

from metrics.definitions import KPI_NAMES_PATH, README_BLOCKS, definitions_rows, kpi_names_source
from metrics.registry import KPIS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _block(name: str) -> str:
    match = re.search(rf"<!-- {name}:start -->\n(.*?)\n<!-- {name}:end -->", README, re.S)
    assert match, f"README lacks the {name} block"
    return match.group(1)


def test_readme_tables_match_the_registry_and_settings():
    # Regenerate with `python -m metrics.definitions` after changing a KPI or a setting.
    for name, render in README_BLOCKS.items():
        assert _block(name) == render(), f"README block {name} is stale"


def test_goals_feed_kpi_names_match_the_registry():
    # The data layer's copy of the KPI names (it may not import the registry); regenerate with
    # `python -m metrics.definitions`.
    stored = (ROOT / KPI_NAMES_PATH).read_text(encoding="utf-8")
    assert stored == kpi_names_source(), f"{KPI_NAMES_PATH} is stale"


def test_readme_kpi_table_names_every_kpi():
    keys = re.findall(r"^\| `([a-z_]+)` \|", _block("kpis"), re.M)
    assert keys == [k.key for k in KPIS]


def test_readme_shows_the_two_commands_and_configuration():
    for needle in ("make run", "make test", "DATABASE_URL", "TEST_DATABASE_URL", "8501"):
        assert needle in README


def test_every_kpi_cites_a_clause_and_has_a_definition_row():
    rows = definitions_rows()
    assert len(rows) == len(KPIS)
    for row in rows:
        assert row["实施方案条款"] and row["含义"] and row["计算口径"] and row["单位"]
