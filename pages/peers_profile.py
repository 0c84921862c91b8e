"""Mon profil: who I am in Parcours, my territories, whether peers may contact me, and my data
(download it, ask for erasure)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import actions
from components.privacy import my_data
from components.ui import actor, engine, format_date, keep_on_language_switch, plain, service_error, t
from lib.domain.clock import local_day
from lib.domain.errors import ServiceError
from lib.services import peers
from lib.services.territories import membership_territory_names

ss = st.session_state
person = actor()
st.title(t("peers.profile.title"))
if person is None:
    st.info(t("journey.no_actor"))
    st.stop()


ACTION = "profile"


def _save() -> str:
    peers.set_contact_consent(engine(), actions.rights_now(person), ss["profile.contact"])
    return "peers.profile.saved_yes" if ss["profile.contact"] else "peers.profile.saved_no"


try:
    agreed_at = peers.contact_consent(engine(), person)
    territories = membership_territory_names(engine(), person)
except ServiceError as exc:
    service_error(exc)
    st.stop()

st.markdown(f"**{plain(person.display_name or person.email)}** · {plain(person.email)}")
rows = [
    {
        t("peers.col.territory"): territories.get(m.territory_id, "")
        if m.territory_id
        else t("auth.scope.network"),
        t("peers.profile.role"): t(f"role.{m.role.value}"),
    }
    for m in person.memberships
]
st.dataframe(pd.DataFrame(rows), hide_index=True)

st.subheader(t("peers.profile.contact_title"))
st.markdown(t("peers.profile.contact_explained"))
if "profile.contact" not in ss:
    ss["profile.contact"] = agreed_at is not None
st.checkbox(t("peers.profile.contact_label"), key=keep_on_language_switch("profile.contact"))
if agreed_at is not None:
    st.caption(t("peers.profile.agreed_on", date=format_date(local_day(agreed_at))))
actions.button(
    ACTION,
    t("peers.profile.save"),
    _save,
    done=lambda message: (message, {}),
    type="primary",
    icon=":material/save:",
)
actions.outcome(ACTION)

my_data(person)
