"""汇报材料 (Word in GB/T 9704 公文 layout) and the PDFs of the meeting pack and the 汇报材料,
read back: page geometry, fonts, numbering, page-number footer; every number in the text
equals an independently evaluated figure; PDF text, demo mark on every page, embedded fonts.
Store tests run on SQLite and PostgreSQL (demo_engine)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from sqlalchemy import text

from briefing import images, pdf
from briefing.build import meeting_pack
from briefing.content import build_pack
from data_access.access import Principal
from data_access.models.governance import CITY_SCOPE
from data_access.queries import reference
from metrics import format as fmt
from metrics.domain.attainment import Status
from metrics.domain.periods import Grain, Period
from metrics.domains.caseload import caseload_detail
from metrics.evaluate import Evaluator
from metrics.registry import DOMAINS, KPI_BY_KEY
from metrics.views import units_for
from tests import oracle
from tests.conftest import unavailable

ROOT = Path(__file__).resolve().parent.parent
Q3_END = date(2026, 9, 30)
PART_HEADINGS = ["一、总体情况", "二、主要指标完成情况", "三、存在的问题", "四、下步工作建议"]
SUB_HEADING = re.compile(r"^（([一二三四五六七八九十]+)）")
# （一）…（十）, then （十一）…: the suggestions run past ten when many KPIs are behind.
NUMERALS = (*"一二三四五六七八九十", *("十" + n for n in "一二三四五六七八九"))
ADMIN = Principal(username="t", display_name="t", role="admin")


def _towns(conn) -> tuple[str, ...]:
    """In the order the pack lists them (as meeting_pack passes them)."""
    return tuple(str(t["code"]) for t in reference.towns(conn))


def _report_docx(conn, period="2026-Q3", scope="全市"):
    data, name = meeting_pack(conn, period=period, scope=scope, fmt="report")
    return Document(io.BytesIO(data)), name


def _east_asia(run) -> str | None:
    fonts = run._r.rPr.find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def _all_fonts(run) -> dict[str, str | None]:
    fonts = run._r.rPr.find(qn("w:rFonts"))
    return {slot: fonts.get(qn(f"w:{slot}")) for slot in ("ascii", "hAnsi", "eastAsia")}


def _styled(doc, style: str):
    return [p for p in doc.paragraphs if p.style.name == style]


# -- Word: the 公文 layout ---------------------------------------------------------------------
def test_report_docx_page_fonts_headings_and_page_numbers(demo_engine):
    with demo_engine.connect() as conn:
        doc, name = _report_docx(conn)
    assert name == "汇报材料_全市_2026年Q3_演示数据.docx"
    section = doc.sections[0]
    # A4 and the GB/T 9704 margins (to the EMU rounding of millimetres).
    for got, want in (
        (section.page_width, Mm(210)),
        (section.page_height, Mm(297)),
        (section.top_margin, Mm(37)),
        (section.bottom_margin, Mm(35)),
        (section.left_margin, Mm(28)),
        (section.right_margin, Mm(26)),
    ):
        assert abs(got - want) < Mm(0.1)
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars" and grid.get(qn("w:linePitch")) == "579"
    # 28 characters of 16 pt in the 156 mm line: pitch 16 pt + charSpace/4096 pt.
    pitch = 16 + int(grid.get(qn("w:charSpace"))) / 4096
    assert int((210 - 28 - 26) / 25.4 * 72 / pitch) == 28
    # 22 lines of the fixed spacing in the 225 mm text block.
    assert int((297 - 37 - 35) / 25.4 * 72 / 28.95) == 22

    title = doc.paragraphs[0]
    assert title.text.startswith("关于昆山市2026年第3季度") and title.text.endswith("工作情况的汇报")
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER or title.style.paragraph_format.alignment == 1
    assert {_east_asia(r) for r in title.runs} == {"方正小标宋简体"}
    assert {r.font.size for r in title.runs} == {Pt(22)}
    assert _all_fonts(title.runs[0]) == dict.fromkeys(("ascii", "hAnsi", "eastAsia"), "方正小标宋简体")

    h1 = _styled(doc, "公文一级标题")
    assert [p.text for p in h1] == PART_HEADINGS
    assert {_east_asia(r) for p in h1 for r in p.runs} == {"黑体"}
    assert {r.font.size for p in h1 for r in p.runs} == {Pt(16)}
    h2 = _styled(doc, "公文二级标题")
    assert h2 and {_east_asia(r) for p in h2 for r in p.runs} == {"楷体_GB2312"}
    assert {r.font.size for p in h2 for r in p.runs} == {Pt(16)}
    # Second-level numbering restarts at （一） under each first-level heading and runs on.
    numbers: list[list[str]] = []
    for p in doc.paragraphs:
        if p.style.name == "公文一级标题":
            numbers.append([])
        elif p.style.name == "公文二级标题":
            numbers[-1].append(SUB_HEADING.match(p.text).group(1))
    for run in numbers:
        assert run == list(NUMERALS[: len(run)])
    assert numbers[1][:5] == list("一二三四五")  # one per domain

    body = [p for p in doc.paragraphs if p.style.name == "Normal" and p.text and not p.text.startswith(("（", "注："))]
    assert body
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert abs(normal.paragraph_format.line_spacing.pt - 28.95) < 0.01
    assert {_east_asia(r) for p in body for r in p.runs} == {"仿宋_GB2312"}
    assert {r.font.size for p in body for r in p.runs} == {Pt(16)}

    # The fallbacks are in the font table: Word without the official fonts uses these.
    font_table = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable")).blob
    font_table = font_table.decode("utf-8")
    for official, fallback in (("方正小标宋简体", "宋体"), ("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体")):
        assert re.search(rf'w:name="{official}">\s*<w:altName w:val="{fallback}"/>', font_table)

    # Page numbers: "— n —" in 四号宋体, odd pages at the right, even pages at the left.
    assert doc.settings.odd_and_even_pages_header_footer
    sides = ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT))
    for footer, alignment in sides:
        p = footer.paragraphs[0]
        xml = p._p.xml
        assert "<w:fldChar" in xml and re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", xml)
        texts = [r.text for r in p.runs if r.text]
        assert texts[0] == "— " and texts[-1] == " —"
        assert {_east_asia(r) for r in p.runs} == {"宋体"} and {r.font.size for r in p.runs} == {Pt(14)}
        assert p.alignment == alignment
    assert "演示数据" in section.header.paragraphs[0].text and "演示数据" in section.even_page_header.paragraphs[0].text

    # 三线表 with 表 captions; charts with 图 captions (or a note saying why there are none).
    captions = [p.text for p in _styled(doc, "公文题注")]
    assert [c[:2] for c in captions if c.startswith("表")] == ["表1", "表2"]
    assert len(doc.tables) == 2
    for table in doc.tables:
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        edge = {child.tag.split("}")[1]: child for child in borders}
        assert edge["top"].get(qn("w:sz")) == "12" and edge["bottom"].get(qn("w:sz")) == "12"
        assert edge["insideV"].get(qn("w:val")) == "nil" and edge["left"].get(qn("w:val")) == "nil"
        header_cell = table.rows[0].cells[0]._tc
        assert header_cell.tcPr.find(qn("w:tcBorders")).find(qn("w:bottom")).get(qn("w:sz")) == "6"
    figure_captions = [c for c in captions if c.startswith("图")]
    if images.available():
        n = len(DOMAINS)
        assert len(doc.inline_shapes) == n and [c[:2] for c in figure_captions] == [f"图{i}" for i in range(1, n + 1)]
    else:
        assert not doc.inline_shapes and any("未附图表" in p.text for p in doc.paragraphs)

    # Issuing body and date at the end, right-aligned.
    signature = _styled(doc, "公文落款")
    assert signature[0].text == "昆山市建立解决相对贫困长效机制工作领导小组办公室"
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", signature[1].text)


def test_report_without_chart_images_says_so_in_the_text(demo_engine, monkeypatch):
    from briefing.report_text import NO_CHARTS

    def no_images(*_args, **_kwargs):
        raise images.ImagesUnavailable("no chromium")

    monkeypatch.setattr(images, "png", no_images)
    with demo_engine.connect() as conn:
        doc, _ = _report_docx(conn)
    assert not doc.inline_shapes
    assert [p.text for p in doc.paragraphs].count(NO_CHARTS) == 1
    assert not [p.text for p in doc.paragraphs if p.style.name == "公文题注" and p.text.startswith("图")]


# -- the 汇报 text: every number is the evaluator's ------------------------------------------------
DATES = re.compile(r"\d{4}年(\d{1,2}月(\d{1,2}日)?)?度?|\d{1,2}月\d{1,2}日|第\d季度")
CLAUSES = re.compile(r"(?<=[\u4e00-\u9fff)])\.\d+")  # 二(一).3, 三.1—三.7, 组织保障.2
REFERENCES = re.compile(r"[表图]\d+")
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def numbers_in(sentence: str) -> list[str]:
    for pattern in (DATES, CLAUSES, REFERENCES):
        sentence = pattern.sub("", sentence)
    return NUMBER.findall(sentence)


def _formatted(figure) -> set[str]:
    kpi, out = figure.kpi, set()
    for v in (figure.value, figure.target):
        if v is not None:
            out.add(fmt.number(v, kpi.decimals))
    if figure.attainment is not None:
        out.add(f"{figure.attainment * 100:.1f}")
    for change in (figure.change, figure.change_on_last_year):
        if change is not None:
            out.add(f"{abs(change):.1f}")
    return out


def _expected_numbers(conn, towns, period, scope) -> dict[str, set[str]]:
    """Per KPI, every number a sentence about it may state, evaluated afresh (not from the pack)."""
    evaluator = Evaluator(conn, towns=towns, period=period) if scope == CITY_SCOPE else None
    if evaluator is None:
        evaluator = Evaluator(conn, towns=(scope,), period=period, level="village")
    units = [code for code, _ in units_for(conn, towns=towns, scope=scope)]
    out: dict[str, set[str]] = {}
    for key, kpi in KPI_BY_KEY.items():
        allowed = _formatted(evaluator.figure(kpi, scope))
        for unit in units:
            allowed |= _formatted(evaluator.figure(kpi, unit, compare=False))
        out[key] = allowed
    # 在册 = 监测对象 + 应退未退, from the caseload page's own reconciliation.
    detail = caseload_detail(evaluator, units_for(conn, towns=towns, scope=scope), None, ADMIN)
    rows = [detail.reconciliation(code) for code in units]
    totals = [sum(col) for col in zip(*rows, strict=True)]
    out["caseload_households"] |= {f"{n:,}" for n in totals} | {f"{due:,}" for _, _, due in rows}
    return out


@pytest.mark.parametrize(("period", "scope"), [("2026-Q3", "全市"), ("2026-09", "巴城镇")])
def test_every_number_in_the_report_is_the_evaluators(demo_engine, period, scope):
    from briefing.report_text import build_report

    with demo_engine.connect() as conn:
        towns = _towns(conn)
        code = CITY_SCOPE if scope == "全市" else "320583101000"
        pack = build_pack(conn, towns=towns, period=Period.parse(period), scope=code)
        report = build_report(conn, pack, towns=towns, scope=code)
        expected = _expected_numbers(conn, towns, Period.parse(period), code)
        level = {"level": "village"} if code != CITY_SCOPE else {}
        fresh_eval = Evaluator(conn, towns=(code,) if level else towns, period=Period.parse(period), **level)
        fresh = [fresh_eval.figure(f.kpi, code) for section in pack.sections for f in section.figures]
        households = sum(v["households"] for v in oracle.caseload(conn, Q3_END).values())
        doc, _ = _report_docx(conn, period, scope)
    checked = 0
    for sentence in report.sentences:
        found = numbers_in(sentence.text)
        if sentence.text.startswith("表1所列") or sentence.quoted:
            continue  # the tally is checked below; a quoted 督办 requirement's numbers are its author's
        if found:
            assert sentence.kpis, f"a number with no KPI behind it: {sentence.text}"
        allowed = set().union(*(expected[k] for k in sentence.kpis)) if sentence.kpis else set()
        for number in found:
            assert number in allowed, f"{number} in “{sentence.text}” is not a figure of {sentence.kpis}"
            checked += 1
    assert checked > 30
    # The tally counts the headline figures by status.
    tally = next(s for s in report.sentences if s.text.startswith("表1所列"))
    headline = [f for section in pack.sections for f in section.figures]
    count = {s: sum(1 for f in headline if f.status is s) for s in Status}
    judged = count[Status.GREEN] + count[Status.AMBER] + count[Status.RED]
    assert numbers_in(tally.text)[:5] == [str(len(headline)), str(judged)] + [
        str(count[s]) for s in (Status.GREEN, Status.AMBER, Status.RED)
    ]
    # The Word file holds exactly this text, and the city's households equal the raw rows.
    paragraphs = {p.text for p in doc.paragraphs}
    for part in report.parts:
        for block in part.blocks:
            for text_ in block.paragraphs:
                assert text_ in paragraphs
    if scope == "全市":
        assert f"监测对象户数 {households:,} 户" in "\n".join(paragraphs)
    # Each headline figure is stated with the value an independent evaluator gives.
    body = "\n".join(paragraphs)
    for figure in fresh:
        if figure.value is not None:
            assert f"{figure.kpi.label} {fmt.kpi_value(figure.kpi, figure.value)}" in body, figure.kpi.key


def _lagging_report(conn, towns):
    """The 汇报 for the latest month with the 医保局 feed stopping a month early (rolled back by caller)."""
    from briefing.report_text import build_report

    end = oracle._d(conn.execute(text("SELECT MAX(data_date) FROM feed_status")).scalar())
    month = Period.containing(end, Grain.MONTH)
    conn.execute(
        text("UPDATE feed_status SET data_date = :d WHERE feed = 'medical'"), {"d": month.start - timedelta(days=1)}
    )
    pack = build_pack(conn, towns=towns, period=month, scope=CITY_SCOPE)
    return pack, build_report(conn, pack, towns=towns, scope=CITY_SCOPE)


def test_incomplete_data_is_named_as_such_never_as_failure(demo_engine):
    with demo_engine.connect() as conn:
        trans = conn.begin()
        try:
            pack, report = _lagging_report(conn, _towns(conn))
        finally:
            trans.rollback()
    incomplete = {f.kpi.key for s in pack.sections for f in s.figures if f.status is Status.INCOMPLETE}
    assert "medical_coverage" in incomplete
    problems = next(p for p in report.parts if p.heading == "三、存在的问题")
    gap_block = next(b for b in problems.blocks if b.heading.endswith("部分数据尚未报齐"))
    assert any("medical_coverage" in s.kpis and "本期不完整" in s.text for s in gap_block.sentences)
    assert all("不属于工作落后" in s.text for s in gap_block.sentences)
    for sentence in report.sentences:
        if any(word in sentence.text for word in ("落后于目标", "低于目标", "高于控制目标")):
            assert (
                not (set(sentence.kpis) & incomplete)
                or "不完整" in sentence.text
                or sentence.text.startswith("表1所列")
            ), sentence.text


def test_open_supervision_items_become_suggestions_overdue_first(demo_engine):
    from dataclasses import replace
    from datetime import datetime

    from briefing.report_text import build_report
    from data_access.supervision import Task

    with demo_engine.connect() as conn:
        towns = _towns(conn)
        pack = build_pack(conn, towns=towns, period=Period.parse("2026-Q3"), scope=CITY_SCOPE)
        today = pack.meta.generated_at.date()

        def task(i: int, deadline: date, status: str, requirement: str) -> Task:
            return Task(
                id=i,
                kpi_key="placement_rate",
                town_code=towns[0],
                period="2026-Q3",
                frozen_value=60.0,
                frozen_target=80.0,
                frozen_status="red",
                owner_kind="department",
                owner="人社局",
                requirement=requirement,
                deadline=deadline,
                stored_status=status,
                created_by="leader",
                created_at=datetime(2026, 10, 1),
                closed_by=None,
                closed_at=None,
                close_note="",
            )

        figure = Evaluator(conn, towns=towns, period=Period.parse("2026-Q3")).figure(
            KPI_BY_KEY["placement_rate"], towns[0]
        )
        tasks = [
            (task(1, today + timedelta(days=30), "open", "<b>逐户</b>走访未安置对象"), figure),
            (task(2, today - timedelta(days=3), "open", "提交整改方案"), figure),
            (task(3, today - timedelta(days=9), "closed", "已办结的事项"), figure),
        ]
        report = build_report(conn, replace(pack, tasks=tasks), towns=towns, scope=CITY_SCOPE)
    advice = next(p for p in report.parts if p.heading == "四、下步工作建议")
    block = next(b for b in advice.blocks if b.heading.endswith("抓好督办事项落实"))
    town = pack.town_names[towns[0]]
    requirements = [s.text.split("：", 2)[-1].split("；")[0] for s in block.sentences]
    assert requirements == ["提交整改方案", "<b>逐户</b>走访未安置对象"]  # overdue first; the closed one left out
    assert "已逾期" in block.sentences[0].text and "已逾期" not in block.sentences[1].text
    assert block.sentences[0].text.startswith(f"{town}就业重点帮扶对象安置率督办事项（责任单位：人社局")
    assert f"目前就业重点帮扶对象安置率 {fmt.kpi_value(figure.kpi, figure.value)}" in block.sentences[0].text
    # A person's text stays plain text in the PDF's HTML.
    from briefing import html_doc

    page = html_doc.report_html(report, [None] * len(pack.sections))
    assert "&lt;b&gt;逐户&lt;/b&gt;" in page and "<b>逐户" not in page


# -- PDF --------------------------------------------------------------------------------------
def _pdf_or_skip():
    if not pdf.available():
        unavailable("未安装 Debian 的 chromium，无法生成 PDF")


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _page_fonts_embedded(reader) -> int:
    """Fonts used by the pages, each with its glyphs in the file (Type 3 procedures or a font program)."""
    seen = 0
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font")
        assert fonts, "a page without fonts"
        for ref in fonts.get_object().values():
            font = ref.get_object()
            if font["/Subtype"] == "/Type3":
                assert font["/CharProcs"]
            else:
                descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
                descriptor = descendant["/FontDescriptor"].get_object()
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            seen += 1
    return seen


@pytest.mark.parametrize("fmt_", ["pdf", "report-pdf"])
def test_pdf_has_the_figures_the_demo_mark_on_every_page_and_embedded_fonts(demo_engine, fmt_):
    _pdf_or_skip()
    from pypdf import PdfReader

    with demo_engine.connect() as conn:
        data, name = meeting_pack(conn, period="2026-Q3", scope="全市", fmt=fmt_)
        towns = _towns(conn)
        evaluator = Evaluator(conn, towns=towns, period=Period.parse("2026-Q3"))
        keys = ("caseload_households", "relief_spending", "placement_rate", "dividend_compliance", "pension_coverage")
        figures = [evaluator.figure(KPI_BY_KEY[key], CITY_SCOPE) for key in keys]
        households = sum(v["households"] for v in oracle.caseload(conn, Q3_END).values())
    assert name.endswith("_演示数据.pdf") and data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)  # A4 portrait
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 3
    assert all("演示数据" in page for page in pages)
    whole = _squash("".join(pages))
    assert _squash(f"{households:,} 户") in whole
    for figure in figures:
        assert _squash(fmt.kpi_value(figure.kpi, figure.value)) in whole, figure.kpi.key
        assert figure.kpi.label in whole
    heading = "一、总体情况" if fmt_ == "report-pdf" else "各单位对照目标"
    assert heading in whole
    assert _page_fonts_embedded(reader) > 0


def test_pdf_text_copies_as_the_characters_shown(monkeypatch):
    """Noto CJK shares glyphs between radicals and ideographs (⽰/示, ⼾/户); copied text must be 示 and 户."""
    _pdf_or_skip()
    from pypdf import PdfReader

    from briefing import pdf_text

    words = "演示数据 监测对象户数 第1页 长效机制 门户 马路 鱼塘 见面"
    page = f'<!doctype html><html lang="zh-CN"><body style="font-family:Noto Sans CJK SC">{words}</body></html>'
    monkeypatch.setattr(pdf_text, "fix_text", lambda data: data)
    raw = pdf.render(page)
    monkeypatch.undo()
    for fixed in (pdf_text.fix_text(raw), pdf_text.rewrite(raw)):
        reader = PdfReader(io.BytesIO(fixed))
        assert len(reader.pages) == 1
        assert _squash(reader.pages[0].extract_text()) == _squash(words)


def test_command_line_writes_pdf_and_says_why_without_chromium(sqlite_demo_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": sqlite_demo_url}
    args = [sys.executable, "-m", "briefing", "--period", "2026-Q3", "--scope", "全市"]
    # No Chromium on PATH: a Chinese message and exit code 1, nothing written.
    bare = {**env, "PATH": str(Path(sys.executable).parent)}
    out = tmp_path / "none.pdf"
    missing = subprocess.run(
        [*args, "--format", "pdf", "--out", str(out)], cwd=ROOT, env=bare, capture_output=True, text=True, timeout=300
    )
    assert missing.returncode == 1 and "未找到 Chromium" in missing.stderr and not out.exists()
    word = tmp_path / "汇报.docx"
    done = subprocess.run(
        [*args, "--format", "report", "--out", str(word)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert Document(str(word)).paragraphs[0].text.endswith("工作情况的汇报")
    _pdf_or_skip()
    out = tmp_path / "汇报.pdf"
    made = subprocess.run(
        [*args, "--format", "report-pdf", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr
    assert out.read_bytes().startswith(b"%PDF")
