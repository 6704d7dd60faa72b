"""The 汇报材料 as a Word document in 公文 layout: plain, editable paragraphs staff polish,
with the headline table, the units' table and the domain charts in place."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.shared import Mm, Pt, RGBColor

from briefing import gongwen
from briefing.meta import DEMO_NOTICE
from briefing.report_text import NO_CHARTS, SCORECARD_NOTE, Block, Report, cn_date, headline_rows, scorecard_rows
from briefing.section_charts import pack_pngs

DEMO_RED = RGBColor(0xC6, 0x28, 0x28)
IMAGE_WIDTH = Mm(150)


class _Writer:
    def __init__(self, report: Report, pictures: list[bytes | None]) -> None:
        self.report = report
        self.pictures = pictures
        self.doc = Document()
        self.tables = 0
        self.figures = 0
        self.said_no_images = False

    def para(self, text: str, *, style: str | None = None, font: str = gongwen.BODY_FONT, size: float = 16.0) -> Any:
        p = self.doc.add_paragraph(style=style)
        if text:
            gongwen.run(p, text, font=font, size=size)
        return p

    def caption(self, text: str) -> None:
        self.para(text, style=gongwen.STYLE_CAPTION, font=gongwen.HEADING_1_FONT, size=gongwen.SIZE_4)

    def table(self, which: str) -> None:
        pack = self.report.pack
        meta = pack.meta
        self.tables += 1
        if which == "headlines":
            self.caption(f"表{self.tables}　{meta.scope_name}主要指标完成情况（{meta.period.label}）")
            headers, rows = headline_rows(pack)
            gongwen.three_line_table(self.doc, headers, rows, widths=[0.30, 0.22, 0.20, 0.14, 0.14])
        else:
            self.caption(f"表{self.tables}　各{self.report.unit_word}主要指标完成情况（{meta.period.label}）")
            headers, rows = scorecard_rows(pack)
            share = 0.84 / len(pack.scorecard_kpis)
            gongwen.three_line_table(
                self.doc, headers, rows, size=gongwen.SIZE_5, widths=[0.16, *([share] * len(pack.scorecard_kpis))]
            )
            self.para(SCORECARD_NOTE, size=gongwen.SIZE_SMALL_4)

    def chart(self, index: int) -> None:
        picture = self.pictures[index] if index < len(self.pictures) else None
        if picture is None:
            if not self.said_no_images:
                self.para(NO_CHARTS)
                self.said_no_images = True
            return
        self.figures += 1
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Pt(0)
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact height would crop the picture
        p.add_run().add_picture(io.BytesIO(picture), width=IMAGE_WIDTH)
        self.caption(f"图{self.figures}　{self.report.pack.sections[index].chart.title}")

    def block(self, block: Block) -> None:
        if block.heading:
            self.para(block.heading, style=gongwen.STYLE_H2, font=gongwen.HEADING_2_FONT)
        for text in block.paragraphs:
            self.para(text)
        if block.table:
            self.table(block.table)
        if block.chart is not None:
            self.chart(block.chart)

    def write(self) -> bytes:
        report, doc = self.report, self.doc
        meta = report.pack.meta
        gongwen.setup(doc)
        gongwen.page_numbers(doc)
        doc.core_properties.title = report.title
        doc.core_properties.subject = meta.context_line
        if meta.is_demo:
            gongwen.page_header(doc, DEMO_NOTICE, DEMO_RED)
        self.para(report.title, style=gongwen.STYLE_TITLE, font=gongwen.TITLE_FONT, size=gongwen.SIZE_2)
        if meta.is_demo:
            p = self.para("")
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.first_line_indent = Pt(0)
            gongwen.run(p, f"（{DEMO_NOTICE}）", font=gongwen.BODY_FONT, size=gongwen.SIZE_3, colour=DEMO_RED)
        else:
            self.para("")
        for part in report.parts:
            self.para(part.heading, style=gongwen.STYLE_H1, font=gongwen.HEADING_1_FONT)
            for block in part.blocks:
                self.block(block)
        self.para("")
        self.para("")
        self.para(report.issuer, style=gongwen.STYLE_SIGNATURE)
        self.para(cn_date(report.issued), style=gongwen.STYLE_SIGNATURE)
        sources = "、".join(dict.fromkeys(str(f["department"]) for f in report.pack.feeds))
        self.para(
            f"（数据来源：{sources}报送数据，数据截至{cn_date(meta.data_date)}；本材料由系统根据报送数据生成，"
            "请核对后使用。）"
        )
        buffer = io.BytesIO()
        doc.save(buffer)
        return buffer.getvalue()


def write_report_docx(report: Report, pictures: list[bytes | None] | None = None) -> bytes:
    """pictures: one PNG (or None) per pack section; drawn here when not given."""
    if pictures is None:
        pictures = pack_pngs(report.pack)
    return _Writer(report, pictures).write()
