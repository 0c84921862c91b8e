"""Pickers shared by the pages: which territory the person is looking at."""

from __future__ import annotations

import streamlit as st

from components import actions
from components.ui import engine, t
from lib.access import Actor
from lib.services.territories import PICKER_LIMIT, TerritoryName, territory_choices

# The widget's own key is dropped by Streamlit on a page that does not draw it; this one
# survives, so the choice follows the person from page to page.
_REMEMBERED = "current_territory_id"
_WIDGET = "territory_picker"
_SEARCH = "territory_picker_search"


def territory_picker(actor: Actor | None) -> TerritoryName | None:
    """A sidebar choice among the territories this person may open (None when there is none).

    Only ids and names are read, and at most ``PICKER_LIMIT`` of them: past that (a
    coordinator's thousand territories) a search box narrows the list by name.
    """
    search = st.session_state.get(_SEARCH, "")
    wanted = st.session_state.get(_WIDGET, st.session_state.get(_REMEMBERED))
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
        return None
    current = choices.chosen or choices.matches[0]
    shown = {current.id: current, **{m.id: m for m in choices.matches}}
    st.session_state[_WIDGET] = current.id
    if choices.total > PICKER_LIMIT:
        st.sidebar.text_input(
            t("journey.picker.search"), key=_SEARCH, placeholder=t("journey.picker.search_placeholder")
        )
        if len(choices.matches) < choices.total:
            st.sidebar.caption(t("journey.picker.shown", shown=len(choices.matches), total=choices.total))
    if choices.total > 1:
        st.sidebar.selectbox(
            t("journey.picker.territory"),
            list(shown),
            format_func=lambda tid: shown[tid].name,
            key=_WIDGET,
        )
    chosen = shown[st.session_state[_WIDGET]]
    st.session_state[_REMEMBERED] = chosen.id
    return chosen
