"""Peers' use cases on a small hand-made network, on SQLite and PostgreSQL.

Every expected figure below is worked out by hand in the comments: the services must give
exactly what a person would compute with a pencil from the data set.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from lib.access import Role
from lib.domain.errors import NotFound, PermissionDenied, ValidationFailed
from lib.domain.journey import MilestoneDraft
from lib.domain.sharing import Kind, Level
from lib.services import journey
from lib.services import peers as svc
from lib.store import tables
from tests.factories import (
    agree_to_be_contacted,
    axis_levels,
    make_actor,
    make_assessment,
    make_campaign,
    make_membership,
    make_milestone,
    make_peer_group,
    make_person,
    make_response,
    make_template,
    make_territory,
    set_sharing,
    share_nothing,
)


def _scores(engagement, cooperation=2, systemic=2, evaluation=2):
    return axis_levels(
        engagement=engagement, cooperation=cooperation, systemic=systemic, evaluation=evaluation
    )


@pytest.fixture
def cohort(engine):
    """A cohort of five: mine, two that share with peers, one with the network, one private.

    Latest engagement: mine 1, Ardoise 3, Bruyère 4, Chanvre (private) 2, Dune (network) 0.
    """
    ids = {
        name: make_territory(engine, name)
        for name in ("Mon-Bourg", "Ardoise", "Bruyère", "Chanvre-Secret", "Dune")
    }
    set_sharing(engine, ids["Dune"], assessments="network", journey="network")
    share_nothing(engine, ids["Chanvre-Secret"])
    group = make_peer_group(engine, "Cohorte d’essai", list(ids.values()))
    for name, older, latest in [
        ("Mon-Bourg", 0, 1),
        ("Ardoise", 1, 3),
        ("Bruyère", 4, 4),
        ("Chanvre-Secret", 2, 2),
        ("Dune", 1, 0),
    ]:
        make_assessment(engine, ids[name], _scores(older), assessed_on=date(2022, 3, 1))
        make_assessment(engine, ids[name], _scores(latest), assessed_on=date(2024, 3, 15))
    return ids, group


def test_a_member_sees_the_group_spread_with_the_private_territory_counted_unnamed(engine, cohort):
    ids, group = cohort
    reader = make_actor(engine, Role.READER, ids["Mon-Bourg"])
    # Another private territory, so the first one is not alone among the unnamed.
    other = make_territory(engine, "Épeautre-Secret")
    share_nothing(engine, other)
    make_assessment(engine, other, _scores(3), assessed_on=date(2024, 1, 1))
    with engine.begin() as conn:
        conn.execute(sa.insert(tables.peer_group_member).values(peer_group_id=group, territory_id=other))

    data = svc.compare(engine, reader, ids["Mon-Bourg"], svc.Scope(group_id=group))

    # Engagement of the six latest assessments: 0, 1, 2, 3, 3, 4 → positions q·5:
    # q1 at 1.25 → 1 + 0.25·(2 − 1) = 1.25; median at 2.5 → 2 + 0.5·(3 − 2) = 2.5;
    # q3 at 3.75 → 3 + 0.75·(3 − 3) = 3.
    e = data.spread.set_index("axis_id").loc["engagement"].to_dict()
    assert [e[k] for k in ("territories", "minimum", "q1", "median", "q3", "maximum")] == pytest.approx(
        (6, 0, 1.25, 2.5, 3, 4)
    )
    assert (data.counted, data.unnamed, data.left_out) == (6, 2, 0)
    assert {m.name for m in data.members} == {"Mon-Bourg", "Ardoise", "Bruyère", "Dune"}
    assert data.mine == {"engagement": 1.0, "cooperation": 2.0, "systemic": 2.0, "evaluation": 2.0}
    assert (
        set(data.latest["name"]) == set(data.history["name"]) == {"Mon-Bourg", "Ardoise", "Bruyère", "Dune"}
    )
    assert len(data.history) == 4 * 4 * 2  # four named territories, four axes, two assessments
    # Ardoise's trajectory on engagement: 1 in 2022, then 3 (every criterion at that level).
    ardoise = data.history[(data.history["name"] == "Ardoise") & (data.history["axis_id"] == "engagement")]
    assert list(zip(ardoise["assessed_on"], ardoise["score"], strict=True)) == [
        (date(2022, 3, 1), 1.0),
        (date(2024, 3, 15), 3.0),
    ]
    assert data.history[data.history["is_mine"]]["name"].unique().tolist() == ["Mon-Bourg"]


def test_a_lone_private_territory_is_left_out_of_the_spread_and_said_so(engine, cohort):
    ids, group = cohort
    reader = make_actor(engine, Role.READER, ids["Mon-Bourg"])
    data = svc.compare(engine, reader, ids["Mon-Bourg"], svc.Scope(group_id=group))
    # Without Chanvre: 0, 1, 3, 4 → q1 at 0.75 → 0.75; median at 1.5 → 2; q3 at 2.25 → 3.25.
    e = data.spread.set_index("axis_id").loc["engagement"].to_dict()
    assert [e[k] for k in ("territories", "minimum", "q1", "median", "q3", "maximum")] == pytest.approx(
        (4, 0, 0.75, 2, 3.25, 4)
    )
    assert (data.counted, data.unnamed, data.left_out) == (4, 0, 1)


def test_no_spread_is_given_over_fewer_than_three_territories(engine):
    mine, private = make_territory(engine, "Mon-Bourg"), make_territory(engine, "Seul-Secret")
    share_nothing(engine, private)
    group = make_peer_group(engine, "Binôme", [mine, private])
    for tid in (mine, private):
        make_assessment(engine, tid, 2)
    data = svc.compare(engine, make_actor(engine, Role.READER, mine), mine, svc.Scope(group_id=group))
    assert data.spread is None and data.counted == 0
    assert [m.name for m in data.members] == ["Mon-Bourg"]


def test_a_coordinator_names_everyone_and_can_compare_by_kind_and_population(engine, cohort):
    _ids, group = cohort
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    data = svc.compare(engine, coordinator, None, svc.Scope(group_id=group))
    assert (data.counted, data.unnamed) == (5, 0)
    assert "Chanvre-Secret" in set(data.latest["name"])
    town = make_territory(engine, "Grand-Port", kind="epci", population=60_000)
    make_assessment(engine, town, 3)
    by_band = svc.compare(engine, coordinator, None, svc.Scope(kinds=("epci",), population_band="50k_200k"))
    assert by_band.scope_size == 1 and by_band.spread is None
    assert set(by_band.latest["name"]) == {"Grand-Port"}


def test_members_can_compare_only_their_own_territory_with_its_own_groups(engine, cohort):
    ids, group = cohort
    elsewhere = make_territory(engine, "Ailleurs")
    other_group = make_peer_group(engine, "Autre cohorte", [elsewhere])
    reader = make_actor(engine, Role.READER, ids["Mon-Bourg"])
    for territory_id, scope in [
        (ids["Mon-Bourg"], svc.Scope(group_id=other_group)),  # a group mine is not in
        (ids["Ardoise"], svc.Scope(group_id=group)),  # a peer's territory as "mine"
        (ids["Mon-Bourg"], svc.Scope(kinds=("commune",))),  # a coordinator's filter
    ]:
        with pytest.raises(PermissionDenied):
            svc.compare(engine, reader, territory_id, scope)


def test_journeys_side_by_side_show_only_the_journeys_shared_with_me(engine, cohort):
    ids, group = cohort
    for name in ("Mon-Bourg", "Ardoise", "Chanvre-Secret"):
        make_milestone(engine, ids[name], "Lancement", occurred_on=date(2021, 1, 10), phase="impulse")
        make_milestone(engine, ids[name], "Ateliers", occurred_on=date(2022, 1, 10), phase="groundwork")
    reader = make_actor(engine, Role.READER, ids["Mon-Bourg"])
    data = svc.compare(engine, reader, ids["Mon-Bourg"], svc.Scope(group_id=group), today=date(2024, 1, 10))
    ardoise = data.phases[data.phases["name"] == "Ardoise"]
    # Impulse from 2021-01-10 until groundwork starts on 2022-01-10 (365 days); groundwork ongoing.
    assert list(zip(ardoise["phase"], ardoise["days"], ardoise["ongoing"], strict=True)) == [
        ("impulse", 365, False),
        ("groundwork", 730, True),
    ]
    assert set(data.phases["name"]) == {"Mon-Bourg", "Ardoise"}
    assert data.journeys_hidden == 1 and "Chanvre-Secret" not in set(data.milestones["name"])


# --- Qui peut m'aider ? ----------------------------------------------------------------------


@pytest.fixture
def helpers(engine):
    """My territory is weakest on engagement (1) and evaluation (1). Candidates, engagement:

    - Ardoise (peers, my group): 1.0 on 2022-05-01, 3.0 on 2024-06-01 → +2.0 over 25 months, merit 5.0
    - Bruyère (peers, my group): 4.0 flat since 2021-01-01 → merit 4.0
    - Falaise (network, not in my group): 3.0 on 2022-01-01, 3.5 on 2024-02-01 → +0.5, merit 4.0;
      ties with Bruyère, whose latest score is higher
    - Épi (peers, my group): 2.5 once → merit 2.5, fourth: not kept
    - Chanvre-Secret (private, my group): 4.0, never shown
    - Tout-Près (peers, my group): 1.25, less than half a level above me: not eligible
    """
    mine = make_territory(engine, "Mon-Bourg")
    names = ("Ardoise", "Bruyère", "Falaise", "Épi", "Chanvre-Secret", "Tout-Près")
    ids = {name: make_territory(engine, name) for name in names}
    set_sharing(engine, ids["Falaise"], assessments="network", journey="network")
    share_nothing(engine, ids["Chanvre-Secret"])
    make_peer_group(engine, "Cohorte", [mine, *(ids[n] for n in names if n != "Falaise")])
    make_peer_group(engine, "Ailleurs", [ids["Falaise"]])
    make_assessment(engine, mine, _scores(1, 2, 2, 1), assessed_on=date(2024, 3, 1))
    plan = {
        "Ardoise": [(date(2022, 5, 1), 1), (date(2024, 6, 1), 3)],
        "Bruyère": [(date(2021, 1, 1), 4), (date(2024, 1, 1), 4)],
        "Falaise": [(date(2022, 1, 1), 3), (date(2024, 2, 1), (3, 4, 3, 4))],
        "Épi": [(date(2024, 1, 1), (2, 3, 2, 3))],
        "Chanvre-Secret": [(date(2024, 1, 1), 4)],
        "Tout-Près": [(date(2024, 1, 1), (1, 1, 1, 2))],
    }
    for name, points in plan.items():
        for day, engagement in points:
            levels = _scores(engagement if isinstance(engagement, int) else 0, 2, 2, 2)
            if not isinstance(engagement, int):
                criteria = [c for c in levels if c.startswith("engagement")]
                levels |= dict(zip(criteria, engagement, strict=True))
            make_assessment(engine, ids[name], levels, assessed_on=day)
    return mine, ids


def test_who_can_help_ranks_by_score_plus_progress_and_keeps_the_first_three(engine, helpers):
    mine, _ids = helpers
    answer = svc.who_can_help(engine, make_actor(engine, Role.READER, mine), mine)
    axes = [s for s in answer.spots if s.kind == "axis"]
    assert [(s.id, s.mine) for s in axes] == [("engagement", 1.0), ("evaluation", 1.0)]
    engagement = axes[0].helpers
    assert [h.name for h in engagement] == ["Ardoise", "Bruyère", "Falaise"]
    ardoise = engagement[0]
    # 2022-05-01 → 2024-06-01 is 762 days ≈ 25 months.
    assert (ardoise.score, ardoise.change, ardoise.months, ardoise.same_group) == (3.0, 2.0, 25, True)
    assert (engagement[2].score, engagement[2].change, engagement[2].same_group) == (3.5, 0.5, False)
    assert answer.assessed_on == date(2024, 3, 1)


def test_who_can_help_also_looks_at_my_weakest_criteria(engine, helpers):
    mine, _ids = helpers
    answer = svc.who_can_help(engine, make_actor(engine, Role.READER, mine), mine)
    criteria = [s for s in answer.spots if s.kind == "criterion"]
    # Every engagement and evaluation criterion is at 1: the first three in framework order.
    assert [s.id for s in criteria] == ["engagement_vision", "engagement_invitation", "engagement_opposition"]
    # On engagement_opposition, Épi (2) and Tout-Près (1) fall short or behind; Ardoise 3 (+2), Bruyère 4.
    assert [h.name for h in criteria[2].helpers] == ["Ardoise", "Bruyère", "Falaise"]


def test_a_helper_comes_with_its_stories_on_that_axis_and_only_opted_in_contacts(engine, helpers):
    mine, ids = helpers
    ardoise = ids["Ardoise"]
    for day, axis in [
        (date(2023, 1, 1), "engagement"),
        (date(2023, 6, 1), "engagement"),
        (date(2024, 1, 1), "engagement"),
        (date(2024, 2, 1), "cooperation"),
    ]:
        make_milestone(
            engine,
            ardoise,
            f"Récit {axis} {day.isoformat()}",
            occurred_on=day,
            phase="groundwork",
            axis_id=axis,
            story="Ce que nous avons appris.",
        )
    willing = make_person(engine, "Wanda Volontaire", email="wanda@ardoise.test")
    shy = make_person(engine, "Simon Discret", email="simon@ardoise.test")
    make_membership(engine, willing, ardoise, "contributor")
    make_membership(engine, shy, ardoise, "territory_admin")
    agree_to_be_contacted(engine, willing)

    answer = svc.who_can_help(engine, make_actor(engine, Role.READER, mine), mine)
    helper = answer.spots[0].helpers[0]
    assert [s.title for s in helper.stories] == ["Récit engagement 2024-01-01", "Récit engagement 2023-06-01"]
    assert [(c.name, c.email, c.role) for c in helper.contacts] == [
        ("Wanda Volontaire", "wanda@ardoise.test", "contributor")
    ]
    assert "simon@ardoise.test" not in repr(answer)


def test_without_an_assessment_of_my_own_there_is_nothing_to_start_from(engine):
    mine = make_territory(engine, "Tout-Neuf")
    answer = svc.who_can_help(engine, make_actor(engine, Role.READER, mine), mine)
    assert answer.assessed_on is None and answer.spots == []


# --- Sharing settings and the contact opt-in ---------------------------------------------------


def _log(engine, action):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(
                tables.activity_log.c.person_id,
                tables.activity_log.c.territory_id,
                tables.activity_log.c.details,
            ).where(tables.activity_log.c.action == action)
        ).all()


def test_an_admin_changes_what_the_territory_shares_and_each_change_is_logged(engine):
    tid = make_territory(engine, "Mon-Bourg")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, tid, "Ada Admin")
    before = svc.sharing_settings(engine, admin, tid)
    assert before.can_edit and not before.choices[Kind.ASSESSMENTS].chosen
    assert {k: c.level for k, c in before.choices.items()} == {
        Kind.ASSESSMENTS: Level.PEERS,
        Kind.JOURNEY: Level.PEERS,
        Kind.FEEDBACK: Level.PRIVATE,
        Kind.INDICATORS: Level.PEERS,
    }

    after = svc.set_sharing(
        engine, admin, tid, {"assessments": "network", "journey": "peers", "feedback": "peers"}
    )

    assert after.level("assessments") == "network" and after.level("feedback") == "peers"
    assert after.choices[Kind.ASSESSMENTS].updated_by == "Ada Admin"
    # The journey stayed at its default: nothing changed, nothing logged for it.
    assert sorted((d["kind"], d["from"], d["to"]) for _p, _t, d in _log(engine, "sharing.changed")) == [
        ("assessments", "peers", "network"),
        ("feedback", "private", "peers"),
    ]


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.READER])
def test_only_the_admin_may_change_what_a_territory_shares(engine, role):
    tid = make_territory(engine)
    member = make_actor(engine, role, tid)
    assert not svc.sharing_settings(engine, member, tid).can_edit
    with pytest.raises(PermissionDenied):
        svc.set_sharing(engine, member, tid, {"assessments": "network"})
    with pytest.raises(PermissionDenied):
        svc.set_sharing(
            engine,
            make_actor(engine, Role.TERRITORY_ADMIN, make_territory(engine)),
            tid,
            {"journey": "network"},
        )
    assert _log(engine, "sharing.changed") == []


def test_an_unknown_level_is_refused_next_to_its_field(engine):
    tid = make_territory(engine)
    admin = make_actor(engine, Role.TERRITORY_ADMIN, tid)
    with pytest.raises(ValidationFailed) as caught:
        svc.set_sharing(engine, admin, tid, {"assessments": "everyone", "journey": None})
    assert set(caught.value.errors) == {"level.assessments", "level.journey"}


def test_a_person_gives_and_withdraws_their_own_contact_opt_in_and_it_is_logged(engine):
    member = make_actor(engine, Role.READER, make_territory(engine))
    assert svc.contact_consent(engine, member) is None
    assert svc.set_contact_consent(engine, member, True) is not None
    assert svc.set_contact_consent(engine, member, True) is not None  # twice: one log line
    assert svc.set_contact_consent(engine, member, False) is None
    assert len(_log(engine, "contact.consent_given")) == 1
    assert len(_log(engine, "contact.consent_withdrawn")) == 1
    with pytest.raises(PermissionDenied):
        svc.set_contact_consent(engine, None, True)


# --- Feedback compared ------------------------------------------------------------------------


def test_feedback_is_compared_only_with_territories_sharing_results_and_roles_of_three_answers(engine):
    template = make_template(engine)
    mine, sharer, keeper = (make_territory(engine, n) for n in ("Mon-Bourg", "Partageuse", "Gardeuse-Secret"))
    set_sharing(engine, sharer, feedback="peers")
    group = make_peer_group(engine, "Cohorte", [mine, sharer, keeper])
    for tid, answers in [
        (mine, {"elected_official": [5, 5, 4], "inhabitant": [1, 2, 2], "state_services": [3, 3]}),
        (sharer, {"elected_official": [3, 3, 3], "inhabitant": [3, 4, 5]}),
        (keeper, {"elected_official": [1, 1, 1], "inhabitant": [5, 5, 5]}),
    ]:
        campaign, _ = make_campaign(engine, tid, template_id=template)
        for role, values in answers.items():
            for v in values:
                make_response(engine, campaign, role, {"mood": v, "story": "x"})
    reader = make_actor(engine, Role.READER, mine)
    scope = svc.Scope(group_id=group)

    uses = svc.feedback_templates(engine, reader, mine, scope)
    assert [(u.id, u.territories, u.responses) for u in uses] == [(template, 2, 14)]
    data = svc.compare_feedback(engine, reader, mine, scope, template)

    assert list(data.territories.values()) == ["Mon-Bourg", "Partageuse"]
    # State services gave two answers in my territory: never shown by role.
    assert "state_services" not in set(data.distribution["role"])
    gaps = data.gaps.set_index("territory_id")
    # Mine: elected officials 14/3 ≈ 4.667, inhabitants 5/3 ≈ 1.667 → gap 3 on a 1–5 scale: 0.75.
    assert gaps.loc[mine, "gap"] == pytest.approx(3.0) and gaps.loc[mine, "gap_share"] == pytest.approx(0.75)
    # Partageuse: 3 and 4 → gap 1, share 0.25.
    assert gaps.loc[sharer, "gap"] == pytest.approx(1.0) and gaps.loc[sharer, "high_role"] == "inhabitant"


# --- Récits des pairs and a peer's journey ------------------------------------------------------


def test_the_stories_feed_holds_what_others_share_newest_first_and_filters(engine, cohort):
    ids, _group = cohort
    for name, day, phase, axis in [
        ("Ardoise", date(2023, 1, 1), "impulse", "engagement"),
        ("Dune", date(2023, 6, 1), "groundwork", "cooperation"),
        ("Chanvre-Secret", date(2023, 9, 1), "groundwork", "cooperation"),
        ("Mon-Bourg", date(2023, 10, 1), "groundwork", "cooperation"),
    ]:
        make_milestone(engine, ids[name], f"Jalon de {name}", occurred_on=day, phase=phase, axis_id=axis)
    reader = make_actor(engine, Role.READER, ids["Mon-Bourg"])
    assert [s.territory_name for s in svc.peer_stories(engine, reader)] == ["Dune", "Ardoise"]
    assert [s.territory_name for s in svc.peer_stories(engine, reader, axes=["engagement"])] == ["Ardoise"]
    assert [s.territory_name for s in svc.peer_stories(engine, reader, phases=["groundwork"])] == ["Dune"]
    # Someone from outside the cohort sees what Dune shares with the whole network only.
    outsider = make_actor(engine, Role.READER, make_territory(engine, "Loin"))
    assert [s.territory_name for s in svc.peer_stories(engine, outsider)] == ["Dune"]


def test_a_peer_s_journey_opens_as_far_as_it_shares(engine, cohort):
    ids, _group = cohort
    set_sharing(engine, ids["Ardoise"], journey="private")
    make_milestone(engine, ids["Ardoise"], "Caché", phase="impulse")
    reader = make_actor(engine, Role.READER, ids["Mon-Bourg"])
    seen = svc.peer_journey(engine, reader, _slug(engine, ids["Ardoise"]))
    assert seen.milestones is None and seen.latest is not None
    with pytest.raises(NotFound):
        svc.peer_journey(engine, reader, _slug(engine, ids["Chanvre-Secret"]))
    with pytest.raises(NotFound):
        svc.peer_journey(engine, reader, "nulle-part")


def _slug(engine, tid):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(tables.territory.c.slug).where(tables.territory.c.id == tid)
        ).scalar_one()


# --- The coordinators' group page --------------------------------------------------------------


def test_the_group_page_flags_members_without_an_assessment_for_a_year(engine, cohort):
    ids, group = cohort
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    newcomer = make_territory(engine, "Nouvelle")
    with engine.begin() as conn:
        conn.execute(sa.insert(tables.peer_group_member).values(peer_group_id=group, territory_id=newcomer))
    make_assessment(engine, ids["Ardoise"], 3, assessed_on=date(2025, 2, 1))
    overview = svc.group_overview(engine, coordinator, group, today=date(2025, 4, 1))
    stale = {m.name for m in overview.members if m.stale}
    # 2024-03-15 is 382 days before 2025-04-01 (a year is 365); Nouvelle never assessed itself;
    # Ardoise did on 2025-02-01.
    assert stale == {"Mon-Bourg", "Bruyère", "Chanvre-Secret", "Dune", "Nouvelle"}
    assert {m.name: m.levels[Kind.ASSESSMENTS] for m in overview.members}["Chanvre-Secret"] == Level.PRIVATE
    assert set(overview.trajectory["year"]) == {2022, 2024, 2025}
    with pytest.raises(PermissionDenied):
        svc.group_overview(engine, make_actor(engine, Role.TERRITORY_ADMIN, ids["Mon-Bourg"]), group)


# --- A milestone's axis ----------------------------------------------------------------------


def test_a_milestone_may_name_the_axis_it_tells_about_and_only_a_framework_axis(engine):
    tid = make_territory(engine, "Mon-Bourg")
    contributor = make_actor(engine, Role.CONTRIBUTOR, tid)
    draft = MilestoneDraft(
        occurred_on=date(2024, 3, 1), phase="groundwork", title="Forum", axis_id="cooperation"
    )
    saved = journey.save_milestone(engine, contributor, tid, draft)
    assert [m.axis_id for m in journey.list_milestones(engine, contributor, tid)] == ["cooperation"]
    with pytest.raises(ValidationFailed) as caught:
        journey.save_milestone(
            engine, contributor, tid, MilestoneDraft(**{**draft.__dict__, "axis_id": "nowhere"}), saved.id, 1
        )
    assert set(caught.value.errors) == {"axis_id"}
