"""Journey use cases on SQLite and PostgreSQL: rights, drafts, submissions, milestones, bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from lib.access import Role
from lib.domain.errors import (
    ConcurrentEdit,
    NotFound,
    PermissionDenied,
    ServiceError,
    ValidationFailed,
    WriteFailed,
)
from lib.domain.framework import load_framework
from lib.domain.journey import CriterionScore, MilestoneDraft, Status, today
from lib.i18n import translate
from lib.services import journey as svc
from lib.store import tables
from tests.conftest import count_rows
from tests.factories import make_actor, make_assessment, make_milestone, make_territory

FW = load_framework()
WATCHED = (
    tables.assessment,
    tables.assessment_score,
    tables.milestone,
    tables.activity_log,
    tables.framework_version,
)


def _snapshot(engine) -> dict:
    """Everything a journey write could touch, to prove a refused write left no trace."""
    with engine.connect() as conn:
        return {
            table.name: sorted(tuple(map(str, r)) for r in conn.execute(sa.select(table)).all())
            for table in WATCHED
        }


def _levels(level: int | None, comment: str = "") -> dict[str, CriterionScore]:
    return {c.id: CriterionScore(level, comment) for c in FW.criteria}


def _fr(exc: ValidationFailed, field: str) -> str:
    err = exc.errors[field]
    return translate(err.code, "fr", **err.params)


@pytest.fixture
def territory(engine) -> int:
    return make_territory(engine, "Loos-en-Gohelle (démo)")


@pytest.fixture
def contributor(engine, territory):
    return make_actor(engine, Role.CONTRIBUTOR, territory, "Camille Contributrice")


@pytest.fixture
def reader(engine, territory):
    return make_actor(engine, Role.READER, territory, "Rémi Lecteur")


# --- Recording assessments ---------------------------------------------------------------


def test_a_draft_is_saved_half_done_then_submitted_over_itself(engine, territory, contributor):
    half = _levels(None) | {FW.criteria[0].id: CriterionScore(3, "  un bon début  ")}
    draft = svc.record_assessment(engine, contributor, territory, half, Status.DRAFT)
    assert (draft.version, draft.status) == (1, "draft")

    journey = svc.get_journey(engine, contributor, territory)
    assert journey.draft.id == draft.id and journey.latest is None
    assert journey.draft.scores[FW.criteria[0].id] == CriterionScore(3, "un bon début")

    done = svc.record_assessment(
        engine, contributor, territory, _levels(2), Status.SUBMITTED, draft.id, draft.version
    )
    assert (done.id, done.version, done.status) == (draft.id, 2, "submitted")
    journey = svc.get_journey(engine, contributor, territory)
    assert journey.draft is None and journey.latest.id == draft.id
    assert journey.latest.framework_version == FW.version
    assert journey.latest.axis_scores == {a.id: pytest.approx(2.0) for a in FW.axes}
    assert count_rows(engine, tables.assessment) == 1
    with engine.connect() as conn:
        actions = (
            conn.execute(sa.select(tables.activity_log.c.action).order_by(tables.activity_log.c.id))
            .scalars()
            .all()
        )
    assert actions == ["assessment.draft_saved", "assessment.submitted"]


def test_submitting_with_a_missing_level_is_refused_and_writes_nothing(engine, territory, contributor):
    make_assessment(engine, territory, 1)
    before = _snapshot(engine)
    scores = _levels(3)
    missing = FW.criteria[-1].id
    scores[missing] = CriterionScore(None, "on ne sait pas")
    with pytest.raises(ValidationFailed) as caught:
        svc.record_assessment(engine, contributor, territory, scores, Status.SUBMITTED)
    assert _fr(caught.value, f"level.{missing}") == "Ce champ est obligatoire."
    assert _snapshot(engine) == before


def test_an_over_long_comment_is_refused_and_writes_nothing(engine, territory, contributor):
    draft = svc.record_assessment(engine, contributor, territory, _levels(1), Status.DRAFT)
    before = _snapshot(engine)
    scores = _levels(2)
    cid = FW.criteria[2].id
    scores[cid] = CriterionScore(2, "é" * 2500)
    with pytest.raises(ValidationFailed) as caught:
        svc.record_assessment(engine, contributor, territory, scores, Status.DRAFT, draft.id, draft.version)
    assert _fr(caught.value, f"comment.{cid}") == "Trop long : 2500 caractères pour 2000 au maximum."
    assert _snapshot(engine) == before


def test_a_draft_saved_by_someone_else_in_between_is_not_overwritten(engine, territory, contributor):
    colleague = make_actor(engine, Role.TERRITORY_ADMIN, territory, "Ali Admin")
    draft = svc.record_assessment(engine, contributor, territory, _levels(1), Status.DRAFT)
    # Both opened version 1; the colleague saves first.
    svc.record_assessment(engine, colleague, territory, _levels(4, "vu par Ali"), Status.DRAFT, draft.id, 1)
    before = _snapshot(engine)
    with pytest.raises(ConcurrentEdit) as caught:
        svc.record_assessment(engine, contributor, territory, _levels(0), Status.SUBMITTED, draft.id, 1)
    assert translate(caught.value.code, "fr").startswith("Quelqu’un d’autre a enregistré entre-temps.")
    assert _snapshot(engine) == before
    kept = svc.get_journey(engine, contributor, territory).draft
    assert kept.version == 2 and kept.scores[FW.criteria[0].id] == CriterionScore(4, "vu par Ali")


def test_starting_a_second_draft_while_one_exists_is_a_concurrent_edit(engine, territory, contributor):
    svc.record_assessment(engine, contributor, territory, _levels(1), Status.DRAFT)
    with pytest.raises(ConcurrentEdit):
        svc.record_assessment(engine, contributor, territory, _levels(2), Status.DRAFT)
    assert count_rows(engine, tables.assessment) == 1


def test_two_people_starting_the_first_draft_at_the_same_instant_end_up_with_one(
    engine, territory, contributor, monkeypatch
):
    colleague = make_actor(engine, Role.TERRITORY_ADMIN, territory, "Ali Admin")
    first = svc.record_assessment(engine, colleague, territory, _levels(4, "vu par Ali"), Status.DRAFT)
    before = _snapshot(engine)
    # The contributor looked for a draft just before the colleague's was committed: saw none.
    real_latest = svc.store.latest_assessments

    def before_the_colleague_committed(conn, territory_id, *, status, limit=2):
        return [] if status == Status.DRAFT else real_latest(conn, territory_id, status=status, limit=limit)

    monkeypatch.setattr(svc.store, "latest_assessments", before_the_colleague_committed)
    with pytest.raises(ConcurrentEdit):
        svc.record_assessment(engine, contributor, territory, _levels(1), Status.DRAFT)
    monkeypatch.undo()

    assert _snapshot(engine) == before  # nothing of the second draft was written
    kept = svc.get_journey(engine, contributor, territory).draft
    assert kept.id == first.id and kept.scores[FW.criteria[0].id] == CriterionScore(4, "vu par Ali")


def test_a_submitted_assessment_is_never_edited_the_next_one_is_new(engine, territory, contributor):
    first = svc.record_assessment(engine, contributor, territory, _levels(1), Status.SUBMITTED)
    with pytest.raises(ServiceError) as caught:
        svc.record_assessment(
            engine, contributor, territory, _levels(3), Status.SUBMITTED, first.id, first.version
        )
    assert caught.value.code == "journey.error.already_submitted"
    second = svc.record_assessment(
        engine, contributor, territory, _levels(3), Status.SUBMITTED, assessed_on=today()
    )
    assert second.id != first.id and count_rows(engine, tables.assessment) == 2


def test_the_draft_of_another_territory_cannot_be_reached_through_ones_own(engine, territory, contributor):
    elsewhere = make_territory(engine, "Ailleurs")
    other = make_actor(engine, Role.CONTRIBUTOR, elsewhere)
    foreign = svc.record_assessment(engine, other, elsewhere, _levels(1), Status.DRAFT)
    with pytest.raises(NotFound):
        svc.record_assessment(engine, contributor, territory, _levels(2), Status.DRAFT, foreign.id, 1)
    with pytest.raises(PermissionDenied):
        svc.record_assessment(engine, contributor, elsewhere, _levels(2), Status.DRAFT, foreign.id, 1)


def test_a_reader_sees_the_journey_but_every_write_is_refused(engine, territory, reader):
    make_assessment(engine, territory, 2)
    before = _snapshot(engine)
    assert svc.get_journey(engine, reader, territory).can_edit is False
    with pytest.raises(PermissionDenied):
        svc.record_assessment(engine, reader, territory, _levels(3), Status.SUBMITTED)
    with pytest.raises(PermissionDenied):
        svc.save_milestone(engine, reader, territory, MilestoneDraft(date(2025, 1, 1), "impulse", "Forum"))
    assert _snapshot(engine) == before


def test_someone_from_another_territory_sees_nothing(engine, territory):
    stranger = make_actor(engine, Role.TERRITORY_ADMIN, make_territory(engine))
    for read in (svc.get_journey, svc.list_milestones, svc.home_summary):
        with pytest.raises(PermissionDenied):
            read(engine, stranger, territory)
    with pytest.raises(PermissionDenied):
        svc.get_journey(engine, None, territory)


def test_a_database_failure_is_reported_and_rolls_everything_back(engine, territory, monkeypatch):
    coordinator = make_actor(engine, Role.COORDINATOR, None)

    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("insert", {}, Exception("disk I/O error"))

    # The database fails on the insert, after the framework was registered.
    monkeypatch.setattr(svc.store, "insert_assessment", broken)
    with pytest.raises(WriteFailed) as caught:
        svc.record_assessment(engine, coordinator, territory, _levels(2), Status.SUBMITTED)
    assert "Rien n’a été perdu" in translate(caught.value.code, "fr")
    assert count_rows(engine, tables.framework_version) == 0 and count_rows(engine, tables.assessment) == 0


def test_a_territory_nobody_has_is_not_found_rather_than_a_database_failure(engine):
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    with pytest.raises(ValidationFailed) as caught:
        svc.record_assessment(engine, coordinator, 999_999, _levels(2), Status.SUBMITTED)
    assert caught.value.errors["territory_id"].code == "error.not_found"
    assert count_rows(engine, tables.framework_version) == 0 and count_rows(engine, tables.assessment) == 0


# --- Reading the journey -----------------------------------------------------------------


def test_the_history_holds_means_per_axis_of_submitted_assessments(engine, territory, contributor):
    eng, coop = FW.axes[0], FW.axes[1]
    early = {c.id: 1 for c in FW.criteria} | {eng.criteria[0].id: 4}  # engagement mean rises by 3/n
    make_assessment(engine, territory, early, assessed_on=date(2024, 3, 1))
    make_assessment(engine, territory, 3, assessed_on=date(2025, 3, 1))
    make_assessment(engine, territory, 0, assessed_on=date(2025, 9, 1), status="draft")
    points = svc.get_journey(engine, contributor, territory).history
    by_key = {(p.assessed_on, p.axis_id): p.score for p in points}
    assert len(points) == 2 * len(FW.axes)  # the draft is not charted
    assert by_key[(date(2024, 3, 1), eng.id)] == pytest.approx(1 + 3 / len(eng.criteria))
    assert by_key[(date(2024, 3, 1), coop.id)] == pytest.approx(1.0)
    assert by_key[(date(2025, 3, 1), coop.id)] == pytest.approx(3.0)
    assert [p.assessed_on for p in points] == sorted(p.assessed_on for p in points)


def test_latest_and_previous_assessments(engine, territory, reader):
    make_assessment(engine, territory, 1, assessed_on=date(2023, 1, 1))
    make_assessment(engine, territory, 2, assessed_on=date(2024, 1, 1))
    make_assessment(engine, territory, 4, assessed_on=date(2025, 1, 1))
    journey = svc.get_journey(engine, reader, territory)
    assert journey.latest.assessed_on == date(2025, 1, 1) and journey.previous.assessed_on == date(2024, 1, 1)
    assert journey.latest.axis_scores[FW.axes[0].id] == pytest.approx(4.0)
    assert journey.previous.axis_scores[FW.axes[0].id] == pytest.approx(2.0)


def test_home_summary_suggests_what_to_do_next(engine, territory, contributor, reader):
    weak = {c.id: 3 for c in FW.criteria} | {c.id: 1 for c in FW.axes[2].criteria}
    make_assessment(engine, territory, weak, assessed_on=today() - timedelta(days=400))
    make_assessment(engine, territory, None, status="draft", assessed_on=today())
    make_milestone(engine, territory, "Forum", occurred_on=today() - timedelta(days=10))
    summary = svc.home_summary(engine, contributor, territory)
    assert [s.code for s in summary.suggestions] == [
        "journey.next.submit_draft",
        "journey.next.assessment_due",
        "journey.next.weakest_axis",
    ]
    assert summary.suggestions[-1].axis_id == FW.axes[2].id
    assert summary.last_milestone.title == "Forum" and summary.has_draft
    assert [s.code for s in svc.home_summary(engine, reader, territory).suggestions] == [
        "journey.next.weakest_axis"
    ]


# --- Milestones --------------------------------------------------------------------------


def test_a_milestone_is_added_then_edited(engine, territory, contributor):
    draft = MilestoneDraft(date(2024, 5, 2), "groundwork", "  Premier forum  ", "Deux cents personnes.", None)
    saved = svc.save_milestone(engine, contributor, territory, draft)
    edited = MilestoneDraft(date(2024, 5, 3), "town_project", "Premier forum citoyen", "", "tell_cooperation")
    again = svc.save_milestone(engine, contributor, territory, edited, saved.id, saved.version)
    assert again.version == 2
    [only] = svc.list_milestones(engine, contributor, territory)
    assert (only.title, only.phase, only.story, only.storytelling_dimension, only.occurred_on) == (
        "Premier forum citoyen",
        "town_project",
        "",
        "tell_cooperation",
        date(2024, 5, 3),
    )
    assert count_rows(engine, tables.activity_log) == 2


def test_a_milestone_in_the_future_is_refused_and_writes_nothing(engine, territory, contributor):
    make_milestone(engine, territory)
    before = _snapshot(engine)
    draft = MilestoneDraft(today() + timedelta(days=3), "impulse", "Inauguration prévue")
    with pytest.raises(ValidationFailed) as caught:
        svc.save_milestone(engine, contributor, territory, draft)
    assert _fr(caught.value, "occurred_on") == "La date ne peut pas être dans le futur."
    assert _snapshot(engine) == before


def test_a_milestone_edited_by_someone_else_in_between_is_not_overwritten(engine, territory, contributor):
    colleague = make_actor(engine, Role.CONTRIBUTOR, territory)
    mid = make_milestone(engine, territory, "Titre d’origine")
    svc.save_milestone(
        engine, colleague, territory, MilestoneDraft(date(2024, 6, 1), "impulse", "Titre de Léa"), mid, 1
    )
    before = _snapshot(engine)
    with pytest.raises(ConcurrentEdit):
        svc.save_milestone(
            engine, contributor, territory, MilestoneDraft(date(2024, 6, 1), "impulse", "Mon titre"), mid, 1
        )
    assert _snapshot(engine) == before
    assert [m.title for m in svc.list_milestones(engine, contributor, territory)] == ["Titre de Léa"]


def test_a_milestone_of_another_territory_cannot_be_edited(engine, territory, contributor):
    foreign = make_milestone(engine, make_territory(engine), "Chez les voisins")
    with pytest.raises(NotFound):
        svc.save_milestone(
            engine, contributor, territory, MilestoneDraft(date(2024, 1, 1), "impulse", "Pris"), foreign, 1
        )
