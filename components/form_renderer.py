"""Draws a feedback template's section with the right widget per question type.

Values live in ``st.session_state`` under one key per question, seeded from the values
the page keeps (or the saved draft) the first time a widget appears: Streamlit forgets a
widget's state once it is off screen, so the page hands the values back every time.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from components.ui import field_error, format_date, keep_on_language_switch, lang, plain, t
from lib.domain import forms
from lib.domain.errors import FieldError
from lib.domain.forms import Question, Section
from lib.services.feedback import CampaignState, PublicCampaign


def campaign_header(campaign: PublicCampaign, token: str | None) -> bool:
    """The campaign's title; for one that cannot be answered today, a page saying why.
    Returns whether the form can be shown."""
    if campaign.state == CampaignState.UNKNOWN:
        st.header(t("feedback.answer.unknown_title"), anchor=False)
        st.write(t("feedback.answer.unknown_text" if token else "feedback.answer.no_campaign"))
        return False
    st.header(plain(campaign.title), anchor=False)  # smaller than a title: phones first
    if campaign.state == CampaignState.NOT_YET_OPEN:
        when = format_date(campaign.opens_on)
        st.info(t("feedback.answer.not_yet_open", date=when), icon=":material/schedule:")
    elif campaign.state == CampaignState.CLOSED:
        when = format_date(campaign.closes_on)
        st.info(t("feedback.answer.closed", date=when), icon=":material/lock:")
    return campaign.state == CampaignState.OPEN


def forget(*prefixes: str) -> None:
    """Drop the widget values kept under these key prefixes (a form starting afresh)."""
    for key in [k for k in st.session_state if str(k).startswith(prefixes)]:
        del st.session_state[key]


def _signed(value: int, signed: bool) -> str:
    if value < 0:
        return f"−{abs(value)}"
    return f"+{value}" if signed and value > 0 else str(value)


def scale_format(question: Question, language: str):
    """Each point as a number; both ends carry their label."""
    signed = question.min < 0

    def fmt(value: int) -> str:
        text = _signed(value, signed)
        if value == question.min:
            return f"{text} · {question.min_label(language)}"
        if value == question.max:
            return f"{text} · {question.max_label(language)}"
        return text

    return fmt


def _fits(question: Question, value: Any) -> bool:
    """Whether a kept value can be handed to the widget (a wrong one would break the page)."""
    if forms.is_empty(value):
        return False
    if question.type == forms.SCALE:
        return isinstance(value, int) and value in question.scale_points
    if question.type == forms.NUMBER:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if question.type == forms.SINGLE_CHOICE:
        return value in question.option_ids
    if question.type == forms.MULTIPLE_CHOICE:
        return isinstance(value, list) and all(v in question.option_ids for v in value)
    return isinstance(value, str)


def _seed(question: Question, key: str, value: Any) -> None:
    if key in st.session_state:
        return
    if _fits(question, value):
        if question.type == forms.NUMBER:
            value = int(value) if question.integer else float(value)
        st.session_state[key] = value
    elif question.type == forms.MULTIPLE_CHOICE:
        st.session_state[key] = []


def render_question(question: Question, value: Any, errors: dict[str, FieldError] | None, key: str) -> Any:
    """One question: its widget, its help text, then its error, right under it."""
    q, language = question, lang()
    label = q.label(language) + (" *" if q.required else "")
    _seed(q, key, value)
    if q.type == forms.SCALE:
        result = st.pills(
            label,
            list(q.scale_points),
            format_func=scale_format(q, language),
            key=keep_on_language_switch(key),
        )
    elif q.type == forms.SINGLE_CHOICE:
        result = st.radio(
            label,
            list(q.option_ids),
            format_func=lambda o: q.option_label(o, language),
            index=None,
            key=keep_on_language_switch(key),
        )
    elif q.type == forms.MULTIPLE_CHOICE:
        result = st.pills(
            label,
            list(q.option_ids),
            selection_mode="multi",
            format_func=lambda o: q.option_label(o, language),
            key=keep_on_language_switch(key),
        )
    elif q.type == forms.SHORT_TEXT:
        result = st.text_input(label, key=key)
    elif q.type == forms.LONG_TEXT:
        result = st.text_area(label, key=key, height=120)
    else:
        # No bounds on the widget: it would silently refuse a value; the check at submission
        # says what is wrong, next to the field, and keeps what was typed.
        result = st.number_input(label, value=None, step=1 if q.integer else None, key=key)
    hints = [q.help(language)] if q.help is not None else []
    hints += _limits(q)
    if hints:
        st.caption(" ".join(hints))
    field_error(errors, forms.field_name(q.id))
    return result


_LIMIT_SHOWN_UP_TO = 1000  # a limit of a few thousand characters only matters when hit


def _limits(q: Question) -> list[str]:
    """The limits the check at submission applies, said before anyone hits them."""
    if q.type in forms.TEXT_TYPES and q.max_length is not None and q.max_length <= _LIMIT_SHOWN_UP_TO:
        # Not the widget's max_chars: a longer paste would be cut without a word.
        return [t("feedback.answer.limit_text", max=q.max_length)]
    if q.type != forms.NUMBER or (q.min is None and q.max is None):
        return []
    low, high = (None if b is None else forms.show_bound(b) for b in (q.min, q.max))
    if low is not None and high is not None:
        return [t("feedback.answer.limit_between", min=low, max=high)]
    return [
        t("feedback.answer.limit_min", min=low)
        if low is not None
        else t("feedback.answer.limit_max", max=high)
    ]


def render_section(
    section: Section, values: dict[str, Any], errors: dict[str, FieldError] | None, key_prefix: str
) -> dict[str, Any]:
    """All questions of one section; returns the current value of each."""
    if section.intro is not None:
        st.caption(section.intro(lang()))
    return {
        q.id: render_question(q, values.get(q.id), errors, f"{key_prefix}.{q.id}") for q in section.questions
    }
