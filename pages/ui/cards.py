"""Headline cards: value, goal, attainment, status and change, one per KPI."""

from __future__ import annotations

import streamlit as st

from metrics import format as fmt
from metrics.attainment import STATUS_LABELS, Direction, Status
from metrics.evaluate import Figure
from metrics.periods import Period

BADGE_COLOURS = {Status.GREEN: "green", Status.AMBER: "orange", Status.RED: "red", Status.NONE: "gray"}
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


def card(figure: Figure) -> None:
    kpi = figure.kpi
    with st.container(border=True):
        st.metric(
            label=f"{kpi.short}（{kpi.unit}）",
            value=fmt.kpi_value(kpi, figure.value),
            delta=(f"{fmt.change(kpi, figure.change)} {figure.previous_label}" if figure.change is not None else None),
            delta_color=_DELTA_COLOURS[kpi.direction],
            help=f"**{kpi.label}**：{kpi.meaning}\n\n口径：{kpi.formula}\n\n责任单位：{kpi.department}；依据：实施方案{kpi.clause}",
        )
        st.badge(STATUS_LABELS[figure.status], color=BADGE_COLOURS[figure.status])
        parts = [goal_text(figure)]
        if figure.attainment is not None:
            parts.append(f"完成度 {fmt.ratio(figure.attainment)}")
        st.caption(" · ".join(parts))
        notes = [f"责任单位：{kpi.department}"]
        if figure.basis:
            notes.append(figure.basis)
        st.caption(" · ".join(notes))


def card_row(figures: list[Figure]) -> None:
    for column, figure in zip(st.columns(len(figures)), figures, strict=True):
        with column:
            card(figure)
