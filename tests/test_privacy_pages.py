"""Personal data on screen, through AppTest: the notice of a share-link page (FR/EN, anonymous or
named, the network's own wording), a person's data and erasure request on their profile, and the
coordinators' erasure and purge on Administration."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from components.navigation import page_path
from lib.access import Role
from lib.domain import privacy as rules
from lib.services import feedback
from lib.services import privacy as service
from lib.store import migrate, tables
from lib.store.db import make_engine
from tests.factories import APP_ENTRY, as_read, make_actor, make_campaign, make_territory, open_app_as

ADMINISTRATION = page_path("administration")
PROFILE = page_path("peers_profile")


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'privacy.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = make_engine(url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def _link(token: str, lang: str = "fr") -> AppTest:
    at = AppTest.from_file(APP_ENTRY, default_timeout=60)
    at.query_params["campagne"] = token
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def _markdown(at: AppTest, bold: bool = False) -> list[str]:
    """The Markdown texts as read; without their bold markers unless ``bold``."""
    return [as_read(m.value) if bold else as_read(m.value).replace("**", "") for m in at.markdown]


def _notice(at: AppTest) -> str:
    texts = _markdown(at, bold=True)
    title = next(
        i
        for i, text in enumerate(texts)
        if text in ("**Vos données personnelles**", "**Your personal data**")
    )
    return texts[title + 1].replace("**", "")  # bold labels, as a reader sees them


def test_the_share_link_says_who_collects_what_for_how_long_and_how_to_delete_before_any_question(db):
    territory = make_territory(db, "Loos")
    _, token = make_campaign(db, territory)
    at = _link(token)
    notice = _notice(at)
    assert (
        "Qui les recueille : l’équipe du territoire qui a lancé ce questionnaire et la coordination" in notice
    )
    assert "Pour quoi : comprendre comment la transition" in notice
    assert "Questionnaire anonyme : votre nom n’est pas demandé" in notice
    assert "un brouillon jamais envoyé est effacé, avec son code de reprise, 90 jours après" in notice
    assert "Pour les faire effacer : écrivez à l’équipe qui vous a transmis ce lien" in notice
    # Before the first question: the page has not gone past the choice of one's hat.
    assert at.radio(key=f"ans.{token}.role").label == "À quel titre répondez-vous ?"
    assert not at.session_state["answer_flows"][token]["code"]


def test_a_named_campaign_says_the_name_is_asked_and_when_it_is_erased_in_english_too(db):
    _, token = make_campaign(db, make_territory(db, "Loos"), anonymous=False)
    assert (
        "Questionnaire nominatif : votre nom est demandé ; il est effacé 365 jours après la clôture"
        in _notice(_link(token))
    )
    notice = _notice(_link(token, "en"))
    assert (
        "Named questionnaire: your name is asked; it is erased 365 days after the questionnaire closes"
        in notice
    )
    assert "Who collects them: the team of the territory" in notice
    assert "To have them deleted: write to the team who gave you this link" in notice


def test_the_notice_uses_the_network_s_own_wording_shown_as_text(db, monkeypatch):
    wording = {
        "controller": {"fr": "la Métropole *européenne* de Lille", "en": "the European Metropolis of Lille"},
        "contact": {"fr": "dpo@lille.example"},
    }
    monkeypatch.setattr(
        service, "settings", lambda: service.PrivacySettings(rules.Retention(400, 30), wording)
    )
    _, token = make_campaign(db, make_territory(db, "Lille"), anonymous=False)
    notice = _notice(_link(token))
    assert "Qui les recueille : la Métropole *européenne* de Lille." in notice  # text, not emphasis
    assert "il est effacé 400 jours après" in notice and "30 jours après sa dernière modification" in notice
    assert "Pour les faire effacer : dpo@lille.example." in notice
    english = _notice(_link(token, "en"))
    assert "Who collects them: the European Metropolis of Lille." in english
    assert "To have them deleted: write to the team" in english  # no English contact given: the default


def test_the_wording_and_retention_are_read_from_the_privacy_settings(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        "[privacy]\nrespondent_names_kept_days = 180\nabandoned_drafts_kept_days = 0\n"
        'controller_fr = "  la  Ville de Lens "\npurpose_en = "steering"\n',
        encoding="utf-8",
    )
    config = service.load_settings(secrets)
    assert config.retention == rules.Retention(180, 0)
    assert (
        config.text("controller", "fr") == "la Ville de Lens" and config.text("purpose", "en") == "steering"
    )
    assert config.text("controller", "en") is None
    secrets.write_text("[privacy]\nabandoned_drafts_kept_days = -1\n", encoding="utf-8")
    with pytest.raises(service.SettingsError):
        service.load_settings(secrets)
    assert service.load_settings(tmp_path / "none.toml") == service.PrivacySettings()


def _as(actor, page: str, lang: str) -> AppTest:
    at = AppTest.from_file(APP_ENTRY, default_timeout=60)
    at.session_state["demo_person_id"] = actor.person_id
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


# --- Mon profil -------------------------------------------------------------------------------


def test_a_member_downloads_their_data_and_asks_for_erasure_from_their_profile(db):
    territory = make_territory(db, "Loos")
    member = make_actor(db, Role.CONTRIBUTOR, territory, "Hélène Dupuis")
    at = open_app_as(member, PROFILE)
    assert "Mes données" in [h.value for h in at.subheader]
    [download] = at.get("download_button")
    assert download.proto.label == "Télécharger mes données"
    exported = json.loads(service.my_data(db, member))
    assert exported["profile"]["display_name"] == "Hélène Dupuis"

    next(b for b in at.button if b.label == "Demander l’effacement").click()
    at.run()
    assert "Demande envoyée à la coordination du réseau." in [s.value for s in at.success]
    at.run()
    assert "Votre demande d’effacement a été transmise à la coordination du réseau." in [
        i.value for i in at.info
    ]
    assert not [b for b in at.button if b.label == "Demander l’effacement"]
    coordinator = make_actor(db, Role.COORDINATOR, None)
    assert [p.id for p in service.erasure_requests(db, coordinator)] == [member.person_id]


def test_the_profile_s_data_section_in_english(db):
    member = make_actor(db, Role.READER, make_territory(db, "Loos"))
    at = _as(member, PROFILE, "en")
    assert "My data" in [h.value for h in at.subheader]
    assert [b for b in at.button if b.label == "Ask for erasure"]


# --- Administration › Données personnelles ------------------------------------------------------


def _admin(db, lang: str = "fr"):
    coordinator = make_actor(db, Role.COORDINATOR, None, "Camille Coordination")
    at = open_app_as(coordinator, ADMINISTRATION)
    at.segmented_control(key="admin.section").set_value("privacy").run()
    if lang != "fr":
        at.segmented_control(key="lang").set_value(lang).run()
    assert not at.exception, at.exception
    return at


def test_a_coordinator_erases_a_person_who_asked_after_confirming(db):
    territory = make_territory(db, "Loos")
    helene = make_actor(db, Role.CONTRIBUTOR, territory, "Hélène Dupuis")
    make_actor(db, Role.READER, territory, "Paul Durand")
    service.request_erasure(db, helene)
    at = _admin(db)
    [requests] = at.dataframe
    assert list(requests.value["Nom"]) == ["Hélène Dupuis"]
    who = at.selectbox(key="privacy.erase.who")
    assert who.options[0].startswith("Hélène Dupuis — ")  # those who asked come first
    who.set_value(helene.person_id).run()
    next(b for b in at.button if b.label == "Effacer").click()
    at.run()
    assert "Cochez la case pour confirmer l’effacement." in [e.value for e in at.error]
    assert service.erasure_requests(db, make_actor(db, Role.COORDINATOR, None))  # nothing erased

    at.checkbox(key="privacy.erase.confirm").check().run()
    next(b for b in at.button if b.label == "Effacer").click()
    at.run()
    assert not at.exception, at.exception
    assert "Personne effacée : elle apparaît désormais comme « ancien membre »." in [
        s.value for s in at.success
    ]
    assert "Aucune demande en attente." in [c.value for c in at.caption]
    assert not any(o.startswith("Hélène") for o in at.selectbox(key="privacy.erase.who").options)
    with db.connect() as conn:
        emails = list(conn.execute(sa.select(tables.person.c.email)).scalars())
    assert not any("helene" in e for e in emails)


def test_a_coordinator_sees_what_the_purge_is_due_to_remove_and_runs_it(db):
    _, token = make_campaign(db, make_territory(db, "Loos"))
    for _ in range(2):
        feedback.start_response(db, token, "inhabitant")
    with db.begin() as conn:
        conn.execute(sa.update(tables.response).values(updated_at=datetime(2020, 5, 1, tzinfo=UTC)))
    at = _admin(db)
    texts = _markdown(at)
    assert any("À effacer aujourd’hui : 0 nom(s), 2 brouillon(s)." in t for t in texts)
    assert any(
        "effacés 365 jours après sa clôture" in t and "90 jours après sa dernière modification" in t
        for t in texts
    )
    next(b for b in at.button if b.label == "Purger maintenant").click()
    at.run()
    assert "Purge faite : 0 nom(s) et 2 brouillon(s) effacés." in [s.value for s in at.success]
    assert any("À effacer aujourd’hui : 0 nom(s), 0 brouillon(s)." in t for t in _markdown(at))


def test_the_personal_data_section_in_english(db):
    at = _admin(db, "en")
    assert [h.value for h in at.subheader] == ["Erasure requests", "Erase a person", "Retention"]
    assert [b for b in at.button if b.label == "Purge now"]
