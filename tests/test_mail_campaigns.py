"""A campaign's link by e-mail, its one reminder, the purge of pasted addresses, unsubscribe,
and the coordinators' weekly digest — received through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from lib import cli
from lib.access import Role
from lib.domain import clock
from lib.domain.errors import PermissionDenied, ValidationFailed
from lib.services import campaign_mail, digest, feedback, mail, membership
from lib.services.identity import load_actor
from lib.store import tables
from tests.conftest import count_rows
from tests.factories import make_actor, make_campaign, make_person, make_response, make_territory
from tests.mailserver import BASE_URL, NETWORK, html_of, text_of

TODAY = clock.today()


def _link_in(message) -> dict[str, str]:
    """The campaign link of a received message, as query parameters."""
    text = text_of(message)
    url = next(word for word in text.split() if word.startswith(BASE_URL + "?campagne="))
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def _answer(engine, token: str, sent_to: str | None) -> int:
    draft = feedback.start_response(engine, token, "elected_official")
    feedback.submit_response(engine, token, draft.resume_code, {"mood": 4, "story": "Bien"}, sent_to=sent_to)
    with engine.connect() as conn:
        return conn.execute(
            sa.select(tables.response.c.id).where(tables.response.c.resume_code == draft.resume_code)
        ).scalar_one()


@pytest.fixture
def campaign(engine):
    territory = make_territory(engine, "Loos-en-Gohelle (essai)")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, territory, "Alex Admin")
    campaign_id, token = make_campaign(
        engine, territory, title="Forum de la coopération", closes_on=TODAY + timedelta(days=10)
    )
    return engine, territory, admin, campaign_id, token


def test_each_pasted_address_receives_the_link_once_in_the_chosen_language(
    campaign, mail_settings, smtp_server
):
    engine, _, admin, campaign_id, token = campaign
    sent = campaign_mail.send_link(
        engine,
        admin,
        campaign_id,
        addresses="Ana@Mairie.test, bob@asso.test\nana@mairie.test;chloe@etat.test",
        language="en",
    )
    mail.wait_for_background()
    assert (sent.queued, sent.duplicates, sent.already) == (3, 1, 0)
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "ana@mairie.test",
        "bob@asso.test",
        "chloe@etat.test",
    ]
    [message] = smtp_server.to("bob@asso.test")
    assert message["Subject"] == f'{NETWORK}: your view on "Forum de la coopération"'
    assert message["Content-Language"] == "en"
    assert "Alex Admin invites you" in text_of(message) and "never linked to your answers" in text_of(message)
    link = _link_in(message)
    assert link["campagne"] == token and campaign_mail.plausible_code(link["envoi"])
    assert message["List-Unsubscribe"].startswith(f"<{BASE_URL}?desabonnement=")
    assert "desabonnement=" in html_of(message)

    again = campaign_mail.send_link(
        engine, admin, campaign_id, addresses="bob@asso.test dan@asso.test", language="fr"
    )
    mail.wait_for_background()
    assert (again.queued, again.already) == (1, 1)
    assert len(smtp_server.to("bob@asso.test")) == 1 and len(smtp_server.to("dan@asso.test")) == 1


def test_a_list_with_one_bad_address_is_refused_whole_naming_it(campaign, no_smtp):
    engine, _, admin, campaign_id, _ = campaign
    with pytest.raises(ValidationFailed) as refused:
        campaign_mail.send_link(
            engine, admin, campaign_id, addresses="ana@mairie.test\nbob(at)asso.test", language="fr"
        )
    error = refused.value.errors["addresses"]
    assert error.code == "mail.error.invalid_addresses" and error.params["shown"] == "bob(at)asso.test"
    assert (
        count_rows(engine, tables.campaign_recipient) == 0 and count_rows(engine, tables.outbox_message) == 0
    )


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.READER])
def test_only_those_who_manage_the_campaign_send_its_link(campaign, no_smtp, role):
    engine, territory, _, campaign_id, _ = campaign
    member = make_actor(engine, role, territory)
    outsider = make_actor(engine, Role.TERRITORY_ADMIN, make_territory(engine))
    for actor in (member, outsider, None):
        with pytest.raises(PermissionDenied):
            campaign_mail.send_link(engine, actor, campaign_id, addresses="a@b.test", language="fr")
    assert count_rows(engine, tables.outbox_message) == 0


def test_one_reminder_goes_before_closing_to_those_who_have_not_answered(
    campaign, mail_settings, smtp_server
):
    engine, _, admin, campaign_id, token = campaign
    campaign_mail.send_link(engine, admin, campaign_id, addresses="a@x.test b@x.test c@x.test", language="fr")
    mail.wait_for_background()
    _answer(engine, token, _link_in(smtp_server.to("a@x.test")[0])["envoi"])
    _answer(engine, token, None)  # someone who got the link another way

    too_early = campaign_mail.remind(engine, mail_settings, today=TODAY)
    assert too_early == 0
    day = TODAY + timedelta(days=10 - mail_settings.reminder_days)
    assert campaign_mail.remind(engine, mail_settings, today=day) == 2
    assert campaign_mail.remind(engine, mail_settings, today=day + timedelta(days=1)) == 0  # one only
    mail.send_due(engine, mail_settings)
    [reminder] = smtp_server.to("b@x.test")[1:]
    assert reminder["Subject"] == f"{NETWORK} : plus que 3 jours pour répondre à « Forum de la coopération »"
    assert "desabonnement=" in reminder["List-Unsubscribe"]
    assert reminder["Content-Language"] == "fr"
    assert _link_in(reminder) == _link_in(smtp_server.to("b@x.test")[0])  # the same personal link
    assert len(smtp_server.to("a@x.test")) == 1  # answered: no reminder
    assert len(smtp_server.to("c@x.test")) == 2


def test_in_an_anonymous_campaign_nothing_stored_links_an_address_to_a_response(
    campaign, mail_settings, smtp_server
):
    engine, _, admin, campaign_id, token = campaign
    campaign_mail.send_link(engine, admin, campaign_id, addresses="a@x.test b@x.test", language="fr")
    mail.wait_for_background()
    code = _link_in(smtp_server.to("a@x.test")[0])["envoi"]
    response_id = _answer(engine, token, code)
    with engine.connect() as conn:
        resume_code = conn.execute(
            sa.select(tables.response.c.resume_code).where(tables.response.c.id == response_id)
        ).scalar_one()
    campaign_mail.remind(engine, mail_settings, today=TODAY + timedelta(days=8))

    # The address's row says only "answered": no time, no response, nothing the response row has.
    assert {c.name for c in tables.campaign_recipient.c} == {
        "id", "campaign_id", "email", "language", "code", "answered", "reminded"
    }  # fmt: skip
    # After the reminder every row of the campaign was rewritten alike (answered or not).
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(tables.campaign_recipient).order_by(tables.campaign_recipient.c.id)
        ).all()
    assert [(r.email, r.answered, r.reminded) for r in rows] == [
        ("a@x.test", True, True),
        ("b@x.test", False, True),
    ]
    # No stored row anywhere holds both a trace of the address and a trace of the response.
    address_marks = {"a@x.test", code}
    response_marks = {resume_code, str(response_id)}
    with engine.connect() as conn:
        for table in tables.metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                cells = " ".join(str(value) for value in row)
                has_address = any(mark in cells for mark in address_marks)
                refers_to_response = table.name in {"response", "answer"} or (
                    table.name == "activity_log"
                    and row.subject_type == "response"
                    and row.subject_id == response_id
                )
                assert not (has_address and refers_to_response), (table.name, row)
                assert not (has_address and any(f"'{mark}'" in repr(tuple(row)) for mark in response_marks))


def test_addresses_are_purged_once_the_campaign_has_been_closed_long_enough_unsubscribes_kept(
    engine, mail_settings, smtp_server
):
    territory = make_territory(engine)
    admin = make_actor(engine, Role.TERRITORY_ADMIN, territory)
    closes = TODAY + timedelta(days=2)
    campaign_id, _ = make_campaign(engine, territory, closes_on=closes)
    campaign_mail.send_link(
        engine, admin, campaign_id, addresses="keep-out@x.test gone@x.test", language="fr"
    )
    mail.wait_for_background()
    assert mail.unsubscribe(engine, _unsubscribe_token(smtp_server.to("keep-out@x.test")[0]))

    kept = closes + timedelta(days=mail_settings.addresses_kept_days)
    assert campaign_mail.purge(engine, mail_settings, today=kept) == 0  # not yet
    assert campaign_mail.purge(engine, mail_settings, today=kept + timedelta(days=1)) > 0
    assert count_rows(engine, tables.campaign_recipient) == 0
    assert count_rows(engine, tables.outbox_message) == 0 and count_rows(engine, tables.outbox_attempt) == 0
    with engine.connect() as conn:
        left = conn.execute(
            sa.select(tables.mail_recipient.c.email, tables.mail_recipient.c.opted_out_at)
        ).all()
    assert [email for email, _ in left] == ["keep-out@x.test"] and left[0][1] is not None


def _unsubscribe_token(message) -> str:
    url = message["List-Unsubscribe"].strip("<>")
    return parse_qs(urlsplit(url).query)["desabonnement"][0]


# --- the coordinators' digest, and unsubscribe -------------------------------------------------


def test_the_weekly_digest_tells_a_coordinator_the_week_and_stops_at_once_when_they_unsubscribe(
    engine, mail_settings, smtp_server
):
    coordinator = make_actor(engine, Role.COORDINATOR, None, "Camille")
    territory = make_territory(engine, "Bourg (essai)")  # no activity at all: stalled
    campaign_id, _ = make_campaign(engine, territory)
    make_response(engine, campaign_id, "elected_official", {"mood": 3, "story": "Oui"})
    asker = load_actor(engine, make_person(engine, email="asker@x.test"))
    membership.request_access(engine, asker, territory_id=territory, message="")
    mail.wait_for_background()
    same_week = TODAY - timedelta(days=TODAY.weekday()) + timedelta(days=6)  # its Sunday

    assert digest.write_digests(engine, mail_settings, today=TODAY) == 1
    assert digest.write_digests(engine, mail_settings, today=same_week) == 0  # once a week
    mail.send_due(engine, mail_settings)
    [message] = [m for m in smtp_server.to(coordinator.email) if "semaine" in m["Subject"]]
    assert message["Subject"] == f"{NETWORK} : la semaine du réseau"
    text = text_of(message)
    assert "réponses aux questionnaires : 1" in text
    assert "Bourg (essai)" in text and "demandes d’accès en attente : 1" in text
    assert message["Content-Language"] == "fr" and BASE_URL in text

    assert mail.unsubscribe(engine, _unsubscribe_token(message))
    next_week = TODAY + timedelta(days=7)
    assert digest.write_digests(engine, mail_settings, today=next_week) == 0
    mail.send_due(engine, mail_settings)
    assert len([m for m in smtp_server.to(coordinator.email) if "semaine" in m["Subject"]]) == 1
    # Necessary messages still reach them.
    other = load_actor(engine, make_person(engine, email="other@x.test"))
    membership.request_access(engine, other, territory_id=None, message="")
    mail.wait_for_background()
    assert any("demande" in m["Subject"] for m in smtp_server.to(coordinator.email)[1:])


def test_an_unknown_or_malformed_unsubscribe_token_changes_nothing(engine, no_smtp):
    assert not mail.unsubscribe(engine, "x" * 32)
    assert not mail.unsubscribe(engine, "'; drop table person; --")
    assert not mail.unsubscribe(engine, None)


def test_send_mail_writes_what_is_due_and_sends_it(
    sqlite_engine, mail_settings, smtp_server, monkeypatch, capsys
):
    engine = sqlite_engine  # the command line once; the services run on both dialects above
    monkeypatch.setenv("DATABASE_URL", str(engine.url))
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    smtp_server.stop()
    membership.invite(engine, coordinator, email="late@x.test", territory_id=None, role="coordinator")
    mail.wait_for_background()
    smtp_server.start()
    with engine.begin() as conn:  # its back-off has passed
        conn.execute(sa.update(tables.outbox_message).values(next_attempt_at=tables.utcnow()))

    assert cli.main(["send-mail"]) == 0
    out = capsys.readouterr().out
    assert "Sent 2" in out  # the invitation and this week's digest
    assert [m["To"] for m in smtp_server.to("late@x.test")] == ["late@x.test"]


def test_send_mail_without_smtp_says_how_many_wait(sqlite_engine, no_smtp, monkeypatch, capsys):
    engine = sqlite_engine
    monkeypatch.setenv("DATABASE_URL", str(engine.url))
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    membership.invite(engine, coordinator, email="w@x.test", territory_id=None, role="coordinator")
    assert cli.main(["send-mail"]) == 0
    assert "nothing sent; 2 message(s) wait" in capsys.readouterr().out


def test_a_closed_campaign_link_is_not_sent(engine, no_smtp):
    territory = make_territory(engine)
    admin = make_actor(engine, Role.TERRITORY_ADMIN, territory)
    campaign_id, _ = make_campaign(engine, territory, opens_on=date(2024, 1, 1), closes_on=date(2024, 2, 1))
    with pytest.raises(campaign_mail.CampaignClosed):
        campaign_mail.send_link(engine, admin, campaign_id, addresses="a@b.test", language="fr")
