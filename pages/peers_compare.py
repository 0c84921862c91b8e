"""Comparer avec les pairs: my latest scores against my peer group's spread, the trajectories
and journeys of the peers who share them, and our feedback results side by side."""

from __future__ import annotations

import streamlit as st

from components import peer_charts as charts
from components.peers import scope_picker, sharing_caption
from components.pickers import territory_picker
from components.ui import actor, engine, framework, keep_on_language_switch, lang, service_error, t
from lib.domain import forms
from lib.domain.errors import ServiceError
from lib.services import peers

person = actor()
st.title(t("peers.compare.title"))
if person is None:
    st.info(t("journey.no_actor"))
    st.stop()
territory = territory_picker(person)
if territory is None and not person.is_coordinator:
    st.info(t("journey.no_territory"))
    st.stop()

fw = framework()
try:
    scope = scope_picker(person, territory)
except ServiceError as exc:
    service_error(exc)
    st.stop()
if scope is None:
    st.info(t("peers.compare.no_group"), icon=":material/group_off:")
    st.stop()
mine = territory.id if territory is not None else None
header = st.container()
# Only the open tab is computed: a group's ten-year trajectories are not read to draw its spread.
tabs = st.tabs(
    [t("peers.tab.position"), t("peers.tab.trajectories"), t("peers.tab.journeys"), t("peers.tab.feedback")],
    key="peers_tab",
    on_change="rerun",
)
opened = [section for section, tab in zip(peers.Section, tabs, strict=False) if tab.open is not False]
try:
    data = peers.compare(engine(), person, mine, scope, fw, sections=opened)
except ServiceError as exc:
    service_error(exc)
    st.stop()

with header:
    if territory is not None and not person.is_coordinator:
        st.markdown(t("peers.compare.as", name=territory.name))
        sharing_caption(person, territory.id)
    if len(data.members) < data.scope_size:
        st.caption(t("peers.compare.named", named=len(data.members), size=data.scope_size))
    else:
        st.caption(t("peers.compare.all_named", size=data.scope_size))


def _position() -> None:
    charts.spread(
        fw,
        data.spread,
        data.latest,
        counted=data.counted,
        unnamed=data.unnamed,
        left_out=data.left_out,
        with_mine=mine is not None,
    )
    charts.named_scores(fw, data.latest)
    st.download_button(
        t("peers.compare.export"),
        lambda: peers.comparison_csv(engine(), person, mine, scope, fw),
        "comparaison-pairs.csv",
        "text/csv",
        icon=":material/download:",
        on_click="ignore",
    )


def _feedback() -> None:
    st.subheader(t("peers.feedback.title"))
    st.caption(t("peers.feedback.caption"))
    try:
        uses = peers.feedback_templates(engine(), person, mine, scope)
    except ServiceError as exc:
        service_error(exc)
        return
    if not uses:
        st.info(t("peers.feedback.none"))
        return
    templates = {
        u.id: t(
            "peers.feedback.template_option",
            title=u.title_en if lang() == "en" else u.title_fr,
            version=u.version,
            n=u.territories,
        )
        for u in uses
    }
    chosen = st.selectbox(
        t("peers.feedback.template"),
        list(templates),
        format_func=templates.get,
        key=keep_on_language_switch("peers_feedback_template"),
    )
    try:
        compared = peers.compare_feedback(engine(), person, mine, scope, chosen)
    except ServiceError as exc:
        service_error(exc)
        return
    st.caption(t("peers.feedback.anonymity", n=compared.min_answers))
    questions = {q.id: q.label(lang()) for q in compared.template.questions_of_type(forms.SCALE)}
    if questions:
        question = st.selectbox(
            t("peers.feedback.question"),
            list(questions),
            format_func=questions.get,
            key=keep_on_language_switch("peers_feedback_question"),
        )
        charts.feedback_distribution(compared, question)
    charts.feedback_gaps(compared)


drawers = (_position, lambda: charts.trajectories(fw, data), lambda: charts.journeys(fw, data), _feedback)
for tab, draw in zip(tabs, drawers, strict=True):
    if tab.open is not False:
        with tab:
            draw()
