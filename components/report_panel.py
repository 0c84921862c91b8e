"""The *Rapport de parcours* panel of Mon parcours: choose period, language and sections, watch
the report being built, download it under a name that says territory, period and language."""

from __future__ import annotations

from datetime import date

import streamlit as st

from components.ui import date_format, engine, field_error, framework, lang, service_error, t, t_text
from lib.access import Actor
from lib.domain import clock
from lib.domain.errors import ServiceError, ValidationFailed
from lib.i18n import LANGUAGES
from lib.services import reports

_LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def report_panel(person: Actor, territory_id: int) -> None:
    st.subheader(t("report.panel.title"))
    st.caption(t("report.panel.caption"))
    today = clock.today()
    # Kept per person and territory: another persona or territory never gets this file.
    key = f"journey_report:{person.person_id}:{territory_id}"
    with st.form(f"{key}:form"):
        left, right = st.columns(2)
        start = left.date_input(
            t("report.panel.start"), value=date(today.year - 3, today.month, 1), format=date_format()
        )
        end = right.date_input(t("report.panel.end"), value=today, format=date_format())
        errors = st.session_state.get(f"{key}:errors")
        field_error(errors, "end")
        language = st.selectbox(
            t("report.panel.language"),
            LANGUAGES,
            index=LANGUAGES.index(lang()),
            format_func=_LANGUAGE_NAMES.get,
        )
        sections = st.multiselect(
            t("report.panel.sections"),
            [s.value for s in reports.Section],
            default=[s.value for s in reports.Section],
            format_func=lambda s: t_text(f"report.section.{s}"),
            placeholder=t("ui.choose_several"),
        )
        build = st.form_submit_button(
            t("report.panel.build"), type="primary", icon=":material/picture_as_pdf:"
        )
    if build:
        _build(person, territory_id, key, start, end, language, sections)
    _offer(key)


def _build(person: Actor, territory_id: int, key: str, start, end, language: str, sections) -> None:
    st.session_state.pop(key, None)
    st.session_state.pop(f"{key}:errors", None)
    bar = st.progress(0.0, text=t("report.progress.journey"))
    try:
        st.session_state[key] = reports.journey_report_pdf(
            engine(),
            person,
            territory_id,
            start=start,
            end=end,
            lang=language,
            sections=sections,
            framework=framework(),
            progress=lambda share, step: bar.progress(share, text=t(step)),
        )
    except ValidationFailed as exc:
        st.session_state[f"{key}:errors"] = exc.errors
        bar.empty()
        st.rerun()  # the message goes next to the field, the choices stay as typed
    except ServiceError as exc:
        bar.empty()
        service_error(exc)


def network_report_panel(person: Actor, days: int) -> None:
    """The coordinators' *Rapport de réseau* over the period chosen above (the whole network)."""
    st.caption(t("report.network.panel_caption", days=days))
    key = f"network_report:{person.person_id}"
    with st.form(f"{key}:form"):
        language = st.selectbox(
            t("report.panel.language"),
            LANGUAGES,
            index=LANGUAGES.index(lang()),
            format_func=_LANGUAGE_NAMES.get,
        )
        build = st.form_submit_button(
            t("report.panel.build"), type="primary", icon=":material/picture_as_pdf:"
        )
    if build:
        st.session_state.pop(key, None)
        bar = st.progress(0.0, text=t("report.progress.network"))
        try:
            st.session_state[key] = reports.network_report_pdf(
                engine(),
                person,
                days=days,
                lang=language,
                framework=framework(),
                progress=lambda share, step: bar.progress(share, text=t(step)),
            )
        except ServiceError as exc:
            bar.empty()
            service_error(exc)
    _offer(key)


def _offer(key: str) -> None:
    """The report built under ``key``, if any, to download."""
    ready = st.session_state.get(key)
    if ready is not None:
        name, pdf = ready
        st.download_button(
            t("report.panel.download", name=name),
            pdf,
            file_name=name,
            mime="application/pdf",
            icon=":material/download:",
            on_click="ignore",  # a download changes nothing on the page
        )
