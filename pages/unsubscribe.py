"""Désabonnement: the one-click link of an optional message (reminder, digest, campaign link).
Opening it is the click: the address receives no optional message from now on."""

from __future__ import annotations

import streamlit as st

from components.ui import engine, language_choice, t
from lib.services import mail

language_choice(collapsed=True)
token = st.query_params.get(mail.UNSUBSCRIBE_PARAM)
st.title(t("unsubscribe.title"))
done_key = f"unsubscribed.{token}"
if done_key not in st.session_state:  # once per visit; doing it again would change nothing
    st.session_state[done_key] = mail.unsubscribe(engine(), token)
if st.session_state[done_key]:
    st.success(t("unsubscribe.done"), icon=":material/unsubscribe:")
    st.write(t("unsubscribe.what"))
else:
    st.error(t("unsubscribe.unknown"), icon=":material/link_off:")
