"""Pieces of the access pages: request cards, member and invitation tables, dates."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from components import actions
from components.ui import engine, format_moment, pager, plain, role_label, t
from lib.access import Actor, Role
from lib.domain.errors import FieldError, ValidationFailed
from lib.services import membership
from lib.services.membership import REQUESTS_PER_PAGE, AccessRequest, Invitation, Member, RequestsPage


def when(value: datetime | None) -> str:
    if value is None:
        return t("auth.never")
    return format_moment(value)


def scope_label(name: str | None) -> str:
    return name or t("auth.scope.network")


def request_status_line(request: AccessRequest) -> None:
    icon = {"pending": ":material/hourglass_top:", "accepted": ":material/check_circle:"}.get(
        request.status, ":material/cancel:"
    )
    st.markdown(
        f"{icon} **{plain(scope_label(request.territory_name))}** — "
        f"{t(f'auth.request.status.{request.status}')} · {when(request.created_at)}"
    )


def request_card(request: AccessRequest, roles: tuple[Role, ...], me: Actor, action: str) -> None:
    """One pending request with its decision buttons, run as ``action`` (components.actions)."""
    ss = st.session_state
    who = request.display_name or request.email

    def decide(accept: bool) -> None:
        role = ss.get(f"request_role_{request.id}") if accept else None
        if role == Role.COORDINATOR and not ss.get(f"request_confirm_{request.id}"):
            # Coordination sees and manages the whole network: never granted by a slip.
            raise ValidationFailed({"confirm": FieldError("auth.invitations.confirm_required")})
        membership.decide_request(engine(), actions.rights_now(me), request.id, accept=accept, role=role)

    with st.container(border=True):
        # Names and messages come from outside (the asker, their identity provider): t() and
        # plain() show them as typed, so no link or remote image reaches an admin's browser.
        scope = scope_label(request.territory_name)
        st.markdown(t("auth.requests.card", who=who, email=request.email, scope=scope))
        st.caption(when(request.created_at))
        if request.message:
            st.markdown(f"> {plain(request.message)}")
        role = st.selectbox(
            t("auth.requests.role"),
            roles,
            format_func=role_label,
            index=len(roles) - 1 if roles else None,  # the least powerful role
            placeholder=t("ui.choose"),
            key=f"request_role_{request.id}",
        )
        if role == Role.COORDINATOR:
            st.checkbox(t("auth.invitations.confirm_coordination"), key=f"request_confirm_{request.id}")
        accept_col, refuse_col = st.columns(2)
        actions.button(
            action,
            t("auth.requests.accept"),
            lambda: decide(True),
            done="auth.requests.accepted",
            done_params={"who": who},
            where=accept_col,
            key=f"request_accept_{request.id}",
            type="primary",
            icon=":material/check:",
        )
        actions.button(
            action,
            t("auth.requests.refuse"),
            lambda: decide(False),
            done="auth.requests.refused",
            done_params={"who": who},
            where=refuse_col,
            key=f"request_refuse_{request.id}",
            icon=":material/close:",
        )


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
    pager(
        key,
        page=waiting.page,
        pages=waiting.pages,
        shown=len(waiting.requests),
        per_page=REQUESTS_PER_PAGE,
        total=waiting.total,
        labels="auth.requests",
    )
