"""Pickers shared by the pages: which territory the person is looking at — and acting on."""

from __future__ import annotations

import streamlit as st

from components.ui import engine, t
from lib.access import Actor
from lib.services.territories import Territory, list_own_territories

# The one record of the choice. The widget's own state cannot be trusted across pages: a page
# that does not draw the picker (or draws it for a person with one territory) leaves a value
# that Streamlit hands back later — a coordinator who picked Port-Lanterne then found
# Vallée-des-Tilleuls on Mon parcours (issue 7). The widget is set from this record on every
# run and writes back to it when the person changes it.
_REMEMBERED = "current_territory_id"
_WIDGET = "territory_picker"
_ACTING_ON = "acting_on_territory"


def _remember() -> None:
    st.session_state[_REMEMBERED] = st.session_state[_WIDGET]


def territory_picker(actor: Actor | None) -> Territory | None:
    """A sidebar choice among the territories this person may open (None when there is none)."""
    territories = list_own_territories(engine(), actor)
    if not territories:
        st.session_state.pop(_ACTING_ON, None)
        return None
    by_id = {tr.id: tr for tr in territories}
    remembered = st.session_state.get(_REMEMBERED)
    chosen = remembered if remembered in by_id else territories[0].id
    st.session_state[_REMEMBERED] = chosen
    if len(territories) > 1:
        st.session_state[_WIDGET] = chosen
        st.sidebar.selectbox(
            t("journey.picker.territory"),
            list(by_id),
            format_func=lambda tid: by_id[tid].name,
            key=_WIDGET,
            on_change=_remember,
        )
    st.session_state[_ACTING_ON] = by_id[chosen].name
    return by_id[chosen]


def acting_on(network: bool = False) -> None:
    """Which territory the save button below writes to, said right next to it."""
    name = t("auth.scope.network") if network else st.session_state.get(_ACTING_ON)
    if name:
        st.caption(t("ui.acting_on", territory=name), help=t("ui.acting_on_help"))
