"""Members and access: pending requests, who has which role, invitations."""

from __future__ import annotations

import streamlit as st

from components import actions
from components import membership as ui
from components.ui import actor, engine, field_error, lang, role_label, t
from lib.access import Role, grantable_roles
from lib.domain.errors import FieldError, ValidationFailed
from lib.i18n import LANGUAGES
from lib.services import membership
from lib.services.territories import PICKER_LIMIT

ss = st.session_state
REQUESTS, CHANGE, INVITE, REVOKE = "members.requests", "members.change", "members.invite", "members.revoke"

me = actor()
st.title(t("auth.members.title"))

# Requests first: someone is waiting for an answer. A page at a time, the oldest first.
waiting = membership.pending_requests_page(engine(), me, ss.get("members.requests_page", 0))
ss["members.requests_page"] = waiting.page
for request in waiting.requests:
    ui.request_card(request, grantable_roles(me, request.territory_id), me, REQUESTS)
actions.outcome(REQUESTS, fields_shown=False)  # where the card was: it is gone once answered
ui.requests_pager(waiting, "members.requests_page")

# A coordinator manages the whole network: past PICKER_LIMIT territories, a search narrows them.
search = st.session_state.get("members_scope_search", "")
found = membership.manageable_scopes(engine(), me, search=search, limit=PICKER_LIMIT + 1)
if search or len(found) > PICKER_LIMIT + 1:
    st.text_input(
        t("journey.picker.search"),
        key="members_scope_search",
        placeholder=t("journey.picker.search_placeholder"),
    )
scopes = {s.territory_id: s.name for s in found[: PICKER_LIMIT + 1]}
if not scopes:
    st.info(t("auth.members.nothing_to_manage"))
    st.stop()
scope = st.selectbox(
    t("auth.members.scope"),
    list(scopes),
    format_func=lambda tid: ui.scope_label(scopes[tid]),
    key="members_scope",
)
# Most powerful first: the forms start from the last, the least powerful (issue 7, item 13).
roles = grantable_roles(me, scope)
tab_members, tab_invite = st.tabs([t("auth.members.tab"), t("auth.invitations.tab")])

with tab_members:
    members = membership.list_members(engine(), me, scope)
    ui.members_table(members)
    others = {m.membership_id: m for m in members if m.person_id != me.person_id and m.role in roles}

    def name_of(membership_id: int) -> dict:
        target = others[membership_id]
        return {"who": target.display_name or target.email}

    def change_role() -> dict:
        chosen = ss["member_change_who"]
        membership.change_role(engine(), actions.rights_now(me), chosen, ss["member_new_role"])
        return name_of(chosen)

    def revoke() -> dict:
        chosen = ss["member_change_who"]
        membership.revoke_membership(engine(), actions.rights_now(me), chosen)
        return name_of(chosen)

    if others:
        with st.form("member_change_form"):
            st.markdown(f"**{t('auth.members.change_title')}**")
            st.selectbox(
                t("auth.members.who"),
                list(others),
                format_func=lambda mid: (
                    f"{others[mid].display_name or others[mid].email} — {others[mid].email}"
                ),
                key="member_change_who",
            )
            st.selectbox(
                t("auth.members.role"),
                roles,
                format_func=role_label,
                index=len(roles) - 1,
                key="member_new_role",
            )
            change_col, revoke_col = st.columns(2)
            actions.button(
                CHANGE,
                t("auth.members.change"),
                change_role,
                done=lambda who: ("auth.members.changed", who),
                in_form=True,
                where=change_col,
                icon=":material/manage_accounts:",
            )
            actions.button(
                CHANGE,
                t("auth.members.revoke"),
                revoke,
                done=lambda who: ("auth.members.revoked", who),
                in_form=True,
                where=revoke_col,
                icon=":material/person_remove:",
            )
        actions.outcome(CHANGE, fields_shown=False)

with tab_invite:
    st.caption(t("auth.invitations.email_sent"))
    errors = actions.errors(INVITE)

    def invite() -> dict:
        role = ss.get("invite_role")
        if role == Role.COORDINATOR and not ss.get("invite_confirm_coordination"):
            # Coordination sees and manages the whole network: never granted by a slip.
            raise ValidationFailed({"confirm": FieldError("auth.invitations.confirm_required")})
        email = (ss.get("invite_email") or "").strip().lower()
        membership.invite(
            engine(),
            actions.rights_now(me),
            email=email,
            territory_id=scope,
            role=role,
            valid_days=int(ss.get("invite_days") or membership.DEFAULT_INVITATION_DAYS),
            language=ss.get("invite_language") or lang(),
        )
        ss["invite_email"] = ""  # sent: the next invitation starts from an empty box
        ss["invite_confirm_coordination"] = False
        return {"email": email}

    with st.form("invite_form"):
        st.text_input(t("auth.invitations.email"), key="invite_email", placeholder="prenom.nom@mairie.fr")
        field_error(errors, "email")
        st.selectbox(
            t("auth.invitations.role"),
            roles,
            format_func=role_label,
            index=len(roles) - 1,  # the least powerful role
            key="invite_role",
        )
        field_error(errors, "role")
        if Role.COORDINATOR in roles:
            st.checkbox(t("auth.invitations.confirm_coordination"), key="invite_confirm_coordination")
            field_error(errors, "confirm")
        st.number_input(
            t("auth.invitations.valid_days"),
            min_value=1,
            max_value=membership.MAX_INVITATION_DAYS,
            value=membership.DEFAULT_INVITATION_DAYS,
            step=1,
            key="invite_days",
        )
        field_error(errors, "valid_days")
        st.segmented_control(
            t("auth.invitations.language"),
            LANGUAGES,
            format_func={"fr": "Français", "en": "English"}.get,
            default=lang(),
            required=True,
            key="invite_language",
        )
        actions.button(
            INVITE,
            t("auth.invitations.send"),
            invite,
            done=lambda sent: ("auth.invitations.sent", sent),
            in_form=True,
            type="primary",
            icon=":material/person_add:",
        )
    actions.outcome(INVITE)

    invitations = membership.list_invitations(engine(), me, scope)
    ui.invitations_table(invitations)
    pending = {i.id: i for i in invitations if i.status == "pending"}

    def revoke_invitation() -> dict:
        chosen = ss["invitation_revoke_which"]
        membership.revoke_invitation(engine(), actions.rights_now(me), chosen)
        return {"email": pending[chosen].email}

    if pending:
        with st.form("invitation_revoke_form"):
            st.selectbox(
                t("auth.invitations.revoke_which"),
                list(pending),
                format_func=lambda iid: f"{pending[iid].email} — {role_label(pending[iid].role)}",
                key="invitation_revoke_which",
            )
            actions.button(
                REVOKE,
                t("auth.invitations.revoke"),
                revoke_invitation,
                done=lambda revoked: ("auth.invitations.revoked", revoked),
                in_form=True,
                icon=":material/cancel_schedule_send:",
            )
        actions.outcome(REVOKE, fields_shown=False)
