"""Each pack section's chart as a PNG stamped with its context, shared by the Word and PDF writers."""

from __future__ import annotations

from briefing import charts, images
from briefing.content import Pack, Section

WIDTH, HEIGHT = 1100, 480  # the Word meeting pack
DOCUMENT_SIZE = (900, 480)  # 汇报材料 and PDFs: narrower, so labels stay legible on a phone


def section_png(section: Section, context_line: str, size: tuple[int, int] = (WIDTH, HEIGHT)) -> bytes | None:
    """None when the server cannot draw images (no Chromium): the writers say so in the text."""
    chart = section.chart
    fig = charts.bars_vs_goal(
        names=chart.categories,
        codes=chart.categories,
        values=chart.values,
        targets=chart.targets,
        statuses=chart.statuses,
        unit=chart.kpi.unit,
        title=chart.title,
        decimals=chart.kpi.decimals,
    )
    try:
        return images.png(charts.stamped(fig, context_line), width=size[0], height=size[1])
    except images.ImagesUnavailable:
        return None


def pack_pngs(pack: Pack, size: tuple[int, int] = DOCUMENT_SIZE) -> list[bytes | None]:
    return [section_png(section, pack.meta.context_line, size) for section in pack.sections]
