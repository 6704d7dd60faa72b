"""Plotly figures with one look: CJK fonts, units on axes, status colours, goal lines."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go

from metrics.domain.attainment import STATUS_COLOURS, STATUS_LABELS, Status

# Fonts tried in order: the server's Noto CJK (Debian fonts-noto-cjk), then common desktop ones.
FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
VALUE_COLOUR = "#1F5FAD"
HORIZONTAL_FROM = 12  # more categories than this: horizontal bars instead of rotated labels
GOAL_COLOUR = "#5F6B7A"


def base_layout(fig: go.Figure, *, title: str, y_title: str, height: int = 380) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 16}},
        font={"family": FONT_FAMILY, "size": 13, "color": "#1F2933"},
        height=height,
        # A second title line (a period under a title too long for half a page) needs room
        # above the unit label.
        margin={"l": 60, "r": 20, "t": 60 + 22 * title.count("<br>"), "b": 90},
        plot_bgcolor="white",
        paper_bgcolor="white",
        # Legends under the plot: above it they collide with long Chinese titles.
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0},
        hoverlabel={"font": {"family": FONT_FAMILY}},
        separators=".,",
    )
    fig.update_yaxes(gridcolor="#E5E9F0", zerolinecolor="#CBD2D9", tickformat=",")
    fig.update_xaxes(showgrid=False, linecolor="#CBD2D9")
    if y_title:
        unit_label(fig, y_title)
    return fig


def stamped(fig: go.Figure, context_line: str) -> go.Figure:
    """A copy for export that carries its context inside the image: scope, period, data date
    and the demo mark (a file name alone is lost once the image is pasted into a slide)."""
    out = go.Figure(fig)
    margin = out.layout.margin
    bottom = (margin.b if margin and margin.b is not None else 90) + 28
    out.update_layout(margin={"b": bottom})
    out.add_annotation(
        text=context_line,
        xref="paper",
        yref="paper",
        x=1.0,
        y=0,
        yshift=-bottom + 8,
        xanchor="right",
        yanchor="bottom",
        showarrow=False,
        font={"size": 12, "color": "#C62828" if "演示数据" in context_line else "#5F6B7A"},
    )
    return out


def unit_label(fig: go.Figure, unit: str) -> None:
    """The value axis unit, written level above the plot: a rotated axis title turns
    Chinese characters on their side."""
    fig.add_annotation(
        text=f"单位：{unit}",
        xref="paper",
        yref="paper",
        x=0,
        y=1.0,
        xanchor="left",
        yanchor="bottom",
        showarrow=False,
        font={"size": 12, "color": "#5F6B7A"},
    )


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
    fig.update_yaxes(rangemode="tozero")  # a count's axis starts at zero: no exaggerated change
    return fig


def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, STATUS_COLOURS["none"])


def plotly_config(filename: str) -> dict[str, object]:
    """The browser's own download: PNG at 2x, named for the briefing."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    }


# Category colours, the same on every page. Status colours (red/amber/green) are kept for
# status only, so a category is never read as good or bad.
GROUP_COLOURS = {"floor": "#1F5FAD", "monitored": "#8DB3E2"}
RELIEF_COLOURS = {
    "living": "#1F5FAD",
    "temporary": "#8DB3E2",
    "medical": "#8E5EA2",
    "education": "#F28E2B",
    "housing": "#4E9F9A",
    "legal": "#9C755F",
    "insurance": "#B5A642",
}
CHANNEL_COLOURS = {"employer": "#1F5FAD", "flexible": "#F28E2B", "public_welfare": "#8E5EA2", "cooperative": "#4E9F9A"}
STAGE_COLOURS = {"village": "#8DB3E2", "town": "#1F5FAD", "city": "#5F6B7A"}


def stacked_bars(
    *,
    names: list[str],
    codes: list[str],
    series: list[tuple[str, list[float], str]],
    unit: str,
    title: str,
    horizontal: bool = False,
    goal: float | None = None,
    decimals: int = 0,
) -> go.Figure:
    """One bar per unit, stacked by category; customdata carries the unit code for drill-down.

    Many units (a town's villages) are drawn horizontally: rotated names collide."""
    horizontal = horizontal or len(names) > HORIZONTAL_FROM
    fig = go.Figure()
    name_axis, value_axis = ("y", "x") if horizontal else ("x", "y")
    for label, values, colour in series:
        bar = {"y": names, "x": values, "orientation": "h"} if horizontal else {"x": names, "y": values}
        hover = f"%{{{name_axis}}}<br>{label}：%{{{value_axis}:,.{decimals}f}} {unit}<extra></extra>"
        fig.add_trace(go.Bar(name=label, marker_color=colour, customdata=codes, hovertemplate=hover, **bar))
    fig.update_layout(barmode="stack", clickmode="event+select", bargap=0.35)
    if goal is not None:
        if horizontal:
            fig.add_vline(
                x=goal, line_dash="dash", line_color=GOAL_COLOUR, annotation_text=f"目标 {goal:,.{decimals}f}{unit}"
            )
        else:
            fig.add_hline(
                y=goal, line_dash="dash", line_color=GOAL_COLOUR, annotation_text=f"目标 {goal:,.{decimals}f}{unit}"
            )
    fig = base_layout(
        fig,
        title=title,
        y_title="" if horizontal else unit,
        height=max(380, 28 * len(names) + 120) if horizontal else 400,
    )
    if horizontal:
        fig.update_xaxes(tickformat=",")
        fig.update_yaxes(autorange="reversed", tickformat="")
        unit_label(fig, unit)
    return fig


def bars_vs_goal(
    *,
    names: list[str],
    codes: list[str],
    values: list[float | None],
    targets: list[float | None],
    statuses: list[str],
    unit: str,
    title: str,
    decimals: int = 1,
    reference: tuple[float, str] | None = None,
) -> go.Figure:
    """Each unit's value coloured by its status, with its own goal as a marker; `reference`
    draws one line for all units (e.g. the town's goal across its villages).

    Many units (a town's villages) get horizontal bars: names stay level and readable.
    Units without goals are drawn in the plain value colour and the legend lists only the
    statuses that occur."""
    fig = go.Figure()
    horizontal = len(names) > HORIZONTAL_FROM
    judged = {s for s in statuses if s not in (Status.NONE, "none")}
    colours = [status_colour(s) if judged else VALUE_COLOUR for s in statuses]

    def axes(cats: list[str], vals: list[float | None]) -> dict[str, object]:
        return {"y": cats, "x": vals, "orientation": "h"} if horizontal else {"x": cats, "y": vals}

    name_ref, value_ref = ("%{y}", "%{x") if horizontal else ("%{x}", "%{y")
    fig.add_trace(
        go.Bar(
            customdata=codes,
            name="实际",
            showlegend=False,
            marker_color=colours,
            hovertemplate=f"{name_ref}<br>实际：{value_ref}:,.{decimals}f}} {unit}<extra></extra>",
            **axes(names, values),
        )
    )
    # The legend explains the colours (status), not the trace.
    for status in (Status.GREEN, Status.AMBER, Status.RED, Status.INCOMPLETE):
        if status in judged:
            fig.add_trace(
                go.Bar(
                    name=STATUS_LABELS[status],
                    marker_color=STATUS_COLOURS[status],
                    hoverinfo="skip",
                    # One empty value: a trace with no points at all is left out of the legend.
                    **axes(names[:1], [None]),
                )
            )
    if any(t is not None for t in targets):
        fig.add_trace(
            go.Scatter(
                mode="markers",
                name="目标",
                marker={
                    "symbol": "line-ns" if horizontal else "line-ew",
                    "size": 18 if horizontal else 28,
                    "line": {"width": 3, "color": GOAL_COLOUR},
                },
                hovertemplate=f"{name_ref}<br>目标：{value_ref}:,.{decimals}f}} {unit}<extra></extra>",
                **axes(names, targets),
            )
        )
    # Overlaid: the legend's status traces hold no value and must not take a slot beside each bar.
    fig.update_layout(clickmode="event+select", bargap=0.35, barmode="overlay")
    if reference is not None:
        value, label = reference
        line = {
            "line_dash": "dash",
            "line_color": GOAL_COLOUR,
            "annotation_text": f"{label} {value:,.{decimals}f}{unit}",
        }
        if horizontal:
            fig.add_vline(x=value, **line)
        else:
            fig.add_hline(y=value, **line)
    if not horizontal:
        fig = base_layout(fig, title=title, y_title=unit)
        # On a narrow page the names are drawn slanted and run into a legend under the plot.
        fig.update_layout(legend={"orientation": "v", "x": 1.01, "xanchor": "left", "y": 1, "yanchor": "top"})
        return fig
    fig = base_layout(fig, title=title, y_title="", height=max(380, 26 * len(names) + 140))
    fig.update_yaxes(autorange="reversed", tickformat="")
    fig.update_xaxes(tickformat=",", rangemode="tozero")
    unit_label(fig, unit)
    return fig


def cooperative_targets(
    *, names: list[str], growth: list[float | None], share: list[float | None], met: list[bool], title: str
) -> go.Figure:
    """Every cooperative against 五.2: dividend growth (x) and share of net income (y), with
    the 5 % and 30 % lines; a cooperative meets the target right of or above a line."""
    fig = go.Figure()
    for ok, label, colour in (
        (True, "达标", STATUS_COLOURS[Status.GREEN]),
        (False, "未达标", STATUS_COLOURS[Status.RED]),
    ):
        idx = [i for i, m in enumerate(met) if m is ok]
        fig.add_trace(
            go.Scatter(
                x=[growth[i] if growth[i] is not None else 0 for i in idx],
                y=[share[i] if share[i] is not None else 0 for i in idx],
                text=[names[i] for i in idx],
                mode="markers",
                name=label,
                marker={"size": 10, "color": colour, "line": {"width": 1, "color": "white"}},
                hovertemplate="%{text}<br>红利增长：%{x:.1f}%<br>占净收益：%{y:.1f}%<extra></extra>",
            )
        )
    fig.add_vline(x=5, line_dash="dash", line_color=GOAL_COLOUR, annotation_text="增长 5%")
    fig.add_hline(y=30, line_dash="dash", line_color=GOAL_COLOUR, annotation_text="占净收益 30%")
    fig = base_layout(fig, title=title, y_title="占净收益 %")
    fig.update_xaxes(title={"text": "红利较上年增长（%）"}, ticksuffix="%", zeroline=True)
    fig.update_yaxes(ticksuffix="%", rangemode="tozero")
    return fig


def dots_with_goal(
    *,
    names: list[str],
    codes: list[str],
    series: list[tuple[str, list[float | None], str]],
    goal: float,
    unit: str,
    title: str,
    decimals: int = 1,
) -> go.Figure:
    """Several rates per unit as dots against one goal line (coverage: goal 100 %). Many units
    (a town's villages) are drawn with the names down the side: rotated names collide."""
    horizontal = len(names) > HORIZONTAL_FROM
    fig = go.Figure()
    for label, values, colour in series:
        where = {"y": names, "x": values} if horizontal else {"x": names, "y": values}
        name_axis, value_axis = ("y", "x") if horizontal else ("x", "y")
        fig.add_trace(
            go.Scatter(
                **where,
                customdata=codes,
                mode="markers",
                name=label,
                marker={"size": 13, "color": colour, "line": {"width": 1, "color": "white"}},
                hovertemplate=f"%{{{name_axis}}}<br>{label}：%{{{value_axis}:,.{decimals}f}}{unit}<extra></extra>",
            )
        )
    fig.update_layout(clickmode="event+select")
    if not horizontal:
        fig.add_hline(y=goal, line_dash="dash", line_color=GOAL_COLOUR, annotation_text=f"目标 {goal:g}{unit}")
        return base_layout(fig, title=title, y_title=unit, height=420)
    fig.add_vline(x=goal, line_dash="dash", line_color=GOAL_COLOUR, annotation_text=f"目标 {goal:g}{unit}")
    fig = base_layout(fig, title=title, y_title="", height=max(420, 28 * len(names) + 120))
    fig.update_yaxes(autorange="reversed", tickformat="", showgrid=False)
    fig.update_xaxes(showgrid=True, gridcolor="#E5E9F0", tickformat=",")
    unit_label(fig, unit)
    return fig
