"""Logging in: which emails are trusted, first login, invitations turned into memberships,
bootstrap coordinators, and rights read afresh."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from lib import oidc
from lib.access import Role
from lib.services import identity
from lib.services.identity import EmailMissing, EmailNotVerified, UserinfoNotVerified
from lib.store import membership as store
from lib.store import tables
from tests.conftest import count_rows
from tests.factories import make_invitation, make_membership, make_person, make_territory


def _claims(email: str, **extra) -> dict:
    return {"is_logged_in": True, "sub": f"sub-{email}", "email": email, "email_verified": True, **extra}


def _actions(engine) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(sa.select(tables.activity_log.c.action).order_by(tables.activity_log.c.id)).scalars()
        )


def test_first_login_creates_the_person_lower_cased_and_records_the_time(engine):
    actor = identity.sign_in(engine, _claims("  Camille.Martin@Mairie.FR ", name="Camille Martin"))

    assert actor.email == "camille.martin@mairie.fr"
    assert actor.display_name == "Camille Martin"
    assert actor.memberships == ()
    with engine.connect() as conn:
        person = conn.execute(sa.select(tables.person)).one()
    assert person.last_login_at is not None
    assert _actions(engine) == ["person.created", "auth.login"]

    again = identity.sign_in(engine, _claims("camille.martin@mairie.fr"))
    assert again.person_id == actor.person_id
    assert count_rows(engine, tables.person) == 1


def test_proconnect_names_make_the_display_name(engine):
    actor = identity.sign_in(engine, _claims("a@b.fr", given_name="Jeanne", usual_name="Dupont"))
    assert actor.display_name == "Jeanne Dupont"


def test_unverified_email_is_refused_and_nothing_is_written(engine):
    with pytest.raises(EmailNotVerified):
        identity.sign_in(engine, _claims("intrus@exemple.fr", email_verified=False))
    with pytest.raises(EmailNotVerified):
        identity.sign_in(engine, {"email": "intrus@exemple.fr", "provider": "google"})
    with pytest.raises(EmailMissing):
        identity.sign_in(engine, {"sub": "x", "email_verified": True})
    assert count_rows(engine, tables.person) == 0


def test_a_trusted_provider_vouches_for_the_email(engine):
    claims = {"sub": "x", "email": "agent@ddt.gouv.fr", "provider": "proconnect"}
    actor = identity.sign_in(engine, claims, trusted_providers=["ProConnect"])
    assert actor.email == "agent@ddt.gouv.fr"
    with pytest.raises(EmailNotVerified):
        identity.sign_in(engine, {**claims, "provider": "google"}, trusted_providers=["proconnect"])


def test_a_proconnect_identity_counts_only_with_its_verified_userinfo(engine):
    territory = make_territory(engine, "Loos-en-Gohelle")
    make_invitation(engine, "agent@ville.fr", territory, Role.READER)
    unchecked = {"sub": "s", "email": "agent@ville.fr", "provider": "proconnect"}
    options = {"trusted_providers": ["proconnect"], "signed_userinfo_providers": ["proconnect"]}
    with pytest.raises(UserinfoNotVerified):
        identity.sign_in(engine, unchecked, **options)
    with pytest.raises(UserinfoNotVerified):
        identity.actor_for_login(engine, unchecked, **options)
    assert count_rows(engine, tables.person) == 0 and count_rows(engine, tables.membership) == 0

    checked = {**unchecked, oidc.VERIFIED_MARK: oidc.VERIFIED_VALUE}
    actor = identity.sign_in(engine, checked, **options)
    assert [m.role for m in actor.memberships] == [Role.READER]
    # Other providers are not asked for it.
    assert identity.sign_in(engine, _claims("x@y.fr", provider="google"), **options).email == "x@y.fr"


def test_email_verified_sent_as_a_string_counts(engine):
    actor = identity.sign_in(engine, _claims("k@realm.fr", email_verified="true"))
    assert actor.email == "k@realm.fr"


def test_a_configured_coordinator_gets_the_network_role_once(engine):
    coordinators = " Coord@Reseau.fr , autre@reseau.fr"
    actor = identity.sign_in(engine, _claims("coord@reseau.fr"), coordinators=coordinators)
    assert actor.is_coordinator
    identity.sign_in(engine, _claims("coord@reseau.fr"), coordinators=["coord@reseau.fr"])
    assert count_rows(engine, tables.membership) == 1
    assert _actions(engine).count("membership.bootstrap_coordinator") == 1

    other = identity.sign_in(engine, _claims("pas-coord@reseau.fr"), coordinators=coordinators)
    assert not other.is_coordinator


def test_an_open_invitation_becomes_a_membership_at_login(engine):
    territory = make_territory(engine, "Loos-en-Gohelle")
    invitation = make_invitation(engine, "Elu@Loos.fr", territory, Role.CONTRIBUTOR)

    actor = identity.sign_in(engine, _claims("elu@loos.fr"))

    assert actor.role_in(territory) == Role.CONTRIBUTOR
    with engine.connect() as conn:
        accepted_at = conn.execute(
            sa.select(tables.invitation.c.accepted_at).where(tables.invitation.c.id == invitation)
        ).scalar_one()
        log = conn.execute(
            sa.select(tables.activity_log).where(tables.activity_log.c.action == "invitation.accepted")
        ).one()
    assert accepted_at is not None
    assert (log.person_id, log.territory_id, log.details["role"]) == (
        actor.person_id,
        territory,
        "contributor",
    )
    # Used once: a later login changes nothing.
    identity.sign_in(engine, _claims("elu@loos.fr"))
    assert count_rows(engine, tables.membership) == 1


def test_revoked_and_expired_invitations_give_nothing(engine):
    territory = make_territory(engine)
    make_invitation(engine, "revoquee@x.fr", territory, Role.TERRITORY_ADMIN, revoked=True)
    make_invitation(engine, "expiree@x.fr", territory, Role.TERRITORY_ADMIN, expires_in=timedelta(seconds=-1))

    assert identity.sign_in(engine, _claims("revoquee@x.fr")).memberships == ()
    assert identity.sign_in(engine, _claims("expiree@x.fr")).memberships == ()
    assert count_rows(engine, tables.membership) == 0


def test_an_invitation_never_demotes_an_existing_member(engine):
    territory = make_territory(engine)
    person = make_person(engine, email="admin@x.fr")
    make_membership(engine, person, territory, Role.TERRITORY_ADMIN)
    make_invitation(engine, "admin@x.fr", territory, Role.READER)

    assert identity.sign_in(engine, _claims("admin@x.fr")).role_in(territory) == Role.TERRITORY_ADMIN


def test_actor_for_login_reads_rights_afresh_without_writing(engine):
    territory = make_territory(engine)
    assert identity.actor_for_login(engine, _claims("new@x.fr")) is None
    assert count_rows(engine, tables.person) == 0

    person = make_person(engine, email="member@x.fr")
    make_membership(engine, person, territory, Role.CONTRIBUTOR)
    assert identity.actor_for_login(engine, _claims("member@x.fr")).role_in(territory) == Role.CONTRIBUTOR

    with engine.begin() as conn:
        conn.execute(sa.delete(tables.membership))
    # The next rerun reads the database again: the revoked right is gone.
    assert identity.actor_for_login(engine, _claims("member@x.fr")).memberships == ()
    with pytest.raises(EmailNotVerified):
        identity.actor_for_login(engine, _claims("member@x.fr", email_verified=False))


def test_two_first_logins_at_once_end_up_as_one_person(engine, monkeypatch):
    existing = make_person(engine, email="double@x.fr")
    real_lookup = store.get_person_by_email
    calls = []

    def lookup_that_misses_once(conn, email):
        calls.append(email)
        # The first lookup runs "before the other tab committed": it sees nobody yet.
        return None if len(calls) == 1 else real_lookup(conn, email)

    monkeypatch.setattr(store, "get_person_by_email", lookup_that_misses_once)
    actor = identity.sign_in(engine, _claims("double@x.fr"))

    assert actor.person_id == existing
    assert count_rows(engine, tables.person) == 1
