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
    now = actions.rights_now(person)
    peers.set_contact_consent(engine(), now, ss["profile.contact"])
    # The public opt-in widens the peers' one: saved after it, and gone with it.
    wanted_public = bool(ss.get("profile.public")) and ss["profile.contact"]
    if wanted_public != peers.public_contact_consent(engine(), now):
        peers.set_public_contact_consent(engine(), now, wanted_public)
        ss["profile.public"] = wanted_public
        if wanted_public:
            return "showcase.profile.public_yes"
        if ss["profile.contact"]:
            return "showcase.profile.public_no"
    return "peers.profile.saved_yes" if ss["profile.contact"] else "peers.profile.saved_no"


try:
    agreed_at = peers.contact_consent(engine(), person)
    public_before = peers.public_contact_consent(engine(), person)
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
if "profile.public" not in ss:
    ss["profile.public"] = public_before
st.checkbox(
    t("showcase.profile.public_label"),
    key=keep_on_language_switch("profile.public"),
    help=t("showcase.profile.public_help"),
    disabled=not ss["profile.contact"],
)
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
