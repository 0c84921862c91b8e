"""For a logged-in person with no access yet: how to get in, and a request to send."""

from __future__ import annotations

import streamlit as st

from components import actions
from components import membership as ui_membership
from components.ui import actor, engine, field_error, lang, t
from lib.domain.errors import FieldError, ValidationFailed
from lib.services import membership

ss = st.session_state
ACTION = "access_request"
NETWORK = "network"

me = actor()
st.title(t("auth.request.title"))
st.write(t("auth.request.greeting", name=me.display_name or me.email, email=me.email))
st.info(t("auth.request.explain"), icon=":material/info:")

mine = membership.my_requests(engine(), me)
if mine:
    st.subheader(t("auth.request.mine"))
    for request in reversed(mine):
        ui_membership.request_status_line(request)

targets = membership.request_targets(engine(), me)
# Territories first, the network last; nothing chosen beforehand, so nobody asks by accident.
names = {s.territory_id: s.name for s in targets if s.territory_id is not None} | {NETWORK: None}


def send() -> None:
    choice = ss.get("access_request_territory")
    if choice is None:
        raise ValidationFailed({"territory": FieldError("error.required")})
    membership.request_access(
        engine(),
        me,
        territory_id=None if choice == NETWORK else choice,
        message=ss.get("access_request_message") or "",
        language=lang(),
    )
    ss["access_request_message"] = ""  # sent: a second request starts afresh


errors = actions.errors(ACTION)
st.subheader(t("auth.request.form_title"))
with st.form("access_request_form"):
    st.selectbox(
        t("auth.request.territory"),
        list(names),
        format_func=lambda tid: names[tid] or t("auth.scope.network_request"),
        index=None,
        placeholder=t("auth.request.territory_placeholder"),
        key="access_request_territory",
        help=t("auth.request.territory_help"),
    )
    field_error(errors, "territory")
    st.text_area(
        t("auth.request.message"),
        key="access_request_message",
        max_chars=membership.MAX_MESSAGE_LENGTH,
        placeholder=t("auth.request.message_placeholder"),
    )
    field_error(errors, "message")
    actions.button(
        ACTION,
        t("auth.request.send"),
        send,
        done="auth.request.sent",
        in_form=True,
        type="primary",
        icon=":material/send:",
    )
actions.outcome(ACTION)
