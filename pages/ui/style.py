"""The app's one stylesheet: headline figures and labels wrap instead of being cut off, on a
tablet (1024 px), a laptop (1440 px) and a meeting-room screen (1920 px).

A fixed constant, never built from data (tests check that no page renders data as HTML).
"""

from __future__ import annotations

import streamlit as st

CSS = """
<style>
/* Headline values shrink with the window and wrap rather than end in "…". */
[data-testid="stMetricValue"] { font-size: clamp(1.35rem, 0.8rem + 1.1vw, 2.1rem); overflow: visible; }
[data-testid="stMetric"] [data-testid="stMarkdownContainer"],
[data-testid="stMetric"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMetricDelta"] div {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: anywhere;
}
[data-testid="stMetricDelta"] { flex-wrap: wrap; height: auto; }
/* A row of headline cards wraps to two per row on a tablet instead of squeezing four. */
[data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]) { flex-wrap: wrap; }
[data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]) > [data-testid="stColumn"] {
  min-width: 210px;
}
/* The file uploader in Chinese (Streamlit has no setting for its words). */
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "选择文件"; font-size: 0.875rem;
}
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: "或将文件拖放到此处；单个文件不超过 50MB（.xlsx、.csv）"; font-size: 0.8rem;
}
/* Download buttons keep their whole label. */
[data-testid="stDownloadButton"] button p, [data-testid="stButton"] button p { white-space: nowrap; }
</style>
"""


def apply() -> None:
    st.html(CSS)
