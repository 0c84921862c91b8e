"""The network's data version (``lib.store.stamps``, migration 0011) and the caches keyed on it:
two app processes on one database, each with its own caches (``lib.services.cache``), see
each other's writes on their next rerun — the services' writes and hand-typed SQL alike —
and a value cached for one reader never reaches a reader without the right to it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib.access import Role
from lib.domain.errors import PermissionDenied
from lib.domain.framework import load_framework
from lib.services import cache, feedback, identity, peers, steering
from lib.store import stamps, tables
from lib.store.db import PG_SCHEMA, is_postgres, make_engine
from tests.factories import (
    axis_levels,
    make_actor,
    make_assessment,
    make_campaign,
    make_membership,
    make_peer_group,
    make_person,
    make_territory,
    set_sharing,
    share_nothing,
)

MOOD = {"mood": 4, "topics": ["energy"], "story": "Bien"}


def _stamp(engine: Engine) -> int:
    with engine.connect() as conn:
        return stamps.network_version(conn)


def test_every_table_the_network_screens_count_moves_the_stamp_by_trigger(engine):
    with engine.connect() as conn:
        if is_postgres(engine):
            found = conn.execute(
                sa.text(
                    "select distinct event_object_table from information_schema.triggers "
                    "where trigger_schema = :s and trigger_name like 'network_version%'"
                ),
                {"s": PG_SCHEMA},
            ).scalars()
        else:
            found = conn.execute(
                sa.text(
                    "select distinct tbl_name from sqlite_master "
                    "where type = 'trigger' and name like 'network_version_%'"
                )
            ).scalars()
        # A migration that rebuilds one of these tables on SQLite drops its triggers: caught here.
        assert set(found) == set(stamps.WATCHED_TABLES)


def test_a_draft_leaves_the_stamp_alone_and_its_submission_moves_it(engine):
    territory = make_territory(engine, "Loos-en-Gohelle")
    _, token = make_campaign(engine, territory)
    before = _stamp(engine)
    draft = feedback.start_response(engine, token, "elected_official")
    assert _stamp(engine) == before  # nobody else sees a draft: every cached figure still holds
    feedback.submit_response(engine, token, draft.resume_code, MOOD)
    assert _stamp(engine) > before


@pytest.fixture
def two_processes(engine: Engine):
    """Two engines on the same database (the second opened from the first's URL), and two
    sets of caches: process A's and process B's."""
    other = make_engine(engine.url.render_as_string(hide_password=False))
    yield (engine, cache.Caches()), (other, cache.Caches())
    other.dispose()


def _in(process, call, *args, **kwargs):
    engine, caches = process
    with cache.using(caches):
        return call(engine, *args, **kwargs)


def _responses(view: steering.Overview) -> int:
    return next(f.value for f in view.figures if f.code == "responses")


def test_network_steering_counts_on_its_next_rerun_what_another_process_wrote(two_processes):
    a, b = two_processes
    territory = make_territory(a[0], "Loos-en-Gohelle")
    coordinator = make_actor(a[0], Role.COORDINATOR, None)
    _, token = make_campaign(a[0], territory)

    first = _in(a, steering.overview, coordinator)
    assert _responses(first) == 0 and len(first.territories) == 1
    assert _responses(_in(a, steering.overview, coordinator)) == 0
    assert (a[1].network.misses, a[1].network.hits) == (1, 1)  # the second rerun came from the cache

    # A draft started through B changes nothing the coordinator sees: A still reads its cache.
    draft = _in(b, feedback.start_response, token, "elected_official")
    assert _responses(_in(a, steering.overview, coordinator)) == 0
    assert a[1].network.hits == 2

    # Someone submits through process B's share link: A counts it on its very next rerun.
    _in(b, feedback.submit_response, token, draft.resume_code, MOOD)
    assert _responses(_in(a, steering.overview, coordinator)) == 1
    assert a[1].network.misses == 2

    # A territory typed in by hand on B's connection, around every service: seen at once too.
    with b[0].begin() as conn:
        conn.execute(sa.insert(tables.territory).values(slug="grigny", name="Grigny", kind="commune"))
    assert len(_in(a, steering.overview, coordinator).territories) == 2
    assert set(_in(a, steering.coverage, coordinator)["name"]) == {"Loos-en-Gohelle", "Grigny"}


def test_a_cached_view_cannot_be_changed_by_the_page_that_reads_it(engine):
    make_territory(engine, "Loos-en-Gohelle")
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    view = steering.overview(engine, coordinator)
    view.territories.loc[:, "name"] = "Changé"
    view.figures.clear()
    again = steering.overview(engine, coordinator)
    assert list(again.territories["name"]) == ["Loos-en-Gohelle"] and len(again.figures) == 4
    assert cache.caches().network.hits == 1


def test_a_territory_admin_is_refused_the_network_view_a_coordinator_left_in_the_cache(engine):
    territory = make_territory(engine, "Loos-en-Gohelle")
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    admin = make_actor(engine, Role.TERRITORY_ADMIN, territory)
    steering.overview(engine, coordinator)
    steering.coverage(engine, coordinator)
    steering.activity_map(engine, coordinator)
    steering.filter_choices(engine, coordinator)
    for call in (steering.overview, steering.coverage, steering.activity_map, steering.filter_choices):
        with pytest.raises(PermissionDenied):
            call(engine, admin)


@pytest.fixture
def cohort(engine):
    """Mon-Bourg is weak on engagement (1); Ardoise (peers, same group) and Chanvre-Secret
    (private, same group) are strong there (4)."""
    fw = load_framework()
    base = {axis.id: 2 for axis in fw.axes}
    mine = make_territory(engine, "Mon-Bourg")
    ardoise = make_territory(engine, "Ardoise")
    secret = make_territory(engine, "Chanvre-Secret")
    share_nothing(engine, secret)
    make_peer_group(engine, "Cohorte", [mine, ardoise, secret])
    make_assessment(engine, mine, axis_levels(fw, **(base | {"engagement": 1})))
    make_assessment(engine, ardoise, axis_levels(fw, **(base | {"engagement": 4})))
    make_assessment(engine, secret, axis_levels(fw, **(base | {"engagement": 4})))
    return mine, ardoise, secret


def _helpers(answer: peers.HelpAnswer) -> set[str]:
    return {h.name for spot in answer.spots if spot.id == "engagement" for h in spot.helpers}


def test_who_can_help_sees_at_once_a_sharing_level_changed_by_another_process(two_processes, cohort):
    a, b = two_processes
    mine, ardoise, _ = cohort
    reader = make_actor(a[0], Role.READER, mine)
    assert _helpers(_in(a, peers.who_can_help, reader, mine)) == {"Ardoise"}
    assert _helpers(_in(a, peers.who_can_help, reader, mine)) == {"Ardoise"}
    assert (a[1].network.misses, a[1].network.hits) == (1, 1)

    set_sharing(b[0], ardoise, assessments="private")  # plain SQL through process B's engine
    assert _helpers(_in(a, peers.who_can_help, reader, mine)) == set()


def test_who_can_help_never_hands_one_readers_cached_answer_to_a_reader_who_may_see_less(engine, cohort):
    mine, _, secret = cohort
    # Both read Mon-Bourg; only the first is also a member of Chanvre-Secret, whose private
    # self-assessments only its own members see.
    insider = make_person(engine)
    make_membership(engine, insider, mine, Role.READER)
    make_membership(engine, insider, secret, Role.READER)
    insider_actor = identity.load_actor(engine, insider)
    outsider = make_actor(engine, Role.READER, mine)

    assert _helpers(peers.who_can_help(engine, insider_actor, mine)) == {"Ardoise", "Chanvre-Secret"}
    assert _helpers(peers.who_can_help(engine, outsider, mine)) == {"Ardoise"}
    with pytest.raises(PermissionDenied):
        peers.who_can_help(engine, outsider, secret)
