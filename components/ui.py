"""The few things every page needs: the engine, the language, the translation, the actor."""

from __future__ import annotations

from typing import Any

import streamlit as st
from sqlalchemy.engine import Engine

from lib.access import Actor
from lib.domain.errors import FieldError, ServiceError
from lib.domain.framework import Framework, load_framework
from lib.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from lib.store import migrate
from lib.store.db import database_url, make_engine


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    engine = make_engine(url)
    migrate.upgrade(engine)  # migrations run at start-up, once per process and database
    return engine


def engine() -> Engine:
    return _engine_for(database_url())


def framework() -> Framework:
    return load_framework()


def lang() -> str:
    chosen = st.session_state.get("lang", DEFAULT_LANGUAGE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **params: Any) -> str:
    return translate(key, lang(), **params)


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
