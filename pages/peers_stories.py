"""Récits des pairs: the latest milestones and stories that other territories share with me,
by phase, storytelling dimension and axis; each leads to its territory's journey."""

from __future__ import annotations

import streamlit as st

from components.peers import filter_picker, story_card
from components.ui import actor, engine, framework, lang, service_error, t
from lib.domain.errors import ServiceError
from lib.services import peers

person = actor()
st.title(t("peers.stories.title"))
if person is None:
    st.info(t("journey.no_actor"))
    st.stop()

fw = framework()
st.caption(t("peers.stories.caption"))
phase_col, dimension_col, axis_col = st.columns(3)
phases = {p.id: p.label(lang()) for p in fw.phases}
dimensions = {d.id: d.label(lang()) for d in fw.storytelling_dimensions}
axes = {a.id: a.label(lang()) for a in fw.axes}
chosen_phases = filter_picker(phase_col, t("journey.col.phase"), phases, "stories_phase")
chosen_dimensions = filter_picker(dimension_col, t("journey.col.dimension"), dimensions, "stories_dimension")
chosen_axes = filter_picker(axis_col, t("journey.col.axis"), axes, "stories_axis")
try:
    stories = peers.peer_stories(
        engine(), person, phases=chosen_phases, dimensions=chosen_dimensions, axes=chosen_axes
    )
except ServiceError as exc:
    service_error(exc)
    st.stop()

if not stories:
    st.info(t("peers.stories.none"), icon=":material/auto_stories:")
    st.stop()
st.caption(t("peers.stories.count", n=len(stories)))
for story in stories:
    story_card(fw, story)
