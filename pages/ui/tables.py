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

    exports.collect(title, frame if export_frame is None else export_frame)
    height = min(ROW_PX * (len(frame) + 1) + 3, MAX_HEIGHT)
    # Thousands separators on every number column (units are in the headers).
    config = {
        column: st.column_config.NumberColumn(format=number_format(frame[column], str(column)))
        for column in frame.columns
        if pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
    }
    config.update(kwargs.pop("column_config", {}) or {})  # type: ignore[arg-type]
    st.dataframe(frame, hide_index=True, width="stretch", height=height, column_config=config, **kwargs)


def number_format(series: pd.Series, header: str) -> str:
    """Integers with separators; money with 2 decimals; other decimals with 1."""
    if pd.api.types.is_integer_dtype(series):
        return "%,d"
    return "%,.2f" if "元" in header else "%,.1f"
