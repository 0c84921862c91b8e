"""Draws a feedback template's section with the right widget per question type.

Values live in ``st.session_state`` under one key per question, seeded from the values
the page keeps (or the saved draft) the first time a widget appears: Streamlit forgets a
widget's state once it is off screen, so the page hands the values back every time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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


_LIMIT_SHOWN_UP_TO = 1000  # a limit of a few thousand characters only matters when hit


def _text_limit(q: Question) -> list[str]:
    if q.max_length is not None and q.max_length <= _LIMIT_SHOWN_UP_TO:
        # Not the widget's max_chars: a longer paste would be cut without a word.
        return [t("feedback.answer.limit_text", max=q.max_length)]
    return []


def _number_limits(q: Question) -> list[str]:
    if q.min is None and q.max is None:
        return []
    low, high = (None if b is None else forms.show_bound(b) for b in (q.min, q.max))
    if low is not None and high is not None:
        return [t("feedback.answer.limit_between", min=low, max=high)]
    return [
        t("feedback.answer.limit_min", min=low)
        if low is not None
        else t("feedback.answer.limit_max", max=high)
    ]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class Widget:
    """How one question type is drawn: ``draw(question, label, key, language)`` returns the
    widget's value; ``fits`` says whether a kept value can be handed back to it (a wrong one
    would break the page) and ``kept`` turns it into what the widget holds; ``blank`` is what it
    holds when nothing fits; ``limits`` are the checks at submission, said before anyone hits them."""

    draw: Callable[[Question, str, str, str], Any]
    fits: Callable[[Question, Any], bool]
    kept: Callable[[Question, Any], Any] = lambda q, value: value
    blank: Callable[[], Any] | None = None
    limits: Callable[[Question], list[str]] = lambda q: []


def _options(q: Question, language: str):
    return lambda o: q.option_label(o, language)


# One widget per question type of ``lib.domain.question_types`` (a test checks none is missing).
WIDGETS: dict[str, Widget] = {
    forms.SCALE: Widget(
        draw=lambda q, label, key, language: st.pills(
            label,
            list(q.scale_points),
            format_func=scale_format(q, language),
            key=keep_on_language_switch(key),
        ),
        fits=lambda q, value: isinstance(value, int) and value in q.scale_points,
    ),
    forms.SINGLE_CHOICE: Widget(
        draw=lambda q, label, key, language: st.radio(
            label,
            list(q.option_ids),
            format_func=_options(q, language),
            index=None,
            key=keep_on_language_switch(key),
        ),
        fits=lambda q, value: value in q.option_ids,
    ),
    forms.MULTIPLE_CHOICE: Widget(
        draw=lambda q, label, key, language: st.pills(
            label,
            list(q.option_ids),
            selection_mode="multi",
            format_func=_options(q, language),
            key=keep_on_language_switch(key),
        ),
        fits=lambda q, value: isinstance(value, list) and all(v in q.option_ids for v in value),
        blank=list,
    ),
    forms.SHORT_TEXT: Widget(
        draw=lambda q, label, key, language: st.text_input(label, key=key),
        fits=lambda q, value: isinstance(value, str),
        limits=_text_limit,
    ),
    forms.LONG_TEXT: Widget(
        draw=lambda q, label, key, language: st.text_area(label, key=key, height=120),
        fits=lambda q, value: isinstance(value, str),
        limits=_text_limit,
    ),
    # No bounds on the widget: it would silently refuse a value; the check at submission says
    # what is wrong, next to the field, and keeps what was typed.
    forms.NUMBER: Widget(
        draw=lambda q, label, key, language: st.number_input(
            label, value=None, step=1 if q.integer else None, key=key
        ),
        fits=lambda q, value: _is_number(value),
        kept=lambda q, value: int(value) if q.integer else float(value),
        limits=_number_limits,
    ),
}


def _seed(question: Question, widget: Widget, key: str, value: Any) -> None:
    if key in st.session_state:
        return
    if not forms.is_empty(value) and widget.fits(question, value):
        st.session_state[key] = widget.kept(question, value)
    elif widget.blank is not None:
        st.session_state[key] = widget.blank()


def render_question(question: Question, value: Any, errors: dict[str, FieldError] | None, key: str) -> Any:
    """One question: its widget, its help text, then its error, right under it."""
    q, language = question, lang()
    widget = WIDGETS[q.type]
    label = q.label(language) + (" *" if q.required else "")
    _seed(q, widget, key, value)
    result = widget.draw(q, label, key, language)
    hints = [q.help(language)] if q.help is not None else []
    hints += widget.limits(q)
    if hints:
        st.caption(" ".join(hints))
    field_error(errors, forms.field_name(q.id))
    return result


def render_section(
    section: Section, values: dict[str, Any], errors: dict[str, FieldError] | None, key_prefix: str
) -> dict[str, Any]:
    """All questions of one section; returns the current value of each."""
    if section.intro is not None:
        st.caption(section.intro(lang()))
    return {
        q.id: render_question(q, values.get(q.id), errors, f"{key_prefix}.{q.id}") for q in section.questions
    }


def render_preview(template: forms.FormTemplate, key_prefix: str) -> None:
    """A whole template as a respondent sees it — its introduction, then each section with its
    questions and their widgets, in order — with no button to save or send: a preview records
    nothing. ``key_prefix`` keeps its widgets apart from any real answer's."""
    if template.intro is not None:
        st.write(template.intro(lang()))
    for section in template.sections:
        st.subheader(section.title(lang()), anchor=False)
        render_section(section, {}, None, f"{key_prefix}.{section.id}")
