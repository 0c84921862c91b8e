"""The pieces of a live workshop's screens: the room's join screen, who joined by role, the live
results of the question on screen (overall and by role, the gap between roles), and the
question on a participant's phone.

Both screens redraw a fragment every ``POLL_SECONDS`` (``st.fragment(run_every=…)``): answers
and questions appear without reloading the page, and only the fragment is run again.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from components.charts import about_chart, themed
from components.qr import qr_png
from components.ui import (
    format_count,
    format_number,
    format_share,
    lang,
    plain,
    role_label,
    t,
    t_text,
    text_table,
)
from lib.domain.forms import Question
from lib.domain.question_types import SCALE, SHORT_TEXT
from lib.domain.workshop import Joined, LiveResults

POLL_SECONDS = 1.5  # the room: answers show within 1–2 s
PHONE_POLL_SECONDS = 2.0  # a phone: a new question within 2 s, half the load of a room of phones

# Our own rules, no typed text in them: presentation mode. The sidebar goes (the screen is the
# room's, full width; "Retour aux ateliers" leads back) and the type grows, to be read from the
# back of a room.
_ROOM_CSS = """<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none; }
.st-key-workshop_room h1 { font-size: 3.2rem; }
.st-key-workshop_room h2 { font-size: 2.6rem; }
.st-key-workshop_room p, .st-key-workshop_room li { font-size: 1.5rem; }
.st-key-workshop_room td, .st-key-workshop_room th { font-size: 1.25rem; }
</style>"""


def room_styles() -> None:
    st.html(_ROOM_CSS)


def _value_label(question: Question, value: Any) -> str:
    if question.type == SCALE:
        return format_number(value, 0)
    if question.options:
        return question.option_label(value, lang())
    return str(value)


def joined_table(joined: Joined) -> None:
    """People in the room by role: a count, or "fewer than 3" (never a figure under 3)."""
    rows = [(role_label(r, short=True), format_count(n)) for r, n in joined.counts.items()]
    rows += [(role_label(r, short=True), t("workshop.room.fewer")) for r in joined.fewer]
    if rows:
        frame = pd.DataFrame(rows, columns=[t("workshop.room.role"), t("workshop.room.people")])
        text_table(frame.set_index(t("workshop.room.role")))


def join_screen(title: str, link: str, joined: Joined) -> None:
    """The first screen: a QR code to scan from the back of the room, the link, who joined."""
    code, side = st.columns([2, 3], vertical_alignment="center")
    code.image(qr_png(link, scale=14), width="stretch")
    with side:
        st.header(t("workshop.room.join_title"), anchor=False)
        st.write(t("workshop.room.join_text"))
        st.code(link, language=None, wrap_lines=True)
        st.subheader(t("workshop.room.joined_total", n=joined.total), anchor=False)
        joined_table(joined)


def join_reminder(link: str, joined: Joined) -> None:
    """Beside a question: a small code for late comers, and the room by role."""
    st.image(qr_png(link, scale=6), width="stretch", alt=t_text("feedback.qr.alt", link=link))
    st.caption(plain(link))
    st.markdown(f"**{t('workshop.room.joined_total', n=joined.total)}**")
    joined_table(joined)


def results_view(question: Question, results: LiveResults) -> None:
    """The question's results: the whole room (chart, then its table), each role, the gap."""
    if not results.answered:
        st.caption(t("workshop.room.no_answer"))
        return
    if question.type == SHORT_TEXT:
        st.subheader(t("workshop.room.words"), anchor=False)
        frame = pd.DataFrame(
            list(results.texts), columns=[t("workshop.room.value"), t("workshop.room.count")]
        )
        text_table(frame.set_index(t("workshop.room.value")))
        _fewer(results)
        return
    values = list(question.scale_points) if question.type == SCALE else list(question.option_ids)
    labels = [_value_label(question, v) for v in values]
    overall = pd.DataFrame(
        {"value": labels, "answers": [results.overall.get(v, 0) for v in values], "order": range(len(values))}
    )
    chart = (
        alt.Chart(overall)
        .mark_bar()
        .encode(
            y=alt.Y("value:N", sort=alt.SortField("order"), title=None, axis=alt.Axis(labelFontSize=18)),
            x=alt.X("answers:Q", title=t("workshop.room.count"), axis=alt.Axis(tickMinStep=1)),
            tooltip=["value", "answers"],
        )
        .properties(height=max(160, 48 * len(values)))
    )
    st.subheader(t("workshop.room.overall"), anchor=False)
    st.altair_chart(
        themed(chart, about_chart(t_text("workshop.room.overall"), question.label(lang()))), width="stretch"
    )
    # The chart's table, with each role beside the whole room.
    st.subheader(t("workshop.room.by_role"), anchor=False)
    rows = [
        _row(question, t("workshop.room.overall"), results.answered, results.overall, results.mean, values)
    ]
    rows += [
        _row(question, role_label(g.role, short=True), g.answered, g.counts, g.mean, values)
        for g in results.groups
    ]
    columns = [t("workshop.room.role"), t("workshop.room.people"), *labels]
    if question.type == SCALE:
        columns.append(t("workshop.room.mean"))
    text_table(pd.DataFrame(rows, columns=columns).set_index(columns[0]))
    _gap(question, results)
    _fewer(results)


def _row(
    question: Question, name: str, answered: int, counts: dict, mean: float | None, values: list
) -> list:
    row = [name, format_count(answered), *(format_count(counts.get(v, 0)) for v in values)]
    if question.type == SCALE:
        row.append(format_number(mean, 1) if mean is not None else "—")
    return row


def _gap(question: Question, results: LiveResults) -> None:
    gap = results.gap
    if gap is None or not gap.flagged:
        return
    by_role = {g.role: g for g in results.groups}
    high, low = role_label(gap.high, short=True), role_label(gap.low, short=True)
    if gap.option is None:
        text = t(
            "workshop.room.gap",
            high=high,
            low=low,
            high_mean=format_number(by_role[gap.high].mean, 1),
            low_mean=format_number(by_role[gap.low].mean, 1),
            min=int(question.min),
            max=int(question.max),
        )
    else:
        text = t(
            "workshop.room.gap_choice",
            option=question.option_label(gap.option, lang()),
            high=high,
            low=low,
            high_share=format_share(by_role[gap.high].counts.get(gap.option, 0) / by_role[gap.high].answered),
            low_share=format_share(by_role[gap.low].counts.get(gap.option, 0) / by_role[gap.low].answered),
        )
    st.warning(text, icon=":material/compare_arrows:")


def _fewer(results: LiveResults) -> None:
    if results.fewer:
        names = ", ".join(role_label(r, short=True) for r in results.fewer)
        st.caption(t("workshop.room.fewer_roles", roles=names))
