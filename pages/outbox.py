"""Courriels envoyés: the outbox, for coordinators. What waits, what was sent, what failed and
why; each message's text as its recipient reads it; a failed one can be put back in the queue.
Without SMTP settings (demo mode) nothing is sent, and this page is where messages are read."""

from __future__ import annotations

import streamlit as st

from components import actions
from components.mail import attempts_table, messages_table, status_label
from components.ui import actor, engine, keep_on_language_switch, service_error, t
from lib.domain.errors import ServiceError
from lib.services import mail
from lib.store.tables import OUTBOX_STATUSES

REQUEUE = "outbox.requeue"
person = actor()
st.title(t("outbox.title"))
statuses = st.multiselect(
    t("outbox.filter.status"),
    OUTBOX_STATUSES,
    format_func=status_label,
    placeholder=t("outbox.filter.any"),
    key=keep_on_language_switch("outbox.statuses"),
)
try:
    box = mail.outbox(engine(), person, statuses)
except ServiceError as exc:
    service_error(exc)
    st.stop()

if not box.sending_configured:
    st.info(t("outbox.not_configured"), icon=":material/outgoing_mail:")
# One line, whole on a phone: how many in each state.
st.markdown(
    " · ".join(t("outbox.count", status=status_label(s), count=box.counts.get(s, 0)) for s in OUTBOX_STATUSES)
)

if not box.messages:
    st.info(t("outbox.none"), icon=":material/inbox:")
    st.stop()
messages_table(box.messages)

by_id = {m.id: m for m in box.messages}
chosen = st.selectbox(
    t("outbox.read"),
    list(by_id),
    format_func=lambda mid: f"#{mid} · {by_id[mid].recipient} · {by_id[mid].subject}",
    key="outbox.chosen",
)
message = by_id[chosen]
with st.container(border=True):
    st.markdown(f"**{t('outbox.subject')}**")
    st.text(message.subject)
    st.markdown(f"**{t('outbox.to')}**")
    st.text(f"{message.recipient} ({message.language.upper()})")
    # The text exactly as sent: st.text never reads it as Markdown or HTML.
    st.text(message.body_text)
try:
    attempts_table(mail.attempts(engine(), person, chosen))
except ServiceError as exc:
    service_error(exc)
if message.status == "failed":
    if message.last_error:
        st.error(t("outbox.failed_because", error=message.last_error), icon=":material/error:")
    actions.button(
        REQUEUE,
        t("outbox.requeue"),
        lambda: mail.requeue(engine(), actions.rights_now(person), chosen),
        done="outbox.requeued",
        icon=":material/replay:",
        name=str(chosen),
    )
actions.outcome(REQUEUE, fields_shown=False)
