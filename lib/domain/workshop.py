"""A live workshop's rules: which questions a room can answer, what the room's screen may show
by role, and when two roles see a question differently enough to say so.

Pure: the service hands in what SQL counted (answers per role and value), nothing is read here.

Anonymity (decision 0010, applied live): a workshop is anonymous. No figure by role rests on
fewer than ``MIN_GROUP`` people: such a role is said to count "fewer than 3", and its answers
are pooled with the other small roles by ``lib.domain.anonymity.role_groups`` — the same rule
as the results page, so the pool is never itself small enough to single anyone out. The whole
room's distribution is always shown: the facilitator decides when (reveal mode).

The gap between roles: for a scale, the spread between the highest and the lowest role mean
over the scale's width (as ``feedback_analytics.perception_gaps``); for a choice, the largest
difference between two roles in the share choosing one option. The pool is no role: it is
left out. Above ``GAP_THRESHOLD`` the room's screen highlights it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lib.domain.anonymity import MIN_GROUP, POOLED, role_groups
from lib.domain.forms import FormTemplate, Question
from lib.domain.question_types import MULTIPLE_CHOICE, SCALE, SHORT_TEXT, SINGLE_CHOICE

# What a phone can answer in a few seconds: a point on a scale, a choice, one word.
LIVE_TYPES = (SCALE, SINGLE_CHOICE, MULTIPLE_CHOICE, SHORT_TEXT)
MAX_QUESTIONS = 20
# A quarter of a scale (one point on 1–5) or 30 points of share between two roles: a difference
# a room can see and talk about, not noise.
GAP_THRESHOLD = 0.25
CHOICE_GAP_THRESHOLD = 0.30
WORDS_SHOWN = 12
_WORD = re.compile(r"[\w’'-]+", re.UNICODE)


def live_questions(template: FormTemplate) -> tuple[Question, ...]:
    """The questions of a template a workshop may ask, in the template's order."""
    return tuple(q for q in template.questions if q.type in LIVE_TYPES)


@dataclass(frozen=True)
class Joined:
    """Who is in the room: the total, and per role either a count or "fewer than 3"."""

    total: int
    counts: dict[str, int]  # roles with at least MIN_GROUP people
    fewer: tuple[str, ...]  # roles with 1 or 2 people: shown as "fewer than 3"


def joined(by_role: Mapping[str, int], order: Sequence[str]) -> Joined:
    ranked = _ranked(by_role, order)
    return Joined(
        total=sum(by_role.values()),
        counts={r: by_role[r] for r in ranked if by_role[r] >= MIN_GROUP},
        fewer=tuple(r for r in ranked if 0 < by_role[r] < MIN_GROUP),
    )


@dataclass(frozen=True)
class Group:
    """One role (or ``POOLED``) on the room's screen: how many answered, answers per value."""

    role: str
    answered: int
    counts: dict[Any, int]
    mean: float | None = None


@dataclass(frozen=True)
class Gap:
    high: str
    low: str
    size: float  # points of the scale, or a share (0–1) of a choice
    share: float  # size over the scale's width; the share itself for a choice
    option: str | None = None  # the option the roles differ on (choice questions)

    @property
    def flagged(self) -> bool:
        return self.share >= (CHOICE_GAP_THRESHOLD if self.option is not None else GAP_THRESHOLD)


@dataclass(frozen=True)
class LiveResults:
    question_id: str
    answered: int
    overall: dict[Any, int]  # value (scale point, option id, word) -> answers
    mean: float | None
    groups: tuple[Group, ...] = ()  # named roles, then the pool when there is one
    fewer: tuple[str, ...] = ()  # roles answering with 1 or 2 people
    gap: Gap | None = None
    texts: tuple[tuple[str, int], ...] = field(default_factory=tuple)  # short text: top words


def live_results(
    question: Question,
    rows: Iterable[tuple[str, Any, int]],
    answerers: Mapping[str, int],
    order: Sequence[str],
) -> LiveResults:
    """The room's figures for one question. ``rows``: ``(role, value, answers)`` as SQL counted
    the stored answer rows (a multiple choice has one per option chosen); ``answerers``: how
    many people of each role answered it."""
    rows = list(rows)
    groups_rule = role_groups(answerers, order=order)
    everyone_pooled = bool(answerers) and all(r in groups_rule.pooled for r in answerers if answerers[r])
    overall: Counter = Counter()
    by_group: dict[str, Counter] = {}
    for role, value, n in rows:
        key = _value_key(question, value)
        if key is None:
            continue
        for k in key:
            overall[k] += n
            by_group.setdefault(groups_rule.of(role), Counter())[k] += n
    answered = sum(answerers.values())
    group_sizes: Counter = Counter()
    for role, n in answerers.items():
        group_sizes[groups_rule.of(role)] += n
    groups: list[Group] = []
    if not everyone_pooled:
        for role in [*_ranked(answerers, order), POOLED]:
            if role not in group_sizes or (role != POOLED and role in groups_rule.pooled):
                continue
            if role == POOLED and not groups_rule.pooled:
                continue
            counts = dict(by_group.get(role, {}))
            groups.append(Group(role, group_sizes[role], counts, _mean(question, counts)))
    texts: tuple[tuple[str, int], ...] = ()
    if question.type == SHORT_TEXT:
        texts = tuple(sorted(overall.items(), key=lambda kv: (-kv[1], kv[0]))[:WORDS_SHOWN])
    return LiveResults(
        question_id=question.id,
        answered=answered,
        overall=dict(overall),
        mean=_mean(question, overall),
        groups=tuple(groups),
        fewer=tuple(r for r in _ranked(answerers, order) if 0 < answerers[r] < MIN_GROUP),
        gap=_gap(question, [g for g in groups if g.role != POOLED]),
        texts=texts,
    )


def _ranked(counts: Mapping[str, int], order: Sequence[str]) -> list[str]:
    rank = {r: i for i, r in enumerate(order)}
    return sorted((r for r in counts if counts[r] > 0), key=lambda r: (rank.get(r, len(rank)), r))


def _value_key(question: Question, value: Any) -> tuple[Any, ...] | None:
    """What one stored answer row counts for: a scale point, an option, the words of a text."""
    if value is None:
        return None
    if question.type == SCALE:
        return (int(value),)
    if question.type == SHORT_TEXT:
        words = [w.strip("’'-").lower() for w in _WORD.findall(str(value))]
        # One word per answer is the point ("in one word…"); a longer answer counts whole.
        text = " ".join(w for w in words if w)
        return (text,) if text else None
    return (str(value),)


def _mean(question: Question, counts: Mapping[Any, int]) -> float | None:
    if question.type != SCALE or not counts:
        return None
    n = sum(counts.values())
    return sum(float(v) * c for v, c in counts.items()) / n if n else None


def _gap(question: Question, groups: Sequence[Group]) -> Gap | None:
    if len(groups) < 2:
        return None
    if question.type == SCALE:
        scored = [g for g in groups if g.mean is not None]
        if len(scored) < 2:
            return None
        high = max(scored, key=lambda g: g.mean)
        low = min(scored, key=lambda g: g.mean)
        width = float(question.max - question.min) or 1.0
        size = high.mean - low.mean
        return Gap(high.role, low.role, size, size / width)
    if question.type in (SINGLE_CHOICE, MULTIPLE_CHOICE):
        best: Gap | None = None
        for option in question.option_ids:
            shares = [(g.counts.get(option, 0) / g.answered, g.role) for g in groups if g.answered]
            if len(shares) < 2:
                continue
            (hi, hi_role), (lo, lo_role) = max(shares), min(shares)
            if best is None or hi - lo > best.share:
                best = Gap(hi_role, lo_role, hi - lo, hi - lo, option=option)
        return best
    return None
