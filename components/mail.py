"""Mail pieces: the outbox page's tables, and the form that sends a campaign's link by e-mail."""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd
import streamlit as st

from components import actions
from components.membership import when
from components.ui import engine, field_error, lang, t
from lib.i18n import LANGUAGES
from lib.services import campaign_mail, mail
from lib.services.feedback import CampaignState
from lib.services.mail import Attempt, OutboxMessage


def status_label(status: str) -> str:
    return t(f"outbox.status.{status}")


def messages_table(messages: list[OutboxMessage]) -> None:
    frame = pd.DataFrame(
        {
            "#": [m.id for m in messages],
            t("outbox.col.created"): [when(m.created_at) for m in messages],
            t("outbox.col.kind"): [t(f"outbox.kind.{m.kind}") for m in messages],
            t("outbox.col.to"): [m.recipient for m in messages],
            t("outbox.col.subject"): [m.subject for m in messages],
            t("outbox.col.status"): [status_label(m.status) for m in messages],
            t("outbox.col.attempts"): [m.attempts for m in messages],
            t("outbox.col.error"): [m.last_error or "" for m in messages],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")


def attempts_table(attempts: list[Attempt]) -> None:
    if not attempts:
        st.caption(t("outbox.no_attempt"))
        return
    frame = pd.DataFrame(
        {
            t("outbox.col.attempted"): [when(a.attempted_at) for a in attempts],
            t("outbox.col.outcome"): [t(f"outbox.outcome.{a.outcome}") for a in attempts],
            t("outbox.col.code"): [a.smtp_code or "" for a in attempts],
            t("outbox.col.detail"): [a.detail or "" for a in attempts],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")


def send_link_form(person, campaign) -> None:
    """Paste addresses, choose the message's language, send the campaign's link to each
    (while the campaign can still be answered)."""
    if campaign.state == CampaignState.CLOSED:
        return
    key = f"send_link.{campaign.id}"

    def send() -> dict:
        result = campaign_mail.send_link(
            engine(),
            actions.rights_now(person),
            campaign.id,
            addresses=st.session_state.get(f"{key}.addresses") or "",
            language=st.session_state.get(f"{key}.language") or lang(),
        )
        st.session_state[f"{key}.addresses"] = ""  # sent: the next list starts from an empty box
        return asdict(result)

    st.markdown(f"**{t('mail.send.title')}**")
    with st.form(key):
        st.text_area(
            t("mail.send.addresses"),
            key=f"{key}.addresses",
            placeholder="prenom.nom@mairie.fr\ncontact@association.org",
            help=t("mail.send.addresses_help", max=campaign_mail.MAX_ADDRESSES),
        )
        field_error(actions.errors(key), "addresses")
        st.segmented_control(
            t("mail.send.language"),
            LANGUAGES,
            format_func={"fr": "Français", "en": "English"}.get,
            default=lang(),
            required=True,
            key=f"{key}.language",
        )
        st.caption(t("mail.send.privacy", days=mail.settings().addresses_kept_days))
        actions.button(
            key,
            t("mail.send.button"),
            send,
            done=lambda sent: ("mail.send.done", sent),
            in_form=True,
            icon=":material/send:",
        )
    actions.outcome(key)
