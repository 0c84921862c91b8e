"""The feedback pages through AppTest: answering from a share link (no login), drafts and
resume codes, every validation error next to its field, campaigns and results for members."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest

from components.navigation import page_path
from lib.access import Actor, Role
from lib.demo.seed import seed_demo
from lib.domain import clock
from lib.domain.errors import PermissionDenied
from lib.services import feedback
from lib.store import migrate, tables
from lib.store.db import make_engine
from tests.conftest import count_rows
from tests.factories import (
    APP_ENTRY,
    as_read,
    make_actor,
    make_campaign,
    make_response,
    make_template,
    make_territory,
    open_app_as,
)

TODAY = clock.today()


@dataclass
class World:
    engine: object
    territory: int
    admin: Actor
    reader: Actor
    token: str
    campaign_id: int
    secret_title: str = "Bilan interne confidentiel"


@pytest.fixture
def world(tmp_path, monkeypatch) -> World:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    territory = make_territory(engine, "Loos-en-Gohelle (démo)")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, territory, "Alice Admin")
    reader = make_actor(engine, Role.READER, territory, "Rémi Lecteur")
    campaign_id, token = make_campaign(engine, territory, title="Notre coopération en 2026")
    other, _ = make_campaign(engine, territory, title="Bilan interne confidentiel")
    make_response(engine, other, "elected_official", {"mood": 5, "story": "Réponse très privée"})
    monkeypatch.setenv("DATABASE_URL", url)
    yield World(engine, territory, admin, reader, token, campaign_id)
    engine.dispose()


def _link(token: str, resume: str | None = None) -> AppTest:
    at = AppTest.from_file(APP_ENTRY, default_timeout=60)
    at.query_params["campagne"] = token
    if resume:
        at.query_params["reprise"] = resume
    at.run()
    assert not at.exception, at.exception
    return at


def _page_text(at: AppTest) -> str:
    """Everything drawn on the page, sidebar included: texts, labels, options, values."""
    parts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "DESCRIPTOR"):
            parts.append(text_format.MessageToString(proto, as_utf8=True))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def _answers(world: World) -> int:
    with world.engine.connect() as conn:
        return conn.execute(
            sa.select(sa.func.count())
            .select_from(tables.answer.join(tables.response))
            .where(tables.response.c.campaign_id == world.campaign_id)
        ).scalar_one()


def _code(at: AppTest, token: str) -> str:
    return at.session_state["answer_flows"][token]["code"]


def _key(at: AppTest, token: str, question: str) -> str:
    return f"ans.{_code(at, token)}.{question}"


def _click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    at.run()
    assert not at.exception, at.exception
    return at


def _start(at: AppTest, token: str, role: str = "state_services", label: str = "Commencer") -> AppTest:
    at.radio(key=f"ans.{token}.role").set_value(role)
    return _click(at, label)


def _next_to(at: AppTest, key: str) -> list[str]:
    """The error messages drawn right after a widget (and its caption), before the next widget."""
    for block in _blocks(at._tree):
        children = list(block.children.values())
        for i, child in enumerate(children):
            if getattr(child, "key", None) == key:
                found = []
                for after in children[i + 1 :]:
                    if after.type == "error":
                        found.append(after.value)
                    elif after.type != "caption":
                        break
                return found
    raise AssertionError(f"no widget {key}")


def _blocks(node):
    if getattr(node, "children", None):
        yield node
        for child in node.children.values():
            yield from _blocks(child)


# --- answering through a share link ---------------------------------------------------------


def test_anyone_answers_through_the_share_link_without_logging_in(world):
    at = _link(world.token)
    assert [x.value for x in at.header] == ["Notre coopération en 2026"]
    _start(at, world.token, "state_services")
    assert at.subheader[0].value == "Première partie" and "Étape 1 sur 2" in _page_text(at)
    at.pills(key=_key(at, world.token, "mood")).set_value(4)
    at.pills(key=_key(at, world.token, "topics")).set_value(["food"])
    _click(at, "Enregistrer et continuer")
    assert at.subheader[0].value == "Seconde partie"
    at.text_input(key=_key(at, world.token, "story")).input("On avance")
    at.number_input(key=_key(at, world.token, "partners")).set_value(3)
    _click(at, "Envoyer mes réponses")
    assert [s.value for s in at.success] == ["Merci, vos réponses ont bien été envoyées."]
    with world.engine.connect() as conn:
        response = conn.execute(
            sa.select(tables.response).where(tables.response.c.campaign_id == world.campaign_id)
        ).one()
        answers = conn.execute(
            sa.select(tables.answer.c.question_id, tables.answer.c.numeric_value, tables.answer.c.text_value)
            .where(tables.answer.c.response_id == response.id)
            .order_by(tables.answer.c.id)
        ).all()
    assert response.status == "submitted" and response.respondent_role == "state_services"
    assert response.person_id is None
    # At a meeting, the phone or tablet goes round: the next person starts blank.
    _click(at, "Une autre personne répond sur cet appareil")
    assert at.radio(key=f"ans.{world.token}.role").value is None
    assert [tuple(a) for a in answers] == [
        ("mood", 4.0, None),
        ("topics", None, "food"),
        ("story", None, "On avance"),
        ("partners", 3.0, None),
    ]


def test_a_share_link_reveals_nothing_else_of_the_app(world):
    at = _link(world.token)
    for screen in ("start", "section"):
        text = _page_text(at)
        for hidden in (
            world.secret_title,  # another campaign
            "Réponse très privée",  # its answers
            "Loos-en-Gohelle",  # the territory
            "Alice Admin",  # its members, and the persona picker
            "Personnage de démo",
            "Mode démo",
            "Résultats",
            "Questionnaires réflexifs",
        ):
            assert hidden not in text, f"{hidden!r} shown on the {screen} screen"
        assert len(at.sidebar.children) == 0  # no navigation, no persona picker, no account
        assert not at.get("vega_lite_chart") and not at.dataframe and not at.selectbox
        if screen == "start":
            _start(at, world.token)


def test_a_share_link_cannot_be_turned_into_another_page(world):
    at = _link(world.token)
    with pytest.raises(ValueError) as caught:  # the results page is not even registered
        at.switch_page(page_path("results"))
    known = str(caught.value).split("Known pages:")[1]
    # The form, and the accessibility statement (public text, linked from the form: issue 15).
    assert page_path("answer") in known and page_path("accessibility") in known and known.count(".py") == 2


def test_respondents_may_answer_in_english(world):
    at = _link(world.token)
    at.segmented_control(key="lang").set_value("en").run()
    at.run()
    assert at.radio(key=f"ans.{world.token}.role").label == "In what capacity are you answering?"
    _start(at, world.token, label="Start")
    assert at.subheader[0].value == "First part"


@pytest.mark.parametrize(
    ("opens", "closes", "expected"),
    [
        (TODAY + timedelta(days=2), TODAY + timedelta(days=9), "pas encore ouvert"),
        (TODAY - timedelta(days=9), TODAY - timedelta(days=1), "est fermé depuis le"),
    ],
    ids=["not yet open", "closed"],
)
def test_a_campaign_outside_its_dates_gets_a_clear_page(world, opens, closes, expected):
    _, token = make_campaign(
        world.engine, world.territory, title="Hors dates", opens_on=opens, closes_on=closes
    )
    at = _link(token)
    assert [x.value for x in at.header] == ["Hors dates"]
    assert expected in at.info[0].value
    day = (opens if expected.startswith("pas") else closes).strftime("%d/%m/%Y")
    assert day in at.info[0].value
    assert not at.radio and not at.button and not at.exception


def test_an_unknown_link_gets_a_clear_page_never_a_trace(world):
    at = _link("not-a-real-token")
    assert [x.value for x in at.header] == ["Questionnaire introuvable"]
    assert not at.radio and not at.button and not at.exception and not at.error


# --- drafts ---------------------------------------------------------------------------------


def test_a_draft_is_resumed_from_the_link_shown_at_each_step(world):
    at = _start(_link(world.token), world.token, "inhabitant")
    at.pills(key=_key(at, world.token, "mood")).set_value(2)
    _click(at, "Enregistrer et continuer")
    code = _code(at, world.token)
    shown = at.code[0].value
    assert f"reprise={code}" in shown and f"campagne={world.token}" in shown
    assert any(feedback.format_code(code) in as_read(c.value) for c in at.caption)

    # The tab is closed; the link is opened again later, in a new session.
    again = _link(world.token, resume=code)
    assert again.subheader[0].value == "Seconde partie"
    _click(again, "Précédent")
    assert again.pills(key=_key(again, world.token, "mood")).value == 2


def test_a_draft_is_resumed_by_typing_its_code(world):
    first = _start(_link(world.token), world.token, "elected_official")
    first.pills(key=_key(first, world.token, "topics")).set_value(["energy", "mobility"])
    _click(first, "Enregistrer et continuer")
    code = feedback.format_code(_code(first, world.token))

    at = _link(world.token)
    at.text_input(key=f"ans.{world.token}.resume").input(code.lower())
    _click(at, "Reprendre")
    _click(at, "Précédent")
    assert at.pills(key=_key(at, world.token, "topics")).value == ["energy", "mobility"]

    wrong = _link(world.token)
    wrong.text_input(key=f"ans.{world.token}.resume").input("ZZZZ-ZZZZ-ZZZZ")
    _click(wrong, "Reprendre")
    assert _next_to(wrong, f"ans.{world.token}.resume") == [
        "Ce code de reprise ne correspond à aucune réponse en cours pour ce questionnaire."
    ]


# --- every problem at once, next to its field -----------------------------------------------


def test_submitting_shows_every_problem_at_once_next_to_each_field_and_keeps_the_answers(world):
    at = _start(_link(world.token), world.token)
    _click(at, "Enregistrer et continuer")  # mood (required) left empty
    story, partners = _key(at, world.token, "story"), _key(at, world.token, "partners")
    at.text_input(key=story).input("Une phrase bien trop longue")  # 27 characters for 20
    at.number_input(key=partners).set_value(50)  # between 0 and 10
    _click(at, "Envoyer mes réponses")

    assert "3 point(s) à corriger" in at.error[0].value
    assert _next_to(at, _key(at, world.token, "mood")) == ["Ce champ est obligatoire."]
    assert _next_to(at, story) == ["Trop long : 27 caractères pour 20 au maximum."]
    assert _next_to(at, partners) == ["Valeur hors limites : entre 0 et 10."]
    assert at.text_input(key=story).value == "Une phrase bien trop longue"
    assert at.number_input(key=partners).value == 50
    assert _answers(world) == 0

    at.pills(key=_key(at, world.token, "mood")).set_value(3)
    at.text_input(key=story).input("Courte")
    at.number_input(key=partners).set_value(4)
    _click(at, "Envoyer mes réponses")
    assert at.success and _answers(world) == 3


def test_a_role_is_required_before_starting(world):
    at = _link(world.token)
    _click(at, "Commencer")
    assert _next_to(at, f"ans.{world.token}.role") == ["Ce champ est obligatoire."]
    assert count_rows(world.engine, tables.response) == 1


# --- campaigns page -------------------------------------------------------------------------


def test_a_reader_cannot_open_a_campaign_nor_see_its_share_link(world):
    at = open_app_as(world.reader, page_path("campaigns"))
    text = _page_text(at)
    assert "Notre coopération en 2026" in text
    assert "Lancer un questionnaire" not in text and "Lien de partage" not in text
    assert "campagne=" not in text and not at.get("image")
    with pytest.raises(PermissionDenied):  # and the service refuses without the page
        feedback.open_campaign(
            world.engine,
            world.reader,
            territory_id=world.territory,
            template_id=make_template(world.engine),
            title="Essai",
            opens_on=TODAY,
            closes_on=TODAY,
        )


def test_an_admin_opens_a_campaign_and_gets_its_link_and_qr_code(world):
    at = open_app_as(world.admin, page_path("campaigns"))
    at.text_input(key="campaign_title").input("Atelier du 12 mars")
    next(b for b in at.button if b.label == "Lancer").click()
    at.run()
    assert not at.exception
    assert "Atelier du 12 mars" in at.success[0].value
    with world.engine.connect() as conn:
        token = conn.execute(
            sa.select(tables.campaign.c.share_token).where(tables.campaign.c.title == "Atelier du 12 mars")
        ).scalar_one()
    assert any(f"?campagne={token}" in c.value for c in at.code)
    assert len(at.get("image")) == 3  # a QR code for each campaign, the new one included
    # Each says what it is and where it leads, to whoever cannot see it (RGAA 1.1).
    alts = [img.proto.imgs[0].alt for img in at.get("image")]
    assert any(alt == f"QR code du lien {link}" for alt in alts for link in (c.value for c in at.code))


def test_a_campaign_form_error_is_shown_under_its_field(world):
    at = open_app_as(world.admin, page_path("campaigns"))
    at.date_input(key="campaign_closes").set_value(TODAY - timedelta(days=3))
    next(b for b in at.button if b.label == "Lancer").click()
    at.run()
    assert _next_to(at, "campaign_title") == ["Ce champ est obligatoire."]
    assert "suivre la date d’ouverture" in " ".join(e.value for e in at.error)


def test_a_member_answers_from_the_campaigns_page(world):
    at = open_app_as(world.reader, page_path("campaigns"))
    at.button(key=f"answer.{world.campaign_id}").click()
    at.run()
    assert not at.exception
    assert at.radio(key=f"ans.{world.token}.role").label == "À quel titre répondez-vous ?"
    assert len(at.sidebar.children) > 0  # inside the app: navigation and account stay
    # A browser stays on the page st.switch_page opened; AppTest must be told.
    at.switch_page(page_path("answer"))
    _start(at, world.token, "local_agent")
    assert at.subheader[0].value == "Première partie"


# --- results --------------------------------------------------------------------------------


def test_results_render_from_the_demo_data_with_a_table_after_every_chart(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    seed_demo(engine, today=date.today())
    monkeypatch.setenv("DATABASE_URL", url)
    with engine.connect() as conn:
        admin = conn.execute(
            sa.select(tables.membership.c.person_id)
            .where(tables.membership.c.role == "territory_admin")
            .limit(1)
        ).scalar_one()
    at = AppTest.from_file(APP_ENTRY, default_timeout=60)
    at.session_state["demo_person_id"] = admin
    at.run()
    at.switch_page(page_path("results"))
    at.run()
    assert not at.exception, at.exception
    assert int(at.metric[0].value) > 0
    # No empty date field: Streamlit draws one as "dd / mm / yyyy" in every language (issue 7, 15).
    assert not at.date_input
    at.toggle[0].set_value(True).run()
    assert len(at.date_input) == 2 and all(d.value is not None for d in at.date_input)
    at.toggle[0].set_value(False).run()
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 3  # counts over time, perception gaps, a distribution per scale question
    for block in _blocks(at._tree):
        kinds = [child.type for child in block.children.values()]
        for i, kind in enumerate(kinds):
            if kind == "vega_lite_chart":
                assert kinds[i + 1] == "dataframe", "a chart must be followed by its data"
    gap_element = next(df for df in at.dataframe if "Rôle le plus critique" in df.value.columns)
    gap_table = gap_element.value
    assert len(gap_table) >= 1
    # On a phone the first columns are what is seen: the gap, pinned, and the two roles.
    assert list(gap_table.columns[:3]) == [
        "Écart (part de l’échelle)",
        "Rôle le plus positif",
        "Rôle le plus critique",
    ]
    assert json.loads(gap_element.proto.columns)["Écart (part de l’échelle)"]["pinned"] is True
    assert all(share.endswith("\u00a0%") for share in gap_table["Écart (part de l’échelle)"])
    assert {"Télécharger en CSV", "Télécharger en XLSX (Excel)"} <= {
        b.label for b in at.get("download_button")
    }
    engine.dispose()


def test_number_answers_are_summarised_on_the_results_page_with_small_roles_pooled(world):
    # An anonymous campaign: three elected officials are a group; one state-services answer
    # would single its author out, so it is pooled with the smallest named role (local agents).
    for role, partners in [
        ("elected_official", 1),
        ("elected_official", 2),
        ("elected_official", 6),
        ("local_agent", 4),
        ("local_agent", 4),
        ("local_agent", 10),
        ("state_services", 7),
    ]:
        make_response(world.engine, world.campaign_id, role, {"mood": 3, "story": "x", "partners": partners})
    at = AppTest.from_file(APP_ENTRY, default_timeout=60)
    at.session_state["demo_person_id"] = world.admin.person_id
    at.session_state["results_campaign_id"] = world.campaign_id
    at.run()
    at.switch_page(page_path("results"))
    at.run()
    assert not at.exception, at.exception
    assert "Réponses chiffrées, par rôle" in [h.value for h in at.subheader]
    assert "Nouveaux partenaires" in [e.label for e in at.expander]
    table = next(df.value for df in at.dataframe if "Médiane" in df.value.columns)
    assert table.to_dict("list") == {
        "Rôle": ["Élu·e", "Rôles regroupés", "Tous les rôles"],
        "Réponses": [3, 4, 7],
        "1er quartile": ["1,50", "4", "3"],
        "Médiane": ["2", "5,50", "4"],
        "3e quartile": ["4", "7,75", "6,50"],
    }


def test_results_need_the_right_to_read_them(world):
    at = open_app_as(world.reader, page_path("results"))
    assert "Résultats des questionnaires" in [x.value for x in at.title]
    other_territory = make_territory(world.engine, "Ailleurs")
    stranger = make_actor(world.engine, Role.TERRITORY_ADMIN, other_territory, "Sam Inconnu")
    at = open_app_as(stranger, page_path("results"))
    assert world.secret_title not in _page_text(at)
    assert "Aucun questionnaire dont vous pouvez lire les résultats ici." in [i.value for i in at.info]


# --- anonymity, said where people answer ---------------------------------------------------------


def test_the_landing_page_of_an_anonymous_campaign_says_what_anonymous_means(world):
    _, named_token = make_campaign(world.engine, world.territory, title="Bilan nommé", anonymous=False)

    anonymous = _link(world.token)
    named = _link(named_token)

    notice = [as_read(i.value) for i in anonymous.info]
    opening = "Questionnaire anonyme : votre réponse n’est liée à aucun compte"
    assert any(text.startswith(opening) and "moins de 3 réponses" in text for text in notice), notice
    assert not any("anonyme" in as_read(i.value) for i in named.info)
    anonymous.segmented_control(key="lang").set_value("en").run()
    assert any(as_read(i.value).startswith("Anonymous questionnaire:") for i in anonymous.info)


def test_see_results_keeps_the_demo_persona_and_opens_the_campaign_clicked(tmp_path, monkeypatch):
    # Issue 7, item 14: "Voir les résultats" put a coordinator back on the first persona (another
    # territory, another campaign).
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    seed_demo(engine, today=date.today())
    monkeypatch.setenv("DATABASE_URL", url)
    at = AppTest.from_file(APP_ENTRY, default_timeout=60).run()
    personas = at.selectbox(key="demo_person_id")
    coordinator = next(p for p in personas.options if "Réseau" in p)
    personas.select(coordinator).run()
    chosen = at.selectbox(key="demo_person_id").value
    assert chosen != personas.options[0]
    at.switch_page(page_path("campaigns"))
    at.run()
    see = [b for b in at.button if b.label == "Voir les résultats"]
    assert len(see) >= 2
    titles = [s.value for s in at.subheader]

    for button in (see[-1], see[0]):  # the second visit must not land on the first campaign
        campaign_id = int(button.key.rsplit(".", 1)[1])
        button.click().run()
        assert not at.exception, at.exception
        assert [x.value for x in at.title] == ["Résultats des questionnaires"]
        assert at.selectbox(key="demo_person_id").value == chosen
        assert at.selectbox(key="results_campaign").value == campaign_id
        at.switch_page(page_path("campaigns"))
        at.run()
        assert [s.value for s in at.subheader] == titles
        see = [b for b in at.button if b.label == "Voir les résultats"]
    engine.dispose()
