"""Who is at the keyboard: a real login through ``st.login``, or a demo persona.

Demo mode exists only when no ``[auth]`` section is configured; once a provider is
configured no code path lets anyone choose an identity.
"""

from __future__ import annotations

import streamlit as st

from components.ui import engine, t
from lib.access import Actor
from lib.services import identity


def auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def demo_actor() -> Actor | None:
    """Demo mode: a visible banner and a persona picker in the sidebar."""
    st.warning(t("demo.banner"), icon=":material/theater_comedy:")
    personas = identity.list_demo_personas(engine())
    if not personas:
        st.info(t("demo.no_personas"))
        return None
    ids = [p["id"] for p in personas]
    by_id = {p["id"]: p for p in personas}

    def label(person_id: int) -> str:
        p = by_id[person_id]
        role = t(f"role.{p['role']}") if p["role"] else t("role.none")
        where = p["territory_name"] or t("demo.network")
        return f"{p['display_name']} — {role} · {where}"

    if st.session_state.get("demo_person_id") not in ids:
        st.session_state["demo_person_id"] = ids[0]
    person_id = st.sidebar.selectbox(t("demo.persona"), ids, format_func=label, key="demo_person_id")
    return identity.load_actor(engine(), person_id)


def current_actor() -> Actor | None:
    if not auth_configured():
        return demo_actor()
    if not st.user.is_logged_in:
        return None
    return identity.actor_for_login(engine(), dict(st.user))
