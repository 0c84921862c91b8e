"""E-mail through the outbox, against a real SMTP server started by the tests (aiosmtpd).

Each message kind is received with the right recipient, language, subject and link; a
message is written with its action and rolls back with it; the server down keeps messages
and sends them once it is back, exactly once; a permanent refusal is recorded and shown, not
retried; two senders at once deliver each message once; header injection is refused.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lib.access import Role
from lib.domain.errors import PermissionDenied, ValidationFailed, WriteFailed
from lib.domain.mail import MAX_ATTEMPTS, HeaderRefused, parse_addresses, retry_delay
from lib.services import mail, membership
from lib.services.identity import load_actor
from lib.services.smtp import SettingsError, load_settings
from lib.store import outbox as outbox_store
from lib.store import tables
from lib.store.db import ROOT, transaction
from tests.conftest import count_rows
from tests.factories import make_access_request, make_actor, make_person, make_territory
from tests.mailserver import BASE_URL, NETWORK, html_of, text_of, write_secrets


def _messages(engine) -> list:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(tables.outbox_message).order_by(tables.outbox_message.c.id)))


def _attempts(engine, message_id: int) -> list:
    with engine.connect() as conn:
        return outbox_store.attempts_of(conn, message_id)


def _queue_one(conn, config, to: str) -> int:
    """One strictly necessary message, as a decided access request writes it."""
    return mail.queue(
        conn,
        config,
        kind="access_request_decided",
        text_key="access_request_refused",
        to=to,
        language="fr",
        params={"scope": "Ville (essai)"},
    )


def _invite(engine, coordinator, territory_id, email="nouvelle@mairie.test", **kw):
    invitation_id = membership.invite(
        engine, coordinator, email=email, territory_id=territory_id, role=Role.CONTRIBUTOR, **kw
    )
    mail.wait_for_background()
    return invitation_id


# --- each message kind, received ---------------------------------------------------------------


def test_an_invitation_is_received_in_french_by_default_with_who_where_role_and_expiry(
    engine, mail_settings, smtp_server
):
    territory = make_territory(engine, "Loos-en-Gohelle (essai)")
    coordinator = make_actor(engine, Role.COORDINATOR, None, "Camille Coordination")
    _invite(engine, coordinator, territory, valid_days=10)

    [message] = smtp_server.to("nouvelle@mairie.test")
    assert message["Subject"] == f"{NETWORK} : invitation à rejoindre Loos-en-Gohelle (essai)"
    assert message["Content-Language"] == "fr"
    assert "parcours@reseau.test" in message["From"] and NETWORK in message["From"]
    assert message["Reply-To"] == "coordination@reseau.test"
    text = text_of(message)
    assert "Camille Coordination vous invite" in text and "Contributeur·rice" in text
    assert "Cette invitation expire le" in text
    assert BASE_URL in text and f'href="{BASE_URL}"' in html_of(message)
    assert "List-Unsubscribe" not in message  # strictly necessary: no unsubscribe
    [row] = _messages(engine)
    assert row.status == "sent" and row.attempts == 1


def test_an_invitation_in_english_when_the_inviter_chooses_it(engine, mail_settings, smtp_server):
    territory = make_territory(engine, "Grenoble (trial)")
    coordinator = make_actor(engine, Role.COORDINATOR, None, "Camille")
    _invite(engine, coordinator, territory, language="en")

    [message] = smtp_server.to("nouvelle@mairie.test")
    assert message["Subject"] == f"{NETWORK}: invitation to join Grenoble (trial)"
    assert message["Content-Language"] == "en"
    assert "Camille invites you to join Grenoble (trial)" in text_of(message)


def test_an_access_request_is_received_by_the_territory_admins_with_the_message_as_text(
    engine, mail_settings, smtp_server
):
    territory = make_territory(engine, "Malaunay (essai)")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, territory, "Alex Admin")
    make_actor(engine, Role.CONTRIBUTOR, territory)  # not told: cannot decide
    asker_id = make_person(engine, "Dominique <b>Demande</b>", email="dominique@asso.test")
    asker = load_actor(engine, asker_id)
    membership.request_access(
        engine, asker, territory_id=territory, message="Bonjour,\n<a href='x'>cliquez</a> *gras*"
    )
    mail.wait_for_background()

    assert len(smtp_server.messages) == 1
    [message] = smtp_server.to(admin.email)
    assert message["Subject"] == f"{NETWORK} : nouvelle demande d’accès à Malaunay (essai)"
    text, html = text_of(message), html_of(message)
    assert "> <a href='x'>cliquez</a> *gras*" in text  # shown as typed
    assert "&lt;a href=&#x27;x&#x27;&gt;cliquez&lt;/a&gt;" in html and "<a href='x'>" not in html
    assert "Dominique &lt;b&gt;Demande&lt;/b&gt;" in html
    assert message["Content-Language"] == "fr" and BASE_URL in text


def test_a_network_request_goes_to_the_coordinators(engine, mail_settings, smtp_server):
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    asker = load_actor(engine, make_person(engine, email="asker@etat.test"))
    membership.request_access(engine, asker, territory_id=None, message="")
    mail.wait_for_background()
    assert [m["To"] for m in smtp_server.messages] == [coordinator.email]


def test_a_decision_is_received_by_the_asker_in_the_language_they_asked_in(
    engine, mail_settings, smtp_server
):
    territory = make_territory(engine, "Kingersheim (essai)")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, territory)
    accepted = load_actor(engine, make_person(engine, email="yes@asso.test"))
    refused = load_actor(engine, make_person(engine, email="no@asso.test"))
    first = membership.request_access(engine, accepted, territory_id=territory, message="", language="en")
    second = membership.request_access(engine, refused, territory_id=territory, message="")
    membership.decide_request(engine, admin, first, accept=True, role=Role.READER)
    membership.decide_request(engine, admin, second, accept=False)
    mail.wait_for_background()

    [yes] = smtp_server.to("yes@asso.test")
    assert yes["Subject"] == f"{NETWORK}: your access to Kingersheim (essai) is open"
    assert '"Reader"' in text_of(yes) and BASE_URL in text_of(yes)
    [no] = smtp_server.to("no@asso.test")
    assert no["Subject"] == f"{NETWORK} : votre demande d’accès à Kingersheim (essai)"
    assert "n’a pas été acceptée" in text_of(no)


# --- written with the action, rolled back with it -----------------------------------------------


def test_a_message_is_written_in_the_transaction_of_its_action_and_rolls_back_with_it(engine, no_smtp):
    config = load_settings()
    with pytest.raises(RuntimeError), transaction(engine) as conn:
        _queue_one(conn, config, "a@b.test")
        assert len(outbox_store.list_messages(conn, statuses=None, limit=10)) == 1
        raise RuntimeError("the action fails after its message was written")
    assert count_rows(engine, tables.outbox_message) == 0


def test_when_the_outbox_cannot_be_written_the_invitation_is_not_recorded_either(
    engine, no_smtp, monkeypatch
):
    territory = make_territory(engine)
    coordinator = make_actor(engine, Role.COORDINATOR, None)

    def refused(*args, **kwargs):
        raise sa.exc.OperationalError("insert into outbox_message", {}, Exception("disk full"))

    monkeypatch.setattr(outbox_store, "insert_message", refused)
    with pytest.raises(WriteFailed):
        membership.invite(engine, coordinator, email="x@y.test", territory_id=territory, role="reader")
    assert count_rows(engine, tables.invitation) == 0
    assert count_rows(engine, tables.activity_log) == 0


def test_without_smtp_settings_messages_wait_in_the_outbox_for_a_coordinator(engine, no_smtp):
    territory = make_territory(engine)
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    _invite(engine, coordinator, territory)
    report = mail.send_due(engine)
    assert not report.configured and report.sent == 0
    box = mail.outbox(engine, coordinator)
    assert not box.sending_configured
    [message] = box.messages
    assert message.status == "pending" and message.recipient == "nouvelle@mairie.test"
    assert "vous invite" in message.body_text


# --- the server down, refusing, and two senders --------------------------------------------------


def test_the_server_down_keeps_messages_retries_with_back_off_and_sends_each_once_when_back(
    engine, mail_settings, smtp_server
):
    territory = make_territory(engine)
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    smtp_server.stop()
    for n in range(3):
        _invite(engine, coordinator, territory, email=f"p{n}@mairie.test")
    # Each was tried right after its invitation, and is waiting for its delay.
    rows = _messages(engine)
    assert [r.status for r in rows] == ["pending"] * 3 and [r.attempts for r in rows] == [1, 1, 1]
    for row in rows:
        [attempt] = _attempts(engine, row.id)
        assert attempt.outcome == "retry" and attempt.smtp_code is None
        assert row.next_attempt_at == attempt.attempted_at + retry_delay(1)
    start = tables.utcnow()
    assert mail.send_due(engine, mail_settings, now=start).retried == 0  # the delay holds them back

    smtp_server.start()
    later = start + timedelta(hours=1)
    report = mail.send_due(engine, mail_settings, now=later)
    assert report.sent == 3
    assert mail.send_due(engine, mail_settings, now=later + timedelta(days=1)).sent == 0
    assert sorted(m["To"] for m in smtp_server.messages) == [f"p{n}@mairie.test" for n in range(3)]
    assert [r.status for r in _messages(engine)] == ["sent"] * 3
    assert [a.outcome for a in _attempts(engine, rows[0].id)] == ["retry", "sent"]


def test_a_temporary_refusal_is_retried_later_and_given_up_after_the_last_attempt(
    engine, mail_settings, smtp_server
):
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    smtp_server.refuse_with = "451 4.3.0 Try again later"
    _invite(engine, coordinator, make_territory(engine))  # first attempt right after it
    now = tables.utcnow() + timedelta(days=1)
    for _ in range(MAX_ATTEMPTS - 1):
        mail.send_due(engine, mail_settings, now=now)
        now += timedelta(days=1)
    [row] = _messages(engine)
    assert row.status == "failed" and row.attempts == MAX_ATTEMPTS
    outcomes = [a.outcome for a in _attempts(engine, row.id)]
    assert outcomes == ["retry"] * (MAX_ATTEMPTS - 1) + ["refused"]
    assert mail.send_due(engine, mail_settings, now=now + timedelta(days=30)).retried == 0
    assert smtp_server.messages == []


def test_a_permanent_refusal_is_recorded_and_shown_not_retried(engine, mail_settings, smtp_server):
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    smtp_server.refuse_with = "550 5.1.1 No such user here"
    _invite(engine, coordinator, make_territory(engine), email="unknown@mairie.test")
    [row] = _messages(engine)
    assert row.status == "failed" and row.attempts == 1
    [attempt] = _attempts(engine, row.id)
    assert attempt.outcome == "refused" and attempt.smtp_code == 550

    later = tables.utcnow() + timedelta(days=3)
    assert mail.send_due(engine, mail_settings, now=later).refused == 0
    assert len(_attempts(engine, row.id)) == 1
    [shown] = mail.outbox(engine, coordinator, statuses=["failed"]).messages
    assert "550" in shown.last_error and "No such user here" in shown.last_error

    smtp_server.refuse_with = None
    mail.requeue(engine, coordinator, row.id)  # the address was right after all
    mail.wait_for_background()
    mail.send_due(engine, mail_settings)
    assert len(smtp_server.to("unknown@mairie.test")) == 1


def test_two_senders_claiming_the_same_message_only_one_gets_it(engine, no_smtp):
    config = load_settings()
    with transaction(engine) as conn:
        message_id = _queue_one(conn, config, "a@b.test")
    now = tables.utcnow()
    with transaction(engine) as conn:
        first = outbox_store.claim(conn, message_id, now=now, until=now + mail.CLAIM_FOR)
    with transaction(engine) as conn:
        second = outbox_store.claim(conn, message_id, now=now, until=now + mail.CLAIM_FOR)
    assert first is not None and second is None


def test_senders_running_at_once_deliver_each_message_exactly_once(engine, mail_settings, smtp_server):
    with transaction(engine) as conn:
        for n in range(20):
            _queue_one(conn, mail_settings, f"p{n}@b.test")
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            start.wait()
            mail.send_due(engine, mail_settings)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    received = sorted(m["To"] for m in smtp_server.messages)
    assert received == sorted(f"p{n}@b.test" for n in range(20))
    assert {r.status for r in _messages(engine)} == {"sent"}


def test_a_sender_that_stopped_mid_way_leaves_its_message_failed_never_sent_twice(
    engine, mail_settings, smtp_server
):
    with transaction(engine) as conn:
        message_id = _queue_one(conn, mail_settings, "a@b.test")
    now = tables.utcnow()
    with transaction(engine) as conn:  # claimed, then the process died
        assert outbox_store.claim(conn, message_id, now=now, until=now + mail.CLAIM_FOR)
    report = mail.send_due(engine, mail_settings, now=now + mail.CLAIM_FOR + timedelta(seconds=1))
    assert report.interrupted == 1 and report.sent == 0
    assert smtp_server.messages == []
    [row] = _messages(engine)
    assert row.status == "failed" and "interrupted" in row.last_error
    assert [a.outcome for a in _attempts(engine, message_id)] == ["interrupted"]


# --- header injection --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "victim@mairie.test\r\nBcc: everyone@evil.test",
        "victim@mairie.test\nSubject: hi",
        "a@b.test\u2028Bcc: everyone@evil.test",
    ],
)
def test_an_address_with_a_line_break_is_refused_and_nothing_is_written(engine, no_smtp, email):
    territory = make_territory(engine)
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    with pytest.raises(ValidationFailed) as refused:
        membership.invite(engine, coordinator, email=email, territory_id=territory, role="reader")
    assert "email" in refused.value.errors
    assert count_rows(engine, tables.invitation) == 0 and count_rows(engine, tables.outbox_message) == 0


def test_a_subject_with_a_line_break_is_refused_with_its_action(engine, no_smtp):
    territory = make_territory(engine, "Ville\r\nBcc: everyone@evil.test")
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    with pytest.raises(HeaderRefused):
        membership.invite(engine, coordinator, email="a@b.test", territory_id=territory, role="reader")
    assert count_rows(engine, tables.invitation) == 0 and count_rows(engine, tables.outbox_message) == 0


def test_a_requester_name_with_a_line_break_stays_in_the_body_and_never_reaches_a_header(
    engine, mail_settings, smtp_server
):
    territory = make_territory(engine, "Ville (essai)")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, territory)
    asker = load_actor(engine, make_person(engine, "Nom\r\nBcc: everyone@evil.test", email="n@asso.test"))
    membership.request_access(engine, asker, territory_id=territory, message="")
    mail.wait_for_background()
    [message] = smtp_server.messages
    assert message["To"] == admin.email and message["Bcc"] is None
    assert [rcpt for rcpt, _ in smtp_server.received] == [(admin.email,)]


def test_a_stored_message_with_an_injected_header_is_refused_by_the_sender_not_sent(
    engine, mail_settings, smtp_server
):
    with transaction(engine) as conn:
        message_id = conn.execute(
            sa.insert(tables.outbox_message)
            .values(
                kind="invitation",
                recipient="a@b.test",
                language="fr",
                subject="Bonjour\r\nBcc: everyone@evil.test",
                body_text="x",
                body_html="<p>x</p>",
                status="pending",
                attempts=0,
                next_attempt_at=tables.utcnow(),
            )
            .returning(tables.outbox_message.c.id)
        ).scalar_one()
    report = mail.send_due(engine, mail_settings)
    assert report.refused == 1 and smtp_server.messages == []
    [attempt] = _attempts(engine, message_id)
    assert attempt.outcome == "refused"


def test_a_network_name_with_a_line_break_is_refused_in_the_settings(tmp_path):
    write_secrets(tmp_path, 25, network="Réseau\\r\\nBcc: x@evil.test")  # TOML escapes: a real CR LF
    with pytest.raises(SettingsError):
        load_settings(tmp_path / ".streamlit" / "secrets.toml")


def test_a_pasted_list_is_checked_address_by_address_and_duplicates_removed():
    pasted = "Ana@Mairie.test, bob@asso.test\nana@mairie.test; pas-une-adresse\n\n  chloe@etat.test <x>"
    parsed = parse_addresses(pasted)
    assert parsed.valid == ("ana@mairie.test", "bob@asso.test", "chloe@etat.test")
    assert parsed.invalid == ("pas-une-adresse", "<x>")
    assert parsed.duplicates == 1


# --- who sees the outbox ---------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.TERRITORY_ADMIN, Role.CONTRIBUTOR, Role.READER])
def test_only_coordinators_read_the_outbox(engine, no_smtp, role):
    territory = make_territory(engine)
    member = make_actor(engine, role, territory)
    for call in (
        lambda: mail.outbox(engine, member),
        lambda: mail.attempts(engine, member, 1),
        lambda: mail.requeue(engine, member, 1),
        lambda: mail.outbox(engine, None),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_an_access_request_to_a_territory_without_admins_goes_to_the_coordinators(
    engine, mail_settings, smtp_server
):
    territory = make_territory(engine)
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    asker = make_person(engine, email="lonely@asso.test")
    make_access_request(engine, asker, territory)  # an older one: not told again
    membership.request_access(
        engine,
        load_actor(engine, make_person(engine, email="new@asso.test")),
        territory_id=territory,
        message="",
    )
    mail.wait_for_background()
    assert [m["To"] for m in smtp_server.messages] == [coordinator.email]


def test_the_example_secrets_document_every_smtp_setting_and_they_load(tmp_path):
    example = (ROOT / ".streamlit" / "secrets.example.toml").read_text(encoding="utf-8")
    assert load_settings(ROOT / ".streamlit" / "secrets.example.toml").smtp is None  # as copied: demo
    block = example[example.index("# [smtp]") : example.index("\n[mail]")]
    uncommented = "\n".join(
        line[2:] for line in block.splitlines() if line.startswith("# ") and not line.startswith("# #")
    )
    (tmp_path / "secrets.toml").write_text(uncommented, encoding="utf-8")
    smtp = load_settings(tmp_path / "secrets.toml").smtp
    assert (smtp.host, smtp.port, smtp.security, smtp.sender) == (
        "smtp.example.org",
        587,
        "starttls",
        "parcours@example.org",
    )
    assert smtp.user and smtp.password and smtp.reply_to == "coordination@example.org"
