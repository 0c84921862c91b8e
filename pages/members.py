"""Members and access: pending requests, who has which role, invitations."""

from __future__ import annotations

import streamlit as st

from components import membership as ui
from components.ui import actor, engine, field_error, lang, role_label, service_error, t
from lib.access import Role, grantable_roles
from lib.domain.errors import ServiceError, ValidationFailed
from lib.i18n import LANGUAGES
from lib.services import membership

me = actor()
st.title(t("auth.members.title"))
ui.show_flash()

# Requests first: someone is waiting for an answer. A page at a time, the oldest first.
waiting = membership.pending_requests_page(engine(), me, st.session_state.get("members.requests_page", 0))
st.session_state["members.requests_page"] = waiting.page
for request in waiting.requests:
    decision = ui.request_card(request, grantable_roles(me, request.territory_id))
    if decision is not None:
        verb, role = decision
        try:
            membership.decide_request(engine(), me, request.id, accept=verb == "accept", role=role)
        except ServiceError as exc:
            ui.refusal(exc)
        else:
            done = "auth.requests.accepted" if verb == "accept" else "auth.requests.refused"
            ui.flash(done, who=request.display_name or request.email)
            st.rerun()

ui.requests_pager(waiting, "members.requests_page")

scopes = {s.territory_id: s.name for s in membership.manageable_scopes(engine(), me)}
if not scopes:
    st.info(t("auth.members.nothing_to_manage"))
    st.stop()
scope = st.selectbox(
    t("auth.members.scope"),
    list(scopes),
    format_func=lambda tid: ui.scope_label(scopes[tid]),
    key="members_scope",
)
roles = grantable_roles(me, scope)
tab_members, tab_invite = st.tabs([t("auth.members.tab"), t("auth.invitations.tab")])

with tab_members:
    members = membership.list_members(engine(), me, scope)
    ui.members_table(members)
    others = {m.membership_id: m for m in members if m.person_id != me.person_id and m.role in roles}
    if others:
        with st.form("member_change_form"):
            st.markdown(f"**{t('auth.members.change_title')}**")
            chosen = st.selectbox(
                t("auth.members.who"),
                list(others),
                format_func=lambda mid: (
                    f"{others[mid].display_name or others[mid].email} — {others[mid].email}"
                ),
                key="member_change_who",
            )
            new_role = st.selectbox(
                t("auth.members.role"), roles, format_func=role_label, key="member_new_role"
            )
            change_col, revoke_col = st.columns(2)
            change = change_col.form_submit_button(
                t("auth.members.change"), icon=":material/manage_accounts:"
            )
            revoke = revoke_col.form_submit_button(t("auth.members.revoke"), icon=":material/person_remove:")
        if change or revoke:
            target = others[chosen]
            try:
                if change:
                    membership.change_role(engine(), me, chosen, new_role)
                else:
                    membership.revoke_membership(engine(), me, chosen)
            except ServiceError as exc:
                ui.refusal(exc)
            else:
                key = "auth.members.changed" if change else "auth.members.revoked"
                ui.flash(key, who=target.display_name or target.email)
                st.rerun()

with tab_invite:
    st.caption(t("auth.invitations.email_sent"))
    errors = st.session_state.get("invite_errors")
    if st.session_state.pop("invite_clear", False):
        st.session_state["invite_email"] = ""  # sent: the next invitation starts from an empty box
    with st.form("invite_form"):
        email = st.text_input(
            t("auth.invitations.email"), key="invite_email", placeholder="prenom.nom@mairie.fr"
        )
        field_error(errors, "email")
        role = st.selectbox(
            t("auth.invitations.role"),
            roles,
            format_func=role_label,
            index=roles.index(Role.CONTRIBUTOR) if Role.CONTRIBUTOR in roles else 0,
            key="invite_role",
        )
        field_error(errors, "role")
        days = st.number_input(
            t("auth.invitations.valid_days"),
            min_value=1,
            max_value=membership.MAX_INVITATION_DAYS,
            value=membership.DEFAULT_INVITATION_DAYS,
            step=1,
            key="invite_days",
        )
        field_error(errors, "valid_days")
        language = st.segmented_control(
            t("auth.invitations.language"),
            LANGUAGES,
            format_func={"fr": "Français", "en": "English"}.get,
            default=lang(),
            required=True,
            key="invite_language",
        )
        sent = st.form_submit_button(t("auth.invitations.send"), type="primary", icon=":material/person_add:")
    if sent:
        try:
            membership.invite(
                engine(),
                me,
                email=email,
                territory_id=scope,
                role=role,
                valid_days=int(days),
                language=language or lang(),
            )
        except ValidationFailed as exc:
            st.session_state["invite_errors"] = exc.errors
            st.rerun()
        except ServiceError as exc:
            service_error(exc)
        else:
            st.session_state.pop("invite_errors", None)
            ui.flash("auth.invitations.sent", email=email.strip().lower())
            st.session_state["invite_clear"] = True
            st.rerun()

    invitations = membership.list_invitations(engine(), me, scope)
    ui.invitations_table(invitations)
    pending = {i.id: i for i in invitations if i.status == "pending"}
    if pending:
        with st.form("invitation_revoke_form"):
            revoked = st.selectbox(
                t("auth.invitations.revoke_which"),
                list(pending),
                format_func=lambda iid: f"{pending[iid].email} — {role_label(pending[iid].role)}",
                key="invitation_revoke_which",
            )
            if st.form_submit_button(t("auth.invitations.revoke"), icon=":material/cancel_schedule_send:"):
                try:
                    membership.revoke_invitation(engine(), me, revoked)
                except ServiceError as exc:
                    service_error(exc)
                else:
                    ui.flash("auth.invitations.revoked", email=pending[revoked].email)
                    st.rerun()
