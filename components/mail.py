"""Pieces of the outbox page: the messages' table and a message's attempts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.membership import when
from components.ui import t
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
