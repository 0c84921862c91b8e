"""Personal data by the book (issue 15 item 2): a person's export, their erasure, the retention
purge — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from lib.access import Role
from lib.domain import clock, privacy
from lib.domain.errors import NotFound, PermissionDenied
from lib.services import campaign_mail, feedback, identity, membership, peers, steering
from lib.services import privacy as service
from lib.store import tables
from lib.store.privacy import ERASED_ACTION
from tests.factories import make_actor, make_campaign, make_milestone, make_response, make_territory

NAME = "Hélène Dupuis-Marchal"
EMAIL = "helene.dupuis@exemple.test"
ANSWERS = {"mood": 4, "topics": ["energy"], "story": "Bien", "partners": 2}


def _claims(email: str, name: str) -> dict:
    return {"is_logged_in": True, "sub": f"sub-{email}", "email": email, "email_verified": True, "name": name}


def _answer(engine, token: str, *, actor=None, name: str | None = None, role: str = "local_agent") -> int:
    draft = feedback.start_response(engine, token, role, respondent_name=name, actor=actor)
    feedback.submit_response(engine, token, draft.resume_code, ANSWERS)
    with engine.connect() as conn:
        return conn.execute(
            sa.select(tables.response.c.id).where(tables.response.c.resume_code == draft.resume_code)
        ).scalar_one()


def _network(engine):
    """A territory where Hélène is a member who left traces everywhere personal data can go."""
    coordinator = make_actor(engine, Role.COORDINATOR, None, "Coordination")
    territory = make_territory(engine, "Loos (test)")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, territory, "Admin du territoire")
    # Invited by the admin (an invitation and its e-mail in the outbox), then she logs in.
    membership.invite(engine, admin, email=EMAIL, territory_id=territory, role=Role.CONTRIBUTOR)
    helene = identity.sign_in(engine, _claims(EMAIL, NAME))
    membership.request_access(engine, helene, territory_id=None, message=f"Bonjour, ici {NAME} ({EMAIL}).")
    peers.set_contact_consent(engine, helene, True)
    # Someone else's story quotes her by name.
    make_milestone(engine, territory, "Forum", story=f"Merci à {NAME} pour l’animation.")
    # A named campaign she answers while logged in, an anonymous one answered by others.
    named, named_token = make_campaign(engine, territory, anonymous=False, title="Campagne nominative")
    anonymous, anonymous_token = make_campaign(engine, territory, title="Campagne anonyme")
    _answer(engine, named_token, actor=helene, name=NAME)
    _answer(engine, named_token, name="Paul Durand", role="elected_official")
    for role in ("local_agent", "inhabitant", "inhabitant"):
        _answer(engine, anonymous_token, role=role)
    # Her address was pasted to send the anonymous campaign's link.
    campaign_mail.send_link(engine, admin, anonymous, addresses=EMAIL, language="fr")
    return coordinator, helene, territory, (named, anonymous)


def _figures(engine, coordinator, campaigns):
    """Every aggregate a reader sees: each campaign's results, the network's engagement."""
    shown = []
    for campaign_id in campaigns:
        r = feedback.results(engine, coordinator, campaign_id)
        shown.append((r.submitted, r.counts.to_dict(), r.distribution.to_dict(), r.means.to_dict(), r.texts))
    overview = steering.overview(engine, coordinator)
    shown.append(list(overview.figures))
    shown.append(overview.territories.drop(columns=["admins"], errors="ignore").to_dict())
    shown.append(steering.coverage(engine, coordinator).to_dict())
    shown.append(steering.activity_map(engine, coordinator)[1].to_dict())
    return shown


def _text_values(engine) -> list[tuple[str, str, str]]:
    """Every text and JSON value of every table, as ``(table, column, text)``."""
    found = []
    with engine.connect() as conn:
        for table in tables.metadata.sorted_tables:
            for column in table.c:
                if isinstance(column.type, sa.JSON):
                    for value in conn.execute(sa.select(column)).scalars():
                        if value is not None:
                            found.append((table.name, column.name, json.dumps(value, ensure_ascii=False)))
                elif isinstance(column.type, sa.String):
                    for value in conn.execute(sa.select(column)).scalars():
                        if value is not None:
                            found.append((table.name, column.name, value))
    return found


def _holding(engine, *needles: str) -> list[tuple[str, str]]:
    return sorted(
        {
            (table, column)
            for table, column, text in _text_values(engine)
            for n in needles
            if n.lower() in text.lower()
        }
    )


def test_after_erasure_no_table_holds_the_name_or_the_email_and_every_figure_is_the_same(engine):
    coordinator, helene, _, campaigns = _network(engine)
    # The scan finds her before: it would find her after if anything were left.
    assert len(_holding(engine, NAME, EMAIL)) >= 8
    before = _figures(engine, coordinator, campaigns)

    service.erase(engine, coordinator, helene.person_id)

    assert _holding(engine, NAME, EMAIL) == []
    assert _figures(engine, coordinator, campaigns) == before
    with engine.connect() as conn:
        person = conn.execute(sa.select(tables.person).where(tables.person.c.id == helene.person_id)).one()
        entry = conn.execute(
            sa.select(tables.activity_log).where(tables.activity_log.c.action == ERASED_ACTION)
        ).one()
        her_response = conn.execute(
            sa.select(tables.response.c.document).where(tables.response.c.person_id == helene.person_id)
        ).scalar_one()
        story = conn.execute(sa.select(tables.milestone.c.story)).scalar_one()
    # Her contributions stay, as a former member's.
    assert person.display_name == privacy.FORMER_MEMBER and privacy.is_erased(person.email)
    assert her_response["answers"]["mood"] == 4 and "respondent_name" not in her_response
    assert story == f"Merci à {privacy.FORMER_MEMBER} pour l’animation."
    # Who erased whom, and when — by number only.
    assert (entry.person_id, entry.subject_type, entry.subject_id) == (
        coordinator.person_id,
        "person",
        helene.person_id,
    )
    assert entry.details is None and entry.occurred_at is not None
    # Nobody acts as her any more, nor picks her as a demo persona.
    assert identity.load_actor(engine, helene.person_id) is None
    assert helene.person_id not in [p["id"] for p in identity.list_demo_personas(engine)]


def test_only_a_coordinator_erases_and_never_themselves_nor_twice(engine):
    coordinator, helene, territory, _ = _network(engine)
    admin = make_actor(engine, Role.TERRITORY_ADMIN, territory)
    with pytest.raises(PermissionDenied):
        service.erase(engine, admin, helene.person_id)
    with pytest.raises(PermissionDenied):
        service.erase(engine, helene, helene.person_id)
    with pytest.raises(PermissionDenied):
        service.erase(engine, coordinator, coordinator.person_id)
    with pytest.raises(NotFound):
        service.erase(engine, coordinator, 999_999)
    assert _holding(engine, EMAIL)  # nothing was erased by a refusal
    service.erase(engine, coordinator, helene.person_id)
    with pytest.raises(service.AlreadyErased):
        service.erase(engine, coordinator, helene.person_id)


def test_a_person_downloads_everything_about_them_and_nothing_about_others(engine):
    _, helene, _, _ = _network(engine)
    data = json.loads(service.my_data(engine, helene))

    assert data["profile"]["email"] == EMAIL and data["profile"]["display_name"] == NAME
    assert [(m["territory"], m["role"]) for m in data["memberships"]] == [("Loos (test)", "contributor")]
    assert data["invitations"][0]["accepted_at"] is not None
    assert NAME in data["access_requests"][0]["message"]
    assert data["peer_contact_consent"]
    assert {"auth.login", "access_request.created"} <= {e["action"] for e in data["activity"]}
    [response] = data["responses"]
    assert response["campaign"] == "Campagne nominative" and response["document"]["respondent_name"] == NAME
    assert {a["question"] for a in response["answers"]} >= {"mood", "topics", "story"}
    assert {m["kind"] for m in data["mails_to_them"]} >= {"invitation", "campaign_link"}
    # Another respondent's name is not hers to download.
    assert "Paul Durand" not in json.dumps(data, ensure_ascii=False)
    with pytest.raises(PermissionDenied):
        service.my_data(engine, None)


def test_asking_for_erasure_puts_the_person_on_the_coordinators_list_until_erased(engine):
    coordinator, helene, _, _ = _network(engine)
    assert not service.erasure_asked(engine, helene)
    service.request_erasure(engine, helene)
    assert service.erasure_asked(engine, helene)
    assert [p.id for p in service.erasure_requests(engine, coordinator)] == [helene.person_id]
    with pytest.raises(PermissionDenied):
        service.erasure_requests(engine, helene)
    service.erase(engine, coordinator, helene.person_id)
    assert service.erasure_requests(engine, coordinator) == []
    assert helene.person_id not in [p.id for p in service.people(engine, coordinator)]


# --- retention, at the edges of the window in Paris days --------------------------------------

KEPT = privacy.Retention(respondent_names_days=30, abandoned_drafts_days=10)


def _config():
    return service.PrivacySettings(retention=KEPT)


def _names(engine) -> list[str | None]:
    with engine.connect() as conn:
        docs = conn.execute(sa.select(tables.response.c.document).order_by(tables.response.c.id)).scalars()
        return [d.get("respondent_name") for d in docs]


def test_names_of_a_named_campaign_stay_through_the_last_day_and_go_the_next(engine):
    closes = date(2026, 3, 10)
    make_actor(engine, Role.COORDINATOR, None)
    _, token = make_campaign(engine, None, anonymous=False, closes_on=date(2030, 1, 1))
    _answer(engine, token, name="Jeanne Martin")
    with engine.begin() as conn:  # the campaign closed on ``closes`` after she answered
        conn.execute(
            sa.update(tables.campaign).values(closes_on=closes, opens_on=closes - timedelta(days=30))
        )

    last_day = closes + timedelta(days=30)
    assert service.purge(engine, _config(), today=last_day).names == 0
    assert _names(engine) == ["Jeanne Martin"]
    done = service.purge(engine, _config(), today=last_day + timedelta(days=1))
    assert done.names == 1 and _names(engine) == [None]
    # The answers stay.
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.answer)).scalar_one() > 0


def test_a_draft_is_kept_through_the_last_paris_day_of_its_window_and_deleted_the_next(engine):
    _, token = make_campaign(engine, None)
    # Saved at 23:30 in Paris on 31 March (21:30 UTC, summer time) and at 00:30 on 1 April
    # (22:30 UTC on 31 March): two Paris days, one UTC day.
    late = datetime(2026, 3, 31, 21, 30, tzinfo=UTC)
    early = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)
    ids = []
    for moment in (late, early):
        draft = feedback.start_response(engine, token, "inhabitant")
        with engine.begin() as conn:
            conn.execute(
                sa.update(tables.response)
                .where(tables.response.c.resume_code == draft.resume_code)
                .values(updated_at=moment)
            )
        ids.append(draft.resume_code)
    assert clock.local_day(late) == date(2026, 3, 31) and clock.local_day(early) == date(2026, 4, 1)

    def codes() -> list[str]:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    sa.select(tables.response.c.resume_code).order_by(tables.response.c.id)
                ).scalars()
            )

    assert service.purge(engine, _config(), today=date(2026, 4, 10)).drafts == 0  # 31 March + 10
    assert codes() == ids
    assert service.purge(engine, _config(), today=date(2026, 4, 11)).drafts == 1
    assert codes() == ids[1:]  # the one of 1 April stays one more day
    assert service.purge(engine, _config(), today=date(2026, 4, 12)).drafts == 1
    assert codes() == []


def test_a_live_workshop_s_participants_who_never_answered_are_not_abandoned_drafts(engine):
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    _, token = make_campaign(engine, None)
    with engine.begin() as conn:
        conn.execute(sa.update(tables.campaign).values(kind="live"))
    feedback.start_response(engine, token, "inhabitant")
    with engine.begin() as conn:
        conn.execute(sa.update(tables.response).values(updated_at=datetime(2020, 1, 1, tzinfo=UTC)))
    assert service.purge_now(engine, coordinator).drafts == 0


def test_a_submitted_response_is_never_purged_and_the_coordinator_sees_what_is_due(engine):
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    campaign_id, token = make_campaign(engine, None)
    make_response(engine, campaign_id, "inhabitant", ANSWERS)
    with engine.begin() as conn:
        conn.execute(sa.update(tables.response).values(updated_at=datetime(2020, 1, 1, tzinfo=UTC)))
    feedback.start_response(engine, token, "inhabitant")
    with engine.begin() as conn:
        conn.execute(
            sa.update(tables.response)
            .where(tables.response.c.status == "draft")
            .values(updated_at=datetime(2020, 1, 1, tzinfo=UTC))
        )
    due = service.purge_due(engine, coordinator)
    assert (due.names, due.drafts) == (0, 1)
    with pytest.raises(PermissionDenied):
        service.purge_now(engine, None)
    assert service.purge_now(engine, coordinator).drafts == 1
    with engine.connect() as conn:
        statuses = list(conn.execute(sa.select(tables.response.c.status)).scalars())
        entry = conn.execute(
            sa.select(tables.activity_log).where(tables.activity_log.c.action == "privacy.purged")
        ).one()
    assert statuses == ["submitted"]
    assert entry.person_id == coordinator.person_id and entry.details == {"names": 0, "drafts": 1}


def test_the_demo_data_holds_old_names_and_drafts_that_the_purge_command_removes(
    sqlite_url, sqlite_engine, monkeypatch, capsys
):
    from lib import cli
    from lib.demo.seed import seed_demo

    engine = sqlite_engine
    seed_demo(engine, today=date(2026, 11, 30))
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    due = service.purge_due(engine, coordinator, today=date(2026, 11, 30))
    assert (due.names, due.drafts) == (5, 2)
    assert _holding(engine, "Armelle Texier") == [("response", "document")]

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    assert cli.main(["purge", "--today", "2026-11-30"]) == 0
    assert "Respondents' names removed: 5" in capsys.readouterr().out
    assert _holding(engine, "Armelle Texier", "Estelle Rigal") == []
    again = service.purge_due(engine, coordinator, today=date(2026, 11, 30))
    assert (again.names, again.drafts) == (0, 0)
