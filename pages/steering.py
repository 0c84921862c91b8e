"""Pilotage du réseau (coordinators): headline figures with their change over the period, then
one section at a time — activity by month, stalled territories, voices heard, freshness of
self-assessments, a network questionnaire by territory."""

from __future__ import annotations

import streamlit as st

from components import steering_sections as sections
from components.report_panel import network_report_panel
from components.steering import figures, filters
from components.ui import actor, engine, section_choice, service_error, t
from lib.domain.errors import ServiceError, ValidationFailed
from lib.services import steering

person = actor()
st.title(t("steering.title"))
st.caption(t("steering.intro"))
try:
    days, scope = filters(person)
    view = steering.overview(engine(), person, days=days, scope=scope)
except ValidationFailed as exc:
    st.error(t(exc.errors["days"].code, **exc.errors["days"].params), icon=":material/error:")
    st.stop()
except ServiceError as exc:
    service_error(exc)
    st.stop()

if view.territories.empty:
    st.info(t("steering.no_territory"))
    st.stop()
if not scope.whole_network:
    st.caption(t("steering.scope_count", count=len(view.territories)))
figures(view)

SECTIONS = ("activity", "stalled", "coverage", "freshness", "campaign", "report")
section = section_choice("steering.section", SECTIONS)
try:
    if section == "activity":
        sections.activity(person, scope)
    elif section == "stalled":
        sections.stalled(view)
    elif section == "coverage":
        sections.coverage(person, days, scope)
    elif section == "freshness":
        sections.freshness(view)
    elif section == "campaign":
        sections.network_campaign(person)
    else:
        network_report_panel(person, days)
except ServiceError as exc:
    service_error(exc)
