"""Accueil: the person's territory at a glance — latest axis scores, last milestone, what next.
A coordinator's Accueil is the whole network at a glance instead."""

from __future__ import annotations

import streamlit as st

from components.indicators import summary_cards
from components.journey_charts import axis_kpis
from components.navigation import page_path
from components.pickers import territory_picker
from components.steering import network_glance
from components.ui import (
    actor,
    engine,
    format_date,
    format_score,
    framework,
    lang,
    plain,
    service_error,
    t,
)
from lib.access import Action, can
from lib.domain.errors import ServiceError
from lib.services import indicators, journey

person = actor()
if person is None:
    st.title(t("home.title"))
    st.info(t("journey.no_actor"), icon=":material/waving_hand:")
    st.stop()
if can(person, Action.VIEW_NETWORK):  # a coordinator's Accueil is the whole network
    try:
        network_glance(person)
    except ServiceError as exc:
        service_error(exc)
    st.stop()

territory = territory_picker(person)
if territory is None:
    st.title(t("home.welcome", name=person.display_name or person.email))
    st.info(t("journey.no_territory"), icon=":material/waving_hand:")
    st.stop()

fw = framework()
st.title(t("home.at_a_glance", territory=territory.name))
try:
    summary = journey.home_summary(engine(), person, territory.id, fw)
except ServiceError as exc:
    service_error(exc)
    st.stop()

if summary.latest is None:
    st.info(t("home.no_assessment"))
else:
    st.subheader(t("home.latest_scores", date=format_date(summary.latest.assessed_on)))
    axis_kpis(fw, summary.latest, summary.previous)

left, right = st.columns([2, 3], gap="large")
with left:
    st.subheader(t("home.last_milestone"))
    last = summary.last_milestone
    if last is None:
        st.write(t("home.no_milestone"))
    else:
        phase = {p.id: p.label(lang()) for p in fw.phases}.get(last.phase, last.phase)
        with st.container(border=True):
            st.markdown(f"**{plain(last.title)}**")
            st.caption(t("home.milestone_line", date=format_date(last.occurred_on), phase=phase))
            if last.story:
                st.markdown(plain(last.story))
with right:
    st.subheader(t("home.next"))
    for step in summary.suggestions:
        params = dict(step.params)
        if step.axis_id:
            params["axis"] = fw.axis(step.axis_id).label(lang())
        if "score" in params:
            params["score"] = format_score(params["score"])
        st.markdown(f"- {t(step.code, **params)}")
    st.page_link(page_path("journey"), label=t("home.open_journey"), icon=":material/timeline:")

# The figures on the ground beside the levels: how many indicators are on their path.
st.subheader(t("home.indicators.title"))
try:
    figures = indicators.summary(engine(), person, territory.id)
except ServiceError as exc:
    service_error(exc)
else:
    if figures.total:
        summary_cards(figures)
    else:
        st.write(t("home.indicators.none"))
st.page_link(page_path("indicators"), label=t("home.indicators.open"), icon=":material/query_stats:")
