"""A campaign's life after it opens: closed early, reopened until a new date, deleted while
nobody has answered — each by whoever manages its campaigns, each in the journal."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from lib.access import Role
from lib.domain.errors import NotFound, PermissionDenied, ValidationFailed
from lib.services import feedback
from lib.store import tables
from tests.conftest import count_rows
from tests.factories import make_actor, make_campaign, make_response, make_territory

TODAY = date(2026, 3, 31)


def _dates(engine, campaign_id: int) -> tuple[date, date]:
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(tables.campaign.c.opens_on, tables.campaign.c.closes_on).where(
                tables.campaign.c.id == campaign_id
            )
        ).one()
    return row.opens_on, row.closes_on


def _journal(engine) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                tables.activity_log.c.action,
                tables.activity_log.c.territory_id,
                tables.activity_log.c.subject_id,
            )
            .where(tables.activity_log.c.action.like("campaign.%"))
            .order_by(tables.activity_log.c.id)
        )
        return [tuple(r) for r in rows]


def test_a_territory_admin_closes_their_campaign_early_then_reopens_it(engine):
    lens = make_territory(engine, "Lens")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, lens)
    campaign_id, _ = make_campaign(
        engine, lens, opens_on=TODAY - timedelta(days=10), closes_on=TODAY + timedelta(days=20)
    )

    feedback.close_campaign(engine, admin, campaign_id, today=TODAY)
    assert _dates(engine, campaign_id) == (TODAY - timedelta(days=10), TODAY - timedelta(days=1))
    assert feedback.state_on(*_dates(engine, campaign_id), TODAY) == feedback.CampaignState.CLOSED

    feedback.reopen_campaign(engine, admin, campaign_id, TODAY + timedelta(days=7), today=TODAY)
    assert _dates(engine, campaign_id) == (TODAY - timedelta(days=10), TODAY + timedelta(days=7))
    assert _journal(engine) == [
        ("campaign.closed", lens, campaign_id),
        ("campaign.reopened", lens, campaign_id),
    ]


def test_closing_a_campaign_that_opens_today_moves_its_first_day_back(engine):
    lens = make_territory(engine, "Lens")
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    campaign_id, _ = make_campaign(engine, lens, opens_on=TODAY, closes_on=TODAY + timedelta(days=20))

    feedback.close_campaign(engine, coordinator, campaign_id, today=TODAY)

    assert _dates(engine, campaign_id) == (TODAY - timedelta(days=1), TODAY - timedelta(days=1))


def test_reopening_until_a_past_day_is_refused_next_to_the_date(engine):
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    campaign_id, _ = make_campaign(
        engine, None, opens_on=TODAY - timedelta(days=40), closes_on=TODAY - timedelta(days=10)
    )

    with pytest.raises(ValidationFailed) as refused:
        feedback.reopen_campaign(engine, coordinator, campaign_id, TODAY - timedelta(days=1), today=TODAY)

    assert refused.value.errors["until"].code == "admin.campaign.error.until_past"
    assert _dates(engine, campaign_id)[1] == TODAY - timedelta(days=10)


def test_a_campaign_nobody_answered_is_deleted_one_with_a_draft_is_kept(engine):
    lens = make_territory(engine, "Lens")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, lens)
    empty, _ = make_campaign(engine, lens)
    started, _ = make_campaign(engine, lens)
    make_response(engine, started, "elected_official", {}, status="draft")

    feedback.delete_campaign(engine, admin, empty)
    with pytest.raises(feedback.CampaignHasResponses):
        feedback.delete_campaign(engine, admin, started)

    with engine.connect() as conn:
        left = set(conn.execute(sa.select(tables.campaign.c.id)).scalars())
    assert left == {started}
    assert count_rows(engine, tables.response) == 1
    assert _journal(engine) == [("campaign.deleted", lens, empty)]
    with pytest.raises(NotFound):
        feedback.close_campaign(engine, admin, empty)


@pytest.mark.parametrize("role", [Role.TERRITORY_ADMIN, Role.CONTRIBUTOR, Role.READER])
def test_nobody_manages_a_campaign_of_another_territory_or_of_the_network(engine, role):
    own, other = make_territory(engine, "Lens"), make_territory(engine, "Arras")
    actor = make_actor(engine, role, own)
    for territory_id in (other, None):
        campaign_id, _ = make_campaign(engine, territory_id)
        with pytest.raises(PermissionDenied):
            feedback.close_campaign(engine, actor, campaign_id)
        with pytest.raises(PermissionDenied):
            feedback.reopen_campaign(engine, actor, campaign_id, date(2199, 1, 1))
        with pytest.raises(PermissionDenied):
            feedback.delete_campaign(engine, actor, campaign_id)
        with pytest.raises(PermissionDenied):
            feedback.edit_campaign(
                engine, actor, campaign_id, title="Autre", opens_on=TODAY, closes_on=TODAY, response_target=5
            )
        with pytest.raises(PermissionDenied):
            feedback.campaign_preview(engine, actor, campaign_id)
    assert _journal(engine) == []


# --- editing before the first answer, response target, preview ---------------------------------


def test_before_the_first_answer_title_dates_and_target_change_and_are_logged(engine):
    lens = make_territory(engine, "Lens")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, lens)
    campaign_id, _ = make_campaign(engine, lens, title="Forum", opens_on=TODAY, closes_on=TODAY)

    feedback.edit_campaign(
        engine,
        admin,
        campaign_id,
        title="  Forum de printemps ",
        opens_on=TODAY + timedelta(days=1),
        closes_on=TODAY + timedelta(days=30),
        response_target=40,
    )

    [campaign] = feedback.list_campaigns(engine, admin, TODAY)
    assert (campaign.title, campaign.opens_on, campaign.closes_on) == (
        "Forum de printemps",
        TODAY + timedelta(days=1),
        TODAY + timedelta(days=30),
    )
    assert (campaign.response_target, campaign.progress) == (40, 0.0)
    assert _journal(engine) == [("campaign.edited", lens, campaign_id)]


def test_once_someone_answered_only_the_target_changes_and_progress_counts_submitted_responses(engine):
    lens = make_territory(engine, "Lens")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, lens)
    campaign_id, _ = make_campaign(engine, lens, title="Forum", opens_on=TODAY, closes_on=TODAY)
    for _ in range(3):
        make_response(engine, campaign_id, "elected_official", {})
    make_response(engine, campaign_id, "local_agent", {}, status="draft")  # not counted

    with pytest.raises(feedback.CampaignAnswered):
        feedback.edit_campaign(
            engine, admin, campaign_id, title="Autre titre", opens_on=TODAY, closes_on=TODAY
        )
    feedback.edit_campaign(
        engine, admin, campaign_id, title="Forum", opens_on=TODAY, closes_on=TODAY, response_target=4
    )

    [campaign] = feedback.list_campaigns(engine, admin, TODAY)
    assert (campaign.title, campaign.response_target, campaign.progress) == ("Forum", 4, 0.75)
    assert _journal(engine) == [("campaign.edited", lens, campaign_id)]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"closes_on": TODAY - timedelta(days=1)}, "closes_on"),
        ({"response_target": 0}, "response_target"),
        ({"response_target": 2.5}, "response_target"),
    ],
)
def test_a_wrong_edit_is_refused_next_to_its_field_and_changes_nothing(engine, changes, field):
    lens = make_territory(engine, "Lens")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, lens)
    campaign_id, _ = make_campaign(engine, lens, title="Forum", opens_on=TODAY, closes_on=TODAY)
    values = {"title": "Forum", "opens_on": TODAY, "closes_on": TODAY, "response_target": None, **changes}

    with pytest.raises(ValidationFailed) as refused:
        feedback.edit_campaign(engine, admin, campaign_id, **values)

    assert set(refused.value.errors) == {field}
    assert _dates(engine, campaign_id) == (TODAY, TODAY)
    assert _journal(engine) == []


def test_the_preview_is_the_campaign_s_own_form_and_records_nothing(engine):
    lens = make_territory(engine, "Lens")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, lens)
    campaign_id, _ = make_campaign(engine, lens)

    template = feedback.campaign_preview(engine, admin, campaign_id)

    assert template.questions and template.sections
    assert count_rows(engine, tables.response) == 0
