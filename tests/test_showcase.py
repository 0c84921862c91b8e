"""La vitrine: what a visitor reads of the territories that publish, and how an admin publishes.

The sharing matrix (tests/test_peers_sharing_matrix.py) checks the showcase against every
level and reader; these tests check its filters, its thresholds, its contacts and the
confirmation an admin gives before anything becomes public. SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from lib.access import Role
from lib.domain.errors import NotFound, PermissionDenied, ValidationFailed
from lib.services import peers, showcase
from lib.store import tables
from tests.factories import (
    agree_to_be_contacted,
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


def _slug(engine, territory_id: int) -> str:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(tables.territory.c.slug).where(tables.territory.c.id == territory_id)
        ).scalar_one()


def _names(listing: showcase.Showcase) -> list[str]:
    return [t.name for t in listing.territories]


def test_nothing_is_on_the_showcase_until_a_territory_makes_something_public(engine):
    quiet = make_territory(engine, "Discrète", region="Bretagne")
    make_milestone(engine, quiet, "Un jalon")
    make_assessment(engine, quiet, 3)
    for level in ("private", "peers", "network"):
        set_sharing(engine, quiet, journey=level, assessments=level, feedback=level)
        assert showcase.showcase(engine).territories == []
    with pytest.raises(NotFound):
        showcase.public_page(engine, _slug(engine, quiet))


def test_filters_narrow_the_showcase_by_kind_region_group_phase_and_dimension(engine):
    a = make_territory(engine, "Alpha", region="Bretagne")
    b = make_territory(engine, "Bêta", region="Occitanie")
    hidden = make_territory(engine, "Cachée", region="Bretagne")
    group = make_peer_group(engine, "Villes Pairs 2018–2020", [a, hidden])
    make_peer_group(engine, "Groupe secret", [hidden])
    set_sharing(engine, a, journey="public")
    set_sharing(engine, b, assessments="public")
    make_milestone(engine, a, "Forum", phase="impulse", storytelling_dimension="trajectory")
    make_milestone(engine, a, "Projet", phase="town_project", storytelling_dimension="evaluate_value")
    make_milestone(engine, b, "Pas public", phase="transferability")
    make_assessment(engine, b, 2)

    everything = showcase.showcase(engine)
    assert _names(everything) == ["Alpha", "Bêta"] and everything.published == 2
    assert everything.regions == ["Bretagne", "Occitanie"]
    # Only the groups of publishing territories are offered, and none of their other members.
    assert [g.name for g in everything.groups] == ["Villes Pairs 2018–2020"]
    group_slug = everything.groups[0].slug

    def names(**filters):
        return _names(showcase.showcase(engine, showcase.Filters(**filters)))

    assert names(kinds=("assessments",)) == ["Bêta"]
    assert names(regions=("Bretagne",)) == ["Alpha"]
    assert names(groups=(group_slug,)) == ["Alpha"]
    assert names(phases=("town_project",)) == ["Alpha"]  # its furthest phase
    assert names(phases=("transferability",)) == []  # Bêta's journey is not public
    assert names(dimensions=("evaluate_value",)) == ["Alpha"]
    assert group and not showcase.showcase(engine, showcase.Filters(regions=("Nowhere",))).territories


def test_a_public_page_shows_the_five_phases_the_stories_and_the_radar_when_published(engine):
    tid = make_territory(engine, "Pionnière")
    set_sharing(engine, tid, journey="public", assessments="public")
    make_milestone(
        engine, tid, "Premier forum", phase="impulse", occurred_on=date(2019, 3, 1), story="Récit."
    )
    make_milestone(engine, tid, "Atelier", phase="groundwork", occurred_on=date(2020, 5, 1))
    make_assessment(engine, tid, 1, assessed_on=date(2020, 1, 1))
    make_assessment(engine, tid, 3, assessed_on=date(2023, 1, 1))

    page = showcase.public_page(engine, _slug(engine, tid))

    assert [(p.phase, p.first, p.milestones) for p in page.phases] == [
        ("impulse", date(2019, 3, 1), 1),
        ("groundwork", date(2020, 5, 1), 1),
        ("town_project", None, 0),
        ("generalisation", None, 0),
        ("transferability", None, 0),
    ]
    assert [m.title for m in page.milestones] == ["Atelier", "Premier forum"]
    assert set(page.latest.axis_scores.values()) == {3.0}
    assert set(page.previous.axis_scores.values()) == {1.0}
    assert page.feedback is None  # results stay private


def test_feedback_highlights_need_three_answers_and_never_carry_a_free_text(engine):
    template = make_template(engine)
    tid = make_territory(engine, "Sondée")
    set_sharing(engine, tid, feedback="public")
    campaign, _ = make_campaign(engine, tid, template_id=template, title="Retours")
    for value in (4, 2):
        make_response(engine, campaign, "elected_official", {"mood": value, "story": "Mot-confidentiel"})
    page = showcase.public_page(engine, _slug(engine, tid))
    assert page.feedback == []  # two answers: nothing at all

    make_response(engine, campaign, "local_agent", {"mood": 3, "story": "Mot-confidentiel"})
    page = showcase.public_page(engine, _slug(engine, tid))
    assert [(h.responses, [(q.mean, q.answers) for q in h.questions]) for h in page.feedback] == [
        (3, [(3.0, 3)])
    ]
    assert "Mot-confidentiel" not in repr(page)


def test_only_members_who_agreed_to_a_public_contact_are_named(engine):
    tid = make_territory(engine, "Accueillante")
    set_sharing(engine, tid, journey="public")
    public, peers_only, silent = (
        make_person(engine, name, email=f"{i}@accueil.test")
        for i, name in enumerate(("Paule Publique", "Pierre Pairs", "Sam Silence"))
    )
    for person in (public, peers_only, silent):
        make_membership(engine, person, tid, "contributor")
    for person in (public, peers_only):
        agree_to_be_contacted(engine, person)
    actor = make_actor(engine, Role.READER, tid)
    with pytest.raises(ValidationFailed):  # the public opt-in widens the peers' one
        peers.set_public_contact_consent(engine, actor, True)
    with engine.begin() as conn:
        conn.execute(
            sa.update(tables.peer_contact_consent)
            .where(tables.peer_contact_consent.c.person_id == public)
            .values(public=True)
        )

    page = showcase.public_page(engine, _slug(engine, tid))

    assert [(c.name, c.email) for c in page.contacts] == [("Paule Publique", "0@accueil.test")]
    assert "Pierre Pairs" not in repr(page) and "Sam Silence" not in repr(page)


def test_a_member_gives_and_withdraws_the_public_opt_in_and_both_are_logged(engine):
    tid = make_territory(engine, "Ouverte")
    set_sharing(engine, tid, journey="public")
    actor = make_actor(engine, Role.CONTRIBUTOR, tid, display_name="Ana Ouverte")
    peers.set_contact_consent(engine, actor, True)
    assert peers.set_public_contact_consent(engine, actor, True) is True
    assert [c.name for c in showcase.public_page(engine, _slug(engine, tid)).contacts] == ["Ana Ouverte"]
    peers.set_contact_consent(engine, actor, False)  # withdrawing the first withdraws both
    assert showcase.public_page(engine, _slug(engine, tid)).contacts == []
    with engine.connect() as conn:
        actions = (
            conn.execute(sa.select(tables.activity_log.c.action).order_by(tables.activity_log.c.id))
            .scalars()
            .all()
        )
    assert "contact.public_given" in actions


def test_an_archived_territory_leaves_the_showcase(engine):
    tid = make_territory(engine, "Archivée")
    set_sharing(engine, tid, journey="public")
    assert _names(showcase.showcase(engine)) == ["Archivée"]
    with engine.begin() as conn:
        conn.execute(
            sa.update(tables.territory).where(tables.territory.c.id == tid).values(archived_at=sa.func.now())
        )
    assert showcase.showcase(engine).territories == []
    with pytest.raises(NotFound):
        showcase.public_page(engine, _slug(engine, tid))


def test_publishing_needs_the_admins_confirmation_and_is_logged(engine):
    tid = make_territory(engine, "Prudente")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, tid)
    contributor = make_actor(engine, Role.CONTRIBUTOR, tid)
    make_milestone(engine, tid, "Notre premier pas")

    with pytest.raises(ValidationFailed) as refused:
        peers.set_sharing(engine, admin, tid, {"journey": "public"})
    assert "confirm_public" in refused.value.errors
    assert showcase.showcase(engine).territories == []
    with pytest.raises(PermissionDenied):
        peers.set_sharing(engine, contributor, tid, {"journey": "public"}, confirm_public=True)
    with pytest.raises(PermissionDenied):
        showcase.preview(engine, contributor, tid, {"journey": "public"})

    preview = showcase.preview(engine, admin, tid, {"journey": "public"})
    assert [m.title for m in preview.milestones] == ["Notre premier pas"] and preview.latest is None
    assert showcase.showcase(engine).territories == []  # a preview publishes nothing

    peers.set_sharing(engine, admin, tid, {"journey": "public"}, confirm_public=True)
    assert _names(showcase.showcase(engine)) == ["Prudente"]
    # Already public: saving again, or closing it, needs no confirmation.
    peers.set_sharing(engine, admin, tid, {"journey": "public", "assessments": "network"})
    peers.set_sharing(engine, admin, tid, {"journey": "peers"})
    assert showcase.showcase(engine).territories == []
    with engine.connect() as conn:
        details = (
            conn.execute(
                sa.select(tables.activity_log.c.details)
                .where(tables.activity_log.c.action == "sharing.changed")
                .order_by(tables.activity_log.c.id)
            )
            .scalars()
            .all()
        )
    assert [(d["kind"], d["from"], d["to"]) for d in details] == [
        ("journey", "peers", "public"),
        ("assessments", "peers", "network"),
        ("journey", "public", "peers"),
    ]


def test_indicators_cannot_be_made_public(engine):
    tid = make_territory(engine, "Mesurée")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, tid)
    with pytest.raises(ValidationFailed) as refused:
        peers.set_sharing(engine, admin, tid, {"indicators": "public"}, confirm_public=True)
    assert "level.indicators" in refused.value.errors


def test_the_preview_of_levels_that_publish_nothing_is_empty(engine):
    tid = make_territory(engine, "Fermée")
    share_nothing(engine, tid)
    admin = make_actor(engine, Role.TERRITORY_ADMIN, tid)
    assert showcase.preview(engine, admin, tid, {"journey": "network"}) is None


@pytest.mark.parametrize("slug", ["", "x" * 10_000, "'; drop table territory; --", "é\u0000", None])
def test_any_address_a_visitor_types_is_at_worst_not_found(engine, slug):
    set_sharing(engine, make_territory(engine, "Publique"), journey="public")
    with pytest.raises(NotFound):
        showcase.public_page(engine, slug)
    assert [t.name for t in showcase.showcase(engine).territories] == ["Publique"]
