"""The meeting pack as a Word document: narrative, headline tables, charts as images."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from briefing import images
from briefing.content import WHAT_IF_HEADERS, WHAT_IF_TITLE, Pack, what_if_lines, what_if_rows
from briefing.meta import DEMO_NOTICE, PROGRAMME
from briefing.section_charts import section_png
from data_access.text import clean_for_export
from metrics import format as fmt
from metrics.domain.attainment import STATUS_LABELS, Status

FONT = "Microsoft YaHei"
TINTS = {
    Status.GREEN: "DDEFDF",
    Status.AMBER: "FFF1C2",
    Status.RED: "F8D7D7",
    Status.INCOMPLETE: "E3E7F6",
    Status.NONE: "F1F3F5",
}


def _cjk_font(document: DocxDocument) -> None:
    """Chinese text takes the East Asian font slot; set it on the base style."""
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(11)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), FONT)


def _shade(cell: Any, hex_colour: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), hex_colour)
    tcpr.append(shading)


def _table(
    document: DocxDocument, headers: list[str], rows: list[list[str]], tints: list[list[str]] | None = None
) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for j, text in enumerate(headers):
        cell = table.rows[0].cells[j]
        cell.text = clean_for_export(text)
        cell.paragraphs[0].runs[0].bold = True
        _shade(cell, "DCE6F2")
    for i, row in enumerate(rows):
        cells = table.add_row().cells
        for j, text in enumerate(row):
            cells[j].text = clean_for_export(text)
            if j > 0:
                cells[j].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if tints and tints[i][j]:
                _shade(cells[j], tints[i][j])


def write_docx(pack: Pack) -> bytes:
    document = Document()
    _cjk_font(document)
    section = document.sections[0]
    section.left_margin = section.right_margin = Cm(2)
    meta = pack.meta
    document.core_properties.title = f"{PROGRAMME} 会议材料 {meta.scope_name} {meta.period.label}"
    document.add_heading(f"{PROGRAMME}\n领导小组会议材料", level=0)
    document.add_paragraph(clean_for_export(f"{meta.scope_name} · {meta.period.label}"))
    document.add_paragraph(f"数据截至 {meta.data_date:%Y年%m月%d日} · 生成于 {meta.generated_at:%Y-%m-%d %H:%M}")
    if meta.is_demo:
        run = document.add_paragraph().add_run(DEMO_NOTICE)
        run.bold = True
        run.font.color.rgb = RGBColor(0xB4, 0x53, 0x09)
    missing_images = False
    for part in pack.sections:
        document.add_heading(clean_for_export(part.title), level=1)
        for sentence in part.narrative:
            document.add_paragraph(clean_for_export(sentence))
        _table(
            document,
            ["指标", "数值", "目标", "完成度", "状态"],
            [
                [
                    f"{f.kpi.label}（{f.kpi.unit}）",
                    fmt.kpi_value(f.kpi, f.value),
                    fmt.kpi_value(f.kpi, f.target) if f.target is not None else "—",
                    fmt.ratio(f.attainment),
                    STATUS_LABELS[f.status],
                ]
                for f in part.figures
            ],
        )
        picture = section_png(part, pack.meta.context_line)
        if picture:
            document.add_picture(io.BytesIO(picture), width=Cm(17))
        else:
            missing_images = True
    if missing_images:
        document.add_paragraph(images.HOW_TO_ENABLE)
    document.add_heading("各单位对照目标", level=1)
    _table(
        document,
        ["单位", *(f"{k.short}（{k.unit}）" for k in pack.scorecard_kpis)],
        [
            [name, *(fmt.number(f.value, f.kpi.decimals) for f in row)]
            for name, row in zip(pack.scorecard_units, pack.scorecard, strict=True)
        ],
        [["", *(TINTS[f.status] for f in row)] for row in pack.scorecard],
    )
    document.add_paragraph("绿色 达标　黄色 接近目标　红色 落后　灰色 未设目标")
    if pack.what_if is not None:
        document.add_heading(WHAT_IF_TITLE, level=1)
        scenario, note = what_if_lines(pack.what_if)
        document.add_paragraph(clean_for_export(scenario))
        _table(document, list(WHAT_IF_HEADERS), what_if_rows(pack))
        document.add_paragraph(clean_for_export(note))
    document.add_heading("数据来源与报送日期", level=1)
    _table(
        document,
        ["责任单位", "数据内容", "数据截至", "来源"],
        [
            [
                str(f["department"]),
                str(f["label"]),
                f"{f['data_date']:%Y-%m-%d}",
                str(f["source"]) + ("（演示数据）" if f["is_demo"] else ""),
            ]
            for f in pack.feeds
        ],
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
