"""Charts of a territory's journey, each followed by the same data as a table.

The radar is drawn as lines in polar coordinates computed by ``lib.domain.journey``
(Vega-Lite has no radial line mark): rings for levels 1–4, one spoke per axis, then one
closed line per assessment. With four axes this stays readable, and it is the picture the
network already uses; the table underneath gives the exact figures.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from components.charts import PALETTE, themed
from components.kpi import Kpi, kpi_cards
from components.ui import format_date, format_score, lang, t
from lib.domain import journey as domain
from lib.domain.framework import Framework
from lib.services.journey import Assessment, AxisPoint, Milestone

_UNIT = 52  # pixels per level on the radar, the same both ways so rings stay regular
_X_SPAN, _Y_SPAN = 7.5, 5.6


def _series(latest: Assessment | None, previous: Assessment | None) -> list[tuple[str, dict]]:
    series = []
    if latest is not None:
        series.append((t("journey.series.latest", date=format_date(latest.assessed_on)), latest.axis_scores))
    if previous is not None:
        series.append(
            (t("journey.series.previous", date=format_date(previous.assessed_on)), previous.axis_scores)
        )
    return series


def axis_kpis(fw: Framework, latest: Assessment | None, previous: Assessment | None) -> None:
    """One card per axis: the latest mean score and its change since the previous assessment."""
    if latest is None:
        return
    cards = []
    for axis in fw.axes:
        score = latest.axis_scores.get(axis.id)
        before = previous.axis_scores.get(axis.id) if previous else None
        delta = None if score is None or before is None else format_score(score - before, signed=True)
        value = "—" if score is None else f"{format_score(score)} / 4"
        steady = delta is not None and round(score - before, 1) == 0
        if steady:
            delta = format_score(0.0)  # never "+0,0" or "-0,0", which read as a change
        cards.append(Kpi(axis.label(lang()), value, delta, axis.description(lang()), steady=steady))
    kpi_cards(cards)


def radar(fw: Framework, latest: Assessment | None, previous: Assessment | None) -> None:
    st.subheader(t("journey.radar.title"))
    if latest is None:
        st.info(t("journey.radar.empty"))
        return
    st.caption(t("journey.radar.caption"))
    series = _series(latest, previous)
    shape = domain.radar_frame(fw, series, lang())
    rings, labels = domain.radar_frame_grid(fw, lang())
    x_scale = alt.Scale(domain=[-_X_SPAN, _X_SPAN], nice=False, zero=False)
    y_scale = alt.Scale(domain=[-_Y_SPAN, _Y_SPAN], nice=False, zero=False)
    x = alt.X("x:Q", scale=x_scale, axis=None)
    y = alt.Y("y:Q", scale=y_scale, axis=None)
    grey = "#B8C2BC"
    web = (
        alt.Chart(rings).mark_line(color=grey, strokeWidth=1).encode(x, y, detail="level:N", order="order:Q")
    )
    spokes = (
        alt.Chart(labels)
        .mark_rule(color=grey)
        .encode(
            x=alt.X("x0:Q", scale=x_scale, axis=None),
            y=alt.Y("y0:Q", scale=y_scale, axis=None),
            x2="x1",
            y2="y1",
        )
    )
    ticks = pd.DataFrame({"x": [0.12] * 4, "y": [1.0, 2.0, 3.0, 4.0], "label": ["1", "2", "3", "4"]})
    tick_text = alt.Chart(ticks).mark_text(align="left", baseline="bottom", color="#6B7A71", fontSize=10)
    layers = [web, spokes, tick_text.encode(x, y, text="label:N")]
    placement = {
        "top": {"align": "center", "baseline": "bottom", "dy": -4},
        "bottom": {"align": "center", "baseline": "top", "dy": 4},
        "right": {"align": "left", "baseline": "middle", "dx": 6},
        "left": {"align": "right", "baseline": "middle", "dx": -6},
    }
    for anchor, props in placement.items():
        layers.append(
            alt.Chart(labels[labels.anchor == anchor])
            .mark_text(lineBreak="\n", fontSize=12, fontWeight="bold", color="#1F2A24", **props)
            .encode(x, y, text="axis:N")
        )
    names = [name for name, _ in series]
    # One legend shared by every layer (a legend switched off in one layer hides it in all):
    # a short line sample per series, solid for the latest, dashed for the previous.
    legend = alt.Legend(
        title=None,
        orient="bottom",
        labelFontSize=13,
        labelLimit=400,
        symbolType="stroke",
        symbolStrokeWidth=3,
    )
    colour = alt.Color("series:N", scale=alt.Scale(domain=names, range=PALETTE[: len(names)]), legend=legend)
    dash = alt.StrokeDash(
        "series:N", scale=alt.Scale(domain=names, range=[[1, 0], [6, 4]][: len(names)]), legend=legend
    )
    tooltip = [
        alt.Tooltip("series:N", title=t("journey.col.series")),
        alt.Tooltip("axis:N", title=t("journey.col.axis")),
        alt.Tooltip("score:Q", title=t("journey.col.score"), format=".2f"),
    ]
    layers.append(alt.Chart(shape).mark_line(strokeWidth=2.5).encode(x, y, colour, dash, order="order:Q"))
    layers.append(alt.Chart(shape).mark_circle(size=80, opacity=1).encode(x, y, colour, tooltip=tooltip))
    chart = alt.layer(*layers).properties(width=int(2 * _X_SPAN * _UNIT), height=int(2 * _Y_SPAN * _UNIT))
    st.altair_chart(themed(chart), width="content")
    table = domain.axis_table(fw, series, lang()).rename(
        columns={"axis": t("journey.col.axis"), "change": t("journey.col.change")}
    )
    st.dataframe(table, hide_index=True, column_config=_score_columns(table))


def _score_columns(table: pd.DataFrame) -> dict:
    return {
        col: st.column_config.NumberColumn(col, format="localized")
        for col in table.columns
        if pd.api.types.is_numeric_dtype(table[col])
    }


def axis_history(fw: Framework, history: list[AxisPoint]) -> None:
    st.subheader(t("journey.history.title"))
    if not history:
        st.info(t("journey.history.empty"))
        return
    frame = domain.axis_history_frame(fw, history, lang())
    order = [a.label(lang()) for a in fw.axes]
    chart = (
        alt.Chart(frame)
        .mark_line(point=alt.OverlayMarkDef(size=60, filled=True), strokeWidth=2.5)
        .encode(
            x=alt.X("assessed_on:T", title=t("journey.col.date"), axis=alt.Axis(format="%m/%Y", tickCount=8)),
            y=alt.Y("score:Q", title=t("journey.col.score"), scale=alt.Scale(domain=[0, 4])),
            color=alt.Color(
                "axis:N",
                sort=order,
                title=None,
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=420),
            ),
            tooltip=[
                alt.Tooltip("assessed_on:T", title=t("journey.col.date"), format="%d/%m/%Y"),
                alt.Tooltip("axis:N", title=t("journey.col.axis")),
                alt.Tooltip("score:Q", title=t("journey.col.score"), format=".2f"),
            ],
        )
        .properties(height=320)
    )
    st.altair_chart(themed(chart), width="stretch")
    table = domain.axis_history_table(frame)
    table = table.rename(
        columns={"axis": t("journey.col.axis")} | {d: format_date(d) for d in table.columns[1:]}
    )
    st.dataframe(table, hide_index=True, column_config=_score_columns(table))


def timeline(fw: Framework, milestones: list[Milestone]) -> None:
    """The journey's phases as lanes, each milestone a dot at its date on its phase's lane."""
    st.subheader(t("journey.timeline.title"))
    if not milestones:
        st.info(t("journey.timeline.empty"))
        return
    st.caption(t("journey.timeline.caption"))
    frame = domain.milestones_frame(fw, milestones, lang())
    phases = [p.label(lang()) for p in fw.phases]
    y = alt.Y(
        "phase:N", title=None, sort=phases, scale=alt.Scale(domain=phases), axis=alt.Axis(labelLimit=260)
    )
    x = alt.X(
        "occurred_on:T",
        title=t("journey.col.date"),
        scale=alt.Scale(padding=24),  # dots at either end stay whole
        axis=alt.Axis(format="%m/%Y", tickCount=8),
    )
    colour = alt.Color("phase:N", sort=phases, legend=None)
    span = (
        alt.Chart(frame)
        .mark_rule(strokeWidth=6, opacity=0.35)
        .encode(y=y, x=alt.X("min(occurred_on):T", scale=alt.Scale(padding=24)), x2="max(occurred_on):T")
        .encode(color=colour)
    )
    dots = (
        alt.Chart(frame)
        .mark_circle(size=140, opacity=1)
        .encode(
            x=x,
            y=y,
            color=colour,
            tooltip=[
                alt.Tooltip("occurred_on:T", title=t("journey.col.date"), format="%d/%m/%Y"),
                alt.Tooltip("title:N", title=t("journey.col.title")),
                alt.Tooltip("phase:N", title=t("journey.col.phase")),
                alt.Tooltip("dimension:N", title=t("journey.col.dimension")),
            ],
        )
    )
    titles = (
        alt.Chart(frame)
        .mark_text(align="center", baseline="bottom", dy=-10, fontSize=11, limit=170, color="#1F2A24")
        .encode(x=x, y=y, text="title:N")
    )
    chart = alt.layer(span, dots, titles).properties(height=70 + 56 * len(phases))
    st.altair_chart(themed(chart), width="stretch")
    table = frame.assign(occurred_on=[format_date(d.date()) for d in frame.occurred_on])[
        ["occurred_on", "phase", "dimension", "title", "story"]
    ].rename(
        columns={
            "occurred_on": t("journey.col.date"),
            "phase": t("journey.col.phase"),
            "dimension": t("journey.col.dimension"),
            "title": t("journey.col.title"),
            "story": t("journey.col.story"),
        }
    )
    st.dataframe(table, hide_index=True)


def criteria_table(fw: Framework, assessment: Assessment | None) -> None:
    """Every criterion of an assessment with its level and comment, for reading."""
    if assessment is None:
        return
    rows = []
    for axis in fw.axes:
        for c in axis.criteria:
            score = assessment.scores.get(c.id)
            level = score.level if score else None
            rows.append(
                {
                    t("journey.col.axis"): axis.label(lang()),
                    t("journey.col.criterion"): c.label(lang()),
                    t("journey.col.level"): ""
                    if level is None
                    else t("journey.form.level_option", level=level, label=fw.level(level).label(lang())),
                    t("journey.col.comment"): score.comment if score else "",
                }
            )
    st.dataframe(pd.DataFrame(rows), hide_index=True)
