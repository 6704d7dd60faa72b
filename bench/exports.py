"""Benchmark: the meeting pack (PowerPoint and Word) per scale, and ten chart PNGs with a
warm kaleido server.

    python -m bench.exports [--scales 1 10]
"""

from __future__ import annotations

import argparse
import sys
import time

from bench.overview import store
from briefing import charts, images
from briefing.build import meeting_pack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    args = parser.parse_args(argv)
    rows: list[tuple[str, float]] = []
    fig = charts.bars_vs_goal(
        names=[f"区镇{i}" for i in range(11)],
        codes=[str(i) for i in range(11)],
        values=[80 + i for i in range(11)],
        targets=[85.0] * 11,
        statuses=["green", "amber", "red"] * 3 + ["green", "amber"],
        unit="%",
        title="就业安置率（%）",
    )
    # The app starts one kaleido Chromium per process and keeps it: its start (~3 s) is timed
    # alone, first, and not inside the first pack that happens to draw a chart.
    if images.available():
        started = time.perf_counter()
        images.png(fig)
        rows.append(("first PNG (starts Chromium, once per process)", time.perf_counter() - started))
    for scale in args.scales:
        _, engine = store(scale)
        for fmt in ("pptx", "docx"):
            with engine.connect() as conn:
                started = time.perf_counter()
                data, _ = meeting_pack(conn, period="2026-Q3", scope="全市", fmt=fmt)
                rows.append(
                    (f"scale {scale:g}: meeting pack {fmt} ({len(data) // 1024} KB)", time.perf_counter() - started)
                )
        engine.dispose()
    if images.available():
        started = time.perf_counter()
        for _ in range(10):
            images.png(fig)
        rows.append(("ten chart PNGs, warm server", time.perf_counter() - started))
    else:
        rows.append(("chart PNGs: no Chromium on this machine", float("nan")))
    print()
    for what, seconds in rows:
        print(f"{what:<52} {seconds:>8.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
