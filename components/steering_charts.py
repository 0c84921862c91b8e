"""The charts of network steering (Altair, the one theme). Each takes a table already labelled
in the reader's language; the page shows that same table under the chart."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from components.charts import PALETTE, themed
from components.ui import t_text

# Beyond this many territories a chart stops being readable: it shows the first ones and
# the page says so; the table below it holds every territory.
CHART_ROWS = 60
_ROW_PX = 22
_ZERO = "#E4E4E4"  # an empty cell: visible on the page's background, clearly "nothing"
_MISSING = PALETTE[5]  # orange: a voice that was not heard


def grid(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    value: str,
    x_order: list[str],
    y_order: list[str],
    zero_colour: str = _ZERO,
) -> None:
    """A heatmap: one cell per (y, x), darker with ``value``, ``zero_colour`` where it is 0."""
    base = alt.Chart(data).encode(
        x=alt.X(
            f"{x}:O",
            title=None,
            sort=x_order,
            axis=alt.Axis(labelAngle=-45, orient="top", labelLimit=120, labelOverlap=False),
        ),
        # Names cut at 150 px: on a phone the cells keep room to be seen.
        y=alt.Y(f"{y}:N", title=None, sort=y_order, axis=alt.Axis(labelLimit=150, labelOverlap=False)),
        tooltip=[alt.Tooltip(f"{y}:N"), alt.Tooltip(f"{x}:O"), alt.Tooltip(f"{value}:Q")],
    )
    filled = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.condition(
            alt.datum[value] > 0,
            alt.Color(f"{value}:Q", scale=alt.Scale(scheme="blues"), legend=alt.Legend(orient="bottom")),
            alt.value(zero_colour),
        )
    )
    chart = filled.properties(height=alt.Step(_ROW_PX))
    st.altair_chart(themed(chart, t_text("charts.grid", value=value, rows=y, columns=x)), width="stretch")


def bars(data: pd.DataFrame, *, category: str, value: str, order: list[str]) -> None:
    """Horizontal bars, one per category, in ``order``."""
    chart = (
        alt.Chart(data)
        .mark_bar(color=PALETTE[0])
        .encode(
            x=alt.X(f"{value}:Q", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y(
                f"{category}:N", title=None, sort=order, axis=alt.Axis(labelLimit=150, labelOverlap=False)
            ),
            tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{value}:Q")],
        )
        .properties(height=alt.Step(_ROW_PX))
    )
    st.altair_chart(themed(chart, t_text("charts.bars", value=value, category=category)), width="stretch")


def stacked_bars(
    data: pd.DataFrame, *, category: str, part: str, value: str, order: list[str], parts: list[str]
) -> None:
    """Horizontal bars split into coloured parts (one colour per respondent role)."""
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(f"sum({value}):Q", title=value, axis=alt.Axis(tickMinStep=1)),
            y=alt.Y(
                f"{category}:N", title=None, sort=order, axis=alt.Axis(labelLimit=150, labelOverlap=False)
            ),
            color=alt.Color(
                f"{part}:N",
                title=None,
                scale=alt.Scale(domain=parts, range=PALETTE[: len(parts)]),
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=320),
            ),
            tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{part}:N"), alt.Tooltip(f"{value}:Q")],
        )
        .properties(height=alt.Step(_ROW_PX))
    )
    st.altair_chart(
        themed(chart, t_text("charts.stacked", value=value, category=category, part=part)), width="stretch"
    )


MISSING_COLOUR = _MISSING
