"""The sharing matrix: level × kind of data × relation, through every service that reads
another territory's data (pages, the export and the coordinators' page all read through them).

One target territory shares one kind of data at one level and keeps the two others private.
Readers stand in every relation to it. For every kind, where its level reaches them, each
service they can use shows the target's data of that kind, and where it does not, none does;
when nothing reaches them, no service returns anything of the target — not its figures, not
its name, not its members' e-mails — whatever the reader asks. People who are logged out, answer
through a share link or have no membership are refused by every peers' service.

The public showcase (``lib.services.showcase``) is read by anyone, those three included: it
shows a kind of the target's data exactly when its level is *public*, whoever reads, and never
the e-mail or name of a member who did not agree to be a public contact, nor a free-text answer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from lib.access import Actor, Role
from lib.domain.errors import NotFound, PermissionDenied
from lib.services import feedback, showcase
from lib.services import peers as svc
from lib.services.identity import load_actor
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

TARGET = "Cible-Secrete"
TARGET_EMAIL = "contact@cible-secrete.test"
TARGET_CONTACT = "Corinne Cible"  # agreed to be contacted by peers, not by the public
FREE_TEXT = "Confidence-des-habitants"  # a free-text answer in the target's results

# Whether data shared at a level reaches each relation, written out by hand.
MATRIX = """
relation       private peers network public
own            Y       Y     Y       Y
peer_group     n       Y     Y       Y
other_group    n       n     Y       Y
coordinator    Y       Y     Y       Y
share_link     n       n     n       Y
logged_out     n       n     n       Y
no_membership  n       n     n       Y
"""
KINDS = ("assessments", "journey", "feedback")


def _matrix() -> dict[str, dict[str, bool]]:
    header, *rows = [line.split() for line in MATRIX.strip().splitlines()]
    return {row[0]: {lv: c == "Y" for lv, c in zip(header[1:], row[1:], strict=True)} for row in rows}


EXPECTED = _matrix()
REFUSED_RELATIONS = {"share_link", "logged_out", "no_membership"}


@dataclasses.dataclass
class World:
    engine: Any
    target: int
    target_slug: str
    mine: int  # a territory of the target's group
    other: int  # a territory of another group
    group: int
    other_group: int
    template: int
    share_token: str


def _build(engine, kind: str, level: str) -> World:
    template = make_template(engine)
    target = make_territory(engine, TARGET)
    mine, x1, x2 = (make_territory(engine, n) for n in ("Mon-Bourg", "Ardoise", "Bruyère"))
    other, y1 = make_territory(engine, "Lointaine"), make_territory(engine, "Voisine-de-Lointaine")
    group = make_peer_group(engine, "Cohorte de la cible", [target, mine, x1, x2])
    other_group = make_peer_group(engine, "Autre cohorte", [other, y1])
    share_nothing(engine, target)
    set_sharing(engine, target, **{kind: level})
    # Everyone else shares its results with peers, so feedback comparisons have company.
    for tid in (mine, x1, x2, other, y1):
        set_sharing(engine, tid, feedback="peers")

    # The target is strong and climbing on every axis: the first helper anyone weaker would get.
    make_assessment(engine, target, 2, assessed_on=date(2022, 1, 10))
    make_assessment(engine, target, 4, assessed_on=date(2024, 2, 10))
    for tid in (mine, other):
        make_assessment(engine, tid, 0, assessed_on=date(2024, 1, 10))
    for tid in (x1, x2, y1):
        make_assessment(engine, tid, axis_levels(engagement=2, cooperation=2, systemic=1, evaluation=1))
    make_milestone(
        engine, target, "Le récit de la cible", phase="groundwork", axis_id="engagement", story="Secret."
    )
    make_milestone(engine, mine, "Mon jalon", phase="impulse", axis_id="engagement")
    contact = make_person(engine, TARGET_CONTACT, email=TARGET_EMAIL)
    make_membership(engine, contact, target, "contributor")
    agree_to_be_contacted(engine, contact)
    campaign, token = make_campaign(engine, target, template_id=template, title="Retours")
    for campaign_tid in (mine, x1):
        own_campaign, _ = make_campaign(engine, campaign_tid, template_id=template)
        for value in (2, 3, 4):
            make_response(engine, own_campaign, "elected_official", {"mood": value, "story": "x"})
    for value in (5, 5, 4):
        make_response(engine, campaign, "elected_official", {"mood": value, "story": FREE_TEXT})
    with engine.connect() as conn:
        slug = conn.execute(
            sa.select(tables.territory.c.slug).where(tables.territory.c.id == target)
        ).scalar_one()
    return World(engine, target, slug, mine, other, group, other_group, template, token)


def _reader(w: World, relation: str) -> tuple[Actor | None, int | None, int]:
    """The actor, the territory they read as, and the group they compare with."""
    if relation == "own":
        return make_actor(w.engine, Role.READER, w.target), w.target, w.group
    if relation == "peer_group":
        return make_actor(w.engine, Role.READER, w.mine), w.mine, w.group
    if relation == "other_group":
        return make_actor(w.engine, Role.READER, w.other), w.other, w.other_group
    if relation == "coordinator":
        return make_actor(w.engine, Role.COORDINATOR, None), None, w.group
    if relation == "no_membership":
        return load_actor(w.engine, make_person(w.engine, "Sans Accès")), w.mine, w.group
    # A share-link respondent is not logged in: the services see nobody, like a logged-out visitor.
    if relation == "share_link":
        assert feedback.public_campaign(w.engine, w.share_token).title == "Retours"
    return None, w.mine, w.group


# --- what each service returns of the target ---------------------------------------------------

Probe = Callable[[World, Actor | None, int | None, int], tuple[bool | None, Any]]
# A probe answers (shows the target's data?, everything it returned). None: not applicable to
# this reader (the target is outside what they asked for), but its output is still scanned.


def _compare(w, actor, tid, group):
    data = svc.compare(w.engine, actor, tid, svc.Scope(group_id=group))
    return data


def _assessments_in_comparison(w, actor, tid, group):
    data = _compare(w, actor, tid, group)
    return (w.target in set(data.latest["territory_id"]) if group == w.group else None), data


def _assessments_in_export(w, actor, tid, group):
    data = svc.comparison_csv(w.engine, actor, tid, svc.Scope(group_id=group))
    return (TARGET.encode() in data if group == w.group else None), data


def _assessments_in_help(w, actor, tid, group):
    territory = tid if tid is not None else w.mine
    if territory == w.target:
        return None, None  # one's own territory never helps itself
    data = svc.who_can_help(w.engine, actor, territory)
    return any(h.territory_id == w.target for s in data.spots for h in s.helpers), data


def _peer_journey(part: str):
    def probe(w, actor, tid, group):
        try:
            data = svc.peer_journey(w.engine, actor, w.target_slug)
        except NotFound:
            return False, None
        return getattr(data, part) is not None, data

    return probe


def _journey_in_comparison(w, actor, tid, group):
    data = _compare(w, actor, tid, group)
    if group != w.group:
        return None, data
    return w.target in set(data.phases["territory_id"]) and w.target in set(
        data.milestones["territory_id"]
    ), data


def _stories(w, actor, tid, group):
    data = svc.peer_stories(w.engine, actor)
    if tid == w.target:
        return None, data  # the feed holds other territories' stories
    return any(s.territory_id == w.target for s in data), data


def _feedback_compared(w, actor, tid, group):
    templates = svc.feedback_templates(w.engine, actor, tid, svc.Scope(group_id=group))
    data = svc.compare_feedback(w.engine, actor, tid, svc.Scope(group_id=group), w.template)
    shown = w.target in data.territories and w.target in set(data.distribution["territory_id"])
    return (shown if group == w.group else None), (templates, data)


PROBES: dict[str, list[Probe]] = {
    "assessments": [
        _assessments_in_comparison,
        _assessments_in_export,
        _assessments_in_help,
        _peer_journey("latest"),
    ],
    "journey": [_journey_in_comparison, _stories, _peer_journey("milestones")],
    "feedback": [_feedback_compared],
}
# Every service that reads another territory's data.
ALL_PROBES = [p for probes in PROBES.values() for p in probes]


def _public_page(part: str):
    """The showcase takes no reader: what it answers is the same for everybody."""

    def probe(w, actor, tid, group):
        listed = showcase.showcase(w.engine)
        try:
            page = showcase.public_page(w.engine, w.target_slug)
        except NotFound:
            assert not _mentions(listed, TARGET), "listed on the showcase without a public page"
            return False, listed
        shown = getattr(page, part) is not None
        if part == "feedback" and shown:
            assert [q.mean for h in page.feedback for q in h.questions] == [pytest.approx(14 / 3)]
        return shown, (listed, page)

    return probe


SHOWCASE_PROBES: dict[str, list[Probe]] = {
    "assessments": [_public_page("latest")],
    "journey": [_public_page("milestones")],
    "feedback": [_public_page("feedback")],
}


def _mentions(obj: Any, needle: str) -> bool:
    """Whether ``needle`` appears anywhere in what a service returned."""
    if obj is None:
        return False
    if isinstance(obj, str):
        return needle in obj
    if isinstance(obj, bytes):
        return needle.encode() in obj
    if isinstance(obj, pd.DataFrame):
        return _mentions(list(obj.columns), needle) or any(
            needle in str(v) for v in obj.to_numpy().ravel().tolist()
        )
    if dataclasses.is_dataclass(obj):
        return any(_mentions(getattr(obj, f.name), needle) for f in dataclasses.fields(obj))
    if isinstance(obj, dict):
        return any(_mentions(k, needle) or _mentions(v, needle) for k, v in obj.items())
    if isinstance(obj, list | tuple | set | frozenset):
        return any(_mentions(v, needle) for v in obj)
    return needle in str(obj)


@pytest.mark.parametrize("level", ["private", "peers", "network", "public"])
@pytest.mark.parametrize("kind", KINDS)
def test_sharing_matrix(engine, kind, level, subtests):
    world = _build(engine, kind, level)
    for relation, reach in EXPECTED.items():
        with subtests.test(relation=relation):
            actor, tid, group = _reader(world, relation)
            outputs = []
            # The showcase, for anyone: only what is public, the same whoever reads.
            for probed_kind, probes in SHOWCASE_PROBES.items():
                at = level if probed_kind == kind else "private"
                for probe in probes:
                    shown, output = probe(world, actor, tid, group)
                    outputs.append(output)
                    assert shown is (at == "public"), f"showcase: {relation} reading {probed_kind} at {at}"
            assert not _mentions(outputs, TARGET_EMAIL), "the showcase shows a non-consenting e-mail"
            assert not _mentions(outputs, TARGET_CONTACT), "the showcase names a non-consenting member"
            assert not _mentions(outputs, FREE_TEXT), "the showcase shows a free-text answer"
            if level != "public":
                assert not _mentions(outputs, TARGET), "the showcase names a territory publishing nothing"
            if relation in REFUSED_RELATIONS:
                for probe in ALL_PROBES:
                    with pytest.raises(PermissionDenied):
                        probe(world, actor, tid, group)
                continue
            # Every kind is checked: the one shared at ``level``, and the two others, private.
            for probed_kind, probes in PROBES.items():
                at = level if probed_kind == kind else "private"
                for probe in probes:
                    shown, output = probe(world, actor, tid, group)
                    outputs.append(output)
                    if shown is not None:
                        assert shown is reach[at], (
                            f"{probe.__name__}: {relation} reading {probed_kind} at {at}"
                        )
            if not reach[level]:
                # Nothing of the target at all, in any output of any service.
                assert not _mentions(outputs, TARGET), f"{relation} learns the target's name"
                assert not _mentions(outputs, TARGET_EMAIL), f"{relation} learns a member's e-mail"


def test_an_unshared_territory_counts_in_a_spread_of_three_without_its_name_page_or_export(engine):
    mine, target, quiet = (make_territory(engine, n) for n in ("Mon-Bourg", TARGET, "Discrète"))
    share_nothing(engine, target)
    share_nothing(engine, quiet)
    group = make_peer_group(engine, "Trio", [mine, target, quiet])
    for tid, level in ((mine, 1), (target, 4), (quiet, 2)):
        make_assessment(engine, tid, level)
    reader = make_actor(engine, Role.CONTRIBUTOR, mine)
    scope = svc.Scope(group_id=group)

    data = svc.compare(engine, reader, mine, scope)
    export = svc.comparison_csv(engine, reader, mine, scope)

    assert (data.counted, data.unnamed) == (3, 2)
    assert data.spread.set_index("axis_id").loc["engagement", "maximum"] == 4  # counted...
    assert not _mentions(data, TARGET) and TARGET.encode() not in export  # ...never named
    assert not _mentions(data, "Discrète")


def test_two_territories_and_a_lone_unnamed_one_give_no_spread_at_all(engine):
    mine, target = make_territory(engine, "Mon-Bourg"), make_territory(engine, TARGET)
    share_nothing(engine, target)
    group = make_peer_group(engine, "Duo", [mine, target])
    for tid in (mine, target):
        make_assessment(engine, tid, 3)
    reader = make_actor(engine, Role.READER, mine)
    data = svc.compare(engine, reader, mine, svc.Scope(group_id=group))
    export = svc.comparison_csv(engine, reader, mine, svc.Scope(group_id=group))
    assert data.spread is None and not _mentions(data, TARGET) and TARGET.encode() not in export
    assert b"group" not in export  # no spread row either
