"""Characters no text format can carry (control characters, NUL, lone surrogates) are removed
from what people type before it is stored, and from what is read back before it is exported:
same rule on SQLite and PostgreSQL, never an outage message, never a broken export."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from lib.access import Role
from lib.domain import clock
from lib.domain.framework import load_framework
from lib.domain.journey import CriterionScore, MilestoneDraft, Status
from lib.domain.text import clean_text
from lib.services import feedback, identity, journey, membership
from lib.store import tables
from tests.factories import make_actor, make_campaign, make_response, make_template, make_territory

# What Chromium lets a person type or paste, and what no spreadsheet, XML or PostgreSQL text takes.
DIRTY = "a\x00b\x01c\x07d\x0be\x0cf\x1bg\x1fh\ud800i\udfffj\ufffek\uffffl"
CLEAN = "abcdefghijkl"


def test_the_rule_keeps_tabs_line_breaks_and_every_visible_character():
    kept = "Tab\there\nnew line — «é» 𝕏 🎉 \u00a0\u202f\x7f\x85"
    assert clean_text(kept) == kept
    assert clean_text(DIRTY) == CLEAN
    # Windows and old Mac line breaks become one "\n": a lone "\r" would split a CSV row.
    assert clean_text("un\r\ndeux\rtrois") == "un\ndeux\ntrois"


@given(st.text(st.characters(exclude_categories=[])))
def test_cleaning_twice_changes_nothing_and_the_result_is_valid_utf8(text):
    once = clean_text(text)
    assert clean_text(once) == once
    once.encode("utf-8")  # no lone surrogate left


@pytest.fixture
def answered(engine):
    """A campaign of one territory, its admin, and a respondent's draft."""
    here = make_territory(engine, "Loos")
    campaign_id, token = make_campaign(engine, here)
    draft = feedback.start_response(engine, token, "inhabitant")
    return engine, make_actor(engine, Role.TERRITORY_ADMIN, here), campaign_id, token, draft.resume_code


def _xlsx_cells(engine, actor, campaign_id) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(feedback.export_xlsx(engine, actor, campaign_id)))
    return list(book["reponses"].values)


def test_a_control_character_in_an_answer_is_removed_and_the_xlsx_export_still_opens(answered):
    engine, admin, campaign_id, token, code = answered
    feedback.submit_response(engine, token, code, {"mood": 3, "story": "x\x0by\x07z"})

    header, row = _xlsx_cells(engine, admin, campaign_id)
    assert row[header.index("story")] == "xyz"
    with engine.connect() as conn:
        query = sa.select(tables.answer.c.text_value).where(tables.answer.c.question_id == "story")
        stored = conn.execute(query).scalar()
    assert stored == "xyz"


def test_an_old_answer_holding_a_control_character_never_breaks_the_exports(answered):
    engine, admin, campaign_id, *_ = answered
    response_id = make_response(engine, campaign_id, "inhabitant", {"mood": 2, "story": "vieux texte"})
    with engine.begin() as conn:  # as written before the rule existed, straight into the table
        conn.execute(
            sa.update(tables.answer)
            .where(tables.answer.c.response_id == response_id, tables.answer.c.question_id == "story")
            .values(text_value="vieux\x01texte\x1f")
        )

    header, row = _xlsx_cells(engine, admin, campaign_id)
    assert row[header.index("story")] == "vieuxtexte"
    csv_text = feedback.export_csv(engine, admin, campaign_id).decode("utf-8-sig")
    assert "vieuxtexte" in csv_text and "\x01" not in csv_text


def test_a_nul_byte_in_a_draft_is_removed_so_the_draft_saves_and_submits_on_both_databases(answered):
    engine, _, _, token, code = answered
    kept = feedback.save_draft(engine, token, code, {"story": DIRTY[:8], "mood": "4\x00"})
    assert kept.answers == {"story": "abcd", "mood": "4"}

    done = feedback.submit_response(engine, token, code)

    assert done.submitted and done.answers == {"story": "abcd", "mood": 4}


def test_a_nul_byte_in_a_campaign_title_or_a_respondent_name_is_removed(engine):
    here = make_territory(engine, "Loos")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, here)
    campaign = feedback.open_campaign(
        engine,
        admin,
        territory_id=here,
        template_id=make_template(engine),
        title="Forum\x00 de\x0b printemps",
        opens_on=clock.today(),
        closes_on=clock.today(),
        anonymous=False,
    )
    assert campaign.title == "Forum de printemps"
    name = "Nadia\x00 B.\ud800"
    draft = feedback.start_response(engine, campaign.share_token, "other", respondent_name=name)
    assert draft.respondent_name == "Nadia B."


def test_a_nul_byte_in_an_assessment_comment_or_a_milestone_is_removed_on_both_databases(engine):
    here = make_territory(engine, "Loos")
    contributor = make_actor(engine, Role.CONTRIBUTOR, here)
    criterion = load_framework().criteria[0].id
    journey.record_assessment(
        engine, contributor, here, {criterion: CriterionScore(2, "vu\x00 en\x01 atelier")}, Status.DRAFT
    )
    journey.save_milestone(
        engine,
        contributor,
        here,
        MilestoneDraft(date(2024, 3, 1), "impulse", "Forum\x00", story="Récit\x00 \ud83d"),
    )

    seen = journey.get_journey(engine, contributor, here)
    assert seen.draft.scores[criterion].comment == "vu en atelier"
    assert [(m.title, m.story) for m in seen.milestones] == [("Forum", "Récit")]


def test_a_nul_byte_in_an_access_request_an_invitation_or_a_display_name_is_removed(engine):
    here = make_territory(engine, "Loos")
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    newcomer = make_actor(engine, Role.READER, make_territory(engine, "Ailleurs"))

    request_id = membership.request_access(engine, newcomer, territory_id=here, message="Bonjour\x00\x0b !")
    invitation_id = membership.invite(
        engine, coordinator, email="elu\x00@loos.fr", territory_id=here, role="reader"
    )

    requests = membership.my_requests(engine, newcomer)
    assert [r.message for r in requests if r.id == request_id] == ["Bonjour !"]
    invitations = membership.list_invitations(engine, coordinator, here)
    assert [i.email for i in invitations if i.id == invitation_id] == ["elu@loos.fr"]
    actor = identity.sign_in(
        engine, {"sub": "x", "email": "elu@loos.fr\x00", "email_verified": True, "name": "Élu\x00 Dupont\x1b"}
    )
    assert (actor.email, actor.display_name) == ("elu@loos.fr", "Élu Dupont")
