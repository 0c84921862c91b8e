"""Pieces of the access pages: request cards, member and invitation tables, dates."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from components.ui import format_moment, plain, role_label, service_error, t
from lib.access import Role
from lib.domain.errors import ServiceError, ValidationFailed
from lib.services.membership import REQUESTS_PER_PAGE, AccessRequest, Invitation, Member, RequestsPage

_FLASH_KEY = "members_flash"


def when(value: datetime | None) -> str:
    if value is None:
        return t("auth.never")
    return format_moment(value)


def scope_label(name: str | None) -> str:
    return name or t("auth.scope.network")


def flash(message_key: str, **params) -> None:
    """Say what just happened, after the rerun that shows its effect."""
    st.session_state[_FLASH_KEY] = (message_key, params)


def show_flash() -> None:
    if _FLASH_KEY in st.session_state:
        key, params = st.session_state.pop(_FLASH_KEY)
        st.success(t(key, **params), icon=":material/check_circle:")


def refusal(exc: ServiceError) -> None:
    """Why an action on a list (not a form) was refused: each reason, not just "fix the fields"."""
    if isinstance(exc, ValidationFailed):
        for error in exc.errors.values():
            st.error(t(error.code, **error.params), icon=":material/error:")
    else:
        service_error(exc)


def request_status_line(request: AccessRequest) -> None:
    icon = {"pending": ":material/hourglass_top:", "accepted": ":material/check_circle:"}.get(
        request.status, ":material/cancel:"
    )
    st.markdown(
        f"{icon} **{plain(scope_label(request.territory_name))}** — "
        f"{t(f'auth.request.status.{request.status}')} · {when(request.created_at)}"
    )


def request_card(request: AccessRequest, roles: tuple[Role, ...]) -> tuple[str, Role | None] | None:
    """One pending request with its decision buttons; returns ("accept", role), ("refuse", None)
    or None when nothing was clicked."""
    with st.container(border=True):
        # Names and messages come from outside (the asker, their identity provider): t() and
        # plain() show them as typed, so no link or remote image reaches an admin's browser.
        who = request.display_name or request.email
        scope = scope_label(request.territory_name)
        st.markdown(t("auth.requests.card", who=who, email=request.email, scope=scope))
        st.caption(when(request.created_at))
        if request.message:
            st.markdown(f"> {plain(request.message)}")
        role = st.selectbox(
            t("auth.requests.role"),
            roles,
            format_func=role_label,
            index=len(roles) - 1 if roles else None,
            key=f"request_role_{request.id}",
        )
        accept_col, refuse_col = st.columns(2)
        if accept_col.button(
            t("auth.requests.accept"),
            key=f"request_accept_{request.id}",
            type="primary",
            icon=":material/check:",
        ):
            return "accept", role
        if refuse_col.button(
            t("auth.requests.refuse"), key=f"request_refuse_{request.id}", icon=":material/close:"
        ):
            return "refuse", None
    return None


def members_table(members: list[Member]) -> None:
    if not members:
        st.info(t("auth.members.none"), icon=":material/group_off:")
        return
    frame = pd.DataFrame(
        {
            t("auth.members.col.name"): [m.display_name or "" for m in members],
            t("auth.members.col.email"): [m.email for m in members],
            t("auth.members.col.role"): [role_label(m.role) for m in members],
            t("auth.members.col.last_login"): [when(m.last_login_at) for m in members],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")


def invitations_table(invitations: list[Invitation]) -> None:
    if not invitations:
        st.info(t("auth.invitations.none"), icon=":material/mail:")
        return
    frame = pd.DataFrame(
        {
            t("auth.invitations.col.email"): [i.email for i in invitations],
            t("auth.invitations.col.role"): [role_label(i.role) for i in invitations],
            t("auth.invitations.col.status"): [t(f"auth.invitations.status.{i.status}") for i in invitations],
            t("auth.invitations.col.expires"): [when(i.expires_at) for i in invitations],
            t("auth.invitations.col.by"): [i.invited_by or "" for i in invitations],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")


def requests_pager(waiting: RequestsPage, key: str) -> None:
    """Where this page of requests sits among all of them, and the way to the others."""
    if waiting.pages <= 1:
        return
    first = waiting.page * REQUESTS_PER_PAGE + 1
    last = first + len(waiting.requests) - 1
    st.caption(t("auth.requests.page", first=first, last=last, total=waiting.total))
    back, forward = st.columns(2)
    if back.button(
        t("auth.requests.previous"),
        key=f"{key}.back",
        disabled=waiting.page == 0,
        icon=":material/chevron_left:",
    ):
        st.session_state[key] = waiting.page - 1
        st.rerun()
    if forward.button(
        t("auth.requests.next"),
        key=f"{key}.forward",
        disabled=waiting.page >= waiting.pages - 1,
        icon=":material/chevron_right:",
    ):
        st.session_state[key] = waiting.page + 1
        st.rerun()
