"""Parcours — entry point: page config, login gate, navigation built from the person's rights."""

from __future__ import annotations

import streamlit as st

from components import auth
from components.ui import lang, t
from lib.access import Action, can
from lib.i18n import LANGUAGES

st.set_page_config(page_title="Parcours", page_icon=":material/route:", layout="wide")


def _language_switch() -> None:
    labels = {"fr": "Français", "en": "English"}
    st.sidebar.segmented_control(
        t("app.language"), LANGUAGES, format_func=labels.get, key="lang", default=lang()
    )


def _feedback_link_only(token: str) -> None:
    """A shared campaign link opens that one form and nothing else of the app."""
    page = st.Page("views/answer.py", title=t("nav.answer"), url_path="repondre", default=True)
    st.navigation([page], position="hidden").run()


def _pages(actor) -> list:
    pages = [st.Page("views/home.py", title=t("nav.home"), icon=":material/home:", default=True)]
    if actor is not None and (actor.is_coordinator or actor.territory_ids):
        pages.append(st.Page("views/journey.py", title=t("nav.journey"), icon=":material/timeline:"))
    if can(actor, Action.VIEW_NETWORK):
        pass  # network pages are added by the features that need them
    return pages


token = st.query_params.get("campagne")
if token:
    _feedback_link_only(token)
    st.stop()

_language_switch()
actor = auth.current_actor()
st.session_state["actor"] = actor
st.navigation(_pages(actor)).run()
