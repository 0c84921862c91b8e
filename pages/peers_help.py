"""Qui peut m'aider ? For my territory's weakest axes and criteria, the territories that share
with me and are strong there, why, their stories on that axis and whom to contact."""

from __future__ import annotations

from urllib.parse import quote

import streamlit as st

from components.peers import journey_link, score_text, span_text, story_card
from components.pickers import territory_picker
from components.ui import actor, engine, format_date, format_score, framework, lang, plain, service_error, t
from lib.domain.errors import ServiceError
from lib.services import peers

person = actor()
st.title(t("peers.help.title"))
if person is None:
    st.info(t("journey.no_actor"))
    st.stop()
territory = territory_picker(person)
if territory is None:
    st.info(t("journey.no_territory"))
    st.stop()

fw = framework()
try:
    answer = peers.who_can_help(engine(), person, territory.id, fw)
except ServiceError as exc:
    service_error(exc)
    st.stop()

st.markdown(t("peers.help.for", name=territory.name))
if answer.assessed_on is None:
    st.info(t("peers.help.no_assessment"), icon=":material/assignment:")
    st.stop()
st.caption(t("peers.help.intro", date=format_date(answer.assessed_on)), help=t("peers.help.rule"))

axes = {a.id: a.label(lang()) for a in fw.axes}
criteria = {c.id: c.label(lang()) for c in fw.criteria}
for spot in answer.spots:
    if spot.kind == "axis":
        heading = t("peers.help.axis", axis=axes[spot.axis_id], score=format_score(spot.mine))
    else:
        heading = t(
            "peers.help.criterion",
            criterion=criteria[spot.id],
            axis=axes[spot.axis_id],
            score=format_score(spot.mine),
        )
    st.subheader(heading)
    if not spot.helpers:
        st.info(t("peers.help.nobody"), icon=":material/search_off:")
        continue
    for rank, helper in enumerate(spot.helpers, start=1):
        with st.container(border=True):
            st.markdown(f"**{rank}. {plain(helper.name)}**")
            reason = t(
                "peers.help.reason",
                score=score_text(helper.score),
                change=format_score(helper.change, signed=True),
                span=span_text(helper.months),
            )
            st.markdown(reason + (f" · {t('peers.help.same_group')}" if helper.same_group else ""))
            if helper.contacts:
                st.markdown(f"**{t('peers.help.contacts')}**")
                for contact in helper.contacts:
                    st.markdown(
                        f"- {plain(contact.name)} ({t(f'role.{contact.role}')}) — "
                        f"[{plain(contact.email)}](mailto:{quote(contact.email, safe='@')})"
                    )
            else:
                st.caption(t("peers.help.no_contact"))
            if helper.stories:
                with st.expander(t("peers.help.stories", n=len(helper.stories))):
                    for story in helper.stories:
                        story_card(fw, story, show_territory=False)
            journey_link(helper.slug)
