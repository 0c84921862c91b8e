"""The network's full export and restore: every table, every row, across SQLite and PostgreSQL.

The data set is the demo's, plus rows written to catch what a CSV loses easily: NULL against
the empty string, a text that reads ``\\N``, backslashes, line breaks, separators, quotes,
emoji, a JSON ``null`` against an SQL NULL, floats with every digit, microseconds.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import cli
from lib.access import Role
from lib.bootstrap import bootstrap
from lib.demo.seed import seed_demo
from lib.domain.archive import ArchiveRefused
from lib.domain.errors import PermissionDenied
from lib.i18n import translate
from lib.services import backup
from lib.store import backup as backup_store
from lib.store import migrate, tables
from lib.store.db import make_engine
from tests.conftest import throwaway_pg_database
from tests.factories import make_actor, make_territory

TODAY = date(2026, 11, 30)
AWKWARD_TEXTS = ["\\N", "", "\\\\serveur\\partage", "ligne 1\r\nligne 2\n", "a,b;c\"d'e", "Loos 🌱 — été"]


def _fill(engine: Engine) -> None:
    """The demo, then one awkward row in each place a CSV could lose something."""
    bootstrap(engine)
    seed_demo(engine, today=TODAY)
    moment = datetime(2026, 3, 29, 1, 59, 59, 123456, tzinfo=UTC)
    with engine.begin() as conn:
        people = [
            conn.execute(
                sa.insert(tables.person)
                .values(email=f"bizarre{i}@exemple.test", display_name=text, last_login_at=moment)
                .returning(tables.person.c.id)
            ).scalar_one()
            for i, text in enumerate(AWKWARD_TEXTS)
        ]
        conn.execute(sa.insert(tables.person).values(email="sans-nom@exemple.test", display_name=None))
        territory = conn.execute(
            sa.insert(tables.territory)
            .values(slug="vide", name="Territoire « vide »", kind="other", insee_code="", population=None)
            .returning(tables.territory.c.id)
        ).scalar_one()
        conn.execute(
            sa.insert(tables.access_request),
            [
                {"person_id": people[0], "territory_id": territory, "message": text}
                for text in (*AWKWARD_TEXTS[1:], None)
            ],
        )
        conn.execute(
            sa.insert(tables.invitation).values(
                email="invite@exemple.test",
                territory_id=territory,
                role="reader",
                expires_at=moment,
                revoked_at=moment.replace(microsecond=1),
            )
        )
        conn.execute(
            sa.insert(tables.activity_log),
            [
                {"occurred_at": moment, "action": "test.sql_null", "details": sa.null()},
                {"occurred_at": moment, "action": "test.json_null", "details": sa.JSON.NULL},
                {"occurred_at": moment, "action": "test.json", "details": {"é": [1.5, None, "\\N", True]}},
            ],
        )
        response_id = conn.execute(sa.select(sa.func.min(tables.response.c.id))).scalar_one()
        conn.execute(
            sa.insert(tables.answer),
            [
                {
                    "response_id": response_id,
                    "question_id": "q_float",
                    "numeric_value": 0.1 + 0.2,
                    "text_value": None,
                },
                {
                    "response_id": response_id,
                    "question_id": "q_tiny",
                    "numeric_value": 1e-300,
                    "text_value": None,
                },
                {
                    "response_id": response_id,
                    "question_id": "q_text",
                    "numeric_value": None,
                    "text_value": "\\",
                },
            ],
        )
        # The mail tables: an outbox message with its attempt, a recipient, a campaign's address.
        campaign_id = conn.execute(sa.select(sa.func.min(tables.campaign.c.id))).scalar_one()
        message_id = conn.execute(
            sa.insert(tables.outbox_message)
            .values(
                kind="campaign_link",
                recipient="bizarre0@exemple.test",
                language="fr",
                subject=AWKWARD_TEXTS[-1],
                body_text=AWKWARD_TEXTS[3],
                body_html="<p>\\N</p>",
                campaign_id=campaign_id,
                status="failed",
                attempts=1,
                next_attempt_at=moment,
                last_error=AWKWARD_TEXTS[4],
            )
            .returning(tables.outbox_message.c.id)
        ).scalar_one()
        conn.execute(
            sa.insert(tables.outbox_attempt).values(
                message_id=message_id, attempted_at=moment, outcome="refused", smtp_code=550, detail="\\N"
            )
        )
        conn.execute(
            sa.insert(tables.mail_recipient).values(
                email="bizarre0@exemple.test", language=None, unsubscribe_token="jeton-" + "x" * 20
            )
        )
        conn.execute(
            sa.insert(tables.campaign_recipient).values(
                campaign_id=campaign_id, email="bizarre0@exemple.test", language="en", code="c" * 32
            )
        )


def _snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table, ordered by key; JSON as (is SQL NULL, parsed value)."""
    snapshot = {}
    with engine.connect() as conn:
        for table in tables.metadata.sorted_tables:
            columns = [
                sa.cast(c, sa.Text).label(c.name) if isinstance(c.type, sa.JSON) else c for c in table.c
            ]
            rows = conn.execute(sa.select(*columns).order_by(*table.primary_key.columns))
            snapshot[table.name] = [
                tuple(
                    (value is None, None if value is None else json.loads(value))
                    if isinstance(column.type, sa.JSON)
                    else value
                    for column, value in zip(table.c, row, strict=True)
                )
                for row in rows
            ]
    return snapshot


def _archive(engine: Engine) -> bytes:
    out = io.BytesIO()
    backup.write_archive(engine, out)
    return out.getvalue()


def _round_trip(source: Engine, target: Engine) -> None:
    _fill(source)
    before = _snapshot(source)
    assert all(before.values()), [name for name, rows in before.items() if not rows]

    backup.restore_archive(target, io.BytesIO(_archive(source)))

    after = _snapshot(target)
    for name in before:
        assert after[name] == before[name], f"table {name} differs after the restore"


def _fresh_sqlite(tmp_path: Path, name: str = "cible.db") -> Engine:
    return make_engine(f"sqlite:///{tmp_path / name}")


@pytest.mark.postgres
@pytest.mark.parametrize("copy", [True, False], ids=["copy", "inserts"])
def test_an_sqlite_archive_restores_into_an_empty_postgresql_database_row_for_row(
    tmp_path, monkeypatch, copy
):
    monkeypatch.setattr(backup_store, "PG_COPY", copy)  # COPY, and the INSERTs the bench compares it with
    source = _fresh_sqlite(tmp_path, "source.db")
    with throwaway_pg_database("parcours_restore") as url:
        target = make_engine(url)
        try:
            _round_trip(source, target)
            # The next row gets a new id: the sequences follow the restored ids.
            make_territory(target, "Nouveau territoire")
        finally:
            target.dispose()
    source.dispose()


@pytest.mark.postgres
def test_a_postgresql_archive_restores_into_an_empty_sqlite_database_row_for_row(tmp_path):
    with throwaway_pg_database("parcours_export") as url:
        source = make_engine(url)
        try:
            target = _fresh_sqlite(tmp_path)
            _round_trip(source, target)
            make_territory(target, "Nouveau territoire")
            target.dispose()
        finally:
            source.dispose()


def test_an_archive_restores_into_a_database_holding_only_reference_data(tmp_path):
    """What start-up stores (templates, framework) is replaced by the archive's own."""
    source = _fresh_sqlite(tmp_path, "source.db")
    target = _fresh_sqlite(tmp_path)
    bootstrap(target)
    _round_trip(source, target)


def test_the_manifest_gives_the_revision_and_each_tables_row_count(tmp_path):
    source = _fresh_sqlite(tmp_path, "source.db")
    _fill(source)
    with zipfile.ZipFile(io.BytesIO(_archive(source))) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["revision"] == migrate.head_revision()
        counts = {e["name"]: e["rows"] for e in manifest["tables"]}
        assert set(zf.namelist()) == {"manifest.json"} | {f"{name}.csv" for name in counts}
        for name, rows in _snapshot(source).items():
            assert counts[name] == len(rows)
            with zf.open(f"{name}.csv") as raw:  # a header line, then one record per row
                records = list(csv.reader(io.TextIOWrapper(raw, "utf-8", newline="")))
            assert len(records) == len(rows) + 1


def test_a_restore_into_a_database_holding_data_is_refused_and_changes_nothing(tmp_path):
    source = _fresh_sqlite(tmp_path, "source.db")
    _fill(source)
    target = _fresh_sqlite(tmp_path)
    bootstrap(target)
    make_territory(target, "Déjà là")
    before = _snapshot(target)

    with pytest.raises(ArchiveRefused) as refused:
        backup.restore_archive(target, io.BytesIO(_archive(source)))

    assert refused.value.code == "backup.error.not_empty"
    assert "territory" in refused.value.params["tables"]
    assert "n’est pas vide" in translate(refused.value.code, "fr", **refused.value.params)
    assert _snapshot(target) == before


def _with_manifest(archive: bytes, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
            dst.writestr(name, data)
    return out.getvalue()


def test_an_archive_of_another_schema_revision_is_refused_with_both_revisions_named(tmp_path):
    source = _fresh_sqlite(tmp_path, "source.db")
    _fill(source)
    older = _with_manifest(_archive(source), lambda m: m.update(revision="0003_app_role_and_fk_indexes"))
    target = _fresh_sqlite(tmp_path)

    with pytest.raises(ArchiveRefused) as refused:
        backup.restore_archive(target, io.BytesIO(older))

    message = translate(refused.value.code, "fr", **refused.value.params)
    assert "0003_app_role_and_fk_indexes" in message and migrate.head_revision() in message
    assert migrate.current_revision(target) is None  # not even migrated


def test_a_database_at_another_revision_is_refused(tmp_path):
    source = _fresh_sqlite(tmp_path, "source.db")
    _fill(source)
    target = _fresh_sqlite(tmp_path)
    migrate.upgrade(target, "0003_app_role_and_fk_indexes")

    with pytest.raises(ArchiveRefused) as refused:
        backup.restore_archive(target, io.BytesIO(_archive(source)))

    assert refused.value.code == "backup.error.database_revision"


def test_a_row_count_that_does_not_match_leaves_the_database_empty(tmp_path):
    source = _fresh_sqlite(tmp_path, "source.db")
    _fill(source)

    def one_more_answer(manifest):
        for entry in manifest["tables"]:
            if entry["name"] == "answer":
                entry["rows"] += 1

    target = _fresh_sqlite(tmp_path)
    with pytest.raises(ArchiveRefused) as refused:
        backup.restore_archive(target, io.BytesIO(_with_manifest(_archive(source), one_more_answer)))

    assert refused.value.code == "backup.error.count"
    assert all(not rows for name, rows in _snapshot(target).items() if name not in tables.REFERENCE_TABLES)


def test_a_file_that_is_not_an_archive_is_refused_plainly(tmp_path):
    with pytest.raises(ArchiveRefused) as refused:
        backup.restore_archive(_fresh_sqlite(tmp_path), io.BytesIO(b"territoire;nom\n1;Loos\n"))
    assert refused.value.code == "backup.error.not_zip"


def test_a_coordinator_exports_and_the_journal_says_who(engine):
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    out = io.BytesIO()

    manifest = backup.export_archive(engine, coordinator, out)

    assert manifest.total_rows > 0
    with engine.connect() as conn:
        entry = conn.execute(
            sa.select(tables.activity_log).where(tables.activity_log.c.action == "network.exported")
        ).one()
    assert entry.person_id == coordinator.person_id


@pytest.mark.parametrize("role", [Role.TERRITORY_ADMIN, Role.CONTRIBUTOR, Role.READER])
def test_nobody_but_a_coordinator_exports_the_network(engine, role):
    actor = make_actor(engine, role, make_territory(engine))
    with pytest.raises(PermissionDenied):
        backup.export_archive(engine, actor, io.BytesIO())
    with pytest.raises(PermissionDenied):
        backup.export_archive(engine, None, io.BytesIO())


def test_the_command_line_exports_then_restores_and_says_why_it_refuses(tmp_path, monkeypatch, capsys):
    source_url = f"sqlite:///{tmp_path / 'source.db'}"
    source = make_engine(source_url)
    _fill(source)
    archive = tmp_path / "reseau.zip"
    monkeypatch.setenv("DATABASE_URL", source_url)
    assert cli.main(["export", str(archive)]) == 0

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cible.db'}")
    assert cli.main(["restore", str(archive)]) == 0
    target = _fresh_sqlite(tmp_path)
    assert _snapshot(target) == _snapshot(source)

    capsys.readouterr()
    assert cli.main(["restore", str(archive), "--lang", "fr"]) == 1
    assert "n’est pas vide" in capsys.readouterr().err
