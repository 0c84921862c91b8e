"""The parts of the feedback results page. Every chart is followed by its data as a table."""

from __future__ import annotations

from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from components.charts import PALETTE, about_chart, themed
from components.form_renderer import scale_format
from components.ui import (
    date_format,
    format_number,
    format_share,
    framework,
    lang,
    plain,
    role_label,
    t,
    t_text,
)
from lib.domain import forms
from lib.domain.anonymity import MIN_GROUP, POOLED
from lib.domain.feedback_analytics import EVERYONE
from lib.domain.forms import Question
from lib.render import charts as render
from lib.services.feedback import Results

# Roles pooled for anonymity share one neutral colour: they are no one hat.
POOLED_COLOUR = "#8C8C8C"


def _roles() -> dict[str, str]:
    """Every group a result may show, in order: the hats of the framework, then the pooled roles."""
    return {role: role_label(role) for role in [*(r.id for r in framework().stakeholder_roles), POOLED]}


def _role_colour() -> alt.Scale:
    # One colour per hat, the same on every chart of the page.
    labels = list(_roles().values())
    return alt.Scale(domain=labels, range=[*PALETTE[: len(labels) - 1], POOLED_COLOUR])


def _number(value: float) -> str:
    return format_number(value)


def counts(res: Results) -> None:
    st.subheader(t("feedback.results.counts_title"))
    if res.groups.pooled:
        st.caption(t("feedback.results.pooled_roles", min=MIN_GROUP))
    if res.counts.empty:
        st.info(t("feedback.results.no_responses"))
        return
    data = res.counts.assign(role_label=res.counts["role"].map(role_label))
    c = res.campaign
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "yearmonthdate(day):T",
                title=t("feedback.col.day"),
                axis=alt.Axis(format="%d/%m"),
                # The campaign's whole period, so a single day does not fill the chart.
                scale=alt.Scale(
                    domain=[c.opens_on.isoformat(), (c.closes_on + timedelta(days=1)).isoformat()]
                ),
            ),
            y=alt.Y("sum(responses):Q", title=t("feedback.col.responses"), axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "role_label:N",
                title=None,
                scale=_role_colour(),
                # Two narrow columns: seven hats (pooled roles included) fit a phone's width too;
                # the table below gives every name in full.
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=140),
            ),
            tooltip=[
                alt.Tooltip("day:T", title=t("feedback.col.day"), format="%d/%m/%Y"),
                alt.Tooltip("role_label:N", title=t("feedback.col.role")),
                alt.Tooltip("responses:Q", title=t("feedback.col.responses")),
            ],
        )
        .properties(height=340)  # the plot, and the legend of up to seven hats below it
    )
    st.altair_chart(themed(chart, about_chart(t_text("feedback.results.counts_title"))), width="stretch")
    table = res.counts_table.rename(
        columns={**_roles(), "day": t("feedback.col.day"), "total": t("feedback.col.total")}
    )
    day = t("feedback.col.day")
    st.dataframe(
        table,
        hide_index=True,
        column_config={day: st.column_config.DateColumn(day, format=date_format())},
    )


def gaps(res: Results) -> None:
    st.subheader(t("feedback.results.gaps_title"))
    st.caption(t("feedback.results.gaps_explained", n=res.min_answers))
    if res.gaps.empty:
        st.info(t("feedback.results.gaps_empty", n=res.min_answers))
        return
    label = {q.id: q.label(lang()) for q in res.template.questions}
    data = res.gaps.assign(
        question=res.gaps["question_id"].map(label),
        high=res.gaps["high_role"].map(role_label),
        low=res.gaps["low_role"].map(role_label),
    )
    chart = (
        alt.Chart(data)
        .mark_bar(color=PALETTE[5])
        .encode(
            x=alt.X(
                "gap_share:Q",
                title=t("feedback.col.gap_share"),
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            y=alt.Y("question:N", title=None, sort=None, axis=alt.Axis(labelLimit=360)),
            tooltip=[
                alt.Tooltip("question:N", title=t("feedback.col.question")),
                alt.Tooltip("high:N", title=t("feedback.col.high_role")),
                alt.Tooltip("high_mean:Q", title=t("feedback.col.mean"), format=".2f"),
                alt.Tooltip("low:N", title=t("feedback.col.low_role")),
                alt.Tooltip("low_mean:Q", title=t("feedback.col.mean"), format=".2f"),
            ],
        )
        .properties(height=max(120, 34 * len(data)))
    )
    st.altair_chart(themed(chart, about_chart(t_text("feedback.results.gaps_title"))), width="stretch")
    # What the table is for first (the gap, and the two roles to bring together), the question's
    # long wording after: on a phone the first columns are the ones on screen.
    share, high, low, question = (
        t_text("feedback.col.gap_share"),
        t_text("feedback.col.high_role"),
        t_text("feedback.col.low_role"),
        t_text("feedback.col.question"),
    )
    table = pd.DataFrame(
        {
            share: data["gap_share"].map(format_share),
            high: data["high"],
            low: data["low"],
            question: data["question"],
            t_text("feedback.col.high_mean"): data["high_mean"].map(_number),
            t_text("feedback.col.low_mean"): data["low_mean"].map(_number),
            t_text("feedback.col.gap"): data["gap"].map(_number),
            t_text("feedback.col.roles_counted"): data["roles_counted"],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            share: st.column_config.TextColumn(share, width="small", pinned=True),
            high: st.column_config.TextColumn(high, width="medium"),
            low: st.column_config.TextColumn(low, width="medium"),
            question: st.column_config.TextColumn(question, width="large"),
        },
    )


def distribution_chart(
    data: pd.DataFrame, points: list[str], roles: list[str], *, compact: bool = False
) -> alt.Chart:
    """The answers' distribution by role (``lib.render.charts.distribution_chart``, shared with
    the printed report), titled in the page's language."""
    keys = {"share": "share", "role": "role", "answer": "answer", "responses": "responses"}
    titles = {name: t_text(f"feedback.col.{key}") for name, key in keys.items()}
    return render.distribution_chart(data, points, roles, titles, compact=compact)


def _distribution(res: Results, q: Question) -> None:
    data = res.distribution[res.distribution["question_id"] == q.id]
    if data.empty:
        st.caption(t("feedback.results.no_answer"))
        return
    fmt = scale_format(q, lang())
    points = [fmt(v) for v in q.scale_points]
    data = data.assign(role_label=data["role"].map(role_label), point=data["value"].astype(int).map(fmt))
    roles = [r for r in _roles().values() if r in set(data["role_label"])]
    # Short role labels and a legend in columns leave the bars room on a phone; the table
    # below gives every name in full. The height holds the axis and the legend (autosize "fit").
    chart = distribution_chart(data, points, roles, compact=True).properties(height=36 * len(roles) + 140)
    st.altair_chart(
        themed(chart, about_chart(t_text("feedback.results.distribution_title"), q.label(lang()))),
        width="stretch",
    )
    table = data.pivot_table(index="role", columns="value", values="answers", aggfunc="sum", fill_value=0)
    table = table.reindex(columns=[float(v) for v in q.scale_points], fill_value=0)
    table.columns = points
    means = res.means[res.means["question_id"] == q.id].set_index("role")
    table[t("feedback.col.responses")] = means["answers"]
    table[t("feedback.col.mean")] = means["mean"].map(_number)
    order = [r for r in _roles() if r in table.index]
    table = table.reindex(order)
    table.index = [role_label(r) for r in table.index]
    st.dataframe(table.rename_axis(t("feedback.col.role")).reset_index(), hide_index=True)


def _summarised_here(res: Results, section) -> list[Question]:
    """The template's questions whose type registered ``section`` as its summary."""
    return [q for q in res.template.questions if SUMMARIES[q.type] is section]


def distributions(res: Results) -> None:
    st.subheader(t("feedback.results.distribution_title"))
    for i, q in enumerate(_summarised_here(res, distributions)):
        with st.expander(q.label(lang()), expanded=i == 0):
            _distribution(res, q)


def _answered(res: Results, section, frame: pd.DataFrame, title: str, explained: str | None = None):
    """The section's title, then each of its questions in an expander, with its rows of
    ``frame`` (or a word saying nobody answered it); nothing when no question calls for it."""
    questions = _summarised_here(res, section)
    if not questions:
        return
    st.subheader(t(title))
    if explained is not None:
        st.caption(t(explained))
    for q in questions:
        with st.expander(q.label(lang())):
            data = frame[frame["question_id"] == q.id]
            if data.empty:
                st.caption(t("feedback.results.no_answer"))
                continue
            yield q, data


def choices(res: Results) -> None:
    for q, data in _answered(res, choices, res.choices, "feedback.results.choices_title"):
        table = data.pivot_table(
            index="option", columns="role", values="answers", aggfunc="sum", fill_value=0
        )
        table = table.reindex(index=[o for o in q.option_ids if o in table.index])
        table = table.reindex(columns=[r for r in _roles() if r in table.columns]).rename(columns=_roles())
        table.index = [q.option_label(o, lang()) for o in table.index]
        st.dataframe(table.rename_axis(t("feedback.col.option")).reset_index(), hide_index=True)


def texts(res: Results) -> None:
    st.subheader(t("feedback.results.texts_title"))
    questions = [q for q in _summarised_here(res, texts) if q.id in res.texts]
    if not questions:
        st.caption(t("feedback.results.no_answer"))
    for q in questions:
        grouped = res.texts[q.id]
        total = sum(len(items) for _, items in grouped)
        with st.expander(t("feedback.results.texts_question", question=q.label(lang()), count=total)):
            for role, items in grouped:
                st.markdown(f"**{plain(role_label(role))}** ({len(items)})")
                st.markdown("\n".join(f"- {plain(text)}" for text in items))


def _figure(value: float) -> str:
    """A number answer's figure: whole when it is, else two decimals (a comma in French)."""
    return str(int(value)) if float(value).is_integer() else _number(value)


def numbers(res: Results) -> None:
    """Number questions: per role (pooled roles as on the rest of the page), then for everyone,
    how many answered, the median and the quartiles."""
    explained = "feedback.results.numbers_explained"
    for _q, data in _answered(res, numbers, res.numbers, "feedback.results.numbers_title", explained):
        names = {EVERYONE: t_text("feedback.results.everyone")}
        table = pd.DataFrame(
            {
                t_text("feedback.col.role"): [
                    names.get(r) or role_label(r, short=True) for r in data["role"]
                ],
                t_text("feedback.col.responses"): data["answers"].astype(int),
                t_text("feedback.col.q1"): data["q1"].map(_figure),
                t_text("feedback.col.median"): data["median"].map(_figure),
                t_text("feedback.col.q3"): data["q3"].map(_figure),
            }
        )
        st.dataframe(table, hide_index=True)


# The results section of each question type of ``lib.domain.question_types``, in the page's
# order; a section shows every question whose type registered it (a test checks none is missing).
SUMMARIES = {
    forms.SCALE: distributions,
    forms.SINGLE_CHOICE: choices,
    forms.MULTIPLE_CHOICE: choices,
    forms.SHORT_TEXT: texts,
    forms.LONG_TEXT: texts,
    forms.NUMBER: numbers,
}


def summaries(res: Results) -> None:
    """Every section the template's question types call for, each once, in the registry's order."""
    for section in dict.fromkeys(SUMMARIES.values()):
        section(res)
