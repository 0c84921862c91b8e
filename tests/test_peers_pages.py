"""The peers' screens on the demo data, as a contributor, a reader and a coordinator see them,
in French and English (AppTest). Vallée-des-Tilleuls' team compares itself with Villes Pairs
2018–2020, where Bourg-les-Castors shares nothing: it must count and never appear."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest

from components.navigation import page_path
from lib.demo.seed import seed_demo
from lib.store import migrate, tables
from lib.store.db import make_engine
from tests.factories import APP_ENTRY, as_read

SILENT = "Bourg-les-Castors"  # shares nothing with anyone
PAGES = {
    "peers_compare": ("Comparer avec les pairs", "Compare with peers"),
    "peers_help": ("Qui peut m’aider ?", "Who can help me?"),
    "peers_stories": ("Récits des pairs", "Peers’ stories"),
    "peers_sharing": ("Partage des données", "Data sharing"),
    "peers_profile": ("Mon profil", "My profile"),
}
COORDINATOR_PAGES = {"peers_group": ("Groupes de pairs", "Peer groups")}
COMPARE_TABS = {
    "fr": ["Où nous en sommes", "Trajectoires", "Parcours côte à côte", "Retours comparés"],
    "en": ["Where we stand", "Trajectories", "Journeys side by side", "Feedback compared"],
}


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    """The demo data set, seeded once for the module."""
    path = tmp_path_factory.mktemp("peers") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    seed_demo(engine, today=date.today())
    engine.dispose()
    return path


@pytest.fixture
def demo(demo_file, tmp_path, monkeypatch) -> Iterator[sa.Engine]:
    """A copy of the demo database for one test (pages may write to it)."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_file, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _person(engine, name: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(tables.person.c.id).where(tables.person.c.display_name == name)
        ).scalar_one()


def _open(engine, name: str, page: str | None = None, lang: str = "fr", **query) -> AppTest:
    at = AppTest.from_file(APP_ENTRY, default_timeout=90)
    at.session_state["demo_person_id"] = _person(engine, name)
    at.session_state["lang"] = lang
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page_path(page))
        at.run()
    assert not at.exception, at.exception
    return at


def _text(at: AppTest) -> str:
    """Everything drawn on the page, chart data included (not the sidebar: in demo mode its
    persona picker lists every demo person with their territory)."""
    parts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "DESCRIPTOR"):
            parts.append(text_format.MessageToString(proto, as_utf8=True))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    return "\n".join(parts)


TABLES = {"dataframe", "table"}


def _charts_without_table(node, after=None) -> int:
    """Charts not followed by their table: next in their block (after captions, or after the
    other charts of a set of small multiples), or right after the columns that hold them."""
    children = list(getattr(node, "children", {}).values())
    missing = 0
    for i, child in enumerate(children):
        rest = [
            c.type
            for c in children[i + 1 :]
            if c.type not in ("caption", "vega_lite_chart", "column", "flex_container")
        ]
        following = rest[0] if rest else after
        if child.type == "vega_lite_chart":
            missing += following not in TABLES
        elif getattr(child, "children", None) and child.type not in TABLES:
            # Small multiples sit in columns: their table comes after the columns.
            missing += _charts_without_table(
                child, following if child.type in ("column", "flex_container") else None
            )
    return missing


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(
    ("name", "pages"),
    [
        ("Hugo Lefèvre", PAGES),  # contributor of Vallée-des-Tilleuls
        ("Nadia Benali", PAGES),  # reader of Vallée-des-Tilleuls
        ("Camille Roussel", PAGES | COORDINATOR_PAGES),  # coordinator
    ],
)
def test_every_peers_page_renders_with_a_table_after_each_chart(demo, name, pages, lang):
    at = _open(demo, name, lang=lang)
    for page, titles in pages.items():
        at.switch_page(page_path(page))
        at.run()
        # Each tab of the comparison is drawn only when open: open each in turn.
        for tab in COMPARE_TABS[lang] if page == "peers_compare" else [None]:
            if tab is not None:
                at.session_state["peers_tab"] = tab
                at.run()
            where = f"{page} {tab or ''}"
            assert not at.exception, (where, at.exception)
            assert titles[lang == "en"] in [x.value for x in at.title], where
            assert _charts_without_table(at._tree) == 0, where
            if tab is not None:
                assert at.get("vega_lite_chart"), f"{where} draws no chart"
            if name != "Camille Roussel":
                assert SILENT not in _text(at), f"{where} names a territory that shares nothing"


def test_a_member_sees_the_spread_of_six_with_two_unnamed_and_the_named_peers(demo):
    at = _open(demo, "Nadia Benali", "peers_compare")
    text = _text(at)
    assert "6 territoires, dont 2 comptés sans leur nom" in text
    spread = at.table[0].value
    assert list(spread["Territoires comptés"]) == [6, 6, 6, 6]
    named = at.table[1].value
    assert {"Port-Lanterne (démo)", "Vallée-des-Tilleuls (démo)"} <= {as_read(n) for n in named.index}
    assert SILENT not in text


def _group_id(engine, name: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(tables.peer_group.c.id).where(tables.peer_group.c.name == name)
        ).scalar_one()


def test_a_group_too_small_for_statistics_says_so_and_leaves_the_silent_territory_out(demo):
    at = _open(demo, "Nadia Benali", "peers_compare")
    assert at.selectbox(key="peers_group").value == _group_id(demo, "Villes Pairs 2018–2020")  # the largest
    at.selectbox(key="peers_group").set_value(_group_id(demo, "Cohorte Hauts-de-France")).run()
    assert not at.exception, at.exception
    assert any("Pas de statistiques de groupe" in i.value for i in at.info)
    assert any(
        "Un territoire qui ne partage pas ses auto-évaluations est laissé de côté" in c.value
        for c in at.caption
    )
    assert "Étang-Vert" not in as_read(str(at.table[1].value.index.tolist()))


def test_a_coordinator_compares_a_selection_of_territories_by_kind(demo):
    at = _open(demo, "Camille Roussel", "peers_compare")
    at.segmented_control(key="peers_scope_how").set_value("selection").run()
    at.multiselect(key="peers_kinds").set_value(["epci"]).run()
    assert not at.exception, at.exception
    named = at.table[1].value
    # The two EPCIs, and the territory picked in the sidebar, drawn beside them.
    assert {as_read(n) for n in named.index} == {
        "Communauté de communes du Val-Fougère (démo)",
        "Communauté d’agglomération de Bel-Estuaire (démo)",
        at.sidebar.selectbox[1].format_func(at.sidebar.selectbox[1].value),
    }
    assert any("Pas de statistiques de groupe" in i.value for i in at.info)  # two territories only


def _levels(engine, territory: str) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(tables.territory_sharing.c.kind, tables.territory_sharing.c.level)
            .join(tables.territory, tables.territory.c.id == tables.territory_sharing.c.territory_id)
            .where(tables.territory.c.name == territory)
        ).all()
    return dict(rows)


def test_the_admin_changes_what_the_territory_shares_and_it_is_logged(demo):
    at = _open(demo, "Élise Marchand", "peers_sharing")
    tid = _territory_id(demo, "Vallée-des-Tilleuls (démo)")
    at.radio(key=f"sharing.{tid}.assessments").set_value("network")
    next(b for b in at.button if b.label == "Enregistrer le partage").click()
    at.run()
    assert not at.exception, at.exception
    assert "Le partage est enregistré (et noté dans le journal d’activité)." in [s.value for s in at.success]
    assert _levels(demo, "Vallée-des-Tilleuls (démo)")["assessments"] == "network"
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
    assert {"kind": "assessments", "from": "public", "to": "network"} in logged


def _territory_id(engine, name: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(tables.territory.c.id).where(tables.territory.c.name == name)
        ).scalar_one()


@pytest.mark.parametrize("name", ["Hugo Lefèvre", "Nadia Benali"])
def test_contributors_and_readers_see_what_is_shared_but_cannot_change_it(demo, name):
    at = _open(demo, name, "peers_sharing")
    assert len(at.radio) == 0 and not [b for b in at.button if b.label == "Enregistrer le partage"]
    assert "Visible par : **Pairs**" in [m.value for m in at.markdown]
    assert any("Seul·e l’administrateur·rice" in i.value for i in at.info)


def test_opting_in_on_one_s_profile_puts_one_s_email_before_peers_looking_for_help(demo):
    # Thomas (Port-Lanterne) is pointed to Vallée-des-Tilleuls for evaluation; Élise agreed to be
    # contacted, Hugo has not yet.
    at = _open(demo, "Thomas Guillou", "peers_help")
    text = _text(at)
    assert "elise.marchand@demo.parcours.fr" in text
    assert "hugo.lefevre@demo.parcours.fr" not in text

    profile = _open(demo, "Hugo Lefèvre", "peers_profile")
    profile.checkbox(key="profile.contact").check()
    next(b for b in profile.button if b.label == "Enregistrer").click()
    profile.run()
    assert "C’est noté : les pairs qui cherchent de l’aide pourront vous contacter." in [
        s.value for s in profile.success
    ]

    at.run()
    assert "hugo.lefevre@demo.parcours.fr" in _text(at)
    # Nobody who did not agree is ever shown: Nadia, reader of the same territory.
    assert "nadia.benali@demo.parcours.fr" not in _text(at)


def test_a_peer_s_journey_opens_as_far_as_it_shares_and_a_silent_one_not_at_all(demo):
    at = _open(demo, "Nadia Benali", "peers_journey", territoire="demo-port-lanterne")
    # Typed names are escaped for Markdown; the reader sees them plain.
    assert "Port-Lanterne (démo)" in [x.value.replace("\\", "") for x in at.title]
    assert len(at.get("vega_lite_chart")) >= 3  # radar, axes over time, phases
    hidden = _open(demo, "Nadia Benali", "peers_journey", territoire="demo-bourg-les-castors")
    assert "Introuvable." in [e.value for e in hidden.error]
    assert SILENT not in _text(hidden)


def test_the_group_page_shows_who_shares_what_and_who_has_not_assessed_for_a_year(demo):
    at = _open(demo, "Camille Roussel", "peers_group")
    assert at.selectbox(key="peers_group_page").value == _group_id(demo, "Villes Pairs 2018–2020")
    assert any("ne se sont pas auto-évalués depuis plus d’un an" in w.value for w in at.warning)
    members = at.dataframe[0].value.set_index("Territoire")
    assert members.loc["Bourg-les-Castors (démo)", "Auto-évaluations"] == "Privé"
    assert members.loc["Bourg-les-Castors (démo)", "Plus d’un an sans auto-évaluation"] == "oui"


def test_a_share_link_reaches_none_of_the_peers_pages(demo):
    with demo.connect() as conn:
        token = conn.execute(sa.select(tables.campaign.c.share_token).limit(1)).scalar_one()
    at = AppTest.from_file(APP_ENTRY, default_timeout=60)
    at.query_params["campagne"] = token
    at.run()
    for page in [*PAGES, *COORDINATOR_PAGES, "peers_journey"]:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page_path(page))
    assert SILENT not in _text(at) and "Port-Lanterne" not in _text(at)
