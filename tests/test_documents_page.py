"""/briefing offers the 汇报材料 and the PDFs; without Chromium the PDF buttons are disabled and
the page says why (AppTest, the app as it runs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import signed_in

APP = str(Path(__file__).resolve().parent.parent / "app.py")
pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")


def _briefing(monkeypatch, url: str) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    at = signed_in(AppTest.from_file(APP, default_timeout=300))
    at.query_params["period"] = "2026-Q3"
    at.run()
    at.switch_page("pages/briefing.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _download_labels(at: AppTest) -> list[str]:
    return [element.proto.label for element in at.get("download_button")]


def test_briefing_page_offers_the_report_and_pdfs(monkeypatch, sqlite_demo_url):
    from briefing import pdf

    monkeypatch.setattr(pdf, "available", lambda: True)
    at = _briefing(monkeypatch, sqlite_demo_url)
    labels = _download_labels(at)
    for label in ("生成 PowerPoint 会议材料", "生成 Word 会议材料", "生成 Word 汇报材料（公文格式）"):
        assert label in labels
    assert "生成 PDF 会议材料" in labels and "生成 PDF 汇报材料" in labels
    assert not [b for b in at.button if b.key in ("pack_pdf_off", "report_pdf_off")]


def test_without_chromium_the_pdf_buttons_are_disabled_with_the_reason(monkeypatch, sqlite_demo_url):
    from briefing import pdf

    monkeypatch.setattr(pdf, "available", lambda: False)
    at = _briefing(monkeypatch, sqlite_demo_url)
    labels = _download_labels(at)
    assert "生成 PDF 会议材料" not in labels and "生成 Word 汇报材料（公文格式）" in labels
    disabled = {b.key: b for b in at.button if b.key in ("pack_pdf_off", "report_pdf_off")}
    assert set(disabled) == {"pack_pdf_off", "report_pdf_off"}
    assert all(b.disabled for b in disabled.values())
    assert any("未找到 Chromium" in c.value for c in at.caption)
