"""Benchmark: the 汇报材料 (Word, 公文 layout) and the PDFs of the meeting pack and the 汇报材料,
end to end as the button or the command line makes them, and by step (pack content, report
text, chart PNGs, Word writing, Chromium printing).

    python -m bench.documents [--db /tmp/demo1.db] [--period 2026-Q3]

--db: a demo store to read (copied first, never written); default the scale-1 bench store.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from briefing import html_doc, images, pdf
from briefing.build import meeting_pack
from briefing.content import build_pack
from briefing.report_docx import write_report_docx
from briefing.report_text import build_report
from briefing.section_charts import pack_pngs
from data_access.db import make_engine
from data_access.models.governance import CITY_SCOPE
from data_access.queries import reference
from metrics.domain.periods import Period


def _engine(db: str | None):
    if db is None:
        from bench.overview import store

        return store(1.0)[1], None
    tmp = Path(tempfile.mkdtemp(prefix="bench-documents-"))
    copy = tmp / "store.db"
    shutil.copyfile(db, copy)
    return make_engine(f"sqlite:///{copy}"), tmp


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="SQLite demo store to copy and read")
    parser.add_argument("--period", default="2026-Q3")
    args = parser.parse_args(argv)
    engine, tmp = _engine(args.db)
    rows: list[tuple[str, float]] = []

    def timed(what: str, fn):
        started = time.perf_counter()
        out = fn()
        rows.append((what, time.perf_counter() - started))
        return out

    try:
        with engine.connect() as conn:
            if images.available():
                timed("start the chart server (once per process)", lambda: images.png(_tiny()))
            formats = ["report"] + (["pdf", "report-pdf"] if pdf.available() else [])
            for fmt in formats:
                data, _ = timed(
                    f"{fmt}: whole, as the button makes it",
                    lambda fmt=fmt: meeting_pack(conn, period=args.period, scope="全市", fmt=fmt),
                )
                rows[-1] = (f"{rows[-1][0]} ({len(data) // 1024} KB)", rows[-1][1])
            towns = tuple(str(t["code"]) for t in reference.towns(conn))
            pack = timed(
                "  step: pack content (build_pack)",
                lambda: build_pack(conn, towns=towns, period=Period.parse(args.period), scope=CITY_SCOPE),
            )
            report = timed(
                "  step: report text (build_report)", lambda: build_report(conn, pack, towns=towns, scope=CITY_SCOPE)
            )
        pictures = timed("  step: five chart PNGs", lambda: pack_pngs(pack))
        timed("  step: Word 公文 writing", lambda: write_report_docx(report, pictures))
        if pdf.available():
            page = html_doc.report_html(report, pictures)
            timed("  step: Chromium print of the 汇报材料 (incl. text fix)", lambda: pdf.render(page))
        else:
            rows.append(("PDF: no Chromium on this machine", float("nan")))
    finally:
        engine.dispose()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    print()
    for what, seconds in rows:
        print(f"{what:<60} {seconds:>8.2f} s")
    return 0


def _tiny():
    import plotly.graph_objects as go

    return go.Figure(go.Bar(x=["a"], y=[1]))


if __name__ == "__main__":
    sys.exit(main())
