"""Parcours — entry point: page config, login gate, navigation built from the person's rights."""

from __future__ import annotations

import streamlit as st

from components import a11y, actions, auth, ui
from components import showcase as vitrine
from components.navigation import page_path
from components.ui import t
from lib.access import Action, can, can_anywhere
from lib.bootstrap import StartupFailed
from lib.domain.errors import ReadFailed
from lib.services import mail, peers
from lib.services.workshop import WORKSHOP_PARAM

# An emoji, which the browser draws itself: a ``:material/…:`` page icon makes it fetch the
# icon from a public font host on every page (nothing may leave the app's origin, issue 15).
st.set_page_config(page_title="Parcours", page_icon="🧭", layout="wide")
a11y.page_setup()


def _statement(visibility: str = "visible") -> st.Page:
    """The accessibility statement: listed on every navigation, logged out too (RGAA)."""
    return st.Page(
        page_path("accessibility"),
        title=t("nav.accessibility"),
        icon=":material/accessibility_new:",
        url_path="accessibilite",
        visibility=visibility,
    )


def _feedback_link_only(token: str) -> None:
    """A shared campaign link opens that one form and nothing else of the app (its link to
    the accessibility statement opens a new tab, on the statement's own address)."""
    page = st.Page(page_path("answer"), title=t("nav.answer"), url_path="repondre", default=True)
    st.navigation([page, _statement("hidden")], position="hidden").run()


def _workshop_link_only() -> None:
    """A live workshop's join link (its QR code in the room): the participant's phone page
    and nothing else of the app, no login needed."""
    page = st.Page(page_path("workshop_join"), title=t("nav.workshop_join"), url_path="atelier", default=True)
    st.navigation([page], position="hidden").run()


def _unsubscribe_only() -> None:
    """The one-click unsubscribe link of a message: that page alone, no login needed."""
    page = st.Page(
        page_path("unsubscribe"), title=t("nav.unsubscribe"), url_path="desabonnement", default=True
    )
    st.navigation([page], position="hidden").run()


def _showcase_only() -> None:
    """La vitrine (its own path, /vitrine): the public showcase and nothing else of the app,
    no login needed, whoever is logged in. Its data comes from the one service that returns
    only what is public; this navigation holds no other page to reach by URL."""
    wanted = st.query_params.get("lang")
    if wanted in ui.LANGUAGES and "lang" not in st.session_state:
        st.session_state["lang"] = wanted  # an embedding site may ask for English
    showcase = st.Page(
        page_path("showcase"),
        title=t("nav.showcase"),
        icon=":material/storefront:",
        url_path=vitrine.URL_PATH,
    )

    def to_the_showcase() -> None:
        # A default page always sits at the root, so the showcase cannot be the default and
        # keep its own path: reached at the root (?vitrine=1), it moves on to /vitrine.
        st.switch_page(showcase, query_params=st.query_params.to_dict())

    root = st.Page(to_the_showcase, title=t("nav.showcase"), url_path="vitrine-accueil", default=True)
    st.navigation([root, showcase], position="hidden").run()


def _pages(actor) -> list:
    if actor is not None and not actor.memberships:
        # Logged in but not (yet) a member: the one thing to do here is to ask for access.
        return [
            st.Page(
                page_path("access_request"),
                title=t("nav.access_request"),
                icon=":material/how_to_reg:",
                url_path="demander-un-acces",
                default=True,
            ),
            _statement(),
        ]
    pages = [st.Page(page_path("home"), title=t("nav.home"), icon=":material/home:", default=True)]
    if actor is not None and (actor.is_coordinator or actor.territory_ids):
        pages.append(st.Page(page_path("journey"), title=t("nav.journey"), icon=":material/timeline:"))
        pages.append(
            st.Page(
                page_path("indicators"),
                title=t("nav.indicators"),
                icon=":material/query_stats:",
                url_path="indicateurs",
            )
        )
    if can_anywhere(actor, Action.MANAGE_CAMPAIGNS) or can_anywhere(actor, Action.ANSWER_FORM):
        pages.append(
            st.Page(
                page_path("campaigns"),
                title=t("nav.campaigns"),
                icon=":material/forum:",
                url_path="questionnaires",
            )
        )
        # Reached from a campaign's "Answer" button only: members answer inside the app.
        pages.append(
            st.Page(page_path("answer"), title=t("nav.answer"), url_path="repondre", visibility="hidden")
        )
    if can_anywhere(actor, Action.MANAGE_CAMPAIGNS):
        pages.append(
            st.Page(
                page_path("workshops"),
                title=t("nav.workshops"),
                icon=":material/co_present:",
                url_path="ateliers",
            )
        )
    if can_anywhere(actor, Action.VIEW_RESULTS):
        pages.append(
            st.Page(
                page_path("results"),
                title=t("nav.results"),
                icon=":material/insights:",
                url_path="resultats",
            )
        )
    who = actor.person_id if actor is not None else None
    if actions.read(f"nav.peer_group.{who}", lambda: peers.in_a_peer_group(ui.engine(), actor)):
        pages.append(
            st.Page(
                page_path("peers_compare"),
                title=t("nav.peers_compare"),
                icon=":material/compare_arrows:",
                url_path="comparer",
            )
        )
    if actor is not None and (actor.is_coordinator or actor.territory_ids):
        pages.append(
            st.Page(
                page_path("peers_help"),
                title=t("nav.peers_help"),
                icon=":material/support:",
                url_path="qui-peut-m-aider",
            )
        )
        pages.append(
            st.Page(
                page_path("peers_stories"),
                title=t("nav.peers_stories"),
                icon=":material/auto_stories:",
                url_path="recits-des-pairs",
            )
        )
        # Reached from a story or a helper only: one territory's journey, as far as it shares.
        pages.append(
            st.Page(
                page_path("peers_journey"),
                title=t("nav.peers_journey"),
                url_path="parcours-d-un-pair",
                visibility="hidden",
            )
        )
    if can_anywhere(actor, Action.VIEW_NETWORK):
        pages.append(
            st.Page(
                page_path("peers_group"),
                title=t("nav.peers_group"),
                icon=":material/hub:",
                url_path="groupes-de-pairs",
            )
        )
    if can_anywhere(actor, Action.MANAGE_MEMBERS):
        pages.append(st.Page(page_path("members"), title=t("nav.members"), icon=":material/group:"))
    if can(actor, Action.VIEW_NETWORK):
        pages.append(
            st.Page(
                page_path("steering"),
                title=t("nav.steering"),
                icon=":material/monitoring:",
                url_path="pilotage",
            )
        )
    if can_anywhere(actor, Action.MANAGE_TERRITORY):  # a territory admin: their own territory
        pages.append(
            st.Page(
                page_path("administration"),
                title=t("nav.administration"),
                icon=":material/admin_panel_settings:",
                url_path="administration",
            )
        )
    if can(actor, Action.MANAGE_NETWORK):
        pages.append(
            st.Page(
                page_path("outbox"),
                title=t("nav.outbox"),
                icon=":material/outgoing_mail:",
                url_path="courriels",
            )
        )
    if can_anywhere(actor, Action.VIEW_ACTIVITY):
        pages.append(
            st.Page(
                page_path("activity_log"),
                title=t("nav.activity_log"),
                icon=":material/history:",
                url_path="journal",
            )
        )
    if can_anywhere(actor, Action.VIEW_TERRITORY):
        pages.append(
            st.Page(
                page_path("peers_sharing"),
                title=t("nav.peers_sharing"),
                icon=":material/share:",
                url_path="partage",
            )
        )
    if actor is not None:
        pages.append(
            st.Page(
                page_path("peers_profile"),
                title=t("nav.peers_profile"),
                icon=":material/account_circle:",
                url_path="profil",
            )
        )
    pages.append(_statement())
    return pages


try:
    actions.new_run()
    if st.query_params.get(mail.UNSUBSCRIBE_PARAM):
        _unsubscribe_only()
        st.stop()
    if st.query_params.get(WORKSHOP_PARAM):
        _workshop_link_only()
        st.stop()
    token = st.query_params.get("campagne")
    if token:
        _feedback_link_only(token)
        st.stop()
    if vitrine.requested():
        _showcase_only()
        st.stop()

    ui.language_choice(st.sidebar)
    vitrine.link(st.sidebar)  # logged out (the login screen), in demo mode and logged in alike
    # Who is acting, with the rights they hold now: read afresh on every rerun, never cached.
    actor = auth.current_actor()
    st.session_state["actor"] = actor
    if actor is None and auth.auth_configured():
        # The login (or refusal) screen is all there is before a verified login. One hidden page
        # that draws nothing more: should app.py be started directly rather than through
        # deploy/streamlit_app.py, a run ending without st.navigation would let Streamlit list
        # and open the pages/ folder's files on their own (decision 0018).
        gate = st.Page(auth.login_gate, title=t("auth.login.title"), default=True)
        statement = _statement("hidden")
        chosen = st.navigation([gate, statement], position="hidden")
        st.sidebar.page_link(statement, label=t("nav.accessibility"), icon=":material/accessibility_new:")
        chosen.run()
        st.stop()
    auth.sidebar_account(actor)
    # Every page listed: folded, Streamlit adds its own untranslated "View N more" link.
    st.navigation(_pages(actor), expanded=True).run()
except (ReadFailed, StartupFailed) as exc:
    # The database did not answer, whatever the page: a plain sentence rather than a trace.
    # The next click reads again.
    ui.service_error(exc)
