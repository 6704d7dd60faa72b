"""The /briefing buttons deliver the 汇报材料 as a Word file and as a PDF in a real Chromium
session against the app as `make run` serves it."""

from __future__ import annotations

import io
import re

from docx import Document

from tests.test_browser import _open, _wait_for, app_server, browser  # noqa: F401 (fixtures)


def _download(page, label: str, tmp_path):
    button = page.get_by_role("button", name=re.compile(re.escape(label)))
    with page.expect_download(timeout=300_000) as info:
        button.click()
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    return download.suggested_filename, target.read_bytes()


def test_briefing_buttons_deliver_the_report_as_word_and_pdf(app_server, browser, tmp_path):  # noqa: F811
    from pypdf import PdfReader

    page = _open(browser, f"{app_server}/briefing?period=2026-Q3&scope=city", height=1400, downloads=True)
    _wait_for(page, '[data-testid="stDownloadButton"]', 5)
    name, data = _download(page, "生成 Word 汇报材料（公文格式）", tmp_path)
    assert name == "汇报材料_全市_2026年Q3_演示数据.docx"
    doc = Document(io.BytesIO(data))
    assert next(p.text for p in doc.paragraphs if p.style.name == "公文一级标题") == "一、总体情况"
    name, data = _download(page, "生成 PDF 汇报材料", tmp_path)
    assert name == "汇报材料_全市_2026年Q3_演示数据.pdf" and data.startswith(b"%PDF")
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
    assert "一、总体情况" in pages[0] and all("演示数据" in p for p in pages)
    page.close()
