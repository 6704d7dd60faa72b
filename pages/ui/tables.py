"""Plain tables sized to show every row (up to a limit), so a meeting sees the whole list."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

ROW_PX = 35
MAX_HEIGHT = 600


def table(title: str, frame: pd.DataFrame, *, export_frame: pd.DataFrame | None = None, **kwargs: object) -> None:
    """Draw a table and offer it in the page's Excel export under `title` (export_frame, when
    given, is what the export gets instead: lists are exported masked)."""
    from pages.ui import exports

    exports.collect(title, frame if export_frame is None else export_frame)
    height = min(ROW_PX * (len(frame) + 1) + 3, MAX_HEIGHT)
    config = column_formats(frame) | dict(kwargs.pop("column_config", None) or {})
    st.dataframe(
        frame, hide_index=True, width="stretch", height=height, column_config=config, placeholder=MISSING, **kwargs
    )


MISSING = "—"  # one mark for a missing value everywhere; the reason is in the caption or card


def column_formats(frame: pd.DataFrame) -> dict[str, Any]:
    """How the numbers show: with thousands separators (units are in the headers), formatted
    in the browser, so the numbers stay numbers and columns sort. (A pandas Styler did this
    before at ~6 ms a table on every rerun; the missing mark is st.dataframe's placeholder.)"""
    return {
        str(column): st.column_config.NumberColumn(format=number_format(frame[column], str(column)))
        for column in frame.columns
        if pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
    }


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
