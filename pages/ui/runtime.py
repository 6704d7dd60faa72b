"""Once per server process: keep Python's cycle collector off what start-up built.

After the first page has run, the imported libraries (plotly's validators, pandas, Streamlit)
are ~230,000 long-lived objects. Every full collection walked all of them: ~0.12 s of a
0.45 s page rerun (bench.pages, profiled). Frozen, they are never walked again; young
objects are collected less often, as long-running Python servers commonly do.
"""

from __future__ import annotations

import gc
import os
import time

_settled = False
# bench.clicks sets this: each script run appends its wall-clock start and end, so the bench can
# tell the server's time from the browser's (both share one machine there).
_RUN_LOG = os.environ.get("KD_RUN_LOG")


def settle_once() -> None:
    global _settled
    if _settled:
        return
    _settled = True
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def log_run(started: float) -> None:
    """Record one script run (start and end, seconds since the epoch) when KD_RUN_LOG is set."""
    if _RUN_LOG:
        with open(_RUN_LOG, "a", encoding="utf-8") as out:
            out.write(f"{started:.4f}\t{time.time():.4f}\n")
