"""The Administration page through AppTest: who reaches it, territories created, corrected and
archived, peer groups, CSV imports with their progress bar and report, the full export."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from components.navigation import page_path
from lib.access import Role
from lib.services import steering
from lib.store import migrate, tables
from lib.store.db import make_engine
from tests.factories import (
    make_actor,
    make_campaign,
    make_membership,
    make_person,
    make_response,
    make_territory,
    open_app_as,
)

ADMINISTRATION = page_path("administration")


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'admin.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = make_engine(url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def _pages(at) -> set[str]:
    return {info.get("script_path") for info in at._registered_pages.values()}


def _open(engine, section: str | None = None):
    coordinator = make_actor(engine, Role.COORDINATOR, None, "Camille Coordination")
    at = open_app_as(coordinator, ADMINISTRATION)
    if section:
        at.segmented_control(key="admin.section").set_value(section).run()
    assert not at.exception, at.exception
    return at


def _texts(at, kind: str) -> list[str]:
    """The texts as a reader sees them: Markdown's escapes (decision 0013) are not shown."""
    return [element.value.replace("\\", "") for element in at.get(kind)]


def test_a_coordinator_reaches_administration(db):
    at = _open(db)
    assert ADMINISTRATION in _pages(at)
    assert at.title[0].value == "Administration du réseau"


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.READER])
def test_members_of_a_territory_without_admin_rights_do_not_reach_administration(db, role):
    at = open_app_as(make_actor(db, role, make_territory(db, "Lens")))
    assert ADMINISTRATION not in _pages(at)


def _territory_form(at, key: str = "new"):
    prefix = f"admin.territory.{key}"
    return {
        name: at.text_input(key=f"{prefix}.{name}")
        for name in ("name", "slug", "insee", "siren", "region", "population")
    }


def test_a_territory_is_created_and_a_wrong_code_is_shown_next_to_its_field_with_what_was_typed(db):
    at = _open(db)
    form = _territory_form(at)
    form["name"].input("Loos-en-Gohelle")
    form["insee"].input("6252")
    form["population"].input("6 500")
    at.button(key="FormSubmitter:admin.territory.new-Enregistrer").click().run()

    assert "Code INSEE invalide : cinq caractères (chiffres, ou 2A/2B suivis de trois chiffres)." in _texts(
        at, "error"
    )
    assert at.text_input(key="admin.territory.new.name").value == "Loos-en-Gohelle"
    assert at.text_input(key="admin.territory.new.population").value == "6 500"

    at.text_input(key="admin.territory.new.insee").input("62528")
    at.button(key="FormSubmitter:admin.territory.new-Enregistrer").click().run()

    assert not at.exception, at.exception
    assert "Territoire « Loos-en-Gohelle » enregistré." in _texts(at, "success")
    with db.connect() as conn:
        row = conn.execute(
            sa.select(tables.territory).where(tables.territory.c.slug == "loos-en-gohelle")
        ).one()
    assert (row.insee_code, row.population) == ("62528", 6500)


def test_archiving_a_territory_keeps_it_and_takes_it_out_of_steering(db):
    kept = make_territory(db, "Arras")
    archived = make_territory(db, "Béthune")
    at = _open(db)
    at.selectbox(key="admin.territory_chosen").set_value(archived).run()
    at.button(key=f"admin.archive.{archived}").click().run()

    assert "« Béthune » est archivé." in _texts(at, "success")
    coordinator = make_actor(db, Role.COORDINATOR, None)
    assert list(steering.overview(db, coordinator).territories["territory_id"]) == [kept]
    with db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.territory)).scalar_one() == 2


def test_a_peer_group_is_created_with_its_members(db):
    lens, lievin = make_territory(db, "Lens"), make_territory(db, "Liévin")
    at = _open(db, "groups")
    at.text_input(key="admin.group.new.name").input("Bassin minier")
    at.multiselect(key="admin.group.new.members").set_value([lens, lievin])
    at.button(key="FormSubmitter:admin.group.new-Enregistrer").click().run()

    assert not at.exception, at.exception
    assert "Groupe « Bassin minier » enregistré." in _texts(at, "success")
    with db.connect() as conn:
        members = set(conn.execute(sa.select(tables.peer_group_member.c.territory_id)).scalars())
    assert members == {lens, lievin}


def _upload(at, data: bytes):
    at.file_uploader(key="import.file.territories").set_value(("territoires.csv", data, "text/csv")).run()
    at.button(key="import.run").click().run()
    assert not at.exception, at.exception
    return at


def test_ten_thousand_territories_are_imported_with_a_progress_bar(db):
    header = "identifiant;nom;type;code_insee;siren;region;population\n"
    data = (header + "".join(f"t-{i};Territoire {i};commune;;;;{i}\n" for i in range(10_000))).encode()
    at = _upload(_open(db, "imports"), data)

    bars = at.get("progress")
    assert bars and bars[-1].value == 100
    assert "10000 territoire(s) importé(s)." in _texts(at, "success")
    with db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.territory)).scalar_one() == 10_000


def test_a_file_with_a_bad_line_shows_the_report_and_imports_nothing(db):
    data = "nom,type\nLens,commune\nLiévin,village\n".encode("cp1252")
    at = _upload(_open(db, "imports"), data)

    assert "Rien n’a été importé : 1 problème(s) sur 2 ligne(s)." in _texts(at, "error")[0]
    report = at.dataframe[-1].value
    assert report.values.tolist() == [
        [3, "type", "Type « village » inconnu : commune, EPCI, PETR, département, région ou autre."]
    ]
    with db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.territory)).scalar_one() == 0


def test_the_full_export_is_prepared_then_offered_for_download(db):
    make_territory(db, "Lens")
    at = _open(db, "export")
    at.button(key="export.prepare").click().run()

    assert not at.exception, at.exception
    assert any(text.startswith("Archive prête") for text in _texts(at, "success"))
    assert at.get("download_button")


def test_administration_in_english_keeps_the_chosen_section(db):
    make_territory(db, "Lens")
    at = _open(db, "groups")
    at.segmented_control(key="lang").set_value("en").run()

    assert not at.exception, at.exception
    assert _texts(at, "title") == ["Network administration"]
    assert at.text_input(key="admin.group.new.name").label == "Group name"


def test_the_coordinator_sees_pilotage_administration_and_the_journal_an_admin_only_their_territory_s(db):
    lens = make_territory(db, "Lens")
    steering_pages = {page_path("steering"), ADMINISTRATION, page_path("activity_log")}

    coordinator = open_app_as(make_actor(db, Role.COORDINATOR, None))
    admin = open_app_as(make_actor(db, Role.TERRITORY_ADMIN, lens))
    contributor = open_app_as(make_actor(db, Role.CONTRIBUTOR, lens))

    assert steering_pages <= _pages(coordinator)
    # Their territory's journal, and Administration for their own territory (never the network's).
    assert steering_pages & _pages(admin) == {page_path("activity_log"), ADMINISTRATION}
    assert steering_pages & _pages(contributor) == set()


def test_a_coordinator_closes_a_campaign_and_deletes_one_nobody_answered(db):
    lens = make_territory(db, "Lens")
    open_one, _ = make_campaign(db, lens, title="Forum de printemps")
    at = _open(db, "campaigns")
    at.selectbox(key="admin.campaign_chosen").set_value(open_one).run()
    at.button(key=f"admin.campaign.close.{open_one}").click().run()

    assert not at.exception, at.exception
    assert "« Forum de printemps » est clos." in _texts(at, "success")
    assert at.dataframe[0].value.iloc[0].tolist()[-3:] == ["fermé", 0, None]  # no target

    at.checkbox(key=f"admin.campaign.sure.{open_one}").check().run()
    at.button(key=f"admin.campaign.delete.{open_one}").click().run()

    assert "« Forum de printemps » est supprimé." in _texts(at, "success")
    assert "Aucun questionnaire pour l’instant." in _texts(at, "info")


# --- People, and a territory admin's own Administration -----------------------------------------


def test_a_coordinator_finds_a_person_and_gives_changes_and_removes_an_access(db):
    lens = make_territory(db, "Lens")
    ines = make_person(db, "Inès Martin", email="ines@lens.test")
    at = _open(db, "people")
    at.text_input(key="admin.people.search").input("inès").run()
    assert at.selectbox(key="admin.person_chosen").value == ines
    assert at.dataframe[0].value.iloc[0].tolist()[:3] == ["Inès Martin", "ines@lens.test", "Sans rôle"]

    at.selectbox(key=f"admin.people.add.{ines}.where").set_value(lens).run()
    at.selectbox(key=f"admin.people.add.{ines}.role").set_value(Role.CONTRIBUTOR).run()
    at.button(key=f"admin.people.add.{ines}.go").click().run()

    assert not at.exception, at.exception
    assert "Inès Martin a maintenant accès à Lens avec le rôle « Contributeur·rice »." in _texts(
        at, "success"
    )
    with db.connect() as conn:
        membership_id, role = conn.execute(
            sa.select(tables.membership.c.id, tables.membership.c.role).where(
                tables.membership.c.person_id == ines
            )
        ).one()
    assert role == "contributor"
    assert at.dataframe[0].value.iloc[0].tolist()[2] == "Lens (Contributeur·rice)"

    at.selectbox(key=f"admin.people.role.{membership_id}").set_value(Role.TERRITORY_ADMIN).run()
    at.button(key=f"admin.people.change.{membership_id}").click().run()
    assert "Inès Martin a maintenant le rôle « Administrateur·rice du territoire » sur Lens." in _texts(
        at, "success"
    )

    at.button(key=f"admin.people.remove.{membership_id}").click().run()
    assert "Inès Martin n’a plus accès à Lens." in _texts(at, "success")
    with db.connect() as conn:
        actions = list(
            conn.execute(sa.select(tables.activity_log.c.action).order_by(tables.activity_log.c.id)).scalars()
        )
    assert actions[-3:] == ["membership.granted", "membership.role_changed", "membership.revoked"]


def test_a_second_access_to_the_same_place_is_not_offered_and_the_coordinator_not_to_themselves(db):
    lens = make_territory(db, "Lens")
    ines = make_person(db, "Inès Martin")
    make_membership(db, ines, lens, Role.READER)
    at = _open(db, "people")
    at.text_input(key="admin.people.search").input("Inès").run()
    assert "Lens" not in at.selectbox(key=f"admin.people.add.{ines}.where").options

    at.text_input(key="admin.people.search").input("Camille").run()
    assert "Vous ne pouvez pas modifier vos propres droits" in " ".join(_texts(at, "info"))


def _membership_of(db, person_id: int) -> int:
    with db.connect() as conn:
        return conn.execute(
            sa.select(tables.membership.c.id).where(tables.membership.c.person_id == person_id)
        ).scalar_one()


def test_a_territory_admin_administers_their_territory_and_its_people_only(db):
    lens, arras = make_territory(db, "Lens"), make_territory(db, "Arras")
    make_membership(db, make_person(db, "Paul Arras"), arras, Role.READER)
    colleague = make_person(db, "Inès Lens")
    make_membership(db, colleague, lens, Role.READER)
    admin = make_actor(db, Role.TERRITORY_ADMIN, lens, "Alex Admin")
    at = open_app_as(admin, ADMINISTRATION)

    assert _texts(at, "title") == ["Administration du territoire"]
    assert at.segmented_control(key="admin.section").options == ["Territoires", "Personnes", "Questionnaires"]
    assert at.dataframe[0].value.iloc[:, 0].tolist() == ["Lens"]
    assert at.text_input(key=f"admin.territory.{lens}.slug").disabled
    assert not at.get("expander")  # no new territory, no archive button
    at.text_input(key=f"admin.territory.{lens}.region").input("Hauts-de-France")
    at.button(key=f"FormSubmitter:admin.territory.{lens}-Enregistrer").click().run()
    assert "Territoire « Lens » enregistré." in _texts(at, "success")

    at.segmented_control(key="admin.section").set_value("people").run()
    names = at.dataframe[0].value.iloc[:, 0].tolist()
    assert "Paul Arras" not in names and "Inès Lens" in names
    at.selectbox(key="admin.person_chosen").set_value(colleague).run()
    assert not at.exception, at.exception
    # Already in Lens, the only place this admin may give access to: nothing more to offer.
    assert not [s for s in at.selectbox if s.key == f"admin.people.add.{colleague}.where"]
    assert at.button(key=f"admin.people.remove.{_membership_of(db, colleague)}")


def test_the_people_section_in_english(db):
    make_person(db, "Inès Martin")
    at = _open(db, "people")
    at.segmented_control(key="lang").set_value("en").run()
    assert at.text_input(key="admin.people.search").label == "Find a person"
    assert "Access" in at.dataframe[0].value.columns

    admin = open_app_as(make_actor(db, Role.TERRITORY_ADMIN, make_territory(db, "Lens")), ADMINISTRATION)
    # (People first: AppTest cannot read back a form's formatted selectbox after a language switch.)
    admin.segmented_control(key="admin.section").set_value("people").run()
    admin.segmented_control(key="lang").set_value("en").run()
    assert not admin.exception, admin.exception
    assert _texts(admin, "title") == ["Territory administration"]
    assert admin.text_input(key="admin.people.search").label == "Find a person"


def test_a_coordinator_edits_a_campaign_sets_its_target_and_previews_it_without_recording(db):
    lens = make_territory(db, "Lens")
    campaign_id, _ = make_campaign(db, lens, title="Forum")
    at = _open(db, "campaigns")
    key = f"admin.campaign.edit.{campaign_id}"
    at.text_input(key=f"{key}.title").input("Forum de printemps")
    at.toggle(key=f"{key}.has_target").set_value(True).run()
    at.number_input(key=f"{key}.target").set_value(40)
    at.button(key=f"{key}.go").click().run()

    assert not at.exception, at.exception
    assert "« Forum de printemps » est modifié." in _texts(at, "success")
    [bar] = at.get("progress")
    assert bar.proto.text == "0 réponse(s) envoyée(s) sur un objectif de 40 (0\u00a0%)."
    assert at.dataframe[0].value.iloc[0].tolist()[0] == "Forum de printemps"
    # The preview draws the campaign's questions with no way to send them.
    shown = [w.key for w in [*at.text_input, *at.number_input, *at.radio] if "admin.preview." in str(w.key)]
    assert sorted(shown) == [
        f"admin.preview.{campaign_id}.second.outcome",
        f"admin.preview.{campaign_id}.second.partners",
        f"admin.preview.{campaign_id}.second.story",
    ]
    assert not [b for b in at.button if "preview" in str(b.key)]
    with db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.response)).scalar_one() == 0


def test_a_campaign_someone_answered_keeps_its_title_and_says_why(db):
    lens = make_territory(db, "Lens")
    campaign_id, _ = make_campaign(db, lens, title="Forum")
    make_response(db, campaign_id, "elected_official", {}, status="draft")
    at = _open(db, "campaigns")
    key = f"admin.campaign.edit.{campaign_id}"
    at.text_input(key=f"{key}.title").input("Autre titre")
    at.button(key=f"{key}.go").click().run()

    assert any("son titre et ses dates ne peuvent plus changer" in e for e in _texts(at, "error"))
    assert at.text_input(key=f"{key}.title").value == "Autre titre"  # what was typed stays


def test_a_territory_admin_runs_only_their_territory_s_campaigns_in_english(db):
    lens, arras = make_territory(db, "Lens"), make_territory(db, "Arras")
    own, _ = make_campaign(db, lens, title="Forum Lens")
    make_campaign(db, arras, title="Forum Arras")
    make_campaign(db, None, title="Réseau")
    at = open_app_as(make_actor(db, Role.TERRITORY_ADMIN, lens), ADMINISTRATION)
    at.segmented_control(key="admin.section").set_value("campaigns").run()
    at.segmented_control(key="lang").set_value("en").run()

    assert not at.exception, at.exception
    assert at.dataframe[0].value.iloc[:, 0].tolist() == ["Forum Lens"]
    assert at.text_input(key=f"admin.campaign.edit.{own}.title").label == "Title"


# --- Templates: upload, preview, publish -------------------------------------------------------


def test_a_coordinator_uploads_a_template_sees_where_it_is_wrong_then_previews_and_publishes_it(db):
    from tests.test_template_upload import GOOD

    at = _open(db, "templates")
    wrong = GOOD.replace("type: short_text", "type: ranking").encode()
    at.file_uploader(key="admin.template.file.0").set_value(("atelier.yaml", wrong, "text/yaml")).run()
    assert not at.exception, at.exception
    [error] = _texts(at, "error")
    assert error.startswith("Ligne 18, clé « sections[0].questions[1].type » : question « idee »")
    assert not [b for b in at.button if b.key == "admin.template.publish.go"]

    uploader = at.file_uploader(key="admin.template.file.0")
    uploader.set_value(("atelier.yaml", GOOD.encode(), "text/yaml")).run()
    assert "Nouveau modèle : il sera publié en version 1." in _texts(at, "info")
    preview = at.text_input(key="admin.template.preview.atelier-mobilites.bilan.idee")
    assert preview.label == "Une idée à retenir"
    with db.connect() as conn:
        slugs = set(conn.execute(sa.select(tables.form_template.c.slug)).scalars())
    assert "atelier-mobilites" not in slugs  # the preview stores nothing

    at.button(key="admin.template.publish.go").click().run()
    assert not at.exception, at.exception
    assert "« Atelier mobilités » est publié en version 1." in _texts(at, "success")
    assert "atelier-mobilites" in at.dataframe[0].value.iloc[:, 1].tolist()


def test_the_templates_section_in_english(db):
    at = _open(db, "templates")
    at.segmented_control(key="lang").set_value("en").run()
    assert not at.exception, at.exception
    assert at.file_uploader(key="admin.template.file.0").label == "The template's YAML file"
    assert list(at.dataframe[0].value.columns) == ["Template", "Identifier", "Version"]


def test_a_network_of_campaigns_is_listed_a_page_at_a_time_and_found_by_title_or_territory(db):
    from datetime import date, timedelta

    lens, arras = make_territory(db, "Lens"), make_territory(db, "Arras")
    start = date(2026, 1, 1)
    for n in range(24):  # the newest first: « Forum 24 » opened last
        make_campaign(
            db, lens if n % 2 else arras, title=f"Forum {n + 1}", opens_on=start + timedelta(days=n)
        )
    at = _open(db, "campaigns")

    titles = at.dataframe[0].value.iloc[:, 0].tolist()
    assert titles == [f"Forum {n}" for n in range(24, 4, -1)]  # twenty, newest first
    assert "Questionnaires 1 à 20 sur 24, les plus récents d’abord." in _texts(at, "caption")
    at.button(key="admin.campaign_page.forward").click().run()
    assert at.dataframe[0].value.iloc[:, 0].tolist() == ["Forum 4", "Forum 3", "Forum 2", "Forum 1"]
    assert "Questionnaires 21 à 24 sur 24, les plus récents d’abord." in _texts(at, "caption")

    # A search starts again from its first page, and matches the territory's name as well.
    at.text_input(key="admin.campaign_search").input("arras").run()
    shown = at.dataframe[0].value
    assert len(shown) == 12 and set(shown.iloc[:, 1]) == {"Arras"}
    assert not [c for c in _texts(at, "caption") if c.startswith("Questionnaires ")]  # one page
    at.text_input(key="admin.campaign_search").input("Forum 2").run()
    assert sorted(at.dataframe[0].value.iloc[:, 0]) == [
        "Forum 2",
        "Forum 20",
        "Forum 21",
        "Forum 22",
        "Forum 23",
        "Forum 24",
    ]
    at.text_input(key="admin.campaign_search").input("Nulle part").run()
    assert "Aucun questionnaire ne correspond à cette recherche." in _texts(at, "info")
