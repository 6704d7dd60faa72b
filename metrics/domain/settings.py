"""Thresholds the plan leaves open. Each is a setting with a default, overridable in the store.

Where the plan fixes a number (the 2x monitoring line, 5 % / 30 % dividends, 100 % coverage)
it lives in rules or goals instead, with its clause.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SettingDef:
    key: str
    label: str
    default: float
    unit: str
    why: str


SETTING_DEFS: tuple[SettingDef, ...] = (
    SettingDef("rag_green_ratio", "绿色（达标）门槛：完成度 ≥", 1.0, "倍", "计划未规定红黄绿口径"),
    SettingDef("rag_amber_ratio", "黄色（接近）门槛：完成度 ≥", 0.9, "倍", "计划未规定红黄绿口径"),
    SettingDef("review_overdue_days", "审核超期天数", 30, "天", "二(一).3 未规定审核时限"),
    SettingDef("warning_near_line_ratio", "刚过监测线预警：收入 < 监测线 ×", 1.1, "倍", "二(一).2 未规定预警口径"),
    SettingDef("warning_income_drop_ratio", "收入骤降预警：较上次评估下降 ≥", 0.3, "比例", "二(一).2 未规定"),
    SettingDef("warning_medical_share", "大额医疗支出预警：医疗支出占家庭收入 ≥", 0.4, "比例", "二(一).2 未规定"),
    SettingDef("pension_min_age", "养老保险覆盖统计起始年龄", 16, "岁", "四.1 未规定年龄口径"),
    SettingDef("retention_months", "稳定就业观察期", 6, "月", "二(二) 未规定"),
    SettingDef("return_window_months", "返贫观察期：退出后再次纳入的月数 ≤", 12, "月", "方案未规定返贫观察口径"),
    SettingDef("gap_window_monthly_days", "应助尽助回看期（按月发放的生活救助）", 31, "天", "三.1 未规定核查口径"),
    SettingDef("cadre_visit_days", "挂钩干部走访统计期（期末前）", 90, "天", "六.2 未规定走访频次"),
    SettingDef(
        "elderly_min_age", "特殊困难老年人年龄起点", 60, "岁", "四.4 未规定年龄口径（按老年人权益保障法取60岁）"
    ),
    SettingDef("elderly_visit_days", "老年人居家探访统计期（期末前）", 90, "天", "四.4 未规定探访频次"),
    SettingDef(
        "gap_window_yearly_days", "应助尽助回看期（医疗、教育、临时救助）", 365, "天", "三.2—三.4 未规定核查口径"
    ),
)
_BY_KEY = {d.key: d for d in SETTING_DEFS}


@dataclass(frozen=True)
class Settings:
    values: Mapping[str, float]

    def __getitem__(self, key: str) -> float:
        return self.values[key]

    @classmethod
    def from_store(cls, stored: Mapping[str, str]) -> Settings:
        """Defaults overlaid with the numeric settings found in the store."""
        values = {d.key: d.default for d in SETTING_DEFS}
        for key, raw in stored.items():
            if key in _BY_KEY:
                try:
                    values[key] = float(raw)
                except ValueError:
                    continue  # a malformed stored value falls back to the default
        return cls(values)


DEFAULT_SETTINGS = Settings.from_store({})
