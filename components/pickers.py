"""Pickers shared by the pages: which territory the person is looking at — and acting on."""

from __future__ import annotations

from datetime import date

import streamlit as st

from components import actions
from components.ui import date_format, engine, keep_on_language_switch, t
from lib.access import Actor
from lib.services.territories import PICKER_LIMIT, TerritoryName, territory_choices

# The one record of the choice. The widget's own state cannot be trusted across pages: a page
# that does not draw the picker (or draws it for a person with one territory) leaves a value
# that Streamlit hands back later — a coordinator who picked Port-Lanterne then found
# Vallée-des-Tilleuls on Mon parcours (issue 7). The widget is set from this record on every
# run and writes back to it when the person changes it.
_REMEMBERED = "current_territory_id"
_WIDGET = "territory_picker"
_SEARCH = "territory_picker_search"
_ACTING_ON = "acting_on_territory"


def _remember() -> None:
    st.session_state[_REMEMBERED] = st.session_state[_WIDGET]


def territory_picker(actor: Actor | None) -> TerritoryName | None:
    """A sidebar choice among the territories this person may open (None when there is none).

    Only ids and names are read, and at most ``PICKER_LIMIT`` of them: past that (a
    coordinator's thousand territories) a search box narrows the list by name.
    """
    search = st.session_state.get(_SEARCH, "")
    wanted = st.session_state.get(_REMEMBERED)
    who = actor.person_id if actor is not None else None
    # Through components.actions: when the database does not answer, the choices read last
    # stand in, so that the page (and the form on it) is still drawn.
    choices = actions.read(
        f"territories.{who}",
        lambda: territory_choices(engine(), actor, search=search, chosen=wanted),
    )
    if choices.chosen is None and not choices.matches and search:
        choices = territory_choices(engine(), actor)  # nothing matches and nothing chosen yet
    if choices.total == 0:
        st.session_state.pop(_ACTING_ON, None)
        return None
    current = choices.chosen or choices.matches[0]
    shown = {current.id: current, **{m.id: m for m in choices.matches}}
    st.session_state[_REMEMBERED] = current.id
    if choices.total > PICKER_LIMIT:
        st.sidebar.text_input(
            t("journey.picker.search"), key=_SEARCH, placeholder=t("journey.picker.search_placeholder")
        )
        if len(choices.matches) >= PICKER_LIMIT:  # the list is full: some are left out
            st.sidebar.caption(t("journey.picker.shown", shown=len(choices.matches), total=choices.total))
    if choices.total > 1:
        st.session_state[_WIDGET] = current.id
        st.sidebar.selectbox(
            t("journey.picker.territory"),
            list(shown),
            format_func=lambda tid: shown[tid].name,
            key=_WIDGET,
            on_change=_remember,
        )
    st.session_state[_ACTING_ON] = current.name
    return current


def acting_on(network: bool = False) -> None:
    """Which territory the save button below writes to, said right next to it."""
    name = t("auth.scope.network") if network else st.session_state.get(_ACTING_ON)
    if name:
        st.caption(t("ui.acting_on", territory=name), help=t("ui.acting_on_help"))


def period(key: str, default: tuple[date, date], labels: tuple[str, str]) -> tuple[date | None, date | None]:
    """An optional period: (None, None) until the person asks for one, then two dates that
    start filled with ``default``.

    Never an empty date field: Streamlit 1.67 draws an empty one's segments with a fixed
    ``en-US`` locale ("dd / mm / yyyy", whatever the page's language — issue 7, item 15)."""
    if not st.toggle(t("filter.period"), key=keep_on_language_switch(f"{key}.on")):
        return None, None
    left, right = st.columns(2)
    start = left.date_input(
        labels[0], value=default[0], format=date_format(), key=keep_on_language_switch(f"{key}.start")
    )
    end = right.date_input(
        labels[1], value=default[1], format=date_format(), key=keep_on_language_switch(f"{key}.end")
    )
    return start, end
