"""The outbox page through AppTest: a coordinator reads what waits (demo mode: nothing is
sent) with each message's text as typed; nobody else reaches it."""

from __future__ import annotations

import pytest

from components.navigation import page_path
from lib.access import Role
from lib.services import membership
from lib.services.identity import load_actor
from lib.store import migrate
from lib.store.db import make_engine
from tests.factories import make_actor, make_person, make_territory, open_app_as


@pytest.fixture
def app_db(sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    engine = make_engine(sqlite_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def _pages(at) -> set[str]:
    return {info.get("script_path") for info in at._registered_pages.values()}


def _texts(at, kind: str) -> list[str]:
    return [element.value for element in at.get(kind)]


def test_a_coordinator_reads_the_waiting_messages_as_typed_in_french_and_english(app_db):
    territory = make_territory(app_db, "Malaunay (essai)")
    coordinator = make_actor(app_db, Role.COORDINATOR, None, "Camille")
    admin = make_actor(app_db, Role.TERRITORY_ADMIN, territory, "Alex")
    asker = load_actor(app_db, make_person(app_db, "Dominique", email="dominique@asso.test"))
    membership.request_access(
        app_db, asker, territory_id=territory, message="**Bonjour** [lien](http://x.test)"
    )

    at = open_app_as(coordinator, page_path("outbox"))
    assert page_path("outbox") in _pages(at)
    assert any("ne partent pas" in text for text in _texts(at, "info"))  # no [smtp]: they wait
    [table] = at.dataframe
    assert list(table.value["Destinataire"]) == [admin.email]
    assert table.value["État"][0] == "En attente"
    body = "\n".join(_texts(at, "text"))
    assert "> **Bonjour** [lien](http://x.test)" in body  # as typed, not as Markdown
    assert "Dominique (dominique@asso.test) demande à rejoindre Malaunay (essai)" in body

    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Outgoing e-mail"
    assert at.dataframe[0].value["Status"][0] == "Waiting"


@pytest.mark.parametrize("role", [Role.TERRITORY_ADMIN, Role.CONTRIBUTOR, Role.READER])
def test_the_outbox_is_not_in_the_navigation_of_territory_members(app_db, role):
    member = make_actor(app_db, role, make_territory(app_db))
    at = open_app_as(member)
    assert page_path("outbox") not in _pages(at)


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_an_admin_sends_the_link_to_pasted_addresses_a_bad_one_named_and_the_list_kept(app_db):
    from tests.factories import make_campaign

    territory = make_territory(app_db, "Loos (essai)")
    admin = make_actor(app_db, Role.TERRITORY_ADMIN, territory, "Alex")
    campaign_id, _ = make_campaign(app_db, territory, title="Forum")
    at = open_app_as(admin, page_path("campaigns"))
    box = at.text_area(key=f"send_link.{campaign_id}.addresses")
    box.input("ana@mairie.test\nbob(at)asso.test")
    _button(at, "Envoyer le lien").click()
    at.run()
    assert not at.exception
    # Named as typed (Markdown's escapes aside: the person reads "bob(at)asso.test").
    assert any("bob(at)asso.test" in e.value.replace("\\", "") for e in at.error)
    assert at.text_area(key=f"send_link.{campaign_id}.addresses").value == "ana@mairie.test\nbob(at)asso.test"

    at.text_area(key=f"send_link.{campaign_id}.addresses").input(
        "ana@mairie.test\nbob@asso.test, ana@mairie.test"
    )
    _button(at, "Envoyer le lien").click()
    at.run()
    assert any(
        "Lien envoyé à 2 adresse(s)" in s.value and "Doublons retirés : 1" in s.value for s in at.success
    )
    assert at.text_area(key=f"send_link.{campaign_id}.addresses").value == ""


def test_the_unsubscribe_link_opens_one_page_that_unsubscribes_at_once(app_db):
    from streamlit.testing.v1 import AppTest

    from lib.store import outbox
    from tests.factories import APP_ENTRY

    with app_db.begin() as conn:
        token = outbox.ensure_recipient(conn, "someone@x.test").unsubscribe_token
    at = AppTest.from_file(APP_ENTRY, default_timeout=60)
    at.query_params["desabonnement"] = token
    at.run()
    assert not at.exception
    assert "C’est fait" in at.success[0].value
    with app_db.connect() as conn:
        assert outbox.opted_out(conn, "someone@x.test")

    unknown = AppTest.from_file(APP_ENTRY, default_timeout=60)
    unknown.query_params["desabonnement"] = "inconnu-" + "x" * 20
    unknown.run()
    assert "pas reconnu" in unknown.error[0].value
    assert not unknown.sidebar.selectbox  # no persona picker, nothing else of the app


def test_a_coordinator_sees_why_a_message_failed_and_puts_it_back_in_the_queue(app_db):
    import sqlalchemy as sa

    from lib.store import tables

    coordinator = make_actor(app_db, Role.COORDINATOR, None)
    membership.invite(app_db, coordinator, email="typo@mairie.test", territory_id=None, role="coordinator")
    with app_db.begin() as conn:
        conn.execute(
            sa.update(tables.outbox_message).values(status="failed", last_error="550 5.1.1 No such user")
        )
    at = open_app_as(coordinator, page_path("outbox"))
    assert any("550 5.1.1 No such user" in e.value.replace("\\", "") for e in at.error)
    _button(at, "Remettre dans la file d’envoi").click()
    at.run()
    assert not at.exception
    assert any("de nouveau dans la file" in s.value for s in at.success)
    with app_db.connect() as conn:
        assert conn.execute(sa.select(tables.outbox_message.c.status)).scalar_one() == "pending"
