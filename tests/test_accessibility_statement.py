"""The accessibility statement (issue 15, RGAA 4.1): its sections in the RGAA model's order, in
French and English, reachable from the navigation of every kind of person, logged out too, and
from a share link's form."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from components.navigation import page_path
from lib.access import Role
from lib.store import migrate
from lib.store.db import make_engine
from tests.factories import APP_ENTRY, as_read, make_actor, make_campaign, make_territory, open_app_as
from tests.test_pages_auth import logged_app  # noqa: F401 (the fixture: the app with a login)

STATEMENT = page_path("accessibility")
SECTIONS = {
    "fr": [
        "État de conformité",
        "Résultats des tests",
        "Contenus non accessibles",
        "Établissement de cette déclaration d’accessibilité",
        "Retour d’information et contact",
        "Voies de recours",
    ],
    "en": [
        "Compliance status",
        "Test results",
        "Non-accessible content",
        "Preparation of this accessibility statement",
        "Feedback and contact",
        "Remedies",
    ],
}
MADE = {
    "fr": ["Technologies utilisées pour la réalisation de Parcours", "Environnement de test",
           "Outils pour évaluer l’accessibilité", "Pages du site ayant fait l’objet de la vérification"],
    "en": ["Technologies used to build Parcours", "Test environment", "Tools used to assess accessibility",
           "Pages of the site that were checked"],
}  # fmt: skip


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'statement.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = make_engine(url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def _headers(at: AppTest) -> list[str]:
    return [h.value for h in at.header]


def _listed(at: AppTest) -> bool:
    """The statement is one of the navigation's pages (AppTest does not tell hidden ones
    apart: the browser walk, tests/e2e/test_accessibility.py, clicks its link in the list)."""
    return any(info.get("script_path") == STATEMENT for info in at._registered_pages.values())


def _sidebar_link(at: AppTest) -> list[str]:
    """The labels of the sidebar's links to the statement."""
    return [el.proto.label for el in at.sidebar.get("page_link") if el.proto.page.endswith("accessibilite")]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_statement_follows_the_rgaa_model_and_says_what_was_checked_and_what_fails(db, lang):
    reader = make_actor(db, Role.READER, make_territory(db, "Mont-Sureau"), "Lina Lecture")
    at = AppTest.from_file(APP_ENTRY, default_timeout=60)
    at.session_state["demo_person_id"] = reader.person_id
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(STATEMENT).run()
    assert not at.exception, at.exception

    assert [t.value for t in at.title] == [
        {"fr": "Déclaration d’accessibilité", "en": "Accessibility statement"}[lang]
    ]
    assert _headers(at) == SECTIONS[lang]
    assert [s.value for s in at.subheader][1:] == MADE[lang]
    text = " ".join(as_read(m.value) for m in at.markdown)
    assert {"fr": "non conforme", "en": "not compliant"}[lang] in text  # no audit: no rate claimed
    assert "axe-core 4.12" in text and "390 × 844" in text
    assert "Défenseur des droits" in text


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.TERRITORY_ADMIN, Role.CONTRIBUTOR, Role.READER])
def test_every_kind_of_person_finds_the_statement_in_the_navigation(db, role):
    territory = None if role == Role.COORDINATOR else make_territory(db, "Val-Fougère")
    at = open_app_as(make_actor(db, role, territory, "Pat Personne"))

    assert _listed(at)


def test_a_visitor_not_logged_in_finds_the_statement_and_can_read_it(logged_app):  # noqa: F811
    at = AppTest.from_file(APP_ENTRY, default_timeout=60)
    at.user = {"is_logged_in": False}
    at.run()
    assert _sidebar_link(at) == ["Accessibilité"]

    at.switch_page(STATEMENT).run()
    assert not at.exception, at.exception
    assert _headers(at) == SECTIONS["fr"]


def test_a_share_link_s_form_links_to_the_statement(db):
    _, token = make_campaign(db, make_territory(db, "Bel-Estuaire"))
    at = AppTest.from_file(APP_ENTRY, default_timeout=60)
    at.query_params["campagne"] = token
    at.run()
    assert not at.exception, at.exception

    links = [c.value for c in at.caption if "accessibilite" in c.value]
    assert links and "déclaration d’accessibilité" in as_read(links[0])
