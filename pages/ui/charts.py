"""Plotly figures with one look: CJK fonts, units on axes, status colours, goal lines."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go

from metrics.attainment import STATUS_COLOURS

# Fonts tried in order: the server's Noto CJK (Debian fonts-noto-cjk), then common desktop ones.
FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
VALUE_COLOUR = "#1F5FAD"
GOAL_COLOUR = "#5F6B7A"


def base_layout(fig: go.Figure, *, title: str, y_title: str, height: int = 380) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 16}},
        font={"family": FONT_FAMILY, "size": 13, "color": "#1F2933"},
        height=height,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        plot_bgcolor="white",
        paper_bgcolor="white",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1},
        hoverlabel={"font": {"family": FONT_FAMILY}},
        separators=".,",
    )
    fig.update_yaxes(title_text=y_title, gridcolor="#E5E9F0", zerolinecolor="#CBD2D9", tickformat=",")
    fig.update_xaxes(showgrid=False, linecolor="#CBD2D9")
    return fig


def trend_with_goal(
    *, months: list[date], values: list[float | None], targets: list[float | None], label: str, unit: str, title: str
) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=months,
            y=values,
            name=label,
            mode="lines+markers",
            line={"color": VALUE_COLOUR, "width": 3},
            marker={"size": 6},
            hovertemplate=f"%{{x|%Y年%m月}}<br>{label}：%{{y:,.0f}} {unit}<extra></extra>",
        )
    )
    if any(t is not None for t in targets):
        fig.add_trace(
            go.Scatter(
                x=months,
                y=targets,
                name="目标",
                mode="lines",
                line={"color": GOAL_COLOUR, "width": 2, "dash": "dash", "shape": "hv"},
                hovertemplate=f"%{{x|%Y年%m月}}<br>目标：%{{y:,.0f}} {unit}<extra></extra>",
            )
        )
    fig = base_layout(fig, title=title, y_title=unit)
    fig.update_xaxes(tickformat="%Y-%m", dtick="M3")
    return fig


def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, STATUS_COLOURS["none"])  # type: ignore[index]


def plotly_config(filename: str) -> dict[str, object]:
    """The browser's own download: PNG at 2x, named for the briefing."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    }
