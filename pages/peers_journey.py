"""Le parcours d'un pair: what one territory shares with me — its scores and trajectory, its
phases and stories — reached from a story or a helper, as far as its sharing allows."""

from __future__ import annotations

import streamlit as st

from components import journey_charts as charts
from components.peers import JOURNEY_PARAM, kind_label, level_label
from components.ui import actor, engine, framework, plain, service_error, t
from lib.domain.errors import ServiceError
from lib.domain.sharing import Kind
from lib.services import peers

person = actor()
slug = st.query_params.get(JOURNEY_PARAM)
if person is None or not slug:
    st.title(t("peers.journey.title"))
    st.info(t("peers.journey.pick"))
    st.stop()

fw = framework()
try:
    seen = peers.peer_journey(engine(), person, slug, fw)
except ServiceError as exc:
    st.title(t("peers.journey.title"))
    service_error(exc)
    st.stop()

st.title(plain(seen.name))
shares = " · ".join(
    t("peers.sharing.part", kind=kind_label(k), level=level_label(seen.levels[k])) for k in Kind
)
st.caption(t("peers.journey.shares", parts=shares))

if seen.latest is None:
    st.info(t("peers.journey.no_assessments"), icon=":material/lock:")
else:
    charts.axis_kpis(fw, seen.latest, seen.previous)
    charts.radar(fw, seen.latest, seen.previous)
    charts.axis_history(fw, seen.history)
if seen.milestones is None:
    st.info(t("peers.journey.no_journey"), icon=":material/lock:")
else:
    charts.timeline(fw, seen.milestones)
