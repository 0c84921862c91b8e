"""Two app processes on one database, each with its own caches (``lib.services.cache``): what
one writes, the other counts on its next rerun; a cached value never reaches someone without
the right to read it."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from lib.access import Role
from lib.domain.errors import PermissionDenied
from lib.services import cache, feedback
from lib.store.db import make_engine
from tests.factories import make_actor, make_campaign, make_response, make_territory

MOOD = {"mood": 4, "topics": ["energy"], "story": "Bien"}


@pytest.fixture
def two_processes(engine: Engine):
    """Two engines on the same database (the second opened from the first's URL), and two
    sets of caches: process A's and process B's."""
    other = make_engine(engine.url.render_as_string(hide_password=False))
    yield (engine, cache.Caches()), (other, cache.Caches())
    other.dispose()


def _results(process, actor, campaign_id):
    engine, caches = process
    with cache.using(caches):
        return feedback.results(engine, actor, campaign_id)


def test_a_response_submitted_through_one_process_is_counted_by_the_other_on_its_next_rerun(two_processes):
    a, b = two_processes
    engine = a[0]
    territory = make_territory(engine, "Loos-en-Gohelle")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, territory)
    campaign, token = make_campaign(engine, territory)
    for _ in range(3):
        make_response(engine, campaign, "local_agent", MOOD)

    assert _results(a, admin, campaign).submitted == 3
    assert _results(a, admin, campaign).submitted == 3
    assert (a[1].results.misses, a[1].results.hits) == (1, 1)  # the second rerun came from the cache
    assert _results(b, admin, campaign).submitted == 3

    # Someone answers through process B's share link.
    with cache.using(b[1]):
        draft = feedback.start_response(b[0], token, "elected_official")
        feedback.submit_response(b[0], token, draft.resume_code, MOOD)

    assert _results(a, admin, campaign).submitted == 4
    assert a[1].results.misses == 2  # computed afresh: the campaign's data version moved
    assert _results(b, admin, campaign).submitted == 4


def test_a_reader_of_one_territory_never_receives_anothers_cached_results(two_processes):
    a, _ = two_processes
    engine = a[0]
    here, there = make_territory(engine, "Ici"), make_territory(engine, "Là-bas")
    reader_here = make_actor(engine, Role.READER, here)
    reader_there = make_actor(engine, Role.READER, there)
    campaign_here, _ = make_campaign(engine, here)
    campaign_there, _ = make_campaign(engine, there)
    for _ in range(5):
        make_response(engine, campaign_here, "inhabitant", MOOD)
    make_response(engine, campaign_there, "inhabitant", MOOD)

    assert _results(a, reader_here, campaign_here).submitted == 5  # now in process A's cache
    with pytest.raises(PermissionDenied):
        _results(a, reader_there, campaign_here)
    theirs = _results(a, reader_there, campaign_there)
    assert theirs.submitted == 1
    assert theirs.campaign.territory_id == there
