"""Plain tables sized to show every row (up to a limit), so a meeting sees the whole list."""

from __future__ import annotations

import pandas as pd
import streamlit as st

ROW_PX = 35
MAX_HEIGHT = 600


def table(title: str, frame: pd.DataFrame, *, export_frame: pd.DataFrame | None = None, **kwargs: object) -> None:
    """Draw a table and offer it in the page's Excel export under `title` (export_frame, when
    given, is what the export gets instead: lists are exported masked)."""
    from pages.ui import exports

    exports.collect(title, typed(frame if export_frame is None else export_frame))
    height = min(ROW_PX * (len(frame) + 1) + 3, MAX_HEIGHT)
    st.dataframe(display(frame), hide_index=True, width="stretch", height=height, **kwargs)


MISSING = "—"  # one mark for a missing value everywhere; the reason is in the caption or card


def display(frame: pd.DataFrame):
    """The frame as shown: numbers with thousands separators (units are in the headers), a
    missing value as "—" (never None or nan); the numbers stay numbers, so columns sort."""
    formats = {
        column: "{:," + number_format(frame[column], str(column)).removeprefix("%,") + "}"
        for column in frame.columns
        if pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
    }
    formats = {c: f.replace("{:,d}", "{:,.0f}") for c, f in formats.items()}
    return frame.style.format(formats, na_rep=MISSING).format(
        na_rep=MISSING, subset=[c for c in frame.columns if c not in formats]
    )


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts held as floats (a missing value makes a column float) back to integers, so an
    export shows 805, not 805.0."""
    out = frame.copy()
    for column in out.columns:
        if _whole(out[column]):
            out[column] = out[column].round().astype("Int64")
    return out


def number_format(series: pd.Series, header: str) -> str:
    """Integers with separators; money with 2 decimals; other decimals with 1."""
    if pd.api.types.is_integer_dtype(series) or _whole(series):
        return "%,d"
    return "%,.2f" if "元" in header else "%,.1f"


def _whole(series: pd.Series) -> bool:
    """A float column that holds counts only (e.g. after a missing value made it float)."""
    values = series.dropna()
    return (
        pd.api.types.is_float_dtype(series)
        and len(values) > 0
        and bool((values == values.round()).all())
        and ("率" not in str(series.name) and "%" not in str(series.name) and "元" not in str(series.name))
    )
