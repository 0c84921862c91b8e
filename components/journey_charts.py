"""Charts of a territory's journey, each followed by the same data as a table.

The charts themselves are built in ``lib/render/charts.py``, shared with the printed report.
With four axes the radar stays readable, and it is the picture the network already uses;
the table underneath gives the exact figures.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.charts import about_chart, themed
from components.kpi import Kpi, kpi_cards
from components.ui import format_date, format_score, lang, t, t_text
from lib.domain import journey as domain
from lib.domain.framework import Framework
from lib.render import charts as render
from lib.services.journey import Assessment, AxisPoint, Milestone


def _titles() -> dict[str, str]:
    """The charts' axis and tooltip titles, in the page's language."""
    keys = ("series", "axis", "score", "date", "title", "phase", "dimension")
    return {key: t_text(f"journey.col.{key}") for key in keys}


def _series(latest: Assessment | None, previous: Assessment | None) -> list[tuple[str, dict]]:
    series = []
    if latest is not None:
        series.append(
            (t_text("journey.series.latest", date=format_date(latest.assessed_on)), latest.axis_scores)
        )
    if previous is not None:
        series.append(
            (t_text("journey.series.previous", date=format_date(previous.assessed_on)), previous.axis_scores)
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


_FIT_TO_WIDTH = (
    "<style>.st-key-radar canvas, .st-key-radar svg {max-width: 100%; height: auto !important;}</style>"
)


def radar(fw: Framework, latest: Assessment | None, previous: Assessment | None) -> None:
    st.subheader(t("journey.radar.title"))
    if latest is None:
        st.info(t("journey.radar.empty"))
        return
    st.caption(t("journey.radar.caption"))
    series = _series(latest, previous)
    shape = domain.radar_frame(fw, series, lang())
    rings, labels = domain.radar_frame_grid(fw, lang())
    chart = render.radar_chart(shape, rings, labels, [name for name, _ in series], _titles())
    # The radar keeps its proportions (its rings stay round), so it is drawn at its size and
    # shrunk by the browser to fit a narrower screen rather than cut at the edge.
    st.html(_FIT_TO_WIDTH)
    with st.container(key="radar"):  # one radar per page
        st.altair_chart(themed(chart, about_chart(t_text("journey.radar.title"))), width="content")
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
    chart = render.history_chart(frame, order, _titles())
    st.altair_chart(themed(chart, about_chart(t_text("journey.history.title"))), width="stretch")
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
    chart = render.timeline_chart(frame, phases, _titles(), named=False, numbered=True)
    st.altair_chart(themed(chart, about_chart(t_text("journey.timeline.title"))), width="stretch")
    # The numbers on the chart, with what they stand for.
    table = frame.assign(
        number=range(1, len(frame) + 1), occurred_on=[format_date(d.date()) for d in frame.occurred_on]
    )[["number", "occurred_on", "phase", "dimension", "title", "story"]].rename(
        columns={
            "number": t_text("journey.col.number"),
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
