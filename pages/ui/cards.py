"""Headline cards: value, goal, attainment, status and change, one per KPI."""

from __future__ import annotations

import streamlit as st

from metrics import format as fmt
from metrics.domain.attainment import STATUS_LABELS, Direction, Status
from metrics.domain.periods import Period
from metrics.evaluate import Figure

BADGE_COLOURS = {
    Status.GREEN: "green",
    Status.AMBER: "orange",
    Status.RED: "red",
    Status.INCOMPLETE: "blue",
    Status.NONE: "gray",
}
_DELTA_COLOURS = {Direction.HIGHER: "normal", Direction.LOWER: "inverse", Direction.NEUTRAL: "off"}


def goal_text(figure: Figure) -> str:
    kpi = figure.kpi
    if figure.target is None:
        return "未设定目标"
    text = f"目标 {fmt.kpi_value(kpi, figure.target)}"
    if figure.goal is not None and figure.goal_period and abs(figure.goal - figure.target) > 1e-9:
        label = Period.parse(figure.goal_period).label
        text += f"（{label}目标 {fmt.kpi_value(kpi, figure.goal)}，按进度折算）"
    return text


def card(figure: Figure, *, reconcile: str | None = None, remark: str | None = None) -> None:
    """One headline figure; `reconcile` says how it relates to the tables beside it."""
    kpi = figure.kpi
    with st.container(border=True):
        change = figure.change
        flat = change is not None and round(change, 1) == 0
        help_text = (
            f"**{kpi.label}**：{kpi.meaning}\n\n口径：{kpi.formula}\n\n"
            f"责任单位：{kpi.department}；依据：实施方案{kpi.clause}"
        )
        if reconcile:
            help_text += f"\n\n与本页表格的关系：{reconcile}"
        st.metric(
            label=f"{kpi.short}（{kpi.unit}）",
            value=fmt.kpi_value(kpi, figure.value) if figure.value is not None else f"—（{figure.value_reason}）",
            delta=None if change is None else ("持平" if flat else fmt.change(kpi, change)),
            delta_description=figure.previous_label if change is not None else None,
            delta_color="off" if flat else _DELTA_COLOURS[kpi.direction],
            delta_arrow="off" if flat else "auto",
            help=help_text,
        )
        # Badge and goal are fixed words and figures: no imported text reaches Markdown here.
        badge = f":{BADGE_COLOURS[figure.status]}-badge[{STATUS_LABELS[figure.status]}]"
        line = goal_text(figure) if figure.target is not None and figure.status is not Status.NONE else ""
        if figure.attainment is not None and figure.status is not Status.INCOMPLETE:
            line += f" · 完成度 {fmt.ratio(figure.attainment)}"
        st.markdown(f"{badge} {line}" if line else badge)
        notes = []
        if figure.incomplete:
            notes.append(figure.incomplete)
        if figure.change_on_last_year is not None:
            notes.append(f"{figure.last_year_label} {fmt.change(kpi, figure.change_on_last_year)}")
        if figure.basis:
            notes.append(figure.basis)
        notes.append(kpi.department)
        st.caption(" · ".join(notes))
        if remark:
            st.caption(f":blue[{remark}]")  # already Markdown-safe (pages.ui.remarks)


def card_row(
    figures: list[Figure],
    *,
    per_row: int = 4,
    reconcile: dict[str, str] | None = None,
    remarks: dict[str, str] | None = None,
) -> None:
    reconcile = reconcile or {}
    remarks = remarks or {}
    for start in range(0, len(figures), per_row):
        chunk = figures[start : start + per_row]
        for column, figure in zip(st.columns(per_row), chunk, strict=False):
            with column:
                card(figure, reconcile=reconcile.get(figure.kpi.key), remark=remarks.get(figure.kpi.key))
