"""Groupes de pairs (coordinators): a group's trajectory and spread, who shares what, and who
has not assessed itself for a year."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import peer_charts as charts
from components.kpi import Kpi, kpi_cards
from components.peers import group_picker, journey_link, level_label
from components.ui import actor, engine, format_date, framework, lang, plain, service_error, t
from lib.domain.errors import ServiceError
from lib.domain.sharing import Kind
from lib.services import peers, showcase

person = actor()
st.title(t("peers.group.title"))
fw = framework()
try:
    groups = peers.comparison_groups(engine(), person, None)
except ServiceError as exc:
    service_error(exc)
    st.stop()
if not groups:
    st.info(t("peers.group.none"))
    st.stop()
chosen = group_picker(groups, "peers_group_page")
try:
    overview = peers.group_overview(engine(), person, chosen, fw)
except ServiceError as exc:
    service_error(exc)
    st.stop()
if overview.group.description:
    st.caption(plain(overview.group.description))

stale = [m for m in overview.members if m.stale]
sharing_scores = [m for m in overview.members if m.levels[Kind.ASSESSMENTS] != "private"]
kpi_cards(
    [
        Kpi(t("peers.group.kpi.members"), str(len(overview.members))),
        Kpi(t("peers.group.kpi.sharing"), f"{len(sharing_scores)} / {len(overview.members)}"),
        Kpi(t("peers.group.kpi.stale"), str(len(stale)), help=t("peers.group.kpi.stale_help")),
    ],
    columns=3,
)

charts.group_trajectory(fw, overview)

charts.spread(fw, overview.spread, overview.latest, counted=overview.assessed, with_mine=False)
charts.named_scores(fw, overview.latest)

st.subheader(t("peers.group.members_title"))
if stale:
    st.warning(t("peers.group.stale_warning", n=len(stale)), icon=":material/schedule:")
table = pd.DataFrame(
    {
        t("peers.col.territory"): [m.name for m in overview.members],
        **{
            t(f"peers.kind.{kind.value}"): [level_label(m.levels[kind]) for m in overview.members]
            for kind in Kind
        },
        t("peers.col.latest_assessment"): [
            format_date(m.last_assessed_on) if m.last_assessed_on else t("peers.group.never")
            for m in overview.members
        ],
        t("peers.col.stale"): [t("peers.group.stale_yes") if m.stale else "" for m in overview.members],
    }
)
st.dataframe(table, hide_index=True)
with st.expander(t("peers.group.journeys")):
    for m in overview.members:
        journey_link(m.slug, m.name)

# La vitrine as a file, for the network's sites that cannot embed it (only what is public).
st.subheader(t("showcase.snapshot.title"))
st.caption(t("showcase.snapshot.explained"))
language = lang()
st.download_button(
    t("showcase.snapshot.download"),
    data=lambda: showcase.snapshot_html(engine(), person, language, fw),
    file_name=f"vitrine-{language}.html",
    mime="text/html",
    icon=":material/download:",
    on_click="ignore",
)
