"""The sharing rule and the peers' pure rules, on small cases worked out by hand."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from lib.domain import peers
from lib.domain.sharing import (
    DEFAULT_LEVELS,
    VISITOR,
    Kind,
    Level,
    Relation,
    Viewer,
    aggregate_members,
    levels_for,
    levels_with_defaults,
    may_see,
    reaches,
    relation,
)

# Who reads data shared at each level, written out rather than derived from the code.
REACH = """
relation     private peers network public
own          Y       Y     Y       Y
coordinator  Y       Y     Y       Y
peer         n       Y     Y       Y
network      n       n     Y       Y
visitor      n       n     n       Y
"""


def _reach_table() -> dict[tuple[str, str], bool]:
    header, *rows = [line.split() for line in REACH.strip().splitlines()]
    return {
        (row[0], level): cell == "Y" for row in rows for level, cell in zip(header[1:], row[1:], strict=True)
    }


@pytest.mark.parametrize(("who", "level"), list(_reach_table()))
def test_each_relation_sees_exactly_the_levels_shared_with_it(who, level):
    assert reaches(Relation(who), level) is _reach_table()[(who, level)]


def test_a_reader_is_related_to_a_territory_by_membership_then_peer_group_then_network():
    viewer = Viewer(own=frozenset({1}), peers=frozenset({2}))
    assert relation(viewer, 1) is Relation.OWN
    assert relation(viewer, 2) is Relation.PEER
    assert relation(viewer, 3) is Relation.NETWORK
    assert relation(Viewer(coordinator=True), 3) is Relation.COORDINATOR
    assert relation(VISITOR, 1) is Relation.VISITOR


def test_logged_out_readers_see_nothing_even_shared_with_the_whole_network():
    assert not may_see(VISITOR, 1, Level.NETWORK)
    assert may_see(VISITOR, 1, Level.PUBLIC)


def test_indicators_can_never_be_made_public_and_nothing_is_public_by_default():
    assert Level.PUBLIC not in levels_for(Kind.INDICATORS)
    assert all(Level.PUBLIC in levels_for(k) for k in (Kind.JOURNEY, Kind.ASSESSMENTS, Kind.FEEDBACK))
    assert Level.PUBLIC not in DEFAULT_LEVELS.values()


def test_unchosen_levels_fall_back_to_peers_for_assessments_stories_and_indicators_and_private_for_results():
    assert DEFAULT_LEVELS == {
        Kind.ASSESSMENTS: "peers",
        Kind.JOURNEY: "peers",
        Kind.FEEDBACK: "private",
        Kind.INDICATORS: "peers",
    }
    assert levels_with_defaults({"feedback": "network"}) == {
        Kind.ASSESSMENTS: Level.PEERS,
        Kind.JOURNEY: Level.PEERS,
        Kind.FEEDBACK: Level.NETWORK,
        Kind.INDICATORS: Level.PEERS,
    }


PEER = Viewer(own=frozenset({1}), peers=frozenset({2, 3, 4, 5}))


def test_territories_that_do_not_share_count_without_their_name_when_two_or_more():
    split = aggregate_members(PEER, {1: "private", 2: "peers", 3: "private", 4: "private"})
    assert (split.named, split.unnamed, split.left_out) == ([1, 2], [3, 4], [])
    assert split.shown  # four territories counted


def test_a_lone_territory_that_does_not_share_is_left_out_of_the_aggregate():
    # Beside named territories whose scores the reader sees, its own would show in a min or max.
    split = aggregate_members(PEER, {1: "private", 2: "peers", 3: "network", 4: "private"})
    assert (split.named, split.unnamed, split.left_out) == ([1, 2, 3], [], [4])
    assert split.counted == [1, 2, 3] and split.shown


def test_no_aggregate_is_shown_over_fewer_than_three_territories():
    assert not aggregate_members(PEER, {1: "private", 2: "peers"}).shown
    # Territories without data do not count towards the three.
    assert not aggregate_members(PEER, {1: "private", 2: "peers", 3: "peers"}, with_data={1, 2}).shown
    assert aggregate_members(PEER, {1: "private", 2: "peers", 3: "peers"}, with_data={1, 2, 3}).shown


def test_a_coordinator_names_every_territory_of_an_aggregate():
    split = aggregate_members(Viewer(coordinator=True), {1: "private", 2: "private", 3: "peers"})
    assert split.named == [1, 2, 3] and split.unnamed == []


# --- progress and "who can help me" ----------------------------------------------------------


def test_progress_is_measured_from_the_latest_assessment_two_years_before_the_latest():
    dated = [(1, date(2020, 1, 10)), (2, date(2021, 6, 1)), (3, date(2022, 6, 1)), (4, date(2024, 1, 15))]
    # 2024-01-15 minus 730 days is 2022-01-15: 2021-06-01 is the latest assessment before it.
    assert peers.baseline(dated) == (4, 2)


def test_progress_is_measured_from_the_first_assessment_when_there_are_not_two_years():
    assert peers.baseline([(7, date(2024, 1, 1)), (8, date(2024, 9, 1))]) == (8, 7)
    assert peers.baseline([(9, date(2024, 9, 1))]) == (9, None)


def test_progress_says_how_much_and_over_how_many_months():
    p = peers.progress((date(2024, 6, 1), 3.5), (date(2022, 6, 1), 2.0))
    assert (p.latest, p.change, p.months) == (3.5, 1.5, 24)
    alone = peers.progress((date(2024, 6, 1), 3.0), None)
    assert (alone.change, alone.months) == (0.0, None)


def _candidate(tid, name, latest, change, same_group=False):
    since = (date(2022, 1, 1), latest - change) if change else None
    return peers.Candidate(tid, name, peers.progress((date(2024, 1, 1), latest), since), same_group)


def test_helpers_are_ranked_by_score_plus_progress_then_score_then_group_then_name():
    candidates = [
        _candidate(1, "Ancré-sans-bouger", 4.0, 0.0),  # merit 4.0
        _candidate(2, "Grimpeur", 3.0, 2.0),  # merit 5.0
        _candidate(3, "Bis", 3.5, 0.5, same_group=False),  # merit 4.0, lower score than 1
        _candidate(4, "Voisin", 3.5, 0.5, same_group=True),  # merit 4.0, same score as 3, in my group
        _candidate(5, "Trop-près", 1.4, 1.4),  # merit 2.8 but less than half a level above me
    ]
    ranked = peers.rank_helpers(1.0, candidates, limit=10)
    assert [c.name for c in ranked] == ["Grimpeur", "Ancré-sans-bouger", "Voisin", "Bis"]
    assert [c.name for c in peers.rank_helpers(1.0, candidates)] == [
        "Grimpeur",
        "Ancré-sans-bouger",
        "Voisin",
    ]


def test_a_territory_that_slid_back_loses_merit():
    sliding = _candidate(1, "Recul", 3.0, -1.0)  # from 4 down to 3: merit 2.0
    steady = _candidate(2, "Stable", 2.5, 0.0)  # merit 2.5
    assert [c.name for c in peers.rank_helpers(1.0, [sliding, steady])] == ["Stable", "Recul"]


def test_weakest_spots_are_the_lowest_scores_ties_in_framework_order():
    scores = {"a": 2.0, "b": 1.0, "c": None, "d": 1.0, "e": 3.0}
    assert peers.weakest(scores, ["a", "b", "c", "d", "e"], 2) == ["b", "d"]
    assert peers.weakest(scores, ["a", "d", "b", "c", "e"], 3) == ["d", "b", "a"]


# --- phases side by side ---------------------------------------------------------------------


def _span(tid, phase, first, milestones=1):
    return SimpleNamespace(territory_id=tid, phase=phase, first=first, milestones=milestones)


def test_a_phase_lasts_until_the_next_reached_phase_starts_and_the_last_is_ongoing():
    spans = [
        _span(1, "groundwork", date(2021, 3, 1), 2),
        _span(1, "impulse", date(2020, 1, 1)),
        _span(1, "town_project", date(2022, 9, 1)),
        _span(2, "impulse", date(2023, 5, 1)),
        _span(2, "mystery", date(2023, 6, 1)),  # unknown to the framework: left out
    ]
    order = ["impulse", "groundwork", "town_project", "generalisation", "transferability"]
    frame = peers.phase_periods(spans, order, today=date(2024, 1, 1))
    rows = [
        tuple(r)
        for r in frame[["territory_id", "phase", "start", "end", "ongoing", "days"]].itertuples(index=False)
    ]
    assert rows == [
        (1, "impulse", date(2020, 1, 1), date(2021, 3, 1), False, 425),
        (1, "groundwork", date(2021, 3, 1), date(2022, 9, 1), False, 549),
        (1, "town_project", date(2022, 9, 1), date(2024, 1, 1), True, 487),
        (2, "impulse", date(2023, 5, 1), date(2024, 1, 1), True, 245),
    ]


def test_population_bands_cover_every_size_without_overlap():
    assert peers.population_range("under_2k") == (None, 2_000)
    assert peers.population_range("2k_10k") == (2_000, 10_000)
    with pytest.raises(KeyError):
        peers.population_range("huge")
