"""The 指标说明 table, generated from the registry (one source for page, exports and docs)."""

from __future__ import annotations

from collections.abc import Callable

from metrics.domain.attainment import DIRECTION_LABELS
from metrics.domain.settings import SETTING_DEFS
from metrics.registry import DOMAINS, KPIS

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


# How the dashboard reads each rule of the plan where the text leaves room (shown on 指标说明;
# each mirrors a function in metrics.domain.rules and the SQL of data_access.queries.relief).
RULE_READINGS: tuple[tuple[str, str, str], ...] = (
    (
        "三.1 生活救助",
        "I < S：低保；S ≤ I < M 且有重度残疾或重病成员：按月生活救助",
        "I 为最近一次收入评估的月人均收入",
    ),
    (
        "三.2 临时救助",
        "当年1月至申请当月，家庭可支配收入扣除医疗费用后月人均低于监测线",
        "监测线取申请（评估）当月生效的标准；凡有医疗支出的在册家庭均适用，含收入已低于监测线的家庭",
    ),
    (
        "三.3 医疗救助",
        "收入低于低保标准的家庭，及收入低于监测线且有重病患者的家庭",
        "低保家庭本身即符合，不要求有重病成员；S ≤ I < M 的家庭须有重病成员",
    ),
    ("三.4 教育资助", "学前至高中（含中职）在读学生，且家庭 I < M", "按检查日在读阶段"),
    (
        "应助尽助",
        "符合上述规则、但回看期内未获得该类救助的家庭",
        "回看期为设置项；某部门数据未报送到期末时，该类检查以其报送日为准，并标注“数据不全”",
    ),
    (
        "应退未退",
        "仍在册、但最近一次收入评估已达到或超过监测线的家庭",
        "期末在册 = 监测对象 + 应退未退（+ 未评估收入）；提示按二(一).3 组织退出核查",
    ),
)

# Time and completeness rules shared by every figure.
TIME_RULES: tuple[tuple[str, str], ...] = (
    ("至今", "期间尚未结束时（如季度至今、年度至今），只统计到数据日期，标签注明“截至×月×日”。"),
    ("同口径比较", "未结束的期间与上期、上年同期的相同天数（整月按相同月数）比较。"),
    ("数据不全", "指标所需部门数据未报送到期末时，标注哪些部门截至何日，不作达标评判（不标“落后”），不计算变化。"),
    ("按进度折算", "年度目标对累计类指标按已过天数折算；比率和时点类指标按全额考核。"),
)


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

# The goals feed (data layer) checks KPI names against this generated table: it cannot import
# the registry, which sits a floor above it.
KPI_NAMES_PATH = "data_access/ingest/kinds/kpi_names.py"


def _quoted(*texts: str) -> list[str]:
    import json

    return [json.dumps(t, ensure_ascii=False) for t in texts]  # double quotes, as ruff formats


def kpi_names_source() -> str:
    lines = [
        '"""The KPIs a goal may be set for, as the goals feed accepts them: generated from',
        "metrics' registry by `python -m metrics.definitions` (the data layer cannot import the",
        'registry); tests/test_docs.py fails when this file is stale."""',
        "",
        "# (key, label, short label or empty, unit)",
        "KPI_NAMES: tuple[tuple[str, str, str, str], ...] = (",
    ]
    lines += [f"    ({', '.join(_quoted(k.key, k.label, k.short_label, k.unit))})," for k in KPIS]
    lines.append(")")
    return "\n".join(lines) + "\n"


def update_readme(path: str = "README.md") -> None:
    """Rewrite the generated blocks of the README (`python -m metrics.definitions`)."""
    import re
    from pathlib import Path

    text = Path(path).read_text(encoding="utf-8")
    for name, render in README_BLOCKS.items():

        def fill(m: re.Match[str], render: Callable[[], str] = render) -> str:
            return m.group(1) + render() + m.group(2)

        text = re.sub(rf"(<!-- {name}:start -->\n).*?(\n<!-- {name}:end -->)", fill, text, flags=re.S)
    Path(path).write_text(text, encoding="utf-8")


def update_kpi_names(path: str = KPI_NAMES_PATH) -> None:
    from pathlib import Path

    Path(path).write_text(kpi_names_source(), encoding="utf-8")


if __name__ == "__main__":
    update_readme()
    update_kpi_names()
