"""Once per server process: keep Python's cycle collector off what start-up built.

After the first page has run, the imported libraries (plotly's validators, pandas, Streamlit)
are ~230,000 long-lived objects. Every full collection walked all of them: ~0.12 s of a
0.45 s page rerun (bench.pages, profiled). Frozen, they are never walked again; young
objects are collected less often, as long-running Python servers commonly do.
"""

from __future__ import annotations

import gc

_settled = False


def settle_once() -> None:
    global _settled
    if _settled:
        return
    _settled = True
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
