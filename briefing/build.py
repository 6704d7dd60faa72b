"""One entry point for the meeting pack: resolve period and scope, build, write."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from briefing import html_doc, pdf
from briefing.content import build_pack
from briefing.docx_pack import write_docx
from briefing.pptx_pack import write_pptx
from briefing.report_docx import write_report_docx
from briefing.report_text import build_report
from briefing.section_charts import pack_pngs
from data_access.models.governance import CITY_SCOPE
from data_access.queries import reference
from metrics.domain.periods import Period, PeriodError
from metrics.what_if import Scenario

CITY_NAMES = {"全市", "昆山市", "city", CITY_SCOPE}
# --format: what each produces (document, extension). The meeting pack comes as slides, Word or
# PDF; the 汇报材料 (the written report in 公文 layout) as Word or PDF.
FORMATS = {
    "pptx": ("会议材料", "pptx"),
    "docx": ("会议材料", "docx"),
    "pdf": ("会议材料", "pdf"),
    "report": ("汇报材料", "docx"),
    "report-pdf": ("汇报材料", "pdf"),
}
PDF_FORMATS = frozenset(k for k, (_, ext) in FORMATS.items() if ext == "pdf")


class PackError(ValueError):
    """A request the pack cannot be built for (unknown period or town)."""


def resolve_scope(conn: Connection, scope: str, visible: tuple[str, ...] | None = None) -> str:
    scope = scope.strip()
    if scope in CITY_NAMES:
        return CITY_SCOPE
    for town in reference.towns(conn):
        if scope in (town["code"], town["name"], town["short_name"]):
            code = str(town["code"])
            if visible is not None and code not in visible:
                raise PackError(f"无权查看“{scope}”")
            return code
    raise PackError(f"未知的区镇“{scope}”：请用“全市”或区镇名称/代码，如 巴城镇、320583101000")


def meeting_pack(
    conn: Connection,
    *,
    period: str,
    scope: str,
    fmt: str,
    towns: tuple[str, ...] | None = None,
    scenario: Scenario | None = None,
) -> tuple[bytes, str]:
    """(file bytes, suggested file name) for a period like 2025-Q3 and a scope like 全市.

    `scenario`: a 政策测算 the user added on /policy; the pack gets a slide (section) for it.

    PDF formats raise pdf.PdfUnavailable (a Chinese message) when Chromium is missing or fails."""
    if fmt not in FORMATS:
        raise PackError(f"不支持的格式“{fmt}”：请用 {'、'.join(FORMATS)}")
    if fmt in PDF_FORMATS and not pdf.available():
        raise pdf.PdfUnavailable(pdf.HOW_TO_ENABLE)  # before the costly build
    try:
        parsed = Period.parse(period)
    except PeriodError as exc:
        raise PackError(str(exc)) from exc
    visible = towns or tuple(str(t["code"]) for t in reference.towns(conn))
    code = resolve_scope(conn, scope, visible)
    feeds = reference.feeds(conn)
    if feeds and parsed.start > max(f["data_date"] for f in feeds):
        raise PackError(f"{parsed.label}尚无数据（数据截至 {max(f['data_date'] for f in feeds):%Y-%m-%d}）")
    pack = build_pack(conn, towns=visible, period=parsed, scope=code, scenario=scenario)
    what, extension = FORMATS[fmt]
    name = pack.meta.file_name(what, extension)
    if fmt == "pptx":
        return write_pptx(pack), name
    if fmt == "docx":
        return write_docx(pack), name
    if fmt == "pdf":
        return pdf.render(html_doc.pack_html(pack, pack_pngs(pack))), name
    report = build_report(conn, pack, towns=visible, scope=code)
    if fmt == "report":
        return write_report_docx(report), name
    return pdf.render(html_doc.report_html(report, pack_pngs(pack))), name
