"""Charts of the peers' screens, each followed by the same data as a table.

Territories the reader may not name never reach these functions: the services give the
group's spread as figures only, and names only of the territories that share with them.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import altair as alt
import pandas as pd
import streamlit as st

from components.charts import PALETTE, about_chart, themed
from components.feedback_results import distribution_chart
from components.form_renderer import scale_format
from components.ui import (
    actor,
    format_date,
    format_number,
    framework,
    lang,
    role_label,
    t,
    t_text,
    text_table,
)
from lib.domain import forms
from lib.domain.framework import Framework
from lib.domain.peers import months
from lib.domain.sharing import MIN_TERRITORIES
from lib.services.peers import Comparison, FeedbackComparison, GroupOverview

MINE = PALETTE[5]  # vermillion: my territory, on every chart
PEER = "#7F8C85"  # the named peers, in grey so mine stands out
BOX = "#9CC9E8"
MEDIAN = PALETTE[0]
# Vega-Lite splits an axis label on this character (labels stay readable on a phone).
_BREAK = "|"
_WRAPPED = alt.Axis(labelExpr=f"split(datum.label, '{_BREAK}')", labelLimit=320)
# The 0–4 scale's levels only: no decimal point to translate, nothing between levels.
_LEVELS = alt.Axis(values=[0, 1, 2, 3, 4], format="d")
# A little room on either side, so a dot at 0 or 4 is drawn whole.
_SCALE = alt.Scale(domain=[-0.1, 4.1], nice=False)


def _wrap(text: str, width: int = 24) -> str:
    return _BREAK.join(textwrap.wrap(text, width)) or text


def _axes(fw: Framework) -> dict[str, str]:
    return {a.id: a.label(lang()) for a in fw.axes}


def _number(value: float | None) -> str:
    return format_number(value)


def _names() -> tuple[str, str]:
    """What the highlighted territory and the others are called: a coordinator highlights the
    territory picked in the sidebar, a member their own one among the peers who share."""
    person = actor()
    if person is not None and person.is_coordinator:
        return t("peers.series.chosen"), t("peers.series.other")
    return t("peers.series.mine"), t("peers.series.peer")


def _mine_label(frame: pd.DataFrame) -> pd.Series:
    mine, peer = _names()
    return frame["is_mine"].map({True: mine, False: peer})


def _series_colour(frame: pd.DataFrame) -> alt.Scale:
    """Colours for the series present only: no legend entry for a territory that is not drawn."""
    present = set(frame["series"])
    pairs = [(name, colour) for name, colour in zip(_names(), (MINE, PEER), strict=True) if name in present]
    return alt.Scale(domain=[n for n, _ in pairs], range=[c for _, c in pairs])


def _dots(frame: pd.DataFrame, x: alt.X, y: alt.Y, tooltip: list, *, diamond: bool = True) -> alt.Chart:
    """A dot per territory, the highlighted one bigger (and a diamond), coloured by series."""
    legend = alt.Legend(orient="bottom", columns=1)
    chart = (
        alt.Chart(frame)
        .mark_point(filled=True, opacity=1)
        .encode(
            x=x,
            y=y,
            color=alt.Color("series:N", title=None, scale=_series_colour(frame), legend=legend),
            size=alt.condition("datum.is_mine", alt.value(170), alt.value(65)),
            tooltip=tooltip,
        )
    )
    if diamond:
        chart = chart.encode(shape=alt.condition("datum.is_mine", alt.value("diamond"), alt.value("circle")))
    return chart


# --- Où nous en sommes : the spread of the latest assessments ------------------------------


def spread(
    fw: Framework,
    figures: pd.DataFrame | None,
    latest: pd.DataFrame,
    *,
    counted: int,
    unnamed: int = 0,
    left_out: int = 0,
    with_mine: bool = True,
) -> None:
    """The group's spread per axis (``figures``; None: too few territories) with the named
    territories' latest scores (``latest``) as dots, mine standing out; then the table."""
    st.subheader(t("peers.spread.title"))
    axes = _axes(fw)
    order = [_wrap(axes[a.id]) for a in fw.axes]
    if figures is None:
        st.info(t("peers.spread.too_few", n=MIN_TERRITORIES), icon=":material/group_off:")
    else:
        if unnamed:
            st.caption(t("peers.spread.caption_unnamed", counted=counted, unnamed=unnamed))
        else:
            st.caption(t("peers.spread.caption", counted=counted))
        st.caption(
            t("peers.spread.how_to_read")
            + (" " + t("peers.spread.how_to_read_mine", name=_names()[0].lower()) if with_mine else "")
        )
    if left_out:
        st.caption(t("peers.spread.left_out"))
    points = latest.assign(axis=latest["axis_id"].map(lambda a: _wrap(axes[a])), series=_mine_label)
    x = alt.X("score:Q", title=t("journey.col.score"), scale=_SCALE, axis=_LEVELS)
    y = alt.Y("axis:N", title=None, sort=order, axis=_WRAPPED)
    layers = []
    if figures is not None:
        box = figures.assign(axis=figures["axis_id"].map(lambda a: _wrap(axes[a])))
        base = alt.Chart(box).encode(y=y)
        tooltip = [
            alt.Tooltip("territories:Q", title=t("peers.col.territories")),
            alt.Tooltip("minimum:Q", title=t("peers.col.minimum"), format=".2f"),
            alt.Tooltip("q1:Q", title=t("peers.col.q1"), format=".2f"),
            alt.Tooltip("median:Q", title=t("peers.col.median"), format=".2f"),
            alt.Tooltip("q3:Q", title=t("peers.col.q3"), format=".2f"),
            alt.Tooltip("maximum:Q", title=t("peers.col.maximum"), format=".2f"),
        ]
        layers += [
            base.mark_rule(color=PEER, strokeWidth=1.5).encode(
                x=alt.X("minimum:Q", scale=_SCALE, title=t("journey.col.score"), axis=_LEVELS),
                x2="maximum:Q",
                tooltip=tooltip,
            ),
            base.mark_bar(color=BOX, size=22).encode(x="q1:Q", x2="q3:Q", tooltip=tooltip),
            base.mark_tick(color=MEDIAN, thickness=3, size=26).encode(x="median:Q", tooltip=tooltip),
        ]
    layers.append(
        _dots(
            points,
            x,
            y,
            [
                alt.Tooltip("name:N", title=t("peers.col.territory")),
                alt.Tooltip("score:Q", title=t("journey.col.score"), format=".2f"),
                alt.Tooltip("assessed_on:T", title=t("journey.col.date"), format="%d/%m/%Y"),
            ],
        )
    )
    chart = alt.layer(*layers).properties(height=90 * len(order) + 40)
    st.altair_chart(themed(chart, about_chart(t_text("peers.spread.title"))), width="stretch")
    _spread_table(fw, figures, latest, with_mine)


def _spread_table(fw: Framework, figures: pd.DataFrame | None, latest: pd.DataFrame, with_mine: bool) -> None:
    axes = _axes(fw)
    own = latest[latest["is_mine"]]
    mine = dict(zip(own["axis_id"], own["score"], strict=True))
    rows = []
    for axis in fw.axes:
        row = {t("journey.col.axis"): axes[axis.id]}
        if figures is not None:
            found = figures[figures["axis_id"] == axis.id]
            if not found.empty:
                r = found.iloc[0]
                row |= {
                    t("peers.col.territories"): int(r["territories"]),
                    t("peers.col.minimum"): _number(r["minimum"]),
                    t("peers.col.q1"): _number(r["q1"]),
                    t("peers.col.median"): _number(r["median"]),
                    t("peers.col.q3"): _number(r["q3"]),
                    t("peers.col.maximum"): _number(r["maximum"]),
                }
        if with_mine:
            row[t("peers.col.mine")] = _number(mine.get(axis.id))
        rows.append(row)
    # A static table: four rows whose long axis names wrap instead of pushing columns out of sight.
    text_table(pd.DataFrame(rows).set_index(t("journey.col.axis")))


def named_scores(fw: Framework, latest: pd.DataFrame) -> None:
    """Each named territory's latest scores, one row per territory."""
    if latest.empty:
        return
    axes = _axes(fw)
    table = latest.pivot_table(index=["name", "assessed_on"], columns="axis_id", values="score")
    table = table.reindex(columns=[a.id for a in fw.axes]).reset_index()
    table["assessed_on"] = table["assessed_on"].map(format_date)
    table = table.rename(
        columns={"name": t("peers.col.territory"), "assessed_on": t("peers.col.latest_assessment")} | axes
    )
    for axis in axes.values():
        if axis in table:
            table[axis] = table[axis].map(_number)
    st.markdown(f"**{t('peers.named.title')}**")
    text_table(table.set_index(t("peers.col.territory")))


# --- Trajectories: one small chart per axis ---------------------------------------------------


def _grid(items: list) -> Iterator[tuple]:
    """``(column, item)`` on a two-column grid, row by row: on a phone the columns stack, and
    the charts still come in the framework's order."""
    for start in range(0, len(items), 2):
        yield from zip(st.columns(2), items[start : start + 2], strict=False)


def trajectories(fw: Framework, data: Comparison) -> None:
    st.subheader(t("peers.trajectories.title"))
    if data.history.empty:
        st.info(t("peers.trajectories.empty"))
        return
    st.caption(t("peers.trajectories.caption"))
    history = data.history.assign(assessed_on=pd.to_datetime(data.history["assessed_on"]), series=_mine_label)
    axes = _axes(fw)
    for column, axis in _grid(list(fw.axes)):
        part = history[history["axis_id"] == axis.id]
        x = alt.X("assessed_on:T", title=None, axis=alt.Axis(format="%Y", tickCount=5))
        y = alt.Y("score:Q", title=None, scale=_SCALE, axis=_LEVELS)
        tooltip = [
            alt.Tooltip("name:N", title=t("peers.col.territory")),
            alt.Tooltip("assessed_on:T", title=t("journey.col.date"), format="%d/%m/%Y"),
            alt.Tooltip("score:Q", title=t("journey.col.score"), format=".2f"),
        ]
        peers_layer = (
            alt.Chart(part[~part["is_mine"]])
            .mark_line(
                color=PEER, strokeWidth=1.2, opacity=0.7, point=alt.OverlayMarkDef(size=18, color=PEER)
            )
            .encode(x=x, y=y, detail="name:N", tooltip=tooltip)
        )
        mine_layer = (
            alt.Chart(part[part["is_mine"]])
            .mark_line(color=MINE, strokeWidth=3, point=alt.OverlayMarkDef(size=50, color=MINE))
            .encode(x=x, y=y, tooltip=tooltip)
        )
        chart = alt.layer(peers_layer, mine_layer).properties(
            height=200, title=alt.TitleParams(textwrap.wrap(axes[axis.id], 40), fontSize=13, anchor="start")
        )
        with column:
            st.altair_chart(
                themed(chart, about_chart(t_text("peers.trajectories.title"), axes[axis.id])), width="stretch"
            )
    # Long rather than wide: four narrow columns stay in sight, axis names and all.
    ordered = history.assign(axis_order=history["axis_id"].map({a.id: k for k, a in enumerate(fw.axes)}))
    ordered = ordered.sort_values(["name", "assessed_on", "axis_order"])
    table = pd.DataFrame(
        {
            t("peers.col.territory"): ordered["name"],
            t("journey.col.date"): [format_date(ts.date()) for ts in ordered["assessed_on"]],
            t("journey.col.axis"): ordered["axis_id"].map(axes),
            t("journey.col.score"): ordered["score"].map(_number),
        }
    )
    st.dataframe(table, hide_index=True, height=320)


# --- Journeys side by side --------------------------------------------------------------------


def journeys(fw: Framework, data: Comparison) -> None:
    st.subheader(t("peers.journeys.title"))
    if data.journeys_hidden:
        st.caption(t("peers.journeys.hidden", n=data.journeys_hidden))
    if data.phases.empty:
        st.info(t("peers.journeys.empty"))
        return
    st.caption(t("peers.journeys.caption"))
    phases = {p.id: p.label(lang()) for p in fw.phases}
    order = [phases[p.id] for p in fw.phases]
    mine_name = None
    if data.territory_id is not None:
        mine_rows = data.phases[data.phases["territory_id"] == data.territory_id]
        mine_name = mine_rows["name"].iloc[0] if not mine_rows.empty else None
    names = sorted(set(data.phases["name"]), key=lambda n: (n != mine_name, n))
    wrapped = {n: _wrap(n, 26) for n in names}
    frame = data.phases.assign(
        phase_label=data.phases["phase"].map(phases),
        who=data.phases["name"].map(wrapped),
        start=pd.to_datetime(data.phases["start"]),
        end=pd.to_datetime(data.phases["end"]),
        months=data.phases["days"].map(months),
    )
    dots = data.milestones.assign(
        who=data.milestones["name"].map(wrapped),
        occurred_on=pd.to_datetime(data.milestones["occurred_on"]),
        phase_label=data.milestones["phase"].map(phases),
    )
    y = alt.Y("who:N", title=None, sort=[wrapped[n] for n in names], axis=_WRAPPED)
    colour = alt.Color(
        "phase_label:N",
        title=None,
        sort=order,
        scale=alt.Scale(domain=order, range=PALETTE[: len(order)]),
        legend=alt.Legend(orient="bottom", columns=1, labelLimit=300),
    )
    bars = (
        alt.Chart(frame)
        .mark_bar(size=16, opacity=0.85)
        .encode(
            x=alt.X("start:T", title=None, axis=alt.Axis(format="%Y", tickCount=8)),
            x2="end:T",
            y=y,
            color=colour,
            tooltip=[
                alt.Tooltip("name:N", title=t("peers.col.territory")),
                alt.Tooltip("phase_label:N", title=t("journey.col.phase")),
                alt.Tooltip("start:T", title=t("peers.col.start"), format="%d/%m/%Y"),
                alt.Tooltip("months:Q", title=t("peers.col.months")),
            ],
        )
    )
    marks = (
        alt.Chart(dots)
        .mark_point(shape="diamond", filled=True, size=45, color="#1F2A24")
        .encode(
            x="occurred_on:T",
            y=y,
            tooltip=[
                alt.Tooltip("name:N", title=t("peers.col.territory")),
                alt.Tooltip("title:N", title=t("journey.col.title")),
                alt.Tooltip("occurred_on:T", title=t("journey.col.date"), format="%d/%m/%Y"),
                alt.Tooltip("phase_label:N", title=t("journey.col.phase")),
            ],
        )
    )
    chart = alt.layer(bars, marks).properties(height=46 * len(names) + 90)
    st.altair_chart(themed(chart, about_chart(t_text("peers.journeys.title"))), width="stretch")
    table = frame.assign(
        start=[format_date(ts.date()) for ts in frame["start"]],
        end=[
            t("peers.journeys.ongoing") if ongoing else format_date(end.date())
            for ongoing, end in zip(frame["ongoing"], frame["end"], strict=True)
        ],
    ).sort_values(["name", "phase_order"])[["name", "phase_label", "start", "end", "months", "milestones"]]
    table = table.rename(
        columns={
            "name": t("peers.col.territory"),
            "phase_label": t("journey.col.phase"),
            "start": t("peers.col.start"),
            "end": t("peers.col.end"),
            "months": t("peers.col.months"),
            "milestones": t("peers.col.milestones"),
        }
    )
    st.dataframe(table, hide_index=True)


# --- Feedback compared ------------------------------------------------------------------------


def feedback_distribution(data: FeedbackComparison, question_id: str) -> None:
    """The answers to one scale question by role: mine, and pooled over the peers that share."""
    q = next(q for q in data.template.questions_of_type(forms.SCALE) if q.id == question_id)
    fmt = scale_format(q, lang())
    points = [fmt(v) for v in q.scale_points]
    dist = data.distribution[data.distribution["question_id"] == q.id]
    if dist.empty:
        st.caption(t("feedback.results.no_answer"))
        return
    others = [tid for tid in data.territories if tid != data.territory_id]
    mine = t("peers.series.mine")
    pooled = t("peers.feedback.pooled", n=len(others))
    frame = dist.assign(
        series=[mine if tid == data.territory_id else pooled for tid in dist["territory_id"]],
        role_label=dist["role"].map(role_label),
        point=dist["value"].astype(int).map(fmt),
    )
    frame = frame.groupby(["series", "role", "role_label", "value", "point"], as_index=False)["answers"].sum()
    roles = [
        role_label(r.id)
        for r in framework().stakeholder_roles
        if role_label(r.id) in set(frame["role_label"])
    ]
    series = [s for s in (mine, pooled) if s in set(frame["series"])]
    # The results page's chart, once per series (mine, then the peers pooled): separate charts
    # rather than facets, which cannot follow the page's width on a phone.
    for name in series:
        part = frame[frame["series"] == name]
        shown = [r for r in roles if r in set(part["role_label"])]
        title = alt.TitleParams(name, anchor="start", fontSize=13)
        chart = distribution_chart(part, points, shown, compact=True)
        chart = chart.properties(height=36 * len(shown) + 170, title=title)
        st.altair_chart(themed(chart, about_chart(f"{q.label(lang())} — {name}")), width="stretch")
    table = frame.pivot_table(
        index=["series", "role_label"], columns="value", values="answers", aggfunc="sum", fill_value=0
    )
    table = table.reindex(columns=[float(v) for v in q.scale_points], fill_value=0)
    table.columns = points
    table = table.reindex([(s, r) for s in series for r in roles if (s, r) in table.index])
    table = table.reset_index().rename(
        columns={"series": t("peers.col.territory"), "role_label": t("feedback.col.role")}
    )
    text_table(table.set_index(t("peers.col.territory")))


def feedback_gaps(data: FeedbackComparison) -> None:
    """Each territory's perception gap per scale question, side by side."""
    st.markdown(f"**{t('peers.feedback.gaps_title')}**")
    if data.gaps.empty:
        st.info(t("feedback.results.gaps_empty", n=data.min_answers))
        return
    labels = {q.id: q.label(lang()) for q in data.template.questions}
    order = [_wrap(labels[q.id], 40) for q in data.template.questions_of_type(forms.SCALE)]
    frame = data.gaps.assign(
        question=data.gaps["question_id"].map(lambda q: _wrap(labels[q], 40)),
        name=data.gaps["territory_id"].map(data.territories),
        is_mine=data.gaps["territory_id"] == data.territory_id,
    )
    frame = frame.assign(series=_mine_label)
    x = alt.X(
        "gap_share:Q",
        title=t("feedback.col.gap_share"),
        axis=alt.Axis(format="%"),
        scale=alt.Scale(domain=[0, 1]),
    )
    y = alt.Y("question:N", title=None, sort=order, axis=_WRAPPED)
    tooltip = [
        alt.Tooltip("name:N", title=t("peers.col.territory")),
        alt.Tooltip("gap:Q", title=t("feedback.col.gap"), format=".2f"),
        alt.Tooltip("gap_share:Q", title=t("feedback.col.gap_share"), format=".0%"),
    ]
    chart = _dots(frame, x, y, tooltip, diamond=False).properties(
        height=72 * len(set(frame["question"])) + 60
    )
    st.altair_chart(themed(chart, about_chart(t_text("peers.feedback.gaps_title"))), width="stretch")
    table = frame.assign(share=(frame["gap_share"] * 100).round().astype(int).astype(str) + " %").pivot_table(
        index="question_id", columns="name", values="share", aggfunc="first"
    )
    table = table.reindex(
        index=[q.id for q in data.template.questions_of_type(forms.SCALE) if q.id in table.index]
    )
    table.index = [labels[q] for q in table.index]
    st.dataframe(table.rename_axis(t("feedback.col.question")).reset_index(), hide_index=True)


# --- The coordinators' group page -------------------------------------------------------------


def group_trajectory(fw: Framework, overview: GroupOverview) -> None:
    """The group's median per year and axis, with the band between the quartiles."""
    st.subheader(t("peers.group.trajectory_title"))
    if overview.trajectory.empty:
        st.info(t("peers.trajectories.empty"))
        return
    st.caption(t("peers.group.trajectory_caption"))
    axes = _axes(fw)
    frame = overview.trajectory.assign(axis=overview.trajectory["axis_id"].map(axes))
    x = alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0))
    y = alt.Y("q1:Q", scale=_SCALE, axis=_LEVELS, title=None)
    for column, (i, axis) in _grid(list(enumerate(fw.axes))):
        part = frame[frame["axis_id"] == axis.id]
        colour = PALETTE[i % len(PALETTE)]
        band = alt.Chart(part).mark_area(opacity=0.22, color=colour).encode(x=x, y=y, y2="q3:Q")
        line = (
            alt.Chart(part)
            .mark_line(strokeWidth=2.5, point=alt.OverlayMarkDef(color=colour), color=colour)
            .encode(
                x=x,
                y="median:Q",
                tooltip=[
                    alt.Tooltip("year:O", title=t("peers.col.year")),
                    alt.Tooltip("territories:Q", title=t("peers.col.territories")),
                    alt.Tooltip("median:Q", title=t("peers.col.median"), format=".2f"),
                    alt.Tooltip("q1:Q", title=t("peers.col.q1"), format=".2f"),
                    alt.Tooltip("q3:Q", title=t("peers.col.q3"), format=".2f"),
                ],
            )
        )
        chart = alt.layer(band, line).properties(
            height=200, title=alt.TitleParams(textwrap.wrap(axes[axis.id], 40), fontSize=13, anchor="start")
        )
        with column:
            st.altair_chart(
                themed(chart, about_chart(t_text("peers.group.trajectory_title"), axes[axis.id])),
                width="stretch",
            )
    rank = {a.id: k for k, a in enumerate(fw.axes)}
    ordered = frame.assign(axis_order=frame["axis_id"].map(rank)).sort_values(["year", "axis_order"])
    table = pd.DataFrame(
        {
            t("peers.col.year"): ordered["year"].astype(str),
            t("journey.col.axis"): ordered["axis"],
            t("peers.col.territories"): ordered["territories"],
            **{
                t(f"peers.col.{col}"): ordered[col].map(_number)
                for col in ("minimum", "q1", "median", "q3", "maximum")
            },
        }
    )
    text_table(table.set_index(t("peers.col.year")))
