"""For a logged-in person with no access yet: how to get in, and a request to send."""

from __future__ import annotations

import streamlit as st

from components import membership as ui_membership
from components.ui import actor, engine, field_error, lang, service_error, t
from lib.domain.errors import FieldError, ServiceError, ValidationFailed
from lib.services import membership

me = actor()
if st.session_state.pop("access_request_sent", False):
    # Sent: empty the message box (before it is drawn) so a second request starts afresh.
    st.session_state["access_request_message"] = ""
    st.success(t("auth.request.sent"), icon=":material/mark_email_read:")

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
NETWORK = "network"
names = {s.territory_id: s.name for s in targets if s.territory_id is not None} | {NETWORK: None}
errors = st.session_state.get("access_request_errors")

st.subheader(t("auth.request.form_title"))
with st.form("access_request_form"):
    choice = st.selectbox(
        t("auth.request.territory"),
        list(names),
        format_func=lambda tid: names[tid] or t("auth.scope.network_request"),
        index=None,
        placeholder=t("auth.request.territory_placeholder"),
        key="access_request_territory",
        help=t("auth.request.territory_help"),
    )
    field_error(errors, "territory")
    message = st.text_area(
        t("auth.request.message"),
        key="access_request_message",
        max_chars=membership.MAX_MESSAGE_LENGTH,
        placeholder=t("auth.request.message_placeholder"),
    )
    field_error(errors, "message")
    sent = st.form_submit_button(t("auth.request.send"), type="primary", icon=":material/send:")

if sent:
    try:
        if choice is None:
            raise ValidationFailed({"territory": FieldError("error.required")})
        target = None if choice == NETWORK else choice
        membership.request_access(engine(), me, territory_id=target, message=message, language=lang())
    except ValidationFailed as exc:
        st.session_state["access_request_errors"] = exc.errors
        st.rerun()
    except ServiceError as exc:
        service_error(exc)
    else:
        st.session_state.pop("access_request_errors", None)
        st.session_state["access_request_sent"] = True
        st.rerun()
