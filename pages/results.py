"""Feedback results, split by stakeholder role: who answered when, how each role sees each
question, where the roles disagree most, what they wrote; CSV and XLSX exports."""

from __future__ import annotations

import streamlit as st

from components import feedback_results as parts
from components.peers import sharing_caption
from components.pickers import period, territory_picker
from components.ui import actor, engine, format_date, lang, service_error, t
from lib.domain import clock
from lib.domain.errors import ServiceError
from lib.domain.sharing import Kind
from lib.services import feedback

person = actor()
st.title(t("feedback.results.title"))
if person is None:
    st.info(t("feedback.no_actor"))
    st.stop()

territory = territory_picker(person)
here = territory.id if territory else None
campaigns = feedback.results_campaigns(engine(), person, territory_ids=[here] if here else [])
if not campaigns:
    st.info(t("feedback.results.no_campaign"))
    st.stop()

by_id = {c.id: c for c in campaigns}
if st.session_state.get("results_campaign") not in by_id:
    wanted = st.session_state.get("results_campaign_id")  # set by the campaigns page's button
    # First visit: the newest campaign with answers to read (a workshop prepared for today has none yet).
    answered = next((c for c in campaigns if c.submitted_count), campaigns[0])
    st.session_state["results_campaign"] = wanted if wanted in by_id else answered.id


def campaign_label(c: feedback.Campaign) -> str:
    where = c.territory_name or t("feedback.campaigns.network")
    return f"{c.title} · {where} · {format_date(c.opens_on)} – {format_date(c.closes_on)}"


labels = {c.id: campaign_label(c) for c in campaigns}
chosen = st.selectbox(
    t("feedback.results.campaign"), list(labels), format_func=labels.get, key="results_campaign"
)
st.session_state["results_campaign_id"] = chosen
campaign = by_id[chosen]
start, end = period(
    f"results_period.{chosen}",
    (campaign.opens_on, min(campaign.closes_on, clock.today())),
    (t("feedback.results.from"), t("feedback.results.to")),
)

try:
    res = feedback.results(engine(), person, chosen, start, end)
except ServiceError as exc:
    service_error(exc)
    st.stop()

campaign = res.campaign
st.caption(
    t(
        "feedback.results.summary",
        template=campaign.template_title(lang()),
        version=campaign.template_version,
        state=t(f"feedback.state.{campaign.state.value}"),
    )
)
if campaign.territory_id is not None:
    sharing_caption(person, campaign.territory_id, (Kind.FEEDBACK,))
first, second, third = st.columns(3)
first.metric(t("feedback.results.submitted"), res.submitted)
second.metric(t("feedback.results.drafts"), res.drafts, help=t("feedback.results.drafts_help"))
third.metric(t("feedback.results.roles"), res.counts["role"].nunique() if not res.counts.empty else 0)

parts.counts(res)
parts.gaps(res)
parts.summaries(res)  # by question type: scales, choices, free texts, numbers

st.subheader(t("feedback.results.export_title"))
st.caption(t("feedback.results.export_help"))
stem = f"retours-{campaign.id}"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
exports = [
    ("csv", feedback.export_csv, lang(), f"{stem}.csv", "text/csv"),
    ("xlsx", feedback.export_xlsx, lang(), f"{stem}.xlsx", XLSX),
    ("codes", feedback.export_csv, None, f"{stem}-codes.csv", "text/csv"),  # ids, for scripts
]
for column, (kind, export, language, name, mime) in zip(st.columns(3), exports, strict=True):
    column.download_button(
        t(f"feedback.results.export_{kind}"),
        lambda export=export, language=language: export(engine(), person, chosen, start, end, lang=language),
        name,
        mime,
        icon=":material/download:",
        on_click="ignore",
    )
