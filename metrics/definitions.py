"""The 指标说明 table, generated from the registry (one source for page, exports and docs)."""

from __future__ import annotations

from metrics.attainment import DIRECTION_LABELS
from metrics.registry import DOMAINS, KPIS
from metrics.settings import SETTING_DEFS

SUMMARY_COLUMNS = ("领域", "指标", "单位", "责任单位", "实施方案条款", "方向", "统计方式")
DEFINITION_COLUMNS = ("领域", "指标", "单位", "含义", "计算口径", "实施方案条款", "责任单位", "方向", "统计方式")


def definitions_rows() -> list[dict[str, str]]:
    return [
        dict(
            zip(
                DEFINITION_COLUMNS,
                (
                    DOMAINS[k.domain],
                    k.label,
                    k.unit,
                    k.meaning,
                    k.formula,
                    k.clause,
                    k.department,
                    DIRECTION_LABELS[k.direction],
                    "期内累计" if k.accumulates else ("年初至期末" if k.year_to_date else "期末时点"),
                ),
                strict=True,
            )
        )
        for k in KPIS
    ]


def settings_rows() -> list[dict[str, str]]:
    return [
        {"设置项": d.label, "默认值": f"{d.default:g}", "单位": d.unit, "说明": d.why, "键": d.key}
        for d in SETTING_DEFS
    ]


def readme_kpi_table() -> str:
    lines = ["| 键 | 指标 | 单位 | 责任单位 | 方案条款 |", "|---|---|---|---|---|"]
    lines += [f"| `{k.key}` | {k.label} | {k.unit} | {k.department} | {k.clause} |" for k in KPIS]
    return "\n".join(lines)


def readme_settings_table() -> str:
    lines = ["| 键 | 含义 | 默认值 |", "|---|---|---|"]
    lines += [f"| `{d.key}` | {d.label} | {d.default:g} {d.unit} |" for d in SETTING_DEFS]
    return "\n".join(lines)


README_BLOCKS = {"kpis": readme_kpi_table, "settings": readme_settings_table}


def update_readme(path: str = "README.md") -> None:
    """Rewrite the generated blocks of the README (`python -m metrics.definitions`)."""
    import re
    from pathlib import Path

    text = Path(path).read_text(encoding="utf-8")
    for name, render in README_BLOCKS.items():
        text = re.sub(
            rf"(<!-- {name}:start -->\n).*?(\n<!-- {name}:end -->)",
            lambda m, render=render: m.group(1) + render() + m.group(2),
            text,
            flags=re.S,
        )
    Path(path).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    update_readme()
