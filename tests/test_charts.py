"""briefing.charts as a reader sees the figure: what its legend explains and where it sits."""

from __future__ import annotations

from briefing import charts
from metrics.domain.attainment import STATUS_COLOURS, STATUS_LABELS, Status

TOWNS = ["昆山开发区", "昆山高新区", "花桥经济开发区", "巴城镇", "周市镇"]


def _goal_bars(n: int, statuses: list[str]):
    names = (TOWNS * 10)[:n]
    return charts.bars_vs_goal(
        names=names,
        codes=[str(i) for i in range(n)],
        values=[70.0 + i for i in range(n)],
        targets=[80.0] * n,
        statuses=statuses,
        unit="%",
        title="期末就业安置率",
    )


def _legend(fig) -> dict[str, str | None]:
    """Each legend entry a reader sees: its label and its colour (None: a line)."""
    return {
        t.name: (t.marker.color if t.type == "bar" else None) for t in fig.data if t.showlegend is not False and t.name
    }


def test_the_legend_explains_each_status_colour_that_occurs_and_the_goal():
    fig = _goal_bars(5, [Status.GREEN, Status.AMBER, Status.RED, Status.AMBER, Status.GREEN])
    assert _legend(fig) == {
        STATUS_LABELS[Status.GREEN]: STATUS_COLOURS[Status.GREEN],
        STATUS_LABELS[Status.AMBER]: STATUS_COLOURS[Status.AMBER],
        STATUS_LABELS[Status.RED]: STATUS_COLOURS[Status.RED],
        "目标": None,
    }
    # The legend's entries hold no value, so they draw nothing, and with bars overlaid they
    # take no slot beside each unit's bar (which would make the bars thin).
    values = [t for t in fig.data if t.type == "bar" and t.showlegend is not False]
    assert all(v is None for t in values for v in t.y)
    assert fig.layout.barmode == "overlay"


def test_with_few_units_the_legend_sits_beside_the_plot_not_under_slanted_names():
    fig = _goal_bars(5, [Status.GREEN] * 5)
    assert fig.layout.legend.orientation == "v"
    assert fig.layout.legend.x > 1  # right of the plot area
    many = _goal_bars(30, [Status.NONE] * 30)  # a town's villages: horizontal bars, names level
    assert many.data[0].orientation == "h"
    assert set(_legend(many)) == {"目标"}  # no goal status to explain
