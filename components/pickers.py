"""Pickers shared by the pages: which territory the person is looking at."""

from __future__ import annotations

import streamlit as st

from components import actions
from components.ui import engine, t
from lib.access import Actor
from lib.services.territories import Territory, list_own_territories

# The widget's own key is dropped by Streamlit on a page that does not draw it; this one
# survives, so the choice follows the person from page to page.
_REMEMBERED = "current_territory_id"
_WIDGET = "territory_picker"


def territory_picker(actor: Actor | None) -> Territory | None:
    """A sidebar choice among the territories this person may open (None when there is none)."""
    who = actor.person_id if actor is not None else None
    territories = actions.read(f"territories.{who}", lambda: list_own_territories(engine(), actor))
    if not territories:
        return None
    by_id = {tr.id: tr for tr in territories}
    if st.session_state.get(_WIDGET) not in by_id:
        remembered = st.session_state.get(_REMEMBERED)
        st.session_state[_WIDGET] = remembered if remembered in by_id else territories[0].id
    if len(territories) > 1:
        st.sidebar.selectbox(
            t("journey.picker.territory"),
            list(by_id),
            format_func=lambda tid: by_id[tid].name,
            key=_WIDGET,
        )
    chosen = st.session_state[_WIDGET]
    st.session_state[_REMEMBERED] = chosen
    return by_id[chosen]
