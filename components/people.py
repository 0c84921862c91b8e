"""Administration → People: find a person, see their memberships, give, change or take a role.

What is found and what may be done is decided by ``lib.services.people`` and
``lib.services.membership`` (a territory admin only ever sees their territory's people and
memberships); this draws it. Every change goes through ``components.actions``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import actions
from components.membership import scope_label, when
from components.ui import engine, field_error, keep_on_language_switch, plain, role_label, t, t_text
from lib.access import Actor, grantable_roles
from lib.services import membership, people

ss = st.session_state
PEOPLE, ADD = "admin.people", "admin.people.add"


def _held(person: people.Person) -> str:
    return "; ".join(
        f"{m.territory_name or t_text('auth.scope.network')} ({role_label(m.role)})"
        for m in person.memberships
    ) or t_text("role.none")


def _table(found: list[people.Person]) -> None:
    st.dataframe(
        pd.DataFrame(
            {
                t_text("auth.members.col.name"): [p.display_name or "" for p in found],
                t_text("auth.members.col.email"): [p.email for p in found],
                t_text("admin.people.col.memberships"): [_held(p) for p in found],
                t_text("auth.members.col.last_login"): [str(when(p.last_login_at)) for p in found],
            }
        ),
        hide_index=True,
        use_container_width=True,
    )


def section(me: Actor) -> None:
    st.caption(t("admin.people.intro" if me.is_coordinator else "admin.people.intro_territory"))
    search = st.text_input(
        t("admin.people.search"),
        key=keep_on_language_switch("admin.people.search"),
        placeholder=t_text("admin.people.search_hint"),
    )
    found = people.find_people(engine(), me, search)
    if not found.people:
        st.info(t("admin.people.none"), icon=":material/person_search:")
        return
    _table(found.people)
    if found.more:
        st.caption(t("admin.people.more", shown=len(found.people)))
    by_id = {p.id: p for p in found.people}
    chosen = by_id[
        st.selectbox(
            t("admin.people.chosen"),
            list(by_id),
            format_func=lambda pid: f"{by_id[pid].display_name or by_id[pid].email} — {by_id[pid].email}",
            key="admin.person_chosen",
        )
    ]
    st.subheader(plain(chosen.display_name or chosen.email), divider="gray")
    if chosen.id == me.person_id:
        # The service refuses it too (lib.access.require_other_person); saying it spares a click.
        st.info(t("auth.error.own_rights"), icon=":material/info:")
        return
    for held in chosen.memberships:
        _membership_row(me, chosen, held)
    actions.outcome(PEOPLE, fields_shown=False)
    _add(me, chosen)


def _membership_row(me: Actor, person: people.Person, held: people.PersonMembership) -> None:
    name = {
        "name": person.display_name or person.email,
        "scope": held.territory_name or t_text("auth.scope.network"),
    }
    where, role_col, change_col, remove_col = st.columns([3, 3, 2, 2], vertical_alignment="bottom")
    where.markdown(f"**{plain(scope_label(held.territory_name))}**")
    roles = grantable_roles(me, held.territory_id)
    role_key = f"admin.people.role.{held.membership_id}"
    if len(roles) > 1 and held.role in roles:
        role_col.selectbox(
            t("auth.members.col.role"),
            roles,
            index=roles.index(held.role),
            format_func=role_label,
            key=role_key,
            label_visibility="collapsed",
        )
        actions.button(
            PEOPLE,
            t("admin.people.change"),
            lambda: membership.change_role(
                engine(), actions.rights_now(me), held.membership_id, ss[role_key]
            ),
            done=lambda _: ("admin.people.changed", {**name, "role": role_label(ss[role_key])}),
            where=change_col,
            key=f"admin.people.change.{held.membership_id}",
            icon=":material/manage_accounts:",
        )
    else:
        role_col.markdown(role_label(held.role))
    actions.button(
        PEOPLE,
        t("admin.people.remove"),
        lambda: membership.revoke_membership(engine(), actions.rights_now(me), held.membership_id),
        done="admin.people.removed",
        done_params=name,
        where=remove_col,
        key=f"admin.people.remove.{held.membership_id}",
        icon=":material/person_remove:",
    )


def _add(me: Actor, person: people.Person) -> None:
    held = {m.territory_id for m in person.memberships}
    scopes = {
        s.territory_id: s for s in membership.manageable_scopes(engine(), me) if s.territory_id not in held
    }
    if not scopes:
        return
    st.markdown(f"**{t('admin.people.add_title')}**")
    errors = actions.errors(ADD)
    key = f"{ADD}.{person.id}"
    left, right = st.columns(2)
    with left:
        scope = st.selectbox(
            t("auth.members.scope"),
            list(scopes),
            format_func=lambda tid: scope_label(scopes[tid].name),
            key=f"{key}.where",
        )
        field_error(errors, "territory")
    roles = grantable_roles(me, scope)
    with right:
        st.selectbox(
            t("auth.members.col.role"), roles, index=len(roles) - 1, format_func=role_label, key=f"{key}.role"
        )
        field_error(errors, "role")
    actions.button(
        ADD,
        t("admin.people.add"),
        lambda: people.add_membership(
            engine(),
            actions.rights_now(me),
            person_id=person.id,
            territory_id=ss[f"{key}.where"],
            role=ss[f"{key}.role"],
        ),
        done=lambda _: (
            "admin.people.added",
            {
                "name": person.display_name or person.email,
                "scope": scopes[ss[f"{key}.where"]].name or t_text("auth.scope.network"),
                "role": role_label(ss[f"{key}.role"]),
            },
        ),
        key=f"{key}.go",
        icon=":material/person_add:",
        type="primary",
    )
    actions.outcome(ADD)
