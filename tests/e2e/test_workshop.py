"""A live workshop in Chromium (issue 17): the room's screen and twelve phones (390×844) of four
kinds of actors join by the link, answer three questions, a late comer arrives mid-question;
the room's screen follows without being reloaded; the conclusion is written down and the
workshop ends as a milestone of Mon parcours. One browser, one context per phone.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from lib.domain import clock
from lib.services import workshop as ws
from lib.services.identity import load_actor
from lib.store import tables
from tests.e2e.conftest import TIMEOUT_MS, expect, screenshot, wait_for_app
from tests.e2e.demo import demo_app  # noqa: F401 - the module's demo server

# Thirteen sessions polling one server: on a machine shared with other work, a step may wait.
SLOW_MS = 3 * TIMEOUT_MS
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
ROLES = {
    "elected_official": "Élu·e",
    "local_agent": "Agent·e territorial·e",
    "state_services": "Services de l’État",
    "socio_economic": "Acteur socio-économique",
}
QUESTIONS = ["effects_vs_expectations", "value_social", "dig_deeper"]
TITLE = "Atelier du jeudi (e2e)"


def _prepare(engine) -> ws.Workshop:
    with engine.connect() as conn:
        person_id = conn.execute(
            sa.select(tables.person.c.id).where(tables.person.c.display_name == "Élise Marchand")
        ).scalar_one()
    facilitator = load_actor(engine, person_id)
    return ws.prepare_workshop(
        engine,
        facilitator,
        territory_id=facilitator.territory_ids[0],
        template_id=_template_id(engine),
        question_ids=QUESTIONS,
        title=TITLE,
        held_on=clock.today(),
    )


def _template_id(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(sa.func.max(tables.form_template.c.id)).where(
                tables.form_template.c.slug == "evaluer-la-valeur-creee"
            )
        ).scalar_one()


def _join(browser, link: str, role_label: str):
    phone = browser.new_context(**PHONE).new_page()
    phone.set_default_timeout(SLOW_MS)
    phone.goto(link, wait_until="commit")
    phone.get_by_text(re.compile("^" + re.escape(role_label))).first.click()
    phone.get_by_role("button", name="Rejoindre l’atelier").click()
    expect(phone.get_by_text("Vous participez en tant que")).to_be_visible()
    return phone


def _answer(phone, question: str, choice: str, *, first: bool = True) -> None:
    expect(phone.get_by_text(question)).to_be_visible()  # appeared by itself, no reload
    # Pills: a scale's points are radios (Streamlit 1.67), a multiple choice's options buttons.
    pill = phone.get_by_role("radio", name=choice, exact=True)
    pill.or_(phone.get_by_role("button", name=choice, exact=True)).click()
    send = "Envoyer ma réponse" if first else "Modifier ma réponse"
    phone.get_by_role("button", name=send).click()
    expect(phone.get_by_text("Réponse enregistrée")).to_be_visible()


def _ask(room, number: int) -> None:
    """The facilitator picks question ``number`` and puts it to the room."""
    room.get_by_role("radiogroup", name="Question").get_by_text(re.compile(f"^{number}\\. ")).click()
    room.get_by_role("button", name="Poser cette question").click()
    expect(room.get_by_text(f"Question {number} sur 3")).to_be_visible()


def test_a_room_of_twelve_phones_answers_live_and_the_workshop_becomes_a_milestone(demo_app, browser):  # noqa: F811
    workshop = _prepare(demo_app.engine)
    link = f"{demo_app.base_url}/?atelier={workshop.share_token}"
    contexts = []
    expect.set_options(timeout=SLOW_MS)
    try:
        room_context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(room_context)
        room = room_context.new_page()
        room.set_default_timeout(SLOW_MS)
        room.goto(f"{demo_app.base_url}/ateliers?salle={workshop.id}")
        expect(room.get_by_text("Rejoignez l’atelier")).to_be_visible()
        expect(room.get_by_text("0 personnes connectées")).to_be_visible()

        phones = []
        for label in ROLES.values():
            for _ in range(3):
                phone = _join(browser, link, label)
                contexts.append(phone.context)
                phones.append(phone)
        expect(phones[0].get_by_text("En attente de la prochaine question")).to_be_visible()

        # The room's screen counted them by role, without being reloaded.
        expect(room.get_by_text("12 personnes connectées")).to_be_visible()
        joined = room.get_by_test_id("stTable").first
        for label in ROLES.values():
            expect(joined.get_by_role("row", name=re.compile(re.escape(label) + r"\s+3"))).to_be_visible()
        screenshot(room, "workshop_room_join")

        # Question 1: everyone answers; a late comer joins mid-question and sees it at once.
        _ask(room, 1)
        q1 = "Globalement, les effets sont-ils à la hauteur des attentes ?"
        for i, phone in enumerate(phones):
            _answer(phone, q1, "5 · Bien au-delà" if i < 3 else "2")
        _answer(phones[3], q1, "3", first=False)  # changed while open
        late = _join(browser, link, "Habitant·e")
        contexts.append(late.context)
        _answer(late, q1, "4")
        expect(room.get_by_text("13 réponses")).to_be_visible()
        room.get_by_role("button", name="Montrer les résultats").click()
        expect(room.get_by_text("Toute la salle").first).to_be_visible()
        expect(room.get_by_text(re.compile("Écart marqué entre les rôles"))).to_be_visible()
        expect(room.get_by_text(re.compile("Moins de 3 réponses .*Habitant"))).to_be_visible()
        screenshot(room, "workshop_room_results")
        room.get_by_role("button", name="Clore la question").click()
        expect(phones[0].get_by_text("En attente de la prochaine question")).to_be_visible()
        conclusion = "Accord sur les effets ; les agents attendaient davantage : à retravailler."
        room.get_by_role("textbox", name=re.compile("Ce que la salle conclut")).fill(conclusion)
        room.get_by_role("button", name="Enregistrer la conclusion").click()
        expect(room.get_by_text("Conclusion enregistrée.")).to_be_visible()

        # Questions 2 and 3.
        _ask(room, 2)
        for i, phone in enumerate(phones):
            _answer(phone, "Valeur sociale", "+1" if i % 2 else "0")
        expect(room.get_by_text("12 réponses")).to_be_visible()
        _ask(room, 3)
        for phone in phones:
            _answer(phone, "Sur quelles dimensions faudrait-il approfondir l’évaluation ?", "Confiance")
        expect(room.get_by_text("12 réponses")).to_be_visible()
        screenshot(phones[0], "workshop_phone_question")

        # The end: a milestone of Mon parcours.
        room.get_by_text("Terminer l’atelier").click()
        room.get_by_role("button", name="Terminer et ajouter le jalon").click()
        expect(room.get_by_text("Cet atelier est terminé")).to_be_visible()
        expect(phones[0].get_by_text("L’atelier est terminé")).to_be_visible()
        room.goto(f"{demo_app.base_url}/journey")
        wait_for_app(room)
        room.get_by_role("tab", name="Phases et jalons").click()
        picker = room.get_by_role("combobox", name="Jalon")
        picker.click()
        picker.press_sequentially(TITLE[:12])  # the list draws only the options that fit
        expect(room.get_by_role("option", name=re.compile(re.escape(TITLE)))).to_be_visible()
    finally:
        expect.set_options(timeout=TIMEOUT_MS)
        for context in contexts:
            context.close()

    with demo_app.engine.connect() as conn:
        story = conn.execute(
            sa.select(tables.milestone.c.story).where(tables.milestone.c.title == TITLE)
        ).scalar_one()
    assert conclusion in story and "Élu·e : 5,0" in story
