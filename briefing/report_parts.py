"""The pieces of a 汇报: sentences that carry the KPI keys they state, blocks, parts, the report,
and the small wording helpers (numerals, dates, a figure as a sentence)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from briefing import narrative
from briefing.content import Pack
from metrics import format as fmt
from metrics.domain.attainment import STATUS_ICONS, Direction, Status
from metrics.evaluate import Figure

NUMERALS = "一二三四五六七八九十"
STATUS_PHRASES = {Status.GREEN: "达到目标", Status.AMBER: "接近目标", Status.RED: "落后于目标"}
SCORECARD_MARKS = {Status.RED: STATUS_ICONS[Status.RED], Status.AMBER: STATUS_ICONS[Status.AMBER]}
SCORECARD_MARKS[Status.INCOMPLETE] = STATUS_ICONS[Status.INCOMPLETE]
SCORECARD_NOTE = (
    f"注：{SCORECARD_MARKS[Status.RED]} 落后于目标，{SCORECARD_MARKS[Status.AMBER]} 接近目标，"
    f"{SCORECARD_MARKS[Status.INCOMPLETE]} 数据不全（部门数据尚未报齐，不作达标评判）；未标注的为达到目标或未设目标。"
)
NO_CHARTS = (
    "（本材料未附图表：服务器未找到 Chromium，无法生成图表图片。请由管理员安装 Debian 的 chromium 和 "
    "fonts-noto-cjk 软件包后重新生成。）"
)
TOP_UNITS = 3  # units named where a problem concentrates


@dataclass(frozen=True)
class Sentence:
    text: str
    kpis: tuple[str, ...] = ()  # the registry keys whose figures this sentence states
    quoted: bool = False  # carries text a person wrote (a 督办 requirement): its numbers are theirs


@dataclass(frozen=True)
class Block:
    """One paragraph, optionally under a second-level heading, optionally followed by a
    table or a chart of the pack (the writers place them)."""

    heading: str | None
    sentences: list[Sentence]
    chart: int | None = None  # index into Pack.sections
    table: str | None = None  # "headlines" or "scorecard"
    split: bool = False  # one paragraph per sentence (long lists read better apart)

    @property
    def paragraphs(self) -> list[str]:
        return [s.text for s in self.sentences] if self.split else [self.text]

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.sentences)


@dataclass(frozen=True)
class Part:
    heading: str  # "一、总体情况"
    blocks: list[Block]


@dataclass(frozen=True)
class Report:
    title: str
    pack: Pack
    parts: list[Part]
    issuer: str
    issued: date
    unit_word: str  # 区镇 (city scope) or 村(社区) (a town)

    @property
    def sentences(self) -> list[Sentence]:
        return [s for part in self.parts for block in part.blocks for s in block.sentences]


def numeral(i: int) -> str:
    """1 -> 一 … 10 -> 十, 11 -> 十一 (enough for headings)."""
    if i <= 10:
        return NUMERALS[i - 1]
    return "十" + NUMERALS[i - 11]


def cn_date(day: date) -> str:
    """2026年9月30日: 公文 dates carry no leading zeros."""
    return f"{day.year}年{day.month}月{day.day}日"


def value_text(figure: Figure) -> str:
    return fmt.kpi_value(figure.kpi, figure.value)


def figure_sentence(figure: Figure) -> Sentence:
    """监测对象户数 7,620 户，较上季度减少 0.1%，较上年同期减少 1.6%，控制目标 7,440 户，完成度 97.6%，接近目标。"""
    kpi = figure.kpi
    if figure.value is None:
        return Sentence(f"{kpi.label}暂无数据（{figure.value_reason}）。", (kpi.key,))
    parts = [f"{kpi.label} {value_text(figure)}"]
    for label in (figure.previous_label, figure.last_year_label):
        phrase = narrative.change_phrase(figure, label)
        if phrase:
            parts.append(phrase)
    if figure.incomplete:
        parts.append(f"{figure.incomplete}，暂不评判是否达标")
    elif figure.target is not None and figure.attainment is not None and figure.status in STATUS_PHRASES:
        goal = "控制目标" if kpi.direction is Direction.LOWER else "目标"
        parts.append(f"{goal} {fmt.kpi_value(kpi, figure.target)}，完成度 {fmt.ratio(figure.attainment)}")
        parts.append(STATUS_PHRASES[figure.status])
    text = "，".join(parts)
    if figure.basis:
        text += f"（{figure.basis}）"
    return Sentence(text + "。", (kpi.key,))


def _headlines(pack: Pack) -> list[Figure]:
    return [f for section in pack.sections for f in section.figures]


def _find(pack: Pack, key: str) -> Figure | None:
    return next((f for f in _headlines(pack) if f.kpi.key == key), None)


# -- 一、总体情况 ----------------------------------------------------------------------------
