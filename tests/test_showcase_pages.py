"""La vitrine's screens on the demo data (AppTest): the showcase opens without anybody logged in
and shows nothing else of the app; a territory's public page; the embed mode without a sidebar;
an admin publishes after the preview and a confirmation; a member opts in to a public contact.

Four demo territories publish (Vallée-des-Tilleuls, Port-Lanterne, Bel-Estuaire,
Collines-Douces); the others, Bourg-les-Castors and Mont-Sureau among them, do not."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from components.navigation import page_path
from lib.demo.seed import seed_demo
from lib.services import showcase
from lib.store import migrate, tables
from lib.store.db import make_engine
from tests.factories import APP_ENTRY, as_read

PUBLISHING = ["Bel-Estuaire", "Collines-Douces", "Port-Lanterne", "Vallée-des-Tilleuls"]
SILENT = ["Bourg-les-Castors", "Mont-Sureau", "Haute-Sylve", "Étang-Vert"]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("showcase") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    seed_demo(engine, today=date.today())
    engine.dispose()
    return path


@pytest.fixture
def demo(demo_file, tmp_path, monkeypatch) -> Iterator[sa.Engine]:
    path = tmp_path / "demo.db"
    shutil.copy(demo_file, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _text(at: AppTest) -> str:
    parts = [str(m.value) for m in (*at.title, *at.markdown, *at.caption, *at.info, *at.subheader, *at.error)]
    return as_read(" ".join(parts))


def _visit(lang: str | None = None, **query: str) -> AppTest:
    """Somebody who is not logged in opens the showcase (``?vitrine=1`` stands for its path)."""
    at = AppTest.from_file(APP_ENTRY, default_timeout=90)
    at.query_params["vitrine"] = "1"
    if lang:
        at.query_params["lang"] = lang
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_visitor_sees_the_publishing_territories_and_nothing_else_of_the_app(demo):
    at = _visit()
    text = _text(at)
    assert "La vitrine des parcours" in text
    assert all(name in text for name in PUBLISHING)
    assert not any(name in text for name in SILENT)
    # No persona picker, no account, no navigation: the language choice and a caption only.
    assert [w.label for w in at.sidebar.get("selectbox")] == []
    assert [w.proto.label for w in at.sidebar.get("button_group")] == ["Langue"]
    assert "4 territoire(s) sur 4" in text


def test_filtering_by_peer_group_keeps_its_publishing_members_only(demo):
    at = _visit()
    group = next(w for w in at.multiselect if w.label == "Groupe de pairs")
    group.set_value(["cohorte-sud-est"]).run()
    text = _text(at)
    assert "1 territoire(s) sur 4" in text and "Collines-Douces" in text
    assert "Port-Lanterne" not in text and "Mont-Sureau" not in text  # a silent member stays out


def test_a_territory_s_public_page_shows_its_phases_stories_radar_feedback_and_consenting_contact(demo):
    at = _visit(territoire="demo-bel-estuaire")
    text = _text(at)
    assert "Trajectoire sur les cinq phases" in text and "Évaluation et transférabilité" in text
    assert at.get("vega_lite_chart")  # the radar
    assert "Ce qu’en disent les acteurs" in text
    assert "Personne de ce territoire n’a encore accepté" in text  # nobody opted in there
    vallee = _text(_visit(territoire="demo-vallee-des-tilleuls"))
    assert "elise.marchand@demo.parcours.fr" in vallee
    assert "hugo.lefevre" not in vallee and "nadia.benali" not in vallee


@pytest.mark.parametrize("slug", ["demo-bourg-les-castors", "demo-mont-sureau", "nowhere"])
def test_a_territory_that_publishes_nothing_is_not_found(demo, slug):
    text = _text(_visit(territoire=slug))
    assert "introuvable" in text.lower() or "n’existe pas" in text
    assert "Bourg-les-Castors" not in text and "Mont-Sureau" not in text


def test_the_showcase_speaks_english_when_asked(demo):
    text = _text(_visit(lang="en", territoire="demo-port-lanterne"))
    assert "Trajectory over the five phases" in text and "Thomas Guillou" in text


def test_the_embed_mode_has_no_sidebar_at_all(demo):
    at = _visit(integre="1")
    assert len(at.sidebar.children) == 0
    assert "Port-Lanterne" in _text(at)


def test_the_showcase_s_navigation_holds_no_private_page(demo):
    # Inside the showcase's session, the app's other pages are not even registered: only the
    # showcase and the root that leads to it.
    at = _visit()
    with pytest.raises(ValueError, match=r"Known pages: \['La vitrine', '[^']*showcase\.py'\]") as refused:
        at.switch_page(page_path("journey"))
    assert "journey" not in str(refused.value).split("Known pages:")[1]


# --- publishing: the admin's preview and confirmation ----------------------------------------


def _person(engine, name: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(tables.person.c.id).where(tables.person.c.display_name == name)
        ).scalar_one()


def _territory_id(engine, slug: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(tables.territory.c.id).where(tables.territory.c.slug == slug)
        ).scalar_one()


def _as(engine, name: str, page: str) -> AppTest:
    at = AppTest.from_file(APP_ENTRY, default_timeout=90)
    at.session_state["demo_person_id"] = _person(engine, name)
    at.run()
    at.switch_page(page_path(page))
    at.run()
    assert not at.exception, at.exception
    return at


def test_an_admin_publishes_only_after_the_preview_and_an_explicit_confirmation(demo):
    tid = _territory_id(demo, "demo-vallee-des-tilleuls")
    at = _as(demo, "Élise Marchand", "peers_sharing")
    at.radio(key=f"sharing.{tid}.feedback").set_value("public").run()
    text = _text(at)
    assert "Aperçu de ce qui sera public" in text and "Ce qu’en disent les acteurs" in text
    save = next(b for b in at.button if b.label == "Enregistrer le partage")
    save.click().run()
    assert any("Cochez la confirmation" in e.value for e in at.error)
    assert at.radio(key=f"sharing.{tid}.feedback").value == "public"  # the choice is kept
    vallee = next(t for t in showcase.showcase(demo).territories if "Vallée" in t.name)
    assert "feedback" not in vallee.kinds  # refused: nothing more is public

    at.checkbox(key=f"sharing.{tid}.confirm_public").check().run()
    next(b for b in at.button if b.label == "Enregistrer le partage").click().run()
    assert not at.exception, at.exception
    vallee = next(t for t in showcase.showcase(demo).territories if "Vallée" in t.name)
    assert "feedback" in vallee.kinds
    with demo.connect() as conn:
        logged = (
            conn.execute(
                sa.select(tables.activity_log.c.details).where(
                    tables.activity_log.c.action == "sharing.changed",
                    tables.activity_log.c.territory_id == tid,
                )
            )
            .scalars()
            .all()
        )
    assert {"kind": "feedback", "from": "peers", "to": "public"} in logged


def test_indicators_offer_no_public_level(demo):
    tid = _territory_id(demo, "demo-vallee-des-tilleuls")
    at = _as(demo, "Élise Marchand", "peers_sharing")
    assert "Public" not in at.radio(key=f"sharing.{tid}.indicators").options
    assert "Public" in at.radio(key=f"sharing.{tid}.journey").options


def test_a_member_opts_in_to_a_public_contact_on_the_profile(demo):
    at = _as(demo, "Maëlle Le Goff", "peers_profile")
    at.checkbox(key="profile.contact").check()
    at.checkbox(key="profile.public").check()
    next(b for b in at.button if b.label == "Enregistrer").click().run()
    assert not at.exception, at.exception
    assert "C’est noté : vous apparaissez sur la vitrine." in [s.value for s in at.success]
    page = showcase.public_page(demo, "demo-port-lanterne")
    assert "Maëlle Le Goff" in [c.name for c in page.contacts]


def test_the_app_points_to_the_showcase_from_its_sidebar(demo):
    at = _as(demo, "Hugo Lefèvre", "journey")
    assert any("[ouvrir la vitrine](./vitrine)" in c.value for c in at.sidebar.caption)
