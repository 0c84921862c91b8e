"""Services are the trust boundary: values a page cannot send but a request can are refused on
their field with the service's own ValidationFailed, never with an exception from below, and
nothing is written. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from lib.access import Role
from lib.domain import clock, forms
from lib.domain.errors import ValidationFailed
from lib.domain.framework import load_framework
from lib.domain.journey import CriterionScore, MilestoneDraft, Status
from lib.i18n import translate
from lib.services import feedback, journey, membership
from lib.services.feedback import CampaignState, CampaignUnavailable
from lib.store import tables
from tests.factories import (
    make_access_request,
    make_actor,
    make_campaign,
    make_milestone,
    make_person,
    make_template,
    make_territory,
)

CRITERION = load_framework().criteria[0].id
TODAY = clock.today()
HUGE = 10**400  # an int no float can hold
BEYOND_64_BITS = 2**70


@pytest.fixture
def world(engine):
    here = make_territory(engine, "Loos")
    campaign_id, token = make_campaign(engine, here)
    contributor = make_actor(engine, Role.CONTRIBUTOR, here)
    return {
        "engine": engine,
        "here": here,
        "campaign_id": campaign_id,
        "token": token,
        "template_id": make_template(engine),
        "admin": make_actor(engine, Role.TERRITORY_ADMIN, here),
        "contributor": contributor,
        "coordinator": make_actor(engine, Role.COORDINATOR, None),
        "milestone": make_milestone(engine, here),
        "request": make_access_request(engine, make_person(engine), here),
        "code": feedback.start_response(engine, token, "inhabitant").resume_code,
    }


def _snapshot(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in tables.metadata.sorted_tables
        }


def test_a_number_too_large_for_a_float_is_refused_on_its_field_and_the_draft_still_submits(world):
    engine, token, code = world["engine"], world["token"], world["code"]
    feedback.save_draft(engine, token, code, {"mood": 3, "story": "Bien", "partners": HUGE})

    with pytest.raises(ValidationFailed) as caught:
        feedback.submit_response(engine, token, code)

    assert {k: e.code for k, e in caught.value.errors.items()} == {"q.partners": forms.NUMBER_TOO_LARGE}
    assert feedback.submit_response(engine, token, code, {"partners": 4}).answers["partners"] == 4


@pytest.mark.parametrize("template_id", [BEYOND_64_BITS, -1, 0, 1.5, "3", True])
def test_a_template_id_no_record_can_have_is_refused_on_its_field(world, template_id):
    engine = world["engine"]
    before = _snapshot(engine)
    with pytest.raises(ValidationFailed) as caught:
        feedback.open_campaign(
            engine,
            world["coordinator"],
            territory_id=world["here"],
            template_id=template_id,
            title="Forum",
            opens_on=TODAY,
            closes_on=TODAY,
        )
    assert caught.value.errors["template_id"].code == "error.not_found"
    assert _snapshot(engine) == before


def test_a_milestone_without_a_story_is_saved_with_an_empty_one(world):
    engine, here, contributor = world["engine"], world["here"], world["contributor"]
    draft = MilestoneDraft(date(2024, 3, 1), "impulse", "Forum", story=None)

    saved = journey.save_milestone(engine, contributor, here, draft)

    assert [m.story for m in journey.list_milestones(engine, contributor, here) if m.id == saved.id] == [""]


@pytest.mark.parametrize("token", ["\ud800", "jeton\x00", "x" * 500, 12345, None, "é" * 10, ["a"]])
def test_a_share_token_no_link_can_hold_names_no_campaign(world, token):
    assert feedback.public_campaign(world["engine"], token).state == CampaignState.UNKNOWN
    with pytest.raises(CampaignUnavailable):
        feedback.start_response(world["engine"], token, "inhabitant")


@pytest.mark.parametrize("code", ["\ud800", "AB\x00CD", 12345, None, ["ABCD"], "x" * 10_000])
def test_a_resume_code_no_draft_can_hold_is_unknown_on_its_field(world, code):
    with pytest.raises(ValidationFailed) as caught:
        feedback.resume_response(world["engine"], world["token"], code)
    assert caught.value.errors["resume_code"].code == "feedback.error.resume_unknown"


def _assessment(level=2, comment="", status=Status.DRAFT, assessed_on=None):
    def call(w):
        scores = {CRITERION: CriterionScore(level, comment)}
        return journey.record_assessment(
            w["engine"], w["contributor"], w["here"], scores, status, assessed_on=assessed_on
        )

    return call


def _milestone(occurred_on=date(2024, 3, 1), phase="impulse", title="Forum", story="", dimension=None):
    def call(w):
        draft = MilestoneDraft(occurred_on, phase, title, story=story, storytelling_dimension=dimension)
        return journey.save_milestone(w["engine"], w["contributor"], w["here"], draft)

    return call


def _campaign(**changes):
    def call(w):
        values = {
            "territory_id": w["here"],
            "template_id": w["template_id"],
            "title": "Forum",
            "opens_on": TODAY,
            "closes_on": TODAY + timedelta(days=3),
            "anonymous": True,
        } | changes
        return feedback.open_campaign(w["engine"], w["coordinator"], **values)

    return call


def _invite(**changes):
    def call(w):
        values = {"email": "elu@loos.fr", "territory_id": w["here"], "role": "reader", "valid_days": 14}
        values |= changes
        return membership.invite(w["engine"], w["coordinator"], **values)

    return call


# (what is sent, the field it is refused on, the message key)
WRONG = {
    "level True": (_assessment(level=True), f"level.{CRITERION}", "journey.error.invalid_choice"),
    "level 2.0": (_assessment(level=2.0), f"level.{CRITERION}", "journey.error.invalid_choice"),
    "level '2'": (_assessment(level="2"), f"level.{CRITERION}", "journey.error.invalid_choice"),
    "level huge": (_assessment(level=HUGE), f"level.{CRITERION}", "journey.error.invalid_choice"),
    "comment 5": (_assessment(comment=5), f"comment.{CRITERION}", "error.invalid_value"),
    "status final": (_assessment(status="final"), "status", "error.invalid_value"),
    "assessed_on datetime": (
        _assessment(assessed_on=datetime(2024, 1, 1, 12)),
        "assessed_on",
        "error.invalid_date",
    ),
    "assessed_on text": (_assessment(assessed_on="2024-01-01"), "assessed_on", "error.invalid_date"),
    "assessed_on year 1": (_assessment(assessed_on=date(1, 1, 1)), "assessed_on", "error.invalid_date"),
    "occurred_on text": (_milestone(occurred_on="hier"), "occurred_on", "error.invalid_date"),
    "phase 3": (_milestone(phase=3), "phase", "journey.error.invalid_choice"),
    "phase list": (_milestone(phase=["impulse"]), "phase", "journey.error.invalid_choice"),
    "title None": (_milestone(title=None), "title", "error.required"),
    "title 5": (_milestone(title=5), "title", "error.invalid_value"),
    "story 5": (_milestone(story=5), "story", "error.invalid_value"),
    "dimension list": (
        _milestone(dimension=["d4"]),
        "storytelling_dimension",
        "journey.error.invalid_choice",
    ),
    "campaign title 5": (_campaign(title=5), "title", "error.invalid_value"),
    "campaign opens text": (_campaign(opens_on="2024-01-01"), "opens_on", "error.invalid_date"),
    "campaign closes max": (_campaign(closes_on=date.max), "closes_on", "error.invalid_date"),
    "campaign anonymous oui": (_campaign(anonymous="oui"), "anonymous", "error.invalid_value"),
    "campaign territory huge": (_campaign(territory_id=BEYOND_64_BITS), "territory_id", "error.not_found"),
    "campaign territory unknown": (_campaign(territory_id=2**31 - 2), "territory_id", "error.not_found"),
    "invite email 5": (_invite(email=5), "email", "error.invalid_value"),
    "invite days True": (_invite(valid_days=True), "valid_days", "auth.error.valid_days"),
    "invite days huge": (_invite(valid_days=HUGE), "valid_days", "auth.error.valid_days"),
    "invite role list": (_invite(role=["reader"]), "role", "error.invalid_value"),
    "invite territory huge": (_invite(territory_id=BEYOND_64_BITS), "territory_id", "error.not_found"),
    "request message 5": (
        lambda w: membership.request_access(w["engine"], w["contributor"], territory_id=None, message=5),
        "message",
        "error.invalid_value",
    ),
    "request territory huge": (
        lambda w: membership.request_access(
            w["engine"], w["contributor"], territory_id=BEYOND_64_BITS, message=""
        ),
        "territory",
        "error.not_found",
    ),
    "decide request huge": (
        lambda w: membership.decide_request(w["engine"], w["coordinator"], BEYOND_64_BITS, accept=False),
        "request_id",
        "error.not_found",
    ),
    "decide accept oui": (
        lambda w: membership.decide_request(w["engine"], w["coordinator"], w["request"], accept="oui"),
        "accept",
        "error.invalid_value",
    ),
    "milestone id huge": (
        lambda w: journey.save_milestone(
            w["engine"],
            w["contributor"],
            w["here"],
            MilestoneDraft(date(2024, 1, 1), "impulse", "x"),
            BEYOND_64_BITS,
            1,
        ),
        "milestone_id",
        "error.not_found",
    ),
    "draft answers text": (
        lambda w: feedback.save_draft(w["engine"], w["token"], w["code"], "mood=3"),
        "answers",
        "error.invalid_value",
    ),
    "draft step huge": (
        lambda w: feedback.save_draft(w["engine"], w["token"], w["code"], {}, step=HUGE),
        "step",
        "error.invalid_value",
    ),
    "respondent role 7": (
        lambda w: feedback.start_response(w["engine"], w["token"], 7),
        "role",
        "feedback.error.not_offered",
    ),
    "results end max": (
        lambda w: feedback.results(w["engine"], w["admin"], w["campaign_id"], end=date.max),
        "end",
        "error.invalid_date",
    ),
    "export start text": (
        lambda w: feedback.export_csv(w["engine"], w["admin"], w["campaign_id"], start="2024"),
        "start",
        "error.invalid_date",
    ),
}


@pytest.mark.parametrize("case", list(WRONG))
def test_a_value_no_page_sends_is_refused_on_its_field_and_nothing_is_written(world, case):
    call, field, code = WRONG[case]
    before = _snapshot(world["engine"])

    with pytest.raises(ValidationFailed) as caught:
        call(world)

    assert field in caught.value.errors, caught.value.errors
    error = caught.value.errors[field]
    assert error.code == code
    assert translate(error.code, "fr", **error.params) != error.code  # a sentence the page can show
    assert _snapshot(world["engine"]) == before


@pytest.mark.parametrize("slug", ["\x00", "\ud800", "x" * 500, 42, ["demo"]])
def test_a_territory_in_a_network_link_that_no_territory_can_have_is_ignored(engine, slug):
    _, token = make_campaign(engine, None)

    draft = feedback.start_response(engine, token, "inhabitant", territory_slug=slug)

    with engine.connect() as conn:
        query = sa.select(tables.response.c.territory_id).where(
            tables.response.c.resume_code == draft.resume_code
        )
        assert conn.execute(query).scalar_one() is None
