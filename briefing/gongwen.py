"""The GB/T 9704-2012 公文 page for Word: A4, margins, official fonts and sizes, the 22 × 28
character grid, "— 1 —" page numbers at the outer corner, 三线表 and captions.

Font names are written into every run and style (ascii, hAnsi, eastAsia) and into the font
table with the usual fallback as altName, so the reader's Word picks the official fonts and
nothing depends on fonts on the server.
"""

from __future__ import annotations

import re
from typing import Any

from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from data_access.text import clean_for_export

# 字号 in points.
SIZE_2 = 22.0  # 二号: title
SIZE_3 = 16.0  # 三号: body and headings
SIZE_4 = 14.0  # 四号: page numbers, captions
SIZE_SMALL_4 = 12.0  # 小四: table text
SIZE_5 = 10.5  # 五号: wide tables

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_1_FONT = "黑体"
HEADING_2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
# altName in the font table: what Word uses when the official font is not installed.
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING_2_FONT: "楷体", HEADING_1_FONT: "SimHei", "宋体": "SimSun"}

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
# 22 lines in the 225 mm text block: 28.95 pt each (579 twentieths of a point).
LINE_PITCH = 28.95
LINE_PITCH_TWIPS = 579
# 28 characters of 三号 in the 156 mm line: the grid pitch is 16 pt - 849/4096 pt (≤ 156 mm / 28).
CHAR_SPACE = -849
INDENT_2 = Pt(2 * SIZE_3)  # 首行缩进二字
RULE_THICK, RULE_THIN = 12, 6  # 三线表: 1.5 pt top and bottom rules, 0.75 pt under the header

STYLE_TITLE = "公文标题"
STYLE_H1 = "公文一级标题"
STYLE_H2 = "公文二级标题"
STYLE_CAPTION = "公文题注"
STYLE_TABLE = "公文表格"
STYLE_SIGNATURE = "公文落款"


def set_fonts(rpr: Any, name: str) -> None:
    """Write the font into every slot Word reads, East Asian included."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), name)
    fonts.set(qn("w:hint"), "eastAsia")


def run(
    paragraph: Paragraph, text: str, *, font: str, size: float, colour: RGBColor | None = None, bold: bool = False
) -> Run:
    r = paragraph.add_run(clean_for_export(text))  # XML cannot hold control characters
    r.font.size = Pt(size)
    r.font.bold = bold
    if colour is not None:
        r.font.color.rgb = colour
    set_fonts(r._r.get_or_add_rPr(), font)
    return r


def _exact(fmt: Any, points: float) -> None:
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(points)
    fmt.space_before = fmt.space_after = Pt(0)


# Word rejects properties out of the schema's order: each element goes before its successors.
AFTER_SNAP = ("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc")
AFTER_OUTLINE = ("w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
AFTER_TBL_BORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")
AFTER_TC_BORDERS = ("w:shd", "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")


def _no_grid(style: Any) -> None:
    """Smaller type (tables, captions) keeps its own spacing instead of the 三号 grid."""
    ppr = style.element.get_or_add_pPr()
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    ppr.insert_element_before(
        snap, *AFTER_SNAP, "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", *AFTER_OUTLINE
    )


def _outline(style: Any, level: int) -> None:
    """Headings show in Word's navigation pane."""
    ppr = style.element.get_or_add_pPr()
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), str(level))
    ppr.insert_element_before(outline, *AFTER_OUTLINE)


def _paragraph_style(document: DocumentType, name: str, *, font: str, size: float) -> Any:
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.quick_style = True
    style.font.size = Pt(size)
    set_fonts(style.element.get_or_add_rPr(), font)
    return style


def setup(document: DocumentType) -> None:
    """Page, grid, styles and font table of a 公文."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.header_distance = Mm(15)
    section.footer_distance = Mm(24)  # the page number's dashes sit about 7 mm under the text block
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))

    normal = document.styles["Normal"]
    normal.font.size = Pt(SIZE_3)
    set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    pf = normal.paragraph_format
    _exact(pf, LINE_PITCH)
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.first_line_indent = INDENT_2
    pf.widow_control = False

    title = _paragraph_style(document, STYLE_TITLE, font=TITLE_FONT, size=SIZE_2)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.first_line_indent = Pt(0)
    _exact(title.paragraph_format, 35)  # 二号 needs more than one body line
    for name, font, level in ((STYLE_H1, HEADING_1_FONT, 0), (STYLE_H2, HEADING_2_FONT, 1)):
        style = _paragraph_style(document, name, font=font, size=SIZE_3)
        style.paragraph_format.keep_with_next = True
        _outline(style, level)
    caption = _paragraph_style(document, STYLE_CAPTION, font=HEADING_1_FONT, size=SIZE_4)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.first_line_indent = Pt(0)
    _exact(caption.paragraph_format, 24)
    _no_grid(caption)
    table = _paragraph_style(document, STYLE_TABLE, font=BODY_FONT, size=SIZE_SMALL_4)
    table.paragraph_format.first_line_indent = Pt(0)
    table.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _exact(table.paragraph_format, 18)
    _no_grid(table)
    signature = _paragraph_style(document, STYLE_SIGNATURE, font=BODY_FONT, size=SIZE_3)
    signature.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    signature.paragraph_format.first_line_indent = Pt(0)
    signature.paragraph_format.right_indent = Pt(4 * SIZE_3)  # 成文日期右空四字
    _font_table(document)


def _font_table(document: DocumentType) -> None:
    part = next(r.target_part for r in document.part.rels.values() if r.reltype.endswith("/fontTable"))
    xml = part.blob.decode("utf-8")
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
        '<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
        for name, alt in FALLBACKS.items()
        if f'w:name="{name}"' not in xml
    )
    part._blob = re.sub(r"</w:fonts>\s*$", entries + "</w:fonts>", xml).encode("utf-8")


def _field(paragraph: Paragraph, instruction: str, placeholder: str, *, font: str, size: float) -> None:
    """A Word field (e.g. PAGE) as begin / instruction / separate / result / end runs."""

    def char(kind: str) -> None:
        r = run(paragraph, "", font=font, size=size)
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        r._r.append(element)

    char("begin")
    r = run(paragraph, "", font=font, size=size)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    r._r.append(instr)
    char("separate")
    run(paragraph, placeholder, font=font, size=size)
    char("end")


def page_numbers(document: DocumentType) -> None:
    """ "— 1 —" in 四号宋体: odd pages at the right, even pages at the left, one character in."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, alignment in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.alignment = alignment
        p.paragraph_format.first_line_indent = Pt(0)
        if alignment is WD_ALIGN_PARAGRAPH.RIGHT:
            p.paragraph_format.right_indent = Pt(SIZE_4)
        else:
            p.paragraph_format.left_indent = Pt(SIZE_4)
        run(p, "— ", font=PAGE_NUMBER_FONT, size=SIZE_4)
        _field(p, "PAGE", "1", font=PAGE_NUMBER_FONT, size=SIZE_4)
        run(p, " —", font=PAGE_NUMBER_FONT, size=SIZE_4)


def page_header(document: DocumentType, text: str, colour: RGBColor) -> None:
    """A line at the top of every page (odd and even), e.g. the 演示数据 notice."""
    section = document.sections[0]
    for header in (section.header, section.even_page_header):
        header.is_linked_to_previous = False
        p = header.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Pt(0)
        run(p, text, font=HEADING_1_FONT, size=SIZE_5, colour=colour)


def _borders(parent: Any, tag: str, sides: dict[str, int | None], successors: tuple[str, ...]) -> None:
    box = OxmlElement(tag)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if side not in sides:
            continue
        edge = OxmlElement(f"w:{side}")
        size = sides[side]
        edge.set(qn("w:val"), "single" if size else "nil")
        if size:
            edge.set(qn("w:sz"), str(size))
            edge.set(qn("w:space"), "0")
            edge.set(qn("w:color"), "000000")
        box.append(edge)
    parent.insert_element_before(box, *successors)


def three_line_table(
    document: DocumentType,
    headers: list[str],
    rows: list[list[str]],
    *,
    size: float = SIZE_SMALL_4,
    widths: list[float] | None = None,
) -> Table:
    """三线表: thick rules above and below, a thin one under the header, no vertical lines."""
    table: Table = document.add_table(rows=1, cols=len(headers))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    tblpr = table._tbl.tblPr
    for old in tblpr.findall(qn("w:tblBorders")):
        tblpr.remove(old)
    _borders(
        tblpr,
        "w:tblBorders",
        {"top": RULE_THICK, "left": None, "bottom": RULE_THICK, "right": None, "insideH": None, "insideV": None},
        AFTER_TBL_BORDERS,
    )
    header_row = table.rows[0]
    trpr = header_row._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # the header repeats on every page the table spans
    trpr.append(repeat)
    for j, text in enumerate(headers):
        cell = header_row.cells[j]
        _borders(cell._tc.get_or_add_tcPr(), "w:tcBorders", {"bottom": RULE_THIN}, AFTER_TC_BORDERS)
        _cell_text(cell, text, font=HEADING_1_FONT, size=size)
    for row in rows:
        cells = table.add_row().cells  # type: ignore[no-untyped-call]  # python-docx leaves add_row unannotated
        for j, text in enumerate(row):
            _cell_text(cell=cells[j], text=text, font=BODY_FONT, size=size, left=j == 0)
    if widths:
        text_width = PAGE_WIDTH - MARGINS["left"] - MARGINS["right"]
        for row in table.rows:
            for cell, share in zip(row.cells, widths, strict=True):
                cell.width = int(text_width * share)
    return table


def _cell_text(cell: Any, text: str, *, font: str, size: float, left: bool = False) -> None:
    p = cell.paragraphs[0]
    p.style = STYLE_TABLE
    if left:
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT
    run(p, text, font=font, size=size)
