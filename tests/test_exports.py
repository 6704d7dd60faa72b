"""Briefing exports: the meeting pack (PowerPoint, Word), Excel workbooks, chart images and
the command line, each read back and compared with independent computations."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from docx import Document
from openpyxl import load_workbook
from pptx import Presentation

from briefing import excel, images
from briefing.build import PackError, meeting_pack
from briefing.meta import ExportMeta
from metrics.domain.periods import Period
from metrics.registry import DOMAINS
from tests import oracle
from tests.conftest import unavailable

ROOT = Path(__file__).resolve().parent.parent
Q3_END = date(2026, 9, 30)


def _charts(prs: Presentation) -> list:
    return [shape.chart for slide in prs.slides for shape in slide.shapes if shape.has_chart]


def _slide_text(slide) -> str:
    return "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def test_pptx_pack_charts_and_narrative_equal_the_store(demo_engine):
    with demo_engine.connect() as conn:
        data, name = meeting_pack(conn, period="2026-Q3", scope="全市", fmt="pptx")
        towns = {t: n for t, n in conn.exec_driver_sql("SELECT code, name FROM town").all()}
        caseload = oracle.caseload(conn, Q3_END)
        relief = oracle.relief_fen(conn, date(2026, 7, 1), Q3_END)
        placement = oracle.placement_rate(conn, Q3_END)
        dividends = oracle.dividend_compliance(conn, 2025)
        pension = oracle.pension_coverage(conn, Q3_END)
    assert name == "会议材料_全市_2026年Q3_演示数据.pptx"
    prs = Presentation(io.BytesIO(data))
    assert len(prs.slides) == 1 + len(DOMAINS) + 3  # title, a slide per domain, scorecard, 督办, sources
    charts = _charts(prs)
    assert len(charts) == len(DOMAINS)
    code_of = {n: c for c, n in towns.items()}

    def series(chart, idx=0) -> dict[str, float | None]:
        plot = chart.plots[0]
        return dict(zip([code_of[c] for c in plot.categories], plot.series[idx].values, strict=True))

    got = series(charts[0])
    assert got == {t: float(caseload.get(t, {}).get("households", 0)) for t in towns}
    for town, value in series(charts[1]).items():
        assert value == pytest.approx(relief.get(town, 0) / 1_000_000)
    for town, value in series(charts[2]).items():
        employed, targets = placement[town]
        assert value == pytest.approx(employed / targets * 100)
    for town, value in series(charts[3]).items():
        met, reporting = dividends[town]
        assert value == pytest.approx(met / reporting * 100)
    for town, value in series(charts[4]).items():
        covered, eligible = pension[town]
        assert value == pytest.approx(covered / eligible * 100)
    # The narrative states the same city figures.
    households = sum(v["households"] for v in caseload.values())
    assert f"昆山市监测对象户数 {households:,} 户" in _slide_text(prs.slides[1])
    assert f"昆山市救助支出 {sum(relief.values()) / 1_000_000:,.2f} 万元" in _slide_text(prs.slides[2])
    employed, targets = map(sum, zip(*placement.values(), strict=True))
    assert f"安置率 {employed / targets * 100:.1f}%" in _slide_text(prs.slides[3])
    assert "演示数据" in _slide_text(prs.slides[0])
    # The scorecard slide is a table with one row per town.
    tables = [shape.table for shape in prs.slides[1 + len(DOMAINS)].shapes if shape.has_table]
    assert len(tables) == 1 and len(tables[0].rows) == 12


def test_pptx_for_one_town_charts_its_villages(demo_engine):
    with demo_engine.connect() as conn:
        data, name = meeting_pack(conn, period="2026-09", scope="巴城镇", fmt="pptx")
        villages = conn.exec_driver_sql("SELECT COUNT(*) FROM village WHERE town_code = '320583101000'").scalar()
    assert name.startswith("会议材料_巴城镇_2026年9月")
    chart = _charts(Presentation(io.BytesIO(data)))[0]
    assert len(list(chart.plots[0].categories)) == villages


def test_docx_pack_has_every_section(demo_engine):
    with demo_engine.connect() as conn:
        data, name = meeting_pack(conn, period="2026-Q3", scope="全市", fmt="docx")
        households = sum(v["households"] for v in oracle.caseload(conn, Q3_END).values())
    assert name.endswith(".docx")
    doc = Document(io.BytesIO(data))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [*DOMAINS.values(), "各单位对照目标", "数据来源与报送日期"]
    assert headings[:6] == ["监测对象", "救助支出", "就业帮扶", "集体经济分红", "社会保障衔接", "社会力量"]
    body = "\n".join(p.text for p in doc.paragraphs)
    assert f"昆山市监测对象户数 {households:,} 户" in body
    assert "演示数据" in body
    pictures = len(doc.inline_shapes)
    assert pictures == (len(DOMAINS) if images.available() else 0)
    assert len(doc.tables) == len(DOMAINS) + 2


@pytest.mark.parametrize(
    ("period", "scope", "message"), [("2026-Q9", "全市", "无法识别的期间"), ("2026-Q3", "火星镇", "未知的区镇")]
)
def test_pack_refuses_unknown_period_or_town(demo_engine, period, scope, message):
    with demo_engine.connect() as conn, pytest.raises(PackError, match=message):
        meeting_pack(conn, period=period, scope=scope, fmt="pptx")


def test_command_line_writes_the_pack_and_fails_clearly(sqlite_demo_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": sqlite_demo_url}
    out = tmp_path / "pack.pptx"
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "briefing",
            "--period",
            "2026-Q3",
            "--scope",
            "全市",
            "--format",
            "pptx",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ok.returncode == 0, ok.stderr
    assert len(Presentation(str(out)).slides) == 1 + len(DOMAINS) + 3
    bad = subprocess.run(
        [sys.executable, "-m", "briefing", "--period", "2026-13", "--scope", "全市"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 2
    assert "无法识别的期间" in bad.stderr
    town = subprocess.run(
        [sys.executable, "-m", "briefing", "--period", "2026-Q3", "--scope", "火星镇", "--format", "docx"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert town.returncode == 2 and "未知的区镇" in town.stderr


def test_excel_workbook_reads_back_with_header_formats_and_no_formulas():
    meta = ExportMeta(period=Period.parse("2025-Q3"), scope_name="全市", data_date=date(2025, 9, 30), is_demo=True)
    frame = pd.DataFrame(
        {
            "区镇": ["巴城镇", '=HYPERLINK("http://x")'],
            "救助支出（万元）": [1234.5678, 2.0],
            "安置率（%）": [81.25, None],
            "户数（户）": [1200, 35],
        }
    )
    data = excel.workbook([("各区镇对照目标", frame), ("第二张表", frame.head(1))], meta, title="救助支出")
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["各区镇对照目标", "第二张表"]
    ws = wb["各区镇对照目标"]
    header = [ws.cell(row=i, column=1).value for i in range(1, 6)]
    assert header[0].endswith("救助支出")
    assert "2025年第3季度" in header[1] and "全市" in header[1]
    assert "2025年09月30日" in header[2]
    assert header[3].startswith("演示数据")
    columns = [c.value for c in ws[7]]
    assert columns == list(frame.columns)
    assert ws.cell(row=8, column=2).value == pytest.approx(1234.5678)
    assert ws.cell(row=8, column=2).number_format == "#,##0.00"
    assert ws.cell(row=8, column=3).number_format == "0.0"
    assert ws.cell(row=8, column=4).number_format == "#,##0"
    assert ws.cell(row=9, column=1).value.startswith("'=")  # formula injection neutralised
    assert ws.cell(row=9, column=3).value is None
    assert ws.column_dimensions["B"].width >= excel.display_width("救助支出（万元）")


def _chinese_figure(title: str) -> go.Figure:
    fig = go.Figure(go.Bar(x=["巴城镇", "周市镇"], y=[3, 5]))
    fig.update_layout(title=title, font={"family": "Noto Sans CJK SC"}, width=600, height=300)
    return fig


def test_chart_png_renders_chinese_glyphs():
    if not images.available():
        unavailable("未安装 Debian 的 chromium，无法在服务器端生成图片")
    fc = shutil.which("fc-list")
    fonts = subprocess.run([fc, ":lang=zh"], capture_output=True, text=True).stdout if fc else ""
    if not fonts.strip():
        unavailable("fontconfig 未找到中文字体（apt-get install fonts-noto-cjk）")
    from PIL import Image

    first = Image.open(io.BytesIO(images.png(_chinese_figure("监测对象户数")))).convert("L")
    other = Image.open(io.BytesIO(images.png(_chinese_figure("救助支出金额")))).convert("L")
    assert first.size == (1200, 600)  # 2x for slides
    # Not blank: plenty of dark pixels.
    dark = sum(1 for p in first.get_flattened_data() if p < 128)
    assert dark > 2_000
    # Real glyphs: with missing fonts every character is the same box, so two different
    # four-character titles would render identically. They must differ.
    box = (0, 0, 600, 90)
    assert list(first.crop(box).get_flattened_data()) != list(other.crop(box).get_flattened_data())
    svg = images.svg(_chinese_figure("监测对象户数")).decode("utf-8")
    assert "监测对象户数" in svg


def test_export_file_names_say_what_where_when():
    meta = ExportMeta(period=Period.parse("2025-Q3"), scope_name="全市", data_date=date(2025, 9, 30), is_demo=False)
    assert meta.file_name("监测对象", "png") == "监测对象_全市_2025年Q3.png"
    month = ExportMeta(period=Period.parse("2025-09"), scope_name="巴城镇", data_date=date(2025, 9, 30), is_demo=True)
    assert month.file_name("救助支出", "xlsx") == "救助支出_巴城镇_2025年9月_演示数据.xlsx"
    assert re.fullmatch(r'[^/\\:*?"<>|]+', meta.file_name('a/b:c*"d', "svg"))
