"""Mon parcours: record a self-assessment, see the radar and the trend, tell the milestones."""

from __future__ import annotations

import streamlit as st

from components import actions
from components import journey_charts as charts
from components.journey_forms import assessment_form, milestone_form, refusal_after_losing_rights
from components.peers import sharing_caption
from components.pickers import territory_picker
from components.report_panel import report_panel
from components.ui import actor, engine, framework, plain, service_error, t
from lib.domain.errors import ServiceError
from lib.domain.sharing import Kind
from lib.services import journey

person = actor()
territory = territory_picker(person)
if territory is None:
    st.info(t("journey.no_territory"))
    st.stop()

fw = framework()
st.title(f"{t('journey.title')} · {plain(territory.name)}")
try:
    # The forms below must be drawn even when the database does not answer, or what was typed
    # since the last save would be dropped: the journey read last stands in (components.actions).
    data = actions.read(
        f"journey.{person.person_id}.{territory.id}",
        lambda: journey.get_journey(engine(), person, territory.id, fw),
    )
except ServiceError as exc:
    service_error(exc)
    st.stop()
sharing_caption(person, territory.id, (Kind.ASSESSMENTS, Kind.JOURNEY))
if not data.can_edit:
    refusal_after_losing_rights(territory.id)
    st.info(t("journey.read_only"), icon=":material/visibility:")

overview, assessment, milestones, report = st.tabs(
    [
        t("journey.tab.overview"),
        t("journey.tab.assessment"),
        t("journey.tab.milestones"),
        t("journey.tab.report"),
    ]
)
with overview:
    charts.axis_kpis(fw, data.latest, data.previous)
    charts.radar(fw, data.latest, data.previous)
    charts.axis_history(fw, data.history)
with assessment:
    if data.latest is not None:
        with st.expander(t("journey.details"), expanded=not data.can_edit):
            charts.criteria_table(fw, data.latest)
    elif not data.can_edit:
        st.info(t("journey.radar.empty"))
    if data.can_edit:
        assessment_form(fw, person, territory.id, data.draft)
with milestones:
    charts.timeline(fw, data.milestones)
    if data.can_edit:
        milestone_form(fw, person, territory.id, data.milestones)
with report:
    report_panel(person, territory.id)
