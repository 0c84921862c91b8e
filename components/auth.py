"""Who is at the keyboard: a real login through ``st.login``, or a demo persona.

Demo mode exists only when no ``[auth]`` section is configured. Once a provider is
configured, the person is whoever ``st.user`` says (a cookie signed by Streamlit) and
nothing in the session — no widget, no ``demo_person_id`` — can change that.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from components import actions, login_hooks
from components.ui import engine, plain, role_label, t
from lib import oidc
from lib.access import Actor
from lib.bootstrap import StartupFailed
from lib.domain.errors import ReadFailed, ServiceError
from lib.services import identity

# Keys of a provider block that Streamlit passes to Authlib; our own keys sit beside them.
_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
_SIGNED_IN_KEY = "_auth_signed_in_as"
_DEMO_PERSONA = "_demo_persona"
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Provider:
    name: str  # the [auth.<name>] block, passed to st.login
    display_name: str
    proconnect: bool = False  # follows ProConnect's rules (lib/oidc.py)


def _secrets() -> Mapping[str, Any]:
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # no secrets file at all
        return {}


def auth_configured() -> bool:
    return isinstance(_secrets().get("auth"), Mapping)


def providers() -> list[Provider]:
    """Every ``[auth.<name>]`` block, in file order, or the single unnamed ``[auth]`` provider."""
    auth = _secrets().get("auth") or {}
    found = [
        Provider(name, str(block.get("display_name") or name), oidc.is_proconnect(block))
        for name, block in auth.items()
        if isinstance(block, Mapping) and all(k in block for k in _PROVIDER_KEYS)
    ]
    if not found and all(k in auth for k in _PROVIDER_KEYS):
        found = [Provider("default", str(auth.get("display_name") or t("auth.login.default_provider")))]
    return found


def proconnect_providers() -> frozenset[str]:
    """Blocks with ProConnect's profile: their logins must carry a verified userinfo."""
    return frozenset(p.name for p in providers() if p.proconnect)


def _proconnect_ready() -> bool:
    """Streamlit's login is given ProConnect's rules before anyone can use them (once per
    process); False when the installed Streamlit or Authlib is not the one they were written for."""
    if not proconnect_providers():
        return True
    try:
        login_hooks.install()
    except login_hooks.LoginHooksUnavailable:
        _log.exception("ProConnect login is off")
        return False
    return True


def _parcours_setting(key: str) -> Any:
    section = _secrets().get("parcours") or {}
    return section.get(key) if isinstance(section, Mapping) else None


def coordinators() -> frozenset[str]:
    """Bootstrap coordinators: ``PARCOURS_COORDINATORS`` and ``[parcours] coordinators``."""
    return identity.normalise_emails(os.environ.get("PARCOURS_COORDINATORS")) | identity.normalise_emails(
        _parcours_setting("coordinators")
    )


def trusted_providers() -> frozenset[str]:
    return identity.normalise_emails(_parcours_setting("trusted_providers"))


def demo_actor() -> Actor | None:
    """Demo mode: a visible banner and a persona picker in the sidebar."""
    st.warning(t("demo.banner"), icon=":material/theater_comedy:")
    # Read through components.actions: when the database does not answer, the page is still
    # drawn (for the person as read last) and keeps what they typed (issue 7).
    personas = actions.read("demo.personas", lambda: identity.list_demo_personas(engine()))
    if not personas:
        st.info(t("demo.no_personas"))
        return None
    ids = [p["id"] for p in personas]
    by_id = {p["id"]: p for p in personas}

    def label(person_id: int) -> str:
        # Language-independent on purpose: Streamlit matches a selectbox's value by its label,
        # so a translated label would lose the chosen persona when the language changes.
        p = by_id[person_id]
        return f"{p['display_name']} · {p['territory_name'] or 'Réseau / Network'}"

    # Streamlit drops the widget's own key when a button switches page mid-run ("Voir les
    # résultats"); the persona is remembered beside it, so it follows the person (issue 7, 14).
    if st.session_state.get("demo_person_id") not in ids:
        remembered = st.session_state.get(_DEMO_PERSONA)
        st.session_state["demo_person_id"] = remembered if remembered in ids else ids[0]
    person_id = st.sidebar.selectbox(t("demo.persona"), ids, format_func=label, key="demo_person_id")
    st.session_state[_DEMO_PERSONA] = person_id
    chosen = by_id[person_id]
    st.sidebar.caption(role_label(chosen["role"]))
    return actions.read(f"demo.actor.{person_id}", lambda: identity.load_actor(engine(), person_id))


def login_screen() -> None:
    """The only thing a visitor sees before logging in: one button per configured provider."""
    st.title(t("auth.login.title"))
    st.write(t("auth.login.intro"))
    refusal = st.query_params.get(login_hooks.REFUSAL_PARAM)
    if refusal in oidc.REASONS:
        # Only known reasons: the address never decides what text is shown.
        st.error(f"{t('auth.refused.title')} — {t(f'auth.refused.{refusal}')}", icon=":material/gpp_bad:")
    proconnect_ready = _proconnect_ready()
    with st.container(border=True):
        st.subheader(t("auth.login.choose"))
        for provider in providers():
            if provider.proconnect and not proconnect_ready:
                st.warning(t("auth.login.proconnect_off", provider=provider.display_name))
                continue
            if st.button(
                t("auth.login.with", provider=provider.display_name),
                key=f"login_{provider.name}",
                type="primary",
                icon=":material/login:",
                width="stretch",
            ):
                st.login(provider.name)
    st.caption(t("auth.login.help"))


def login_gate() -> None:
    """The only page before a verified login: the login or refusal screen is already drawn."""


def _refused_screen(exc: ServiceError) -> None:
    st.title(t("auth.refused.title"))
    st.error(t(exc.code, **exc.params), icon=":material/gpp_bad:")
    st.write(t("auth.refused.help"))
    if st.button(t("auth.logout"), icon=":material/logout:"):
        st.logout()


def _claims() -> dict[str, Any]:
    return {k: v for k, v in st.user.to_dict().items() if k != "tokens"}


def logged_in_actor() -> Actor | None:
    """The logged-in person with the rights they hold now; draws the login or refusal screen
    and returns None when there is nobody to act as."""
    if not st.user.get("is_logged_in"):
        login_screen()
        return None
    _proconnect_ready()  # the logout of a ProConnect identity goes through the hooks too
    claims = _claims()
    trusted = trusted_providers()
    signed = proconnect_providers()
    identity_key = (claims.get("provider"), claims.get("sub"), str(claims.get("email") or "").lower())

    def read_actor() -> Actor | None:
        actor = None
        # The login is recorded (person, invitations, coordinators) once per browser session;
        # either way the rights come straight from the database, at every rerun.
        if st.session_state.get(_SIGNED_IN_KEY) == identity_key:
            actor = identity.actor_for_login(
                engine(), claims, trusted_providers=trusted, signed_userinfo_providers=signed
            )
        if actor is None:
            actor = identity.sign_in(
                engine(),
                claims,
                trusted_providers=trusted,
                coordinators=coordinators(),
                signed_userinfo_providers=signed,
            )
            st.session_state[_SIGNED_IN_KEY] = identity_key
        return actor

    try:
        # When the database does not answer, the rights read last for this very login draw
        # the page, so that nothing typed is dropped; every save reads them again.
        actor = actions.read(f"login.{identity_key}", read_actor)
    except (ReadFailed, StartupFailed):
        raise  # the database is down, the person is not refused: app.py says so plainly
    except ServiceError as exc:
        _refused_screen(exc)
        return None
    return actor


def current_actor() -> Actor | None:
    if not auth_configured():
        return demo_actor()
    return logged_in_actor()


def sidebar_account(actor: Actor | None) -> None:
    """Who is logged in, and the way out."""
    if actor is None or not auth_configured():
        return
    with st.sidebar:
        st.caption(t("auth.account.signed_in_as"))
        st.markdown(f"**{plain(actor.display_name or actor.email)}**  \n{plain(actor.email)}")
        if st.button(t("auth.logout"), icon=":material/logout:", key="logout"):
            st.logout()
