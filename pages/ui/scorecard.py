"""The town-by-KPI scorecard, each cell coloured by its status."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import format as fmt
from metrics.domain.attainment import STATUS_ICONS, STATUS_LABELS, Status
from metrics.evaluate import Figure
from metrics.registry import KPI_BY_KEY

# Light tints keep the text readable; the glyph carries the status for colour-blind readers.
TINTS = {
    Status.GREEN: "#DDEFDF",
    Status.AMBER: "#FFF1C2",
    Status.RED: "#F8D7D7",
    Status.INCOMPLETE: "#E3E7F6",
    Status.NONE: "#F1F3F5",
}


# Shorter headers so seven KPI columns fit a laptop screen beside the sidebar.
COMPACT = {"caseload_households": "监测户数", "pension_coverage": "养老覆盖率", "medical_coverage": "医保参保率"}
ROW_PX = 35  # Streamlit's data grid row height


def table_height(rows: int) -> int:
    """Exactly the rows plus the header: no empty extra row, no inner scroll bar."""
    return ROW_PX * (rows + 1) + 3


def legend() -> str:
    return "　".join(f"{STATUS_ICONS[s]} {STATUS_LABELS[s]}" for s in Status) + (
        "　（达标：完成度≥绿色门槛；接近：≥黄色门槛；门槛为系统设置项。数据不全：有部门数据未报送到期末，"
        "不作评判；“—”表示无数据或不适用）"
    )


def scorecard_frame(
    scorecard: dict[str, dict[str, Figure]], kpi_keys: tuple[str, ...], town_names: dict[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Display text and status per cell; rows are towns in their usual order."""
    columns = [f"{COMPACT.get(k, KPI_BY_KEY[k].short)}（{KPI_BY_KEY[k].unit}）" for k in kpi_keys]
    text_rows, status_rows, index = [], [], []
    for town, figures in scorecard.items():
        index.append(town_names.get(town, town))
        text_rows.append(
            [
                f"{STATUS_ICONS[figures[k].status]} {fmt.number(figures[k].value, KPI_BY_KEY[k].decimals)}"
                for k in kpi_keys
            ]
        )
        status_rows.append([figures[k].status for k in kpi_keys])
    text = pd.DataFrame(text_rows, index=pd.Index(index, name="区镇"), columns=columns)
    statuses = pd.DataFrame(status_rows, index=text.index, columns=columns)
    return text, statuses


def show(
    scorecard: dict[str, dict[str, Figure]],
    kpi_keys: tuple[str, ...],
    town_names: dict[str, str],
    *,
    key: str = "scorecard",
) -> Figure | None:
    """Draw the scorecard; returns the figure of a clicked cell (for a follow-up), if any."""
    text, statuses = scorecard_frame(scorecard, kpi_keys, town_names)
    styled = text.style.apply(lambda col: [f"background-color: {TINTS[Status(s)]}" for s in statuses[col.name]], axis=0)
    event = st.dataframe(
        styled,
        width="stretch",
        height=table_height(len(text)),
        on_select="rerun",
        selection_mode="single-cell",
        key=key,
    )
    st.caption(legend())
    cells = event.selection.cells if event is not None else []
    if not cells:
        return None
    row, column = cells[0]
    columns = list(text.columns)
    if column not in columns or not 0 <= row < len(scorecard):
        return None
    town = list(scorecard)[row]
    return scorecard[town][kpi_keys[columns.index(column)]]
