"""Feedback campaigns of the territory: open one, share its link and QR code, answer it."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from components import actions
from components.mail import send_link_form
from components.navigation import page_path
from components.pickers import acting_on, territory_picker
from components.qr import share_link, show_qr
from components.ui import actor, date_format, engine, field_error, format_date, lang, plain, service_error, t
from lib.access import Action, can
from lib.domain import clock
from lib.domain.errors import ServiceError
from lib.services import feedback

person = actor()
if person is None:
    st.title(t("feedback.campaigns.title"))
    st.info(t("feedback.no_actor"))
    st.stop()

territory = territory_picker(person)
here = territory.id if territory else None
st.title(t("feedback.campaigns.title"))
if territory is not None:
    st.caption(plain(territory.name))

may_open_here = territory is not None and can(person, Action.MANAGE_CAMPAIGNS, here)
may_open_network = can(person, Action.MANAGE_CAMPAIGNS, None)
ACTION = "open_campaign"
errors = actions.errors(ACTION)


def open_campaign() -> feedback.Campaign:
    ss = st.session_state
    return feedback.open_campaign(
        engine(),
        actions.rights_now(person),
        territory_id=None if ss.get("campaign_network") else here,
        template_id=ss.get("campaign_template"),
        title=ss.get("campaign_title") or "",
        opens_on=ss.get("campaign_opens"),
        closes_on=ss.get("campaign_closes"),
        anonymous=bool(ss.get("campaign_anonymous")),
    )


def open_form() -> None:
    templates = feedback.list_templates(engine(), person)
    names = {tpl.id: f"{tpl.title(lang())} (v{tpl.version})" for tpl in templates}
    today = clock.today()
    with st.form("open_campaign"):
        if may_open_network:
            st.checkbox(t("feedback.campaigns.network_wide"), value=not may_open_here, key="campaign_network")
        st.selectbox(
            t("feedback.campaigns.template"),
            list(names),
            format_func=names.get,
            key="campaign_template",
        )
        field_error(errors, "template_id")
        st.text_input(t("feedback.campaigns.campaign_title"), max_chars=200, key="campaign_title")
        field_error(errors, "title")
        left, right = st.columns(2)
        with left:
            st.date_input(
                t("feedback.campaigns.opens_on"), value=today, key="campaign_opens", format=date_format()
            )
            field_error(errors, "opens_on")
        with right:
            st.date_input(
                t("feedback.campaigns.closes_on"),
                value=today + timedelta(days=30),
                key="campaign_closes",
                format=date_format(),
            )
            field_error(errors, "closes_on")
        st.checkbox(t("feedback.campaigns.anonymous"), value=True, key="campaign_anonymous")
        st.caption(t("feedback.campaigns.anonymous_help"))
        acting_on(network=not may_open_here)
        actions.button(
            ACTION,
            t("feedback.campaigns.open"),
            open_campaign,
            done=lambda opened: ("feedback.campaigns.opened", {"title": opened.title}),
            in_form=True,
            type="primary",
        )


if may_open_here or may_open_network:
    with st.expander(t("feedback.campaigns.open_new"), icon=":material/add:", expanded=bool(errors)):
        try:
            open_form()
        except ServiceError as exc:
            service_error(exc)
    actions.outcome(ACTION)  # under the form, outside the expander: seen even once it folds

campaigns = feedback.list_campaigns(engine(), person, territory_ids=[here] if here else [])
if not campaigns:
    st.info(t("feedback.campaigns.none"))
for c in campaigns:
    with st.container(border=True):
        st.subheader(plain(c.title))
        where = c.territory_name or t("feedback.campaigns.network")
        st.caption(
            t(
                "feedback.campaigns.line",
                where=where,
                template=c.template_title(lang()),
                start=format_date(c.opens_on),
                end=format_date(c.closes_on),
                state=t(f"feedback.state.{c.state.value}"),
                count=c.submitted_count,
            )
        )
        answer_col, results_col = st.columns(2)
        answerable = c.state == feedback.CampaignState.OPEN and feedback.may_answer(person, c)
        if answerable and answer_col.button(
            t("feedback.campaigns.answer"), key=f"answer.{c.id}", icon=":material/edit:"
        ):
            st.session_state["answer_token"] = c.share_token
            st.switch_page(page_path("answer"))
        if can(person, Action.VIEW_RESULTS, c.territory_id) and results_col.button(
            t("feedback.campaigns.results"), key=f"results.{c.id}", icon=":material/bar_chart:"
        ):
            st.session_state["results_campaign_id"] = c.id
            st.switch_page(page_path("results"))
        if feedback.may_manage(person, c):
            # Keyed by campaign: an open panel stays with its campaign whatever appears above it.
            with st.expander(t("feedback.campaigns.share"), icon=":material/qr_code_2:", key=f"share.{c.id}"):
                link = share_link(c.share_token)
                st.code(link, language=None, wrap_lines=True)
                show_qr(link, f"questionnaire-{c.id}", key=f"qr.{c.id}")
                send_link_form(person, c)
