"""The activity journal: who did what and when, filtered by person, territory, action and
French days; coordinators read every entry, a territory admin only their territory's."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from lib.access import Role
from lib.domain.errors import PermissionDenied, ValidationFailed
from lib.services import steering
from lib.services.steering import JournalQuery
from lib.store import tables
from tests.factories import make_actor, make_person, make_territory


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def log(engine):
    north, south = make_territory(engine, "Nord"), make_territory(engine, "Sud")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, north, "Nina Admin")
    coordinator = make_actor(engine, Role.COORDINATOR, None, "Coralie Coordination")
    agent = make_person(engine, "Axel Agent")
    entries = [
        # occurred_at, action, person, territory
        (utc(2026, 1, 10, 9), "milestone.created", agent, north),
        (utc(2026, 1, 10, 23, 30), "assessment.submitted", agent, north),  # 11 Jan, 00:30 in Paris
        (utc(2026, 1, 12, 9), "milestone.created", admin.person_id, south),
        (utc(2026, 1, 13, 9), "auth.login", agent, None),
        (utc(2026, 1, 14, 9), "invitation.created", admin.person_id, north),
    ]
    with engine.begin() as conn:
        conn.execute(
            sa.insert(tables.activity_log),
            [
                {"occurred_at": when, "action": action, "person_id": person, "territory_id": territory}
                for when, action, person, territory in entries
            ],
        )
    return engine, north, south, admin, coordinator, agent


def test_a_coordinator_reads_every_entry_newest_first(log):
    engine, *_, coordinator, _agent = log

    entries = steering.journal(engine, coordinator).entries

    assert list(entries["action"]) == [
        "invitation.created",
        "auth.login",
        "milestone.created",
        "assessment.submitted",
        "milestone.created",
    ]
    assert entries["person_name"].iloc[0] == "Nina Admin"
    assert entries["territory_name"].iloc[0] == "Nord"
    assert entries["occurred_at"].iloc[0] == datetime(2026, 1, 14, 10, 0)  # Paris time, no zone


def test_a_territory_admin_reads_only_their_territorys_entries(log):
    engine, _north, south, admin, *_ = log

    entries = steering.journal(engine, admin).entries

    assert list(entries["action"]) == ["invitation.created", "assessment.submitted", "milestone.created"]
    assert set(entries["territory_name"]) == {"Nord"}
    with pytest.raises(PermissionDenied):
        steering.journal(engine, admin, JournalQuery(territory_id=south))


def test_filters_by_person_territory_action_and_french_days(log):
    engine, north, _south, _admin, coordinator, agent = log

    by_person = steering.journal(engine, coordinator, JournalQuery(person_id=agent)).entries
    by_action = steering.journal(engine, coordinator, JournalQuery(actions=("milestone.created",))).entries
    # 11 January in Paris starts at 10 Jan 23:00 UTC: the assessment at 23:30 UTC is on the 11th.
    one_day = steering.journal(
        engine, coordinator, JournalQuery(territory_id=north, start=date(2026, 1, 11), end=date(2026, 1, 11))
    ).entries

    assert len(by_person) == 3
    assert list(by_action["territory_name"]) == ["Sud", "Nord"]
    assert list(one_day["action"]) == ["assessment.submitted"]


def test_a_period_ending_before_it_starts_is_refused_next_to_its_end(log):
    engine, *_, coordinator, _agent = log

    with pytest.raises(ValidationFailed) as refused:
        steering.journal(engine, coordinator, JournalQuery(start=date(2026, 1, 12), end=date(2026, 1, 11)))

    assert "end" in refused.value.errors


def test_the_journal_comes_in_pages_of_fifty(engine):
    territory = make_territory(engine)
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(tables.activity_log),
            [
                {
                    "occurred_at": utc(2026, 2, 1, 8, minute),
                    "action": "milestone.updated",
                    "territory_id": territory,
                }
                for minute in range(51)
            ],
        )

    first = steering.journal(engine, coordinator)
    second = steering.journal(engine, coordinator, page=1)

    assert (len(first.entries), first.has_more) == (50, True)
    assert (len(second.entries), second.has_more) == (1, False)
    assert second.entries["occurred_at"].iloc[0] == datetime(2026, 2, 1, 9, 0)  # the oldest comes last


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.READER])
def test_contributors_and_readers_have_no_journal(engine, role):
    territory = make_territory(engine)
    member = make_actor(engine, role, territory)

    with pytest.raises(PermissionDenied):
        steering.journal(engine, member)
    with pytest.raises(PermissionDenied):
        steering.journal_choices(engine, member)


def test_an_admin_filters_among_their_territory_and_its_members_only(log):
    engine, north, _south, admin, *_ = log

    choices = steering.journal_choices(engine, admin)

    assert choices.territories == [(north, "Nord")]
    assert [name for _, name in choices.people] == ["Nina Admin"]
