"""Who may see another territory's data: the one sharing rule every reader calls.

A territory's admin sets one level per kind of data. Whoever reads a territory's data
(a page, an export, a report, the public showcase later) asks :func:`may_see` with the
reader's relation to that territory; nothing else decides. Pure rules: no SQL, no Streamlit.

Levels, from the most closed: *private* (members of the territory), *peers* (members of the
territories of its peer groups), *network* (every logged-in member of the network), *public*
(anyone, logged out included: the showcase, ``lib.services.showcase``). Only the kinds of
``PUBLIC_KINDS`` may be public; nothing is public by default.

Coordinators run the network and may already open every territory's journey and results
(``lib.access``): they see everything, named.

Counted without a name
----------------------
A territory that does not share a kind of data with the reader may still count, without its
name, in an aggregate (median, quartiles, minimum, maximum) — never in one of fewer than
``MIN_TERRITORIES`` territories, and never as the only unnamed one: alone among named
territories whose figures the reader sees, its own figures could be worked back from a
minimum, a maximum or a median. :func:`aggregate_members` applies both rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Level(StrEnum):
    PRIVATE = "private"
    PEERS = "peers"
    NETWORK = "network"
    PUBLIC = "public"


class Kind(StrEnum):
    ASSESSMENTS = "assessments"  # self-assessments: levels, comments, axis scores
    JOURNEY = "journey"  # milestones and their stories
    FEEDBACK = "feedback"  # feedback campaigns' results
    INDICATORS = "indicators"  # indicator values and targets (issue 18)


# Peers see assessments, stories and indicators unless the admin says otherwise; results stay
# at home.
DEFAULT_LEVELS: dict[Kind, Level] = {
    Kind.ASSESSMENTS: Level.PEERS,
    Kind.JOURNEY: Level.PEERS,
    Kind.FEEDBACK: Level.PRIVATE,
    Kind.INDICATORS: Level.PEERS,
}

# What a territory may publish on the showcase. Indicators stay among members: their values
# come with targets and sources a territory has not written for the outside world.
PUBLIC_KINDS = frozenset({Kind.JOURNEY, Kind.ASSESSMENTS, Kind.FEEDBACK})


def levels_for(kind: Kind | str) -> list[Level]:
    """The levels a territory may choose for ``kind``, the most closed first."""
    return [level for level in Level if level is not Level.PUBLIC or Kind(kind) in PUBLIC_KINDS]


# An aggregate over fewer territories is not shown at all.
MIN_TERRITORIES = 3
# Territories counted without their name: none, or at least this many together.
MIN_UNNAMED = 2


class Relation(StrEnum):
    """What the reader is to the territory whose data is read."""

    OWN = "own"  # a member of that territory
    COORDINATOR = "coordinator"  # a coordinator of the network
    PEER = "peer"  # a member of a territory sharing a peer group with it
    NETWORK = "network"  # a member of another territory of the network
    VISITOR = "visitor"  # logged out, a share-link respondent, or logged in without membership


# The most closed level each relation reaches.
_ORDER = (Level.PRIVATE, Level.PEERS, Level.NETWORK, Level.PUBLIC)
_REACH: dict[Relation, Level] = {
    Relation.OWN: Level.PRIVATE,
    Relation.COORDINATOR: Level.PRIVATE,
    Relation.PEER: Level.PEERS,
    Relation.NETWORK: Level.NETWORK,
    Relation.VISITOR: Level.PUBLIC,
}


def reaches(relation: Relation, level: Level | str) -> bool:
    """Whether a reader in ``relation`` sees data shared at ``level``."""
    return _ORDER.index(Level(level)) >= _ORDER.index(_REACH[relation])


@dataclass(frozen=True)
class Viewer:
    """The reader, as the sharing rule needs them: built by the service from the actor."""

    coordinator: bool = False
    own: frozenset[int] = frozenset()  # territories they are a member of
    peers: frozenset[int] = frozenset()  # territories sharing a peer group with one of them

    @property
    def is_member(self) -> bool:
        return self.coordinator or bool(self.own)


VISITOR = Viewer()


def relation(viewer: Viewer, territory_id: int) -> Relation:
    if territory_id in viewer.own:
        return Relation.OWN
    if viewer.coordinator:
        return Relation.COORDINATOR
    if territory_id in viewer.peers:
        return Relation.PEER
    if viewer.own:
        return Relation.NETWORK
    return Relation.VISITOR


def may_see(viewer: Viewer, territory_id: int, level: Level | str) -> bool:
    """THE rule: may this reader see this territory's data of a kind shared at ``level``?"""
    return reaches(relation(viewer, territory_id), level)


def levels_with_defaults(chosen: Mapping[str, str]) -> dict[Kind, Level]:
    """A territory's level for every kind: what its admin chose, else the default."""
    return {kind: Level(chosen.get(kind, DEFAULT_LEVELS[kind])) for kind in Kind}


def visible(viewer: Viewer, levels: Mapping[int, Level | str]) -> list[int]:
    """The territories (of ``{territory_id: level}``) whose data this reader may see, in order."""
    return [tid for tid, level in levels.items() if may_see(viewer, tid, level)]


@dataclass(frozen=True)
class AggregateMembers:
    """Which territories an aggregate counts, and which of them may be named to this reader."""

    named: list[int] = field(default_factory=list)
    unnamed: list[int] = field(default_factory=list)
    left_out: list[int] = field(default_factory=list)  # a lone unnamed territory

    @property
    def counted(self) -> list[int]:
        return self.named + self.unnamed

    @property
    def shown(self) -> bool:
        return len(self.counted) >= MIN_TERRITORIES


def aggregate_members(
    viewer: Viewer, levels: Mapping[int, Level | str], with_data: Iterable[int] | None = None
) -> AggregateMembers:
    """Split the territories of an aggregate (``{territory_id: level}`` for the kind of data
    aggregated) into named and unnamed; ``with_data`` narrows it to those holding data.

    An unnamed territory alone would be exposed by the aggregate: it is then left out.
    """
    keep = set(levels) if with_data is None else set(with_data) & set(levels)
    named = [tid for tid in levels if tid in keep and may_see(viewer, tid, levels[tid])]
    unnamed = [tid for tid in levels if tid in keep and tid not in named]
    if 0 < len(unnamed) < MIN_UNNAMED:
        return AggregateMembers(named=named, unnamed=[], left_out=unnamed)
    return AggregateMembers(named=named, unnamed=unnamed)
