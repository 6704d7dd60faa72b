"""The meeting pack as PowerPoint: native, editable charts (python-pptx chart objects)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from briefing.content import WHAT_IF_HEADERS, WHAT_IF_TITLE, Pack, Section, what_if_lines, what_if_rows
from briefing.meta import DEMO_NOTICE, PROGRAMME
from data_access.supervision import STATUS_LABELS as TASK_STATUS_LABELS
from data_access.supervision import STATUS_ORDER
from data_access.text import clean_for_export
from metrics import format as fmt
from metrics.domain.attainment import STATUS_COLOURS, STATUS_LABELS, Status
from metrics.registry import KPI_BY_KEY
from metrics.supervision import movement

TASK_ROWS = 12  # rows that fit one slide

FONT = "Microsoft YaHei"  # what the city's PCs have; LibreOffice falls back to Noto CJK
INK = RGBColor(0x1F, 0x29, 0x33)
MUTED = RGBColor(0x5F, 0x6B, 0x7A)
ACCENT = RGBColor(0x1F, 0x5F, 0xAD)
GOAL = RGBColor(0x9A, 0xA5, 0xB1)
TINTS = {
    Status.GREEN: "DDEFDF",
    Status.AMBER: "FFF1C2",
    Status.RED: "F8D7D7",
    Status.INCOMPLETE: "E3E7F6",
    Status.NONE: "F1F3F5",
}
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)


def _rgb(hex_colour: str) -> RGBColor:
    colour: RGBColor = RGBColor.from_string(hex_colour.lstrip("#"))
    return colour


def _text(
    slide: Any,
    x: int,
    y: int,
    w: int,
    h: int,
    lines: str | Sequence[str | tuple[str, RGBColor, bool, int]],
    *,
    size: int = 14,
    bold: bool = False,
    colour: RGBColor = INK,
    align: Any = None,
) -> Any:
    box = slide.shapes.add_textbox(x, y, w, h)
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate([lines] if isinstance(lines, str) else lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        if align is not None:
            para.alignment = align
        text, line_colour, line_bold, line_size = line if isinstance(line, tuple) else (line, colour, bold, size)
        run = para.add_run()
        run.text = clean_for_export(text)
        _font(run.font, size=line_size, bold=line_bold, colour=line_colour)
    return box


def _font(font: Any, *, size: int, bold: bool = False, colour: RGBColor = INK) -> None:
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = colour
    font.name = FONT
    # Chinese text uses the East Asian typeface slot, which python-pptx does not set.
    rpr = font._element
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = rpr.makeelement(qn("a:ea"), {})
        rpr.append(ea)
    ea.set("typeface", FONT)


def _footer(slide: Any, pack: Pack) -> None:
    note = f"{pack.meta.period.label} · {pack.meta.scope_name} · 数据截至 {pack.meta.data_date:%Y-%m-%d}"
    if pack.meta.is_demo:
        note += " · 演示数据"
    _text(slide, Inches(0.5), Inches(7.0), Inches(12.3), Inches(0.4), note, size=10, colour=MUTED)


def _title_slide(prs: Any, pack: Pack) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    meta = pack.meta
    lines = [
        (PROGRAMME, ACCENT, True, 20),
        ("领导小组会议材料", INK, True, 40),
        (f"{meta.scope_name} · {meta.period.label}", INK, False, 24),
        (f"数据截至 {meta.data_date:%Y年%m月%d日} · 生成于 {meta.generated_at:%Y-%m-%d %H:%M}", MUTED, False, 14),
    ]
    if meta.is_demo:
        lines.append((DEMO_NOTICE, _rgb("#B45309"), True, 16))
    _text(slide, Inches(0.9), Inches(2.0), Inches(11.5), Inches(3.5), lines)


def _figure_lines(section: Section) -> list[tuple[str, RGBColor, bool, int]]:
    lines = []
    for figure in section.figures:
        kpi = figure.kpi
        lines.append((f"{kpi.short}（{kpi.unit}）", MUTED, False, 12))
        lines.append((fmt.kpi_value(kpi, figure.value), INK, True, 22))
        if figure.target is not None:
            status = f"{STATUS_LABELS[figure.status]} · 目标 {fmt.kpi_value(kpi, figure.target)}"
            if figure.attainment is not None:
                status += f" · 完成度 {fmt.ratio(figure.attainment)}"
            lines.append((status, _rgb(STATUS_COLOURS[figure.status]), True, 12))
        else:
            lines.append(("未设定目标", MUTED, False, 12))
    return lines


def _domain_slide(prs: Any, pack: Pack, section: Section) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _text(slide, Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.7), section.title, size=28, bold=True)
    _text(slide, Inches(0.5), Inches(1.1), Inches(3.2), Inches(4.6), _figure_lines(section))
    chart = section.chart
    data = CategoryChartData(number_format="#,##0.0" if chart.kpi.decimals else "#,##0")
    data.categories = [clean_for_export(c) for c in chart.categories]
    data.add_series("实际（柱色表示达标状态）", chart.values)
    if any(t is not None for t in chart.targets):
        data.add_series("目标", chart.targets)
    frame = slide.shapes.add_chart(
        XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(3.9), Inches(1.1), Inches(8.9), Inches(4.5), data
    )
    c = frame.chart
    c.has_title = True
    c.chart_title.text_frame.text = clean_for_export(chart.title)
    _font(c.chart_title.text_frame.paragraphs[0].runs[0].font, size=14, bold=True)
    c.has_legend = True
    c.legend.position = XL_LEGEND_POSITION.BOTTOM
    c.legend.include_in_layout = False
    c.font.size = Pt(10)
    c.font.name = FONT
    value_axis = c.value_axis
    value_axis.has_title = True
    value_axis.axis_title.text_frame.text = chart.kpi.unit
    actual = c.plots[0].series[0]
    for i, status in enumerate(chart.statuses):
        fill = actual.points[i].format.fill
        fill.solid()
        fill.fore_color.rgb = _rgb(STATUS_COLOURS[Status(status)]) if status != "none" else ACCENT
    if len(c.plots[0].series) > 1:
        goal = c.plots[0].series[1].format.fill
        goal.solid()
        goal.fore_color.rgb = GOAL
    keys = {f.kpi.key for f in section.figures} | {section.chart.kpi.key}
    notes = [f"会议批注（{r.meeting_date:%m月%d日}）：{r.body}" for r in pack.remarks if r.kpi_key in keys]
    _text(slide, Inches(0.5), Inches(5.8), Inches(12.3), Inches(1.2), [*section.narrative, *notes], size=14)
    _footer(slide, pack)


def _scorecard_slide(prs: Any, pack: Pack) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _text(slide, Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.7), "各单位对照目标", size=28, bold=True)
    rows, cols = len(pack.scorecard_units) + 1, len(pack.scorecard_kpis) + 1
    height = Emu(min(Inches(5.6), Inches(0.38) * rows))
    table = slide.shapes.add_table(rows, cols, Inches(0.5), Inches(1.1), Inches(12.3), height).table
    headers = ["单位", *(f"{k.short}（{k.unit}）" for k in pack.scorecard_kpis)]
    for j, text in enumerate(headers):
        cell = table.cell(0, j)
        cell.text = clean_for_export(text)
        _font(cell.text_frame.paragraphs[0].runs[0].font, size=11, bold=True, colour=RGBColor(0xFF, 0xFF, 0xFF))
        cell.fill.solid()
        cell.fill.fore_color.rgb = ACCENT
    for i, (name, figures) in enumerate(zip(pack.scorecard_units, pack.scorecard, strict=True), start=1):
        table.cell(i, 0).text = clean_for_export(name)
        _font(table.cell(i, 0).text_frame.paragraphs[0].runs[0].font, size=11)
        for j, figure in enumerate(figures, start=1):
            cell = table.cell(i, j)
            cell.text = fmt.number(figure.value, figure.kpi.decimals)
            para = cell.text_frame.paragraphs[0]
            para.alignment = PP_ALIGN.RIGHT
            _font(para.runs[0].font, size=11)
            cell.fill.solid()
            cell.fill.fore_color.rgb = _rgb(TINTS[figure.status])
    legend = "绿色 达标　黄色 接近目标　红色 落后　蓝色 数据不全（不作评判）　灰色 未设目标"
    _text(slide, Inches(0.5), Inches(6.6), Inches(12.3), Inches(0.4), legend, size=11, colour=MUTED)
    _footer(slide, pack)


def _sources_slide(prs: Any, pack: Pack) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _text(slide, Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.7), "数据来源与报送日期", size=28, bold=True)
    rows = len(pack.feeds) + 1
    table = slide.shapes.add_table(rows, 5, Inches(0.5), Inches(1.1), Inches(12.3), Inches(0.4) * rows).table
    for j, text in enumerate(("责任单位", "数据内容", "数据截至", "本期确认", "来源")):
        table.cell(0, j).text = clean_for_export(text)
        _font(table.cell(0, j).text_frame.paragraphs[0].runs[0].font, size=12, bold=True)
    for i, feed in enumerate(pack.feeds, start=1):
        source = str(feed["source"]) + ("（演示数据）" if feed["is_demo"] else "")
        confirmed = pack.signoffs.get(str(feed["feed"]), "未确认")
        cells = (feed["department"], feed["label"], f"{feed['data_date']:%Y-%m-%d}", confirmed, source)
        for j, value in enumerate(cells):
            table.cell(i, j).text = clean_for_export(str(value))
            _font(table.cell(i, j).text_frame.paragraphs[0].runs[0].font, size=12)
    _text(
        slide,
        Inches(0.5),
        Inches(6.3),
        Inches(12.3),
        Inches(0.6),
        "指标口径见系统“指标说明”页；每个数字均由同一指标注册表从数据库计算。",
        size=12,
        colour=MUTED,
    )
    _footer(slide, pack)


def _tasks_slide(prs: Any, pack: Pack, today: date) -> None:
    """督办: overdue first, then open, answered and closed, each with the KPI's movement."""
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _text(slide, Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.7), "督办事项", size=28, bold=True)
    shown = sorted(pack.tasks, key=lambda tf: (STATUS_ORDER[tf[0].status(today)], tf[0].deadline))[:TASK_ROWS]
    if not shown:
        _text(slide, Inches(0.5), Inches(1.2), Inches(12.3), Inches(0.6), "本范围暂无督办事项。", size=16)
        _footer(slide, pack)
        return
    headers = ("编号", "状态", "区镇", "指标", "督办时", "当前", "变化", "承办", "期限")
    table = slide.shapes.add_table(
        len(shown) + 1, len(headers), Inches(0.5), Inches(1.1), Inches(12.3), Inches(0.38) * (len(shown) + 1)
    ).table
    for j, text in enumerate(headers):
        table.cell(0, j).text = clean_for_export(text)
        _font(table.cell(0, j).text_frame.paragraphs[0].runs[0].font, size=11, bold=True)
    names = pack.town_names
    for i, (task, figure) in enumerate(shown, start=1):
        kpi = KPI_BY_KEY.get(task.kpi_key)
        owner = names.get(task.owner, task.owner)
        cells = (
            f"#{task.id}",
            TASK_STATUS_LABELS[task.status(today)],
            names.get(task.town_code, task.town_code),
            kpi.short if kpi else task.kpi_key,
            fmt.kpi_value(kpi, task.frozen_value) if kpi else "—",
            fmt.kpi_value(kpi, figure.value) if kpi and figure else "—",
            movement(task, figure),
            owner,
            f"{task.deadline:%Y-%m-%d}",
        )
        for j, value in enumerate(cells):
            table.cell(i, j).text = clean_for_export(str(value))
            _font(table.cell(i, j).text_frame.paragraphs[0].runs[0].font, size=11)
    more = len(pack.tasks) - len(shown)
    note = f"另有 {more} 项见系统“督办事项”页。" if more > 0 else "详情见系统“督办事项”页。"
    _text(slide, Inches(0.5), Inches(6.6), Inches(12.3), Inches(0.4), note, size=11, colour=MUTED)
    _footer(slide, pack)


def _what_if_slide(prs: Any, pack: Pack) -> None:
    """政策测算 (测算): groups and the yearly 低保补差 today and in the scenario, by town."""
    if pack.what_if is None:
        return
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _text(slide, Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.7), WHAT_IF_TITLE, size=28, bold=True)
    scenario, note = what_if_lines(pack.what_if)
    _text(slide, Inches(0.5), Inches(0.95), Inches(12.3), Inches(0.6), scenario, size=12, colour=MUTED)
    rows = what_if_rows(pack)
    height = Emu(min(Inches(4.6), Inches(0.32) * (len(rows) + 1)))
    table = slide.shapes.add_table(
        len(rows) + 1, len(WHAT_IF_HEADERS), Inches(0.5), Inches(1.6), Inches(12.3), height
    ).table
    for j, text in enumerate(WHAT_IF_HEADERS):
        table.cell(0, j).text = clean_for_export(text)
        _font(table.cell(0, j).text_frame.paragraphs[0].runs[0].font, size=10, bold=True)
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            cell.text = clean_for_export(value)
            para = cell.text_frame.paragraphs[0]
            if j:
                para.alignment = PP_ALIGN.RIGHT
            _font(para.runs[0].font, size=10, bold=i == len(rows))
    _text(slide, Inches(0.5), Inches(6.3), Inches(12.3), Inches(0.7), note, size=11, colour=MUTED)
    _footer(slide, pack)


def write_pptx(pack: Pack, *, today: date | None = None) -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    prs.core_properties.title = f"{PROGRAMME} 会议材料 {pack.meta.scope_name} {pack.meta.period.label}"
    _title_slide(prs, pack)
    for section in pack.sections:
        _domain_slide(prs, pack, section)
    _scorecard_slide(prs, pack)
    _what_if_slide(prs, pack)
    _tasks_slide(prs, pack, today or date.today())
    _sources_slide(prs, pack)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()
