"""Who could be recognised in the results of an anonymous campaign, and how they are hidden:
one rule for the results screen, the CSV and XLSX exports, and the reports to come.

The rule: in an anonymous campaign no figure by role rests on fewer than ``MIN_GROUP``
responses. Roles with fewer responses are pooled into one group (``POOLED``). A pool that is
itself too small would single its members out ("the only one who is not an inhabitant"), so
the smallest named roles join it until it holds ``MIN_GROUP`` responses — or until everyone
is in it, when results are simply those of every respondent, with no role named.

The unit is the response, not the answer: a group of responses large enough to hide in stays
so on every question, even one that few of them answered (an export row is a whole response).

Grouping is decided on the whole campaign first, then again on the period shown: a role pooled
over the campaign is never named in a period, so comparing two periods (or a period with the
whole) cannot single out the one respondent who answered in between. Exports of an anonymous
campaign give the day of an answer, never its time, and number their rows instead of giving
the response ids, which follow the order in which answers were started.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MIN_GROUP = 3
POOLED = "_pooled"


@dataclass(frozen=True)
class RoleGroups:
    """How respondents' roles are shown: as themselves, or as ``POOLED``."""

    anonymous: bool = False
    pooled: frozenset[str] = frozenset()

    def of(self, role: str) -> str:
        return POOLED if role in self.pooled else role


NAMED = RoleGroups()  # a named campaign: every role shown as it is


def role_groups(
    campaign: Mapping[str, int],
    shown: Mapping[str, int] | None = None,
    *,
    order: Sequence[str] = (),
    minimum: int = MIN_GROUP,
) -> RoleGroups:
    """The grouping of an anonymous campaign, from its submitted responses per role over the
    whole ``campaign`` and over the period ``shown`` (the whole campaign when None). ``order``
    (the framework's roles) breaks ties: among equally small roles the last one joins first."""
    pooled = _pool(campaign, frozenset(), order, minimum)
    if shown is not None:
        pooled = _pool(shown, pooled, order, minimum)
    return RoleGroups(anonymous=True, pooled=pooled)


def _pool(
    counts: Mapping[str, int], pooled: frozenset[str], order: Sequence[str], minimum: int
) -> frozenset[str]:
    rank = {role: i for i, role in enumerate(order)}
    chosen = set(pooled) | {role for role, n in counts.items() if 0 < n < minimum}
    size = sum(counts.get(role, 0) for role in chosen)
    named = sorted(
        (n, -rank.get(role, len(rank)), role) for role, n in counts.items() if role not in chosen and n > 0
    )
    for n, _, role in named:
        if size == 0 or size >= minimum:
            break
        chosen.add(role)
        size += n
    return frozenset(chosen)
