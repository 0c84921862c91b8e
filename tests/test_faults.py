"""Faults: the database refuses connections, refuses writes or is locked while a person saves,
submits or merely makes the page run again — on the share-link form and the journey forms.

Whatever the fault, what the person typed stays on screen, the message is plain French, and
the same action succeeds once the fault is gone (the "Réessayer" button, or the button the
person clicked). On SQLite and PostgreSQL; the figures (faults injected, typed content kept)
are printed at the end of the run. The real browser checks the share-link form in
``tests/e2e/test_faults_browser.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from components.navigation import page_path
from lib.access import Actor, Role
from lib.domain.framework import load_framework
from lib.store import migrate
from lib.store import tables as t
from lib.store.db import make_engine
from tests import figures
from tests.conftest import _empty_all_tables, as_app_role, throwaway_pg_database
from tests.factories import APP_ENTRY, make_actor, make_campaign, make_territory, open_app_as
from tests.faults import FAULTS, fault, short_pg_lock_wait, short_sqlite_lock_wait

MOMENTS = ("save", "submit", "page read")
RETRY = "Réessayer"
# What the person reads, whichever fault: the database did not answer, what was typed is kept.
PLAIN_MESSAGES = (
    "L’enregistrement a échoué : la base de données n’a pas répondu. Rien n’a été perdu, "
    "vos saisies sont toujours là ; réessayez.",
    "La base de données ne répond pas pour le moment. Ce que vous avez saisi est toujours là, "
    "ci-dessous : réessayez dans un instant.",
)


@dataclass
class App:
    url: str  # as the database's owner, to inject faults and read what was stored
    engine: sa.Engine
    territory: int
    contributor: Actor
    database: str

    def connect(self) -> sa.Connection:
        """A connection of the test's own (a "refusing" fault cut the ones kept in the pool)."""
        self.engine.dispose()
        return self.engine.connect()


def _fill(engine: sa.Engine) -> tuple[int, Actor]:
    territory = make_territory(engine, "Loos-en-Gohelle (démo)")
    return territory, make_actor(engine, Role.CONTRIBUTOR, territory, "Camille Contributrice")


@pytest.fixture(scope="module")
def _pg_database() -> Iterator[str]:
    """One PostgreSQL database for the module (emptied before each test): creating and
    migrating one per test would triple the suite's time."""
    with throwaway_pg_database("parcours_faults") as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        short_pg_lock_wait(url)
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request, tmp_path, monkeypatch) -> Iterator[App]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.db'}"
        engine = make_engine(url)
        migrate.upgrade(engine)
        short_sqlite_lock_wait(monkeypatch)
        monkeypatch.setenv("DATABASE_URL", url)
    else:
        url = request.getfixturevalue("_pg_database")
        engine = make_engine(url)
        _empty_all_tables(engine)
        monkeypatch.setenv("DATABASE_URL", as_app_role(url))
    territory, contributor = _fill(engine)
    yield App(url, engine, territory, contributor, request.param)
    engine.dispose()


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    return at


def _click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return _ok(at.run())


def _said_plainly(at: AppTest) -> bool:
    shown = [*(e.value for e in at.error), *(w.value for w in at.warning)]
    return any(message in shown for message in PLAIN_MESSAGES)


def _count(form: str, app: App, kept: bool) -> None:
    figures.add(f"faults · {form} · {app.database}", injected=1, typed_content_kept=int(kept))


# --- the share-link form ---------------------------------------------------------------------


def _stored_answers(app: App, campaign_id: int) -> tuple[str | None, dict]:
    with app.connect() as conn:
        row = conn.execute(
            sa.select(t.response.c.id, t.response.c.status, t.response.c.document).where(
                t.response.c.campaign_id == campaign_id
            )
        ).one_or_none()
        if row is None:
            return None, {}
        if row.status == "draft":
            return "draft", dict((row.document or {}).get("answers") or {})
        answers = conn.execute(
            sa.select(t.answer.c.question_id, t.answer.c.numeric_value, t.answer.c.text_value).where(
                t.answer.c.response_id == row.id
            )
        ).all()
    return "submitted", {q: n if n is not None else s for q, n, s in answers}


def _key(at: AppTest, token: str, question: str) -> str:
    return f"ans.{at.session_state['answer_flows'][token]['code']}.{question}"


def _to_second_section(at: AppTest, token: str) -> AppTest:
    at.radio(key=f"ans.{token}.role").set_value("state_services")
    _click(at, "Commencer")
    at.pills(key=_key(at, token, "mood")).set_value(4)
    _ok(at.run())
    return _click(at, "Enregistrer et continuer")


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("kind", FAULTS)
def test_the_share_link_form_keeps_what_was_typed_through_a_database_fault(app, kind, moment):
    campaign_id, token = make_campaign(app.engine, app.territory, title="Atelier")
    at = AppTest.from_file(APP_ENTRY, default_timeout=60)
    at.query_params["campagne"] = token
    _ok(at.run())
    if moment == "save":
        at.radio(key=f"ans.{token}.role").set_value("state_services")
        _click(at, "Commencer")
        typed_key, typed = _key(at, token, "mood"), 4
        at.pills(key=typed_key).set_value(typed)
        _ok(at.run())
        button, section_after = "Enregistrer et continuer", "Seconde partie"
    else:
        _to_second_section(at, token)
        typed_key, typed = _key(at, token, "story"), "Ça avance bien"
        button, section_after = "Envoyer mes réponses", None
        if moment == "submit":
            at.text_input(key=typed_key).input(typed)
            _ok(at.run())
    code_shown = next(c.value for c in at.caption if "code de reprise" in c.value.lower())

    with fault(kind, app.url):
        if moment == "page read":
            at.text_input(key=typed_key).input(typed)  # typing makes the page run again
            _ok(at.run())
            assert at.text_input(key=typed_key).value == typed
            if kind == "refusing":
                assert _said_plainly(at)
        else:
            _click(at, button)
            assert _said_plainly(at), [*at.error, *at.warning]
            assert any(b.label == RETRY for b in at.button)
        kept = at.session_state[typed_key] == typed
        _count("share-link form", app, kept)
        assert kept
        assert code_shown in [c.value for c in at.caption]  # the resume code is still shown

    if moment == "page read" or not any(b.label == RETRY for b in at.button):
        _click(at, button)
    else:
        _click(at, RETRY)
    assert not _said_plainly(at), [x.value for x in [*at.error, *at.warning, *at.subheader]]
    question = typed_key.rsplit(".", 1)[1]
    status, stored = _stored_answers(app, campaign_id)
    if section_after:
        assert [s.value for s in at.subheader] == [section_after]
        assert (status, stored[question]) == ("draft", typed)
    else:
        assert [s.value for s in at.success] == ["Merci, vos réponses ont bien été envoyées."]
        assert (status, stored[question]) == ("submitted", typed)


# --- the journey forms -----------------------------------------------------------------------


def _journey(app: App) -> AppTest:
    return open_app_as(app.contributor, page_path("journey"))


def _milestones(app: App) -> list[tuple[str, str]]:
    with app.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(t.milestone.c.title, t.milestone.c.story)).all()]


def _assessments(app: App) -> list[tuple[str, str]]:
    with app.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.select(t.assessment.c.status, t.assessment_score.c.comment).join(t.assessment_score)
            ).all()
        ]


@pytest.mark.parametrize("moment", ("save", "page read"))  # a milestone is saved, never submitted
@pytest.mark.parametrize("kind", FAULTS)
def test_the_milestone_form_keeps_what_was_typed_through_a_database_fault(app, kind, moment):
    at = _journey(app)
    p = f"ms{app.territory}.new"
    at.text_input(key=f"{p}.title").input("Premier forum citoyen")
    at.selectbox(key=f"{p}.phase").set_value(load_framework().phases[0].id)
    story = "Cent vingt habitants, trois ateliers, une feuille de route."
    if moment != "page read":
        at.text_area(key=f"{p}.story").input(story)
        _ok(at.run())

    with fault(kind, app.url):
        if moment == "page read":
            at.text_area(key=f"{p}.story").input(story)
            _ok(at.run())
            if kind == "refusing":
                assert _said_plainly(at)
        else:
            _click(at, "Ajouter le jalon")
            assert _said_plainly(at), [*at.error, *at.warning]
        kept = at.text_area(key=f"{p}.story").value == story
        _count("milestone form", app, kept)
        assert kept

    _click(at, RETRY if moment != "page read" else "Ajouter le jalon")
    assert not _said_plainly(at), [x.value for x in [*at.error, *at.warning, *at.subheader]]
    assert _milestones(app) == [("Premier forum citoyen", story)]


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("kind", FAULTS)
def test_the_self_assessment_keeps_what_was_typed_through_a_database_fault(app, kind, moment):
    at = _journey(app)
    fw = load_framework()
    p = f"assess{app.territory}"
    for criterion in fw.criteria:
        at.radio(key=f"{p}.level.{criterion.id}").set_value(2)
    first = fw.criteria[0].id
    comment = "Un premier groupe de travail s’est réuni deux fois."
    button = "Enregistrer le brouillon" if moment == "save" else "Soumettre l’auto-évaluation"
    if moment != "page read":
        at.text_area(key=f"{p}.comment.{first}").input(comment)
        _ok(at.run())

    with fault(kind, app.url):
        if moment == "page read":
            at.text_area(key=f"{p}.comment.{first}").input(comment)
            _ok(at.run())
            if kind == "refusing":
                assert _said_plainly(at)
        else:
            _click(at, button)
            assert _said_plainly(at), [*at.error, *at.warning]
        kept = at.text_area(key=f"{p}.comment.{first}").value == comment
        _count("self-assessment form", app, kept)
        assert kept

    _click(at, RETRY if moment != "page read" else button)
    assert not _said_plainly(at), [x.value for x in [*at.error, *at.warning, *at.subheader]]
    status = "draft" if moment == "save" else "submitted"
    assert (status, comment) in _assessments(app)


# --- what stands in is only ever the same person's ----------------------------------------


def test_while_the_database_is_away_another_persona_is_shown_nothing_read_for_the_first(app):
    other_territory = make_territory(app.engine, "Grande-Synthe (démo)")
    other = make_actor(app.engine, Role.CONTRIBUTOR, other_territory, "Olivier Autre")
    at = _journey(app)
    assert any("Loos-en-Gohelle" in _as_read(title.value) for title in at.title)

    with fault("refusing", app.url):
        at.selectbox(key="demo_person_id").set_value(other.person_id)
        _ok(at.run())
        shown = " ".join(
            str(el.value)
            for kind in ("title", "header", "subheader", "markdown", "caption")
            for el in at.get(kind)
        )
        assert "Loos-en-Gohelle" not in _as_read(shown)  # the first persona's territory is not reused for her
        assert "Impossible de lire les données" in " ".join(e.value for e in at.error)

    _ok(at.run())
    assert any("Grande-Synthe" in _as_read(title.value) for title in at.title)


def _as_read(text: str) -> str:
    return text.replace("\\", "")
