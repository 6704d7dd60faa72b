"""What every export states about itself: period, scope, data date, demo flag; file names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from metrics.domain.periods import Grain, Period

PROGRAMME = "昆山市建立解决相对贫困长效机制"
DEMO_NOTICE = "演示数据：系统生成的演示数据，并非真实统计数据，不得用于正式汇报"


@dataclass(frozen=True)
class ExportMeta:
    period: Period
    scope_name: str  # 全市 or a town's name (or town · village)
    data_date: date
    is_demo: bool
    generated_at: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))

    @property
    def period_tag(self) -> str:
        """2025年Q3 / 2025年9月 / 2025年: short, for file names."""
        p = self.period
        if p.grain is Grain.QUARTER:
            return f"{p.start.year}年Q{(p.start.month - 1) // 3 + 1}"
        if p.grain is Grain.MONTH:
            return f"{p.start.year}年{p.start.month}月"
        return f"{p.start.year}年"

    @property
    def context_line(self) -> str:
        """One line for inside an image or a chart title: where, when, how current."""
        line = f"{self.scope_name} · {self.period.label} · 数据截至{self.data_date:%Y年%m月%d日}"
        return line + (" · 演示数据" if self.is_demo else "")

    def header_lines(self, title: str) -> list[str]:
        lines = [
            f"{PROGRAMME} · {title}",
            f"期间：{self.period.label}　范围：{self.scope_name}",
            f"数据截至：{self.data_date:%Y年%m月%d日}　导出时间：{self.generated_at:%Y-%m-%d %H:%M}",
        ]
        if self.is_demo:
            lines.append(DEMO_NOTICE)
        return lines

    def file_name(self, what: str, extension: str) -> str:
        """e.g. 监测对象_全市_2025年Q3.png — what, where, when."""
        scope = "全市" if self.scope_name in {"全市", "昆山市"} else self.scope_name
        stem = f"{what}_{scope}_{self.period_tag}" + ("_演示数据" if self.is_demo else "")
        return safe_file_name(stem) + f".{extension}"


def safe_file_name(name: str) -> str:
    """Keep Chinese, drop characters that file systems or browsers reject."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("_")[:120]
