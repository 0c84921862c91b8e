"""CSV imports of territories, peer-group memberships and invitations, through the service:
files as French spreadsheets write them, every row checked first, all rows written or none."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lib.access import Role
from lib.domain.errors import PermissionDenied
from lib.i18n import translate
from lib.services import imports
from lib.services.imports import ImportRefused
from lib.store import tables
from tests.conftest import count_rows
from tests.factories import (
    make_actor,
    make_invitation,
    make_membership,
    make_peer_group,
    make_person,
    make_territory,
)

TERRITORY_HEADER = "identifiant,nom,type,code_insee,siren,region,population\n"


def _coordinator(engine):
    return make_actor(engine, Role.COORDINATOR, None)


def _territories(engine) -> dict[str, tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                tables.territory.c.slug,
                tables.territory.c.name,
                tables.territory.c.kind,
                tables.territory.c.insee_code,
                tables.territory.c.siren,
                tables.territory.c.region,
                tables.territory.c.population,
            )
        )
        return {r.slug: tuple(r)[1:] for r in rows}


def test_a_good_territories_file_is_imported_whole(engine):
    data = (
        TERRITORY_HEADER
        + "loos-en-gohelle,Loos-en-Gohelle,commune,62528,,Hauts-de-France,6 500\n"
        + ",Communauté de communes du Val,EPCI,,200 012 345,Occitanie,25000\n"
        + "pays-d-ici,Pays d’ici,PETR,,,,\n"
    ).encode()

    report = imports.import_csv(engine, _coordinator(engine), "territories", data)

    assert report.applied and report.problems == [] and report.rows == 3
    assert _territories(engine) == {
        "loos-en-gohelle": ("Loos-en-Gohelle", "commune", "62528", None, "Hauts-de-France", 6500),
        "communaute-de-communes-du-val": (
            "Communauté de communes du Val",
            "epci",
            None,
            "200012345",
            "Occitanie",
            25000,
        ),
        "pays-d-ici": ("Pays d’ici", "petr", None, None, None, None),
    }
    with engine.connect() as conn:
        logged = conn.execute(sa.select(tables.activity_log.c.action, tables.activity_log.c.details)).all()
    assert ("import.territories", {"rows": 3}) in [tuple(r) for r in logged]


def test_one_bad_row_among_many_writes_nothing_and_the_report_names_its_line_and_column(engine):
    lines = [f"commune-{i},Commune {i},commune,,,,{i}" for i in range(300)]
    lines[150] = "commune-150,Commune 150,village,,,,150"  # the file's line 152 (header is line 1)
    lines[200] = "commune-200,Commune 200,commune,,,,deux cents"  # line 202
    before = count_rows(engine, tables.territory)

    report = imports.import_csv(
        engine, _coordinator(engine), "territories", (TERRITORY_HEADER + "\n".join(lines)).encode()
    )

    assert not report.applied
    assert [(p.line, p.column, p.code) for p in report.problems] == [
        (152, "type", "import.error.kind"),
        (202, "population", "import.error.population"),
    ]
    problem = report.problems[0]
    assert translate(problem.code, "fr", **problem.params) == (
        "Type « village » inconnu : commune, EPCI, PETR, département, région ou autre."
    )
    assert count_rows(engine, tables.territory) == before


def test_a_windows_1252_file_with_semicolons_keeps_its_accents(engine):
    data = (
        "Identifiant;Nom;Type;Code INSEE;SIREN;Région;Population\r\n"
        ";Saint-Étienne;Commune;42218;;Auvergne-Rhône-Alpes;170 049\r\n"
    )

    report = imports.import_csv(engine, _coordinator(engine), "territories", data.encode("cp1252"))

    assert report.applied and (report.encoding, report.separator) == ("cp1252", ";")
    assert _territories(engine) == {
        "saint-etienne": ("Saint-Étienne", "commune", "42218", None, "Auvergne-Rhône-Alpes", 170049)
    }


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (
            TERRITORY_HEADER.replace(",", "\t").encode() + b"a\tA\tcommune\t\t\t\t\n",
            "import.error.separator",
            "points-virgules",
        ),
        ((TERRITORY_HEADER + ",Lens,commune,,,,\n").encode("utf-16"), "import.error.encoding", "CSV UTF-8"),
        (b"nom|type\nLens|commune\n", "import.error.separator", "points-virgules"),
        (b"name,kind\nLens,commune\n", "import.error.columns", "fichier modèle"),
        (TERRITORY_HEADER.encode(), "import.error.no_rows", "aucune ligne"),
    ],
    ids=["tabs", "utf-16", "pipes", "english-headers", "header-only"],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_message_saying_what_to_do(engine, data, code, words):
    with pytest.raises(ImportRefused) as refused:
        imports.import_csv(engine, _coordinator(engine), "territories", data)

    assert refused.value.code == code
    assert words in translate(code, "fr", **refused.value.params)
    assert count_rows(engine, tables.territory) == 0


def test_duplicates_in_the_file_and_with_the_database_are_both_reported(engine):
    make_territory(engine, "Lens", slug="lens")
    data = (
        TERRITORY_HEADER + "lievin,Liévin,commune,,,,\nlens,Lens,commune,,,,\nlievin,Liévin bis,commune,,,,\n"
    ).encode()

    report = imports.import_csv(engine, _coordinator(engine), "territories", data)

    assert not report.applied
    assert [(p.line, p.column, p.code, p.params) for p in report.problems] == [
        (3, "identifiant", "import.error.territory_exists", {"value": "lens"}),
        (4, "identifiant", "import.error.duplicate", {"line": 2}),
    ]
    assert set(_territories(engine)) == {"lens"}


def test_peer_group_members_are_imported_by_identifier_or_name(engine):
    lens, lievin = (
        make_territory(engine, "Lens", slug="lens"),
        make_territory(engine, "Liévin", slug="lievin"),
    )
    group = make_peer_group(engine, "Villes Pairs", [lens])
    with engine.connect() as conn:
        slug = conn.execute(
            sa.select(tables.peer_group.c.slug).where(tables.peer_group.c.id == group)
        ).scalar_one()
    coordinator = _coordinator(engine)

    bad = imports.import_csv(
        engine, coordinator, "peer_group_members", f"groupe;territoire\n{slug};lens\nAutre;lievin\n".encode()
    )
    assert [(p.line, p.column, p.code) for p in bad.problems] == [
        (2, "territoire", "import.error.already_in_group"),
        (3, "groupe", "import.error.unknown_group"),
    ]

    good = imports.import_csv(
        engine, coordinator, "peer_group_members", "groupe;territoire\nvilles pairs;Liévin\n".encode()
    )
    assert good.applied
    with engine.connect() as conn:
        members = set(conn.execute(sa.select(tables.peer_group_member.c.territory_id)).scalars())
    assert members == {lens, lievin}


def test_invitations_are_imported_with_roles_in_french_and_each_reaches_its_territorys_journal(engine):
    lens = make_territory(engine, "Lens", slug="lens")
    coordinator = _coordinator(engine)
    data = (
        b"email;territoire;role\n"
        b"Maire@Lens.example.fr;lens;Administratrice\n"
        b"agent@lens.example.fr;Lens;contributeur\n"
        b"coord@reseau.example.fr;;coordinateur\n"
    )

    report = imports.import_csv(engine, coordinator, "invitations", data)

    assert report.applied
    with engine.connect() as conn:
        invited = set(
            conn.execute(
                sa.select(
                    tables.invitation.c.email, tables.invitation.c.territory_id, tables.invitation.c.role
                )
            )
        )
        journal = (
            conn.execute(
                sa.select(tables.activity_log.c.territory_id).where(
                    tables.activity_log.c.action == "invitation.created"
                )
            )
            .scalars()
            .all()
        )
    assert invited == {
        ("maire@lens.example.fr", lens, "territory_admin"),
        ("agent@lens.example.fr", lens, "contributor"),
        ("coord@reseau.example.fr", None, "coordinator"),
    }
    assert sorted(journal, key=str) == sorted([lens, lens, None], key=str)


def test_invitations_already_sent_or_roles_in_the_wrong_place_are_reported(engine):
    lens = make_territory(engine, "Lens", slug="lens")
    coordinator = _coordinator(engine)
    make_invitation(engine, "deja@lens.example.fr", lens, Role.CONTRIBUTOR)
    member = make_person(engine, email="membre@lens.example.fr")
    make_membership(engine, member, lens, Role.READER)
    data = (
        b"email,territoire,role\n"
        b"deja@lens.example.fr,lens,lecteur\n"
        b"membre@lens.example.fr,lens,lecteur\n"
        b"chef@lens.example.fr,lens,coordinateur\n"
        b"pas-une-adresse,lens,lecteur\n"
        b"x@lens.example.fr,lens,lecteur\n"
        b"X@lens.example.fr,lens,contributeur\n"
    )

    report = imports.import_csv(engine, coordinator, "invitations", data)

    assert [(p.line, p.column, p.code) for p in report.problems] == [
        (2, "email", "auth.error.already_invited"),
        (3, "email", "auth.error.already_member"),
        (4, "role", "import.error.role_scope"),
        (5, "email", "auth.error.email_invalid"),
        (7, "email", "import.error.duplicate"),
    ]
    assert count_rows(engine, tables.invitation) == 1


def test_the_model_files_import_as_they_are_once_their_territories_and_groups_exist(engine):
    coordinator = _coordinator(engine)
    assert imports.import_csv(engine, coordinator, "territories", imports.model_file("territories")).applied
    make_peer_group_with_slug = make_peer_group(engine, "Villes Pairs 2018-2020", [])
    with engine.begin() as conn:
        conn.execute(
            sa.update(tables.peer_group)
            .where(tables.peer_group.c.id == make_peer_group_with_slug)
            .values(slug="villes-pairs-2018-2020")
        )
    assert imports.import_csv(
        engine, coordinator, "peer_group_members", imports.model_file("peer_group_members")
    ).applied
    assert imports.import_csv(engine, coordinator, "invitations", imports.model_file("invitations")).applied


@pytest.mark.parametrize("role", [Role.TERRITORY_ADMIN, Role.CONTRIBUTOR, Role.READER])
def test_only_coordinators_import(engine, role):
    actor = make_actor(engine, role, make_territory(engine))
    for kind in imports.KINDS:
        with pytest.raises(PermissionDenied):
            imports.import_csv(engine, actor, kind, imports.model_file(kind))
    assert count_rows(engine, tables.invitation) == 0


def test_ten_thousand_rows_are_checked_then_written_reporting_progress(engine):
    data = (
        TERRITORY_HEADER + "".join(f"t-{i},Territoire {i},commune,,,,{i}\n" for i in range(10_000))
    ).encode()
    seen = []

    report = imports.import_csv(
        engine,
        _coordinator(engine),
        "territories",
        data,
        progress=lambda done, stage: seen.append((stage, done)),
    )

    assert report.applied and count_rows(engine, tables.territory) == 10_000
    stages = [stage for stage, _ in seen]
    assert stages.index("write") > stages.index("check") and seen[-1] == ("write", 1.0)
    assert [done for _, done in seen] == sorted(done for _, done in seen)  # it only moves forward


def test_odd_digits_and_an_oversized_cell_are_refused_plainly(engine):
    coordinator = _coordinator(engine)
    odd = (TERRITORY_HEADER + "a,A,commune,,,,²\nb,B,commune,,,," + "9" * 5000 + "\n").encode()

    report = imports.import_csv(engine, coordinator, "territories", odd)

    assert [(p.line, p.column, p.code) for p in report.problems] == [
        (2, "population", "import.error.population"),
        (3, "population", "import.error.population"),
    ]
    with pytest.raises(ImportRefused) as refused:
        imports.import_csv(
            engine, coordinator, "territories", (TERRITORY_HEADER + "a,A," + "x" * 200_000 + "\n").encode()
        )
    assert refused.value.code == "import.error.unreadable"
    assert count_rows(engine, tables.territory) == 0
