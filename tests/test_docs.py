"""The README and the 指标说明 page say what the code does (datasette's habit)."""

import re
from pathlib import Path

from metrics.definitions import definitions_rows
from metrics.registry import KPIS
from metrics.settings import SETTING_DEFS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _block(name: str) -> str:
    match = re.search(rf"<!-- {name}:start -->(.*?)<!-- {name}:end -->", README, re.S)
    assert match, f"README lacks the {name} block"
    return match.group(1)


def test_readme_lists_every_kpi_with_unit_and_department():
    rows = [line for line in _block("kpis").splitlines() if line.startswith("| `")]
    documented = [re.findall(r"[^|]+", row) for row in rows]
    assert [cells[0].strip(" `") for cells in documented] == [k.key for k in KPIS]
    for cells, kpi in zip(documented, KPIS, strict=True):
        assert cells[1].strip() == kpi.label
        assert cells[2].strip() == kpi.unit
        assert cells[3].strip() == kpi.department


def test_readme_lists_every_setting_with_its_default():
    block = _block("settings")
    for d in SETTING_DEFS:
        assert f"`{d.key}`" in block
        assert f"{d.default:g} {d.unit}" in block


def test_readme_shows_the_two_commands_and_configuration():
    for needle in ("make run", "make test", "DATABASE_URL", "TEST_DATABASE_URL", "8501"):
        assert needle in README


def test_every_kpi_cites_a_clause_and_has_a_definition_row():
    rows = definitions_rows()
    assert len(rows) == len(KPIS)
    for row in rows:
        assert row["实施方案条款"] and row["含义"] and row["计算口径"] and row["单位"]
