"""Récits des pairs: the latest milestones and stories that other territories share with me,
by phase, storytelling dimension and axis; each leads to its territory's journey."""

from __future__ import annotations

import streamlit as st

from components.peers import story_card
from components.ui import actor, engine, framework, keep_on_language_switch, lang, service_error, t
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
chosen_phases = phase_col.multiselect(
    t("journey.col.phase"),
    list(phases),
    format_func=phases.get,
    placeholder=t("peers.filter.all"),
    key=keep_on_language_switch("stories_phase"),
)
chosen_dimensions = dimension_col.multiselect(
    t("journey.col.dimension"),
    list(dimensions),
    format_func=dimensions.get,
    placeholder=t("peers.filter.all"),
    key=keep_on_language_switch("stories_dimension"),
)
chosen_axes = axis_col.multiselect(
    t("journey.col.axis"),
    list(axes),
    format_func=axes.get,
    placeholder=t("peers.filter.all"),
    key=keep_on_language_switch("stories_axis"),
)
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
