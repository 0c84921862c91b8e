"""The few things every page needs: the engine, the language, the translation, the actor."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine
from streamlit.delta_generator import DeltaGenerator

from lib.access import Actor, Role
from lib.bootstrap import StartupFailed, bootstrap
from lib.domain import formats
from lib.domain.anonymity import POOLED
from lib.domain.errors import FieldError, ServiceError
from lib.domain.framework import Framework, load_framework
from lib.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from lib.store.db import database_url, make_engine


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    engine = make_engine(url)
    try:
        bootstrap(engine)  # once per process and database
    except StartupFailed:
        # Pages say so plainly. A failure is never cached, so the next rerun tries again.
        engine.dispose()
        raise
    return engine


def engine() -> Engine:
    return _engine_for(database_url())


def framework() -> Framework:
    return load_framework()


def lang() -> str:
    chosen = st.session_state.get("lang", DEFAULT_LANGUAGE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


class Markdown(str):
    """Text ready for Streamlit's Markdown: the catalogue's own wording, or someone's text
    passed through ``plain``. ``t`` leaves such a parameter as it is, so nothing is escaped twice."""


def t(key: str, **params: Any) -> Markdown:
    """The sentence for ``key`` in the person's language, for everything Streamlit reads as
    Markdown (markdown, write, titles, captions, alerts, toasts, labels, help, tabs, expanders).

    The one rule for text someone typed (decision 0013): every parameter is shown as text —
    names, titles, messages, framework labels — unless it is already ``Markdown`` (another
    ``t``, a ``plain``). Numbers are the app's own and go in as they are.
    """
    return Markdown(translate(key, lang(), **{name: _as_text(value) for name, value in params.items()}))


def t_text(key: str, **params: Any) -> str:
    """The same sentence for places that never read Markdown, where an escape would show as a
    backslash: chart titles, legends and axes, table cells and headers, the options of a
    selectbox or multiselect, file names. Its catalogue text holds no Markdown."""
    return translate(key, lang(), **params)


def role_label(role: str | None, *, short: bool = False) -> str:
    """A role's name in the person's language, whichever kind it is: a member's role in the app
    (coordinator, admin…), a respondent's hat from the framework (``short``: without its
    examples, "Services de l’État" rather than "… (DDT/DDTM, …)", for headers and axes), or
    the roles pooled for anonymity. An unknown id is shown as it is. Plain text (no Markdown):
    it goes into tables, charts and options as well as captions."""
    if role is None:
        return t_text("role.none")
    if role in set(Role):
        return t_text(f"role.{role}")
    if role == POOLED:
        return t_text("feedback.results.pooled")
    for hat in framework().stakeholder_roles:
        if hat.id == role:
            name = hat.label(lang())
            return name.split(" (")[0] if short else name
    return role


def _as_text(value: Any) -> Any:
    if isinstance(value, Markdown) or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    return plain(value)


def actor() -> Actor | None:
    """The person acting at this rerun, as ``app.py`` resolved it."""
    return st.session_state.get("actor")


def field_error(errors: dict[str, FieldError] | None, name: str) -> None:
    """Show the message for one field, right where the field is."""
    if errors and name in errors:
        err = errors[name]
        st.error(t(err.code, **err.params), icon=":material/error:")


def service_error(exc: ServiceError) -> None:
    st.error(t(exc.code, **exc.params), icon=":material/error:")


# Every character Markdown (or Streamlit's :colour[...] and :emoji: syntax) gives a meaning to.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
# Where GitHub-flavoured Markdown turns a bare web address into a link (``http://``,
# ``https://``, ``www.``). Escaping does not stop it: the autolinker reads the text after
# escapes are resolved. An invisible word joiner at these points does. E-mail addresses stay
# ``mailto:`` links (decision 0013): they fetch nothing, and a joiner would break copying them.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?i:(?<=www)(?=\.))")
_WORD_JOINER = "\u2060"


def plain(text: Any) -> Markdown:
    """Text someone typed, shown as typed: no formatting, no link, no remote image.

    Markdown syntax is escaped and bare web addresses are broken by a word joiner so they stay
    text (copying one gives it back with that invisible character: it is shown, not offered).
    """
    unlinked = _AUTOLINK.sub(_WORD_JOINER, " ".join(str(text).split()))
    return Markdown(_MARKDOWN_SPECIAL.sub(r"\\\1", unlinked))


def text_table(frame: pd.DataFrame) -> None:
    """``st.table``, whose cells, index and headers Streamlit reads as Markdown, with every text
    shown as text (a territory's name in a cell drew its Markdown image until issue 7)."""

    def shown(value: Any) -> Any:
        return plain(value) if isinstance(value, str) else value

    table = frame.map(shown).rename(index=shown, columns=shown)
    table.index.name = shown(frame.index.name) if frame.index.name else None
    st.table(table)


_KEPT_ON_LANGUAGE_SWITCH = "_kept_on_language_switch"


def keep_on_language_switch(key: str) -> str:
    """Declare a widget, drawn outside any ``st.form``, whose value must survive a language switch.

    A switch redraws the page with translated labels and sections: the browser may then
    redraw the widget from scratch, and a choice is identified by its (now translated)
    label. Either way what the person picked or typed could silently reset. The switch hands
    the value the server holds for each declared widget back to Streamlit, which sends it to
    the browser again. (Inside an ``st.form`` values wait in the browser, out of the server's
    reach: keep such pages free of forms.)
    """
    st.session_state.setdefault(_KEPT_ON_LANGUAGE_SWITCH, set()).add(key)
    return key


def _hand_values_back() -> None:
    for key in st.session_state.get(_KEPT_ON_LANGUAGE_SWITCH, ()):
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def pager(key: str, *, page: int, pages: int, shown: int, per_page: int, total: int, labels: str) -> None:
    """Where this page of a long list sits among all of them, and the way to the others: the
    page number (from 0) is kept in the session under ``key``. ``labels`` prefixes the list's
    own wording: ``<labels>.page`` (with ``first``, ``last``, ``total``), ``.previous``, ``.next``."""
    if pages <= 1:
        return
    first = page * per_page + 1
    st.caption(t(f"{labels}.page", first=first, last=first + shown - 1, total=total))
    back, forward = st.columns(2)
    if back.button(
        t(f"{labels}.previous"), key=f"{key}.back", disabled=page == 0, icon=":material/chevron_left:"
    ):
        st.session_state[key] = page - 1
        st.rerun()
    if forward.button(
        t(f"{labels}.next"), key=f"{key}.forward", disabled=page >= pages - 1, icon=":material/chevron_right:"
    ):
        st.session_state[key] = page + 1
        st.rerun()


def section_choice(key: str, sections: Sequence[str]) -> str:
    """A row of section tabs at the top of a page, kept across reruns and a language switch:
    ``key`` names the widget and its labels (``<key>.label``, ``<key>.<section>``)."""
    st.session_state.setdefault(key, sections[0])
    return st.segmented_control(
        t(f"{key}.label"),
        sections,
        format_func=lambda s: t(f"{key}.{s}"),
        required=True,
        key=keep_on_language_switch(key),
        label_visibility="collapsed",
    )


def language_choice(where: DeltaGenerator | None = None, *, collapsed: bool = False) -> None:
    """French or English; the choice lives in ``st.session_state["lang"]`` for every page."""
    names = {"fr": "Français", "en": "English"}
    (where or st).segmented_control(
        t("app.language"),
        LANGUAGES,
        format_func=names.get,
        key="lang",
        default=lang(),
        required=True,
        on_change=_hand_values_back,
        label_visibility="collapsed" if collapsed else "visible",
    )


# Dates, times and numbers in the person's language: the rule is lib/domain/formats (Babel).


def format_date(day: date | None, language: str | None = None) -> str:
    """``27/10/2026``."""
    return formats.day(day, language or lang())


def format_month(day: date) -> str:
    """``oct. 2026`` / ``Oct 2026``."""
    return formats.month(day, lang())


def format_moment(moment: datetime) -> str:
    """A time of day in Paris: ``27/10/2026 14:05``."""
    return formats.moment(moment, lang())


def format_score(value: float, signed: bool = False) -> str:
    """A score with one decimal: ``2,5`` / ``2.5`` (``+0,5`` for a change)."""
    return formats.decimal(value, lang(), 1, signed=signed)


def format_number(value: float | None, digits: int = 2) -> str:
    """A decimal such as a mean: ``2,45`` / ``2.45``; empty when there is none."""
    if value is None or value != value:  # None or NaN
        return ""
    return formats.decimal(value, lang(), digits)


def format_share(value: float) -> str:
    """A share as a whole percentage: ``26 %`` / ``26%``."""
    return formats.percent(value, lang())


def format_count(value: int) -> str:
    """``12 345`` / ``12,345``."""
    return formats.integer(value, lang())


def date_format() -> str:
    """The ``format`` of date widgets and date columns, for the person's language."""
    return formats.date_input_format(lang())


def chart_locale() -> dict:
    """How charts write numbers and dates (decimal mark, month names) in the person's language."""
    return formats.vega_locale(lang())
