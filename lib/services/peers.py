"""Peers: what a territory shares, and what its members see of the others.

Every function here that reads another territory's data builds the reader's ``Viewer`` and
asks ``lib.domain.sharing`` — the one sharing rule — which territories it may name, which
only count in an aggregate, and which stay out. Nothing is decided by a page. Nobody who is
logged out (a share-link respondent included) or without a membership reads anything here.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from lib.access import Action, Actor, can, require, require_anywhere, require_peer_group
from lib.domain import clock, forms, sharing
from lib.domain import feedback_analytics as fa
from lib.domain import peers as domain
from lib.domain.errors import FieldError, NotFound, ValidationFailed
from lib.domain.forms import FormTemplate, parse_template
from lib.domain.framework import Framework, load_framework
from lib.domain.journey import criterion_axis_map
from lib.domain.sharing import Kind, Level, Relation, Viewer
from lib.services import cache
from lib.services.journey import AxisPoint
from lib.services.unit_of_work import reading, writing
from lib.store import peers as store
from lib.store.activity import log_activity

# A territory that has not assessed itself for this long is flagged on the group page.
STALE_AFTER_DAYS = 365


# --- Who is reading ------------------------------------------------------------------------


def _viewer(conn: Connection, actor: Actor | None) -> Viewer:
    if actor is None or not (actor.is_coordinator or actor.territory_ids):
        return sharing.VISITOR
    own = frozenset(actor.territory_ids)
    return Viewer(coordinator=actor.is_coordinator, own=own, peers=frozenset(store.peer_ids(conn, own) - own))


def viewer_of(conn: Connection, actor: Actor | None) -> Viewer:
    """The reader as the sharing rule needs them, for the other services that read another
    territory's data (indicators): one way to build it."""
    return _viewer(conn, actor)


def _require_member(actor: Actor | None) -> Actor:
    """Peers' data is for members of the network: a coordinator or a member of a territory."""
    return require_anywhere(actor, Action.VIEW_TERRITORY)


def _levels(conn: Connection, kind: Kind, territory_ids: Sequence[int] | None = None) -> dict[int, Level]:
    rows = store.territories_with_level(conn, kind, sharing.DEFAULT_LEVELS[kind], territory_ids)
    return {r.id: Level(r.level) for r in rows}


# --- Sharing settings ----------------------------------------------------------------------


@dataclass(frozen=True)
class SharingChoice:
    kind: Kind
    level: Level
    chosen: bool  # False: nobody chose yet, the default applies
    updated_at: datetime | None = None
    updated_by: str | None = None


@dataclass(frozen=True)
class SharingSettings:
    territory_id: int
    choices: dict[Kind, SharingChoice]
    can_edit: bool

    def level(self, kind: Kind | str) -> Level:
        return self.choices[Kind(kind)].level


def sharing_settings(engine: Engine, actor: Actor | None, territory_id: int) -> SharingSettings:
    """What this territory shares, per kind of data: for its members to read, its admin to change."""
    require(actor, Action.VIEW_TERRITORY, territory_id)
    with reading(engine) as conn:
        rows = {r.kind: r for r in store.chosen_levels(conn, territory_id)}
    choices = {}
    for kind, level in sharing.levels_with_defaults({k: r.level for k, r in rows.items()}).items():
        row = rows.get(kind)
        choices[kind] = SharingChoice(
            kind=kind,
            level=level,
            chosen=row is not None,
            updated_at=row.updated_at if row else None,
            updated_by=row.updated_by if row else None,
        )
    return SharingSettings(territory_id, choices, can(actor, Action.MANAGE_SHARING, territory_id))


def newly_public(before: Mapping[Kind, Level], levels: Mapping[str, str | None]) -> list[Kind]:
    """The kinds these levels would put on the public showcase that are not there yet."""
    return [
        Kind(kind)
        for kind, level in levels.items()
        if level == Level.PUBLIC and kind in set(Kind) and before.get(Kind(kind)) != Level.PUBLIC
    ]


def set_sharing(
    engine: Engine,
    actor: Actor | None,
    territory_id: int,
    levels: Mapping[str, str | None],
    *,
    confirm_public: bool = False,
) -> SharingSettings:
    """Change what the territory shares; each change is written to the activity log.

    Putting a kind of data on the public showcase needs ``confirm_public``: the admin has seen
    the preview of what anyone will read and said yes (checked here, not only on the page)."""
    actor = require(actor, Action.MANAGE_SHARING, territory_id)
    errors: dict[str, FieldError] = {}
    for kind, level in levels.items():
        if kind not in set(Kind):
            errors[f"level.{kind}"] = FieldError("peers.error.unknown_kind")
        elif level not in set(sharing.levels_for(kind)):
            errors[f"level.{kind}"] = FieldError(forms.REQUIRED if not level else forms.NOT_OFFERED)
    if errors:
        raise ValidationFailed(errors)
    with writing(engine) as conn:
        before = sharing.levels_with_defaults(
            {r.kind: r.level for r in store.chosen_levels(conn, territory_id)}
        )
        if newly_public(before, levels) and not confirm_public:
            raise ValidationFailed({"confirm_public": FieldError("peers.error.confirm_public")})
        for kind, level in levels.items():
            if before[Kind(kind)] == level:
                continue
            store.set_level(conn, territory_id, kind, level, actor.person_id)
            log_activity(
                conn,
                person_id=actor.person_id,
                territory_id=territory_id,
                action="sharing.changed",
                subject_type="territory",
                subject_id=territory_id,
                details={"kind": kind, "from": before[Kind(kind)].value, "to": level},
            )
    return sharing_settings(engine, actor, territory_id)


# --- Contact opt-in ------------------------------------------------------------------------


def contact_consent(engine: Engine, actor: Actor | None) -> datetime | None:
    """When this person agreed to be contacted by peers (None: they did not)."""
    actor = _require_member(actor)
    with reading(engine) as conn:
        return store.consent_of(conn, actor.person_id)


def set_contact_consent(engine: Engine, actor: Actor | None, agreed: bool) -> datetime | None:
    """Give or withdraw one's own opt-in; only the person themselves can, and it is logged."""
    actor = _require_member(actor)
    with writing(engine) as conn:
        if store.set_consent(conn, actor.person_id, bool(agreed)):
            log_activity(
                conn,
                person_id=actor.person_id,
                territory_id=None,
                action="contact.consent_given" if agreed else "contact.consent_withdrawn",
                subject_type="person",
                subject_id=actor.person_id,
            )
        return store.consent_of(conn, actor.person_id)


def public_contact_consent(engine: Engine, actor: Actor | None) -> bool:
    """Whether this person also agreed to be shown as a contact on the public showcase."""
    actor = _require_member(actor)
    with reading(engine) as conn:
        return store.public_consent_of(conn, actor.person_id)


def set_public_contact_consent(engine: Engine, actor: Actor | None, agreed: bool) -> bool:
    """Give or withdraw one's own public opt-in, logged. It rides on the peers' opt-in: without
    it there is nothing to widen, and withdrawing that one withdraws this one too."""
    actor = _require_member(actor)
    with writing(engine) as conn:
        if agreed and store.consent_of(conn, actor.person_id) is None:
            raise ValidationFailed({"public": FieldError("peers.error.public_needs_peers")})
        if store.set_public_consent(conn, actor.person_id, bool(agreed)):
            log_activity(
                conn,
                person_id=actor.person_id,
                territory_id=None,
                action="contact.public_given" if agreed else "contact.public_withdrawn",
                subject_type="person",
                subject_id=actor.person_id,
            )
        return store.public_consent_of(conn, actor.person_id)


# --- Scopes: peer groups and a coordinator's filters ---------------------------------------


@dataclass(frozen=True)
class Group:
    id: int
    slug: str
    name: str
    description: str | None
    members: int


@dataclass(frozen=True)
class Scope:
    """What to compare with: one peer group, or (coordinators) territories by kind, region, size."""

    group_id: int | None = None
    kinds: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    population_band: str | None = None


def _group(row) -> Group:
    return Group(row.id, row.slug, row.name, row.description, int(row.members))


def in_a_peer_group(engine: Engine, actor: Actor | None) -> bool:
    """Whether the comparison page has something for this person (for the navigation)."""
    if actor is None:
        return False
    if actor.is_coordinator:
        return True
    with reading(engine) as conn:
        return store.in_any_group(conn, actor.territory_ids)


def comparison_groups(engine: Engine, actor: Actor | None, territory_id: int | None) -> list[Group]:
    """The groups to compare with: the territory's own, or every group for a coordinator."""
    actor = _require_member(actor)
    if actor.is_coordinator:
        with reading(engine) as conn:
            return [_group(r) for r in store.groups_of(conn, None)]
    require(actor, Action.VIEW_TERRITORY, territory_id)  # refuses a member naming no territory
    with reading(engine) as conn:
        return [_group(r) for r in store.groups_of(conn, [territory_id])]


def regions(engine: Engine, actor: Actor | None) -> list[str]:
    require(actor, Action.VIEW_NETWORK)
    with reading(engine) as conn:
        return store.regions(conn)


def _scope_ids(conn: Connection, actor: Actor, territory_id: int | None, scope: Scope) -> list[int]:
    """The territories of the scope this actor may compare with; refuses what they may not."""
    if not actor.is_coordinator:
        # A member compares their own territory with one of its groups, nothing else: a filter
        # over the whole network (kinds, regions, population) is a coordinator's view.
        require(actor, Action.VIEW_TERRITORY, territory_id)
        if scope.group_id is None or scope.kinds or scope.regions or scope.population_band:
            require(actor, Action.VIEW_NETWORK)
    if scope.group_id is not None:
        ids = store.group_member_ids(conn, scope.group_id)
        require_peer_group(actor, territory_id, ids)
        return ids
    population = domain.population_range(scope.population_band) if scope.population_band else None
    return store.territory_ids_matching(conn, kinds=scope.kinds, regions=scope.regions, population=population)


# --- Comparer avec les pairs ---------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A territory of the scope that this reader may name, with what it shares."""

    id: int
    name: str
    slug: str
    relation: Relation
    levels: dict[Kind, Level]
    is_mine: bool

    def shows(self, kind: Kind) -> bool:
        return sharing.reaches(self.relation, self.levels[kind])


@dataclass
class Comparison:
    territory_id: int | None  # the territory highlighted ("mine"), if any
    scope_size: int  # territories in the scope
    members: list[Member]  # those the reader may name, for at least one kind of data
    counted: int  # territories counted in the spread
    unnamed: int  # ... of which without their name
    left_out: int  # a lone unnamed territory, left out of the spread
    spread: pd.DataFrame | None  # axis_id, territories, minimum, q1, median, q3, maximum; None: < 3
    latest: (
        pd.DataFrame
    )  # named territories' latest scores: territory_id, name, assessed_on, axis_id, score, is_mine
    history: pd.DataFrame  # named territories' scores over time, same columns
    phases: pd.DataFrame  # phase periods of the journeys the reader may see, with ``name``
    milestones: pd.DataFrame  # their milestones: territory_id, name, occurred_on, phase, title
    journeys_hidden: int  # territories of the scope whose journey the reader may not see

    @property
    def mine(self) -> dict[str, float]:
        own = self.latest[self.latest["is_mine"]]
        return dict(zip(own["axis_id"], own["score"], strict=True))


_SCORE_COLUMNS = ["territory_id", "name", "assessment_id", "assessed_on", "axis_id", "score", "is_mine"]


def _members(
    conn: Connection, viewer: Viewer, ids: Sequence[int], mine: int | None
) -> tuple[list[Member], dict[int, dict[Kind, Level]]]:
    rows = store.territories_with_level(conn, Kind.ASSESSMENTS, sharing.DEFAULT_LEVELS[Kind.ASSESSMENTS], ids)
    chosen: dict[int, dict[str, str]] = {}
    for r in store.levels_of(conn, ids):
        chosen.setdefault(r.territory_id, {})[r.kind] = r.level
    levels = {r.id: sharing.levels_with_defaults(chosen.get(r.id, {})) for r in rows}
    members = []
    for r in rows:
        relation = sharing.relation(viewer, r.id)
        if any(sharing.reaches(relation, level) for level in levels[r.id].values()):
            members.append(Member(r.id, r.name, r.slug, relation, levels[r.id], r.id == mine))
    return members, levels


def _scores_frame(rows: Sequence, names: Mapping[int, str], mine: int | None) -> pd.DataFrame:
    # Built once from plain tuples: on a group's ten-year history, every pandas step costs.
    return pd.DataFrame(
        [
            (r.territory_id, names[r.territory_id], r.assessment_id, r.assessed_on, r.axis_id, float(r.score),
             r.territory_id == mine)
            for r in rows
            if r.territory_id in names
        ],
        columns=_SCORE_COLUMNS,
    )  # fmt: skip


class Section(StrEnum):
    """The parts of the comparison, computed only when the page shows them."""

    POSITION = "position"  # the group's spread and the named territories' latest scores
    TRAJECTORIES = "trajectories"  # the named territories' scores over time
    JOURNEYS = "journeys"  # the phases and milestones of the journeys shared with me


def compare(
    engine: Engine,
    actor: Actor | None,
    territory_id: int | None,
    scope: Scope,
    framework: Framework | None = None,
    today: date | None = None,
    *,
    sections: Iterable[Section | str] = tuple(Section),
) -> Comparison:
    """My territory against a peer group (or a coordinator's selection): the spread of the
    latest assessments, the trajectories and journeys of the territories I may see.
    ``sections`` says which parts to compute (the others come back empty)."""
    actor = _require_member(actor)
    framework = framework or load_framework()
    today = today or clock.today()
    mapping = criterion_axis_map(framework)
    sections = {Section(s) for s in sections}
    spread, split = None, sharing.AggregateMembers()
    latest = history = pd.DataFrame(columns=_SCORE_COLUMNS)
    phases = domain.phase_periods([], [], today)
    milestones: list[dict] = []
    with reading(engine) as conn:
        viewer = _viewer(conn, actor)
        ids = _scope_ids(conn, actor, territory_id, scope)
        wanted = [*ids, territory_id] if territory_id is not None and territory_id not in ids else list(ids)
        members, levels = _members(conn, viewer, wanted, territory_id)
        named = {m.id: m.name for m in members if m.shows(Kind.ASSESSMENTS)}
        journeys = {m.id: m.name for m in members if m.shows(Kind.JOURNEY)}
        if Section.POSITION in sections:
            assessed = set(store.latest_assessment_dates(conn, ids))
            split = sharing.aggregate_members(
                viewer, {tid: levels[tid][Kind.ASSESSMENTS] for tid in ids}, with_data=assessed
            )
            if split.shown:
                spread = pd.DataFrame(
                    [r._asdict() for r in store.axis_spread(conn, mapping, split.counted)],
                    columns=["axis_id", "territories", "minimum", "q1", "median", "q3", "maximum"],
                )
            latest = _scores_frame(store.latest_axis_scores(conn, mapping, list(named)), named, territory_id)
        if Section.TRAJECTORIES in sections:
            history = _scores_frame(store.axis_history(conn, mapping, list(named)), named, territory_id)
        if Section.JOURNEYS in sections:
            phases = domain.phase_periods(
                store.phase_spans(conn, list(journeys)), [p.id for p in framework.phases], today
            )
            milestones = [
                {
                    "territory_id": m.territory_id,
                    "name": journeys[m.territory_id],
                    "occurred_on": m.occurred_on,
                    "phase": m.phase,
                    "title": m.title,
                }
                for m in store.milestones_of(conn, list(journeys))
            ]
    phases.insert(1, "name", phases["territory_id"].map(journeys))
    return Comparison(
        territory_id=territory_id,
        scope_size=len(ids),
        members=members,
        counted=len(split.counted) if split.shown else 0,
        unnamed=len(split.unnamed) if split.shown else 0,
        left_out=len(split.left_out),
        spread=spread,
        latest=latest,
        history=history,
        phases=phases,
        milestones=pd.DataFrame(
            milestones, columns=["territory_id", "name", "occurred_on", "phase", "title"]
        ),
        journeys_hidden=len([tid for tid in ids if tid not in journeys]),
    )


def comparison_csv(
    engine: Engine,
    actor: Actor | None,
    territory_id: int | None,
    scope: Scope,
    framework: Framework | None = None,
) -> bytes:
    """The comparison as a spreadsheet: the group's spread per axis, then each named territory's
    latest scores. Built from ``compare``: it names nobody the page does not name."""
    framework = framework or load_framework()
    data = compare(engine, actor, territory_id, scope, framework, sections=[Section.POSITION])
    rows = []
    if data.spread is not None:
        for r in data.spread.itertuples():
            rows.append(
                {
                    "series": "group",
                    "territory": "",
                    "axis_id": r.axis_id,
                    "territories": r.territories,
                    "minimum": r.minimum,
                    "q1": r.q1,
                    "median": r.median,
                    "q3": r.q3,
                    "maximum": r.maximum,
                }
            )
    for r in data.latest.itertuples():
        rows.append(
            {
                "series": "territory",
                "territory": fa._inert(r.name),
                "assessed_on": r.assessed_on,
                "axis_id": r.axis_id,
                "score": r.score,
            }
        )
    columns = [
        "series",
        "territory",
        "assessed_on",
        "axis_id",
        "territories",
        "minimum",
        "q1",
        "median",
        "q3",
        "maximum",
        "score",
    ]
    buffer = io.StringIO()
    pd.DataFrame(rows, columns=columns).to_csv(buffer, index=False, sep=";", decimal=",")
    return buffer.getvalue().encode("utf-8-sig")


# --- Feedback compared ---------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateUse:
    id: int
    slug: str
    version: int
    title_fr: str
    title_en: str
    territories: int
    responses: int


@dataclass
class FeedbackComparison:
    template: FormTemplate
    territories: dict[int, str]  # named territories whose results are compared (mine first)
    territory_id: int | None
    distribution: pd.DataFrame  # territory_id, question_id, role, value, answers (roles with >= 3 answers)
    means: pd.DataFrame  # territory_id, question_id, role, answers, mean
    gaps: pd.DataFrame  # territory_id + fa.GAP_COLUMNS
    min_answers: int = fa.MIN_ANSWERS_PER_ROLE


def _feedback_ids(conn: Connection, actor: Actor, territory_id: int | None, scope: Scope) -> dict[int, str]:
    """Territories whose results may be compared here: mine, and those of the scope that share
    their results with this reader. A territory that does not share is not counted at all."""
    viewer = _viewer(conn, actor)
    ids = _scope_ids(conn, actor, territory_id, scope)
    wanted = [*ids, territory_id] if territory_id is not None and territory_id not in ids else list(ids)
    rows = store.territories_with_level(conn, Kind.FEEDBACK, sharing.DEFAULT_LEVELS[Kind.FEEDBACK], wanted)
    readable = {r.id: r.name for r in rows if sharing.may_see(viewer, r.id, r.level)}
    if territory_id in readable:  # mine first
        readable = {territory_id: readable[territory_id]} | readable
    return readable


def feedback_templates(
    engine: Engine, actor: Actor | None, territory_id: int | None, scope: Scope
) -> list[TemplateUse]:
    """Template versions answered in the territories whose results can be compared here."""
    actor = _require_member(actor)
    with reading(engine) as conn:
        ids = _feedback_ids(conn, actor, territory_id, scope)
        return [TemplateUse(**r._asdict()) for r in store.templates_used(conn, list(ids))]


def compare_feedback(
    engine: Engine, actor: Actor | None, territory_id: int | None, scope: Scope, template_id: int
) -> FeedbackComparison:
    """For one template version: each scale question's answers by role, per territory that
    shares its results, and each territory's perception gaps. A role that gave fewer than
    ``MIN_ANSWERS_PER_ROLE`` answers in a territory is never shown there."""
    actor = _require_member(actor)
    roles = [r.id for r in load_framework().stakeholder_roles]
    with reading(engine) as conn:
        ids = _feedback_ids(conn, actor, territory_id, scope)
        row = store.template_content(conn, template_id)
        if row is None:
            raise NotFound(template_id=template_id)
        template = parse_template(row.content, source=f"{row.slug} v{row.version}")
        scales = {q.id: (q.min, q.max) for q in template.questions_of_type(forms.SCALE)}
        counts = store.responses_by_territory_and_role(conn, template_id, list(ids))
        answers = store.scale_answers_by_territory(conn, template_id, list(ids), list(scales))
    enough = {(r.territory_id, r.role) for r in counts if r.responses >= fa.MIN_ANSWERS_PER_ROLE}
    dist = pd.DataFrame(
        [r._asdict() for r in answers if (r.territory_id, r.role) in enough],
        columns=["territory_id", "question_id", "role", "value", "answers"],
    )
    means, gaps = [], []
    for tid in ids:
        own = fa.distribution(
            dist.loc[dist["territory_id"] == tid, ["question_id", "role", "value", "answers"]].itertuples(
                index=False
            )
        )
        if own.empty:
            continue
        means.append(fa.role_means(own, roles).assign(territory_id=tid))
        gaps.append(fa.perception_gaps(own, scales, roles).assign(territory_id=tid))
    with_answers = set(dist["territory_id"])
    return FeedbackComparison(
        template=template,
        territories={tid: name for tid, name in ids.items() if tid in with_answers},
        territory_id=territory_id,
        distribution=dist,
        means=pd.concat(means, ignore_index=True)
        if means
        else pd.DataFrame(columns=["question_id", "role", "answers", "mean", "territory_id"]),
        gaps=pd.concat(gaps, ignore_index=True)
        if gaps
        else pd.DataFrame(columns=[*fa.GAP_COLUMNS, "territory_id"]),
    )


# --- Qui peut m'aider ? --------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    role: str


@dataclass(frozen=True)
class Story:
    id: int
    territory_id: int
    territory_name: str
    territory_slug: str
    occurred_on: date
    phase: str
    storytelling_dimension: str | None
    axis_id: str | None
    title: str
    story: str


@dataclass(frozen=True)
class Helper:
    territory_id: int
    name: str
    slug: str
    score: float
    change: float
    months: int | None  # over how long ``change`` was measured; None: a single assessment
    same_group: bool
    stories: list[Story] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)


@dataclass(frozen=True)
class WeakSpot:
    kind: str  # "axis" or "criterion"
    id: str
    axis_id: str
    mine: float
    helpers: list[Helper]


@dataclass(frozen=True)
class HelpAnswer:
    territory_id: int
    assessed_on: date | None  # my latest assessment; None: nothing to start from
    spots: list[WeakSpot]


def _story(row) -> Story:
    return Story(
        id=row.id,
        territory_id=row.territory_id,
        territory_name=row.territory_name,
        territory_slug=row.territory_slug,
        occurred_on=row.occurred_on,
        phase=row.phase,
        storytelling_dimension=row.storytelling_dimension,
        axis_id=row.axis_id,
        title=row.title,
        story=row.story or "",
    )


STORIES_PER_HELPER = 2


def who_can_help(
    engine: Engine, actor: Actor | None, territory_id: int, framework: Framework | None = None
) -> HelpAnswer:
    """For my territory's weakest axes and criteria, the territories I may see that can help
    there, ranked by ``lib.domain.peers``' rule, with their stories and opted-in contacts."""
    require(actor, Action.VIEW_TERRITORY, territory_id)
    framework = framework or load_framework()
    with reading(engine) as conn:
        # What this person may see depends on their memberships (read this rerun) and on what
        # the network's data version covers (sharing levels, peer groups): both are in the key.
        return cache.network_cached(
            conn,
            ("peers.who_can_help", actor.person_id, actor.memberships, territory_id, framework.version),
            lambda: _who_can_help(conn, actor, territory_id, framework),
        )


def _who_can_help(conn: Connection, actor: Actor, territory_id: int, framework: Framework) -> HelpAnswer:
    mapping = criterion_axis_map(framework)
    viewer = _viewer(conn, actor)
    levels = _levels(conn, Kind.ASSESSMENTS)
    candidates = [tid for tid in sharing.visible(viewer, levels) if tid != territory_id]
    dated: dict[int, list[tuple[int, date]]] = {}
    for r in store.submitted_assessments(conn, [territory_id, *candidates]):
        dated.setdefault(r.territory_id, []).append((r.id, r.assessed_on))
    if territory_id not in dated:
        return HelpAnswer(territory_id, None, [])
    pairs = {tid: domain.baseline(items) for tid, items in dated.items()}
    wanted = [i for pair in pairs.values() for i in pair if i is not None]
    axis_rows = store.axis_scores_of(conn, mapping, wanted)
    level_rows = store.criterion_levels_of(conn, wanted)
    names = {
        r.id: r
        for r in store.territories_with_level(
            conn, Kind.JOURNEY, sharing.DEFAULT_LEVELS[Kind.JOURNEY], list(dated)
        )
    }
    same_group = store.peer_ids(conn, [territory_id])
    on = {a: d for items in dated.values() for a, d in items}
    by_assessment: dict[int, dict[str, float]] = {}
    for r in axis_rows:
        by_assessment.setdefault(r.assessment_id, {})[r.axis_id] = float(r.score)
    for r in level_rows:
        by_assessment.setdefault(r.assessment_id, {})[r.criterion_id] = float(r.level)
    latest_mine = by_assessment.get(pairs[territory_id][0], {})
    spots = [
        ("axis", key, key)
        for key in domain.weakest(latest_mine, [a.id for a in framework.axes], domain.WEAK_AXES)
    ] + [
        ("criterion", key, mapping[key])
        for key in domain.weakest(latest_mine, [c.id for c in framework.criteria], domain.WEAK_CRITERIA)
    ]
    ranked: list[tuple[str, str, str, float, list[domain.Candidate]]] = []
    for kind, key, axis_id in spots:
        pool = []
        for tid in candidates:
            if tid not in pairs:
                continue
            latest_id, since_id = pairs[tid]
            value = by_assessment.get(latest_id, {}).get(key)
            if value is None:
                continue
            before = by_assessment.get(since_id, {}).get(key) if since_id is not None else None
            progress = domain.progress(
                (on[latest_id], value), (on[since_id], before) if before is not None else None
            )
            pool.append(domain.Candidate(tid, names[tid].name, progress, tid in same_group))
        ranked.append((kind, key, axis_id, latest_mine[key], domain.rank_helpers(latest_mine[key], pool)))
    helper_ids = sorted({c.territory_id for *_, chosen in ranked for c in chosen})
    with_journey = [tid for tid in helper_ids if sharing.may_see(viewer, tid, names[tid].level)]
    stories: dict[tuple[int, str], list[Story]] = {}
    for row in store.latest_stories(
        conn, with_journey, axes=sorted({axis for *_, axis, _m, _c in ranked}), limit=500
    ):
        kept = stories.setdefault((row.territory_id, row.axis_id), [])
        if len(kept) < STORIES_PER_HELPER:
            kept.append(_story(row))
    contacts: dict[int, list[Contact]] = {}
    for row in store.consenting_contacts(conn, helper_ids):
        contacts.setdefault(row.territory_id, []).append(
            Contact(row.display_name or row.email, row.email, row.role)
        )
    return HelpAnswer(
        territory_id=territory_id,
        assessed_on=on[pairs[territory_id][0]],
        spots=[
            WeakSpot(
                kind=kind,
                id=key,
                axis_id=axis_id,
                mine=mine,
                helpers=[
                    Helper(
                        territory_id=c.territory_id,
                        name=c.name,
                        slug=names[c.territory_id].slug,
                        score=c.progress.latest,
                        change=c.progress.change,
                        months=c.progress.months,
                        same_group=c.same_group,
                        stories=stories.get((c.territory_id, axis_id), []),
                        contacts=contacts.get(c.territory_id, []),
                    )
                    for c in chosen
                ],
            )
            for kind, key, axis_id, mine, chosen in ranked
        ],
    )


# --- Récits des pairs ----------------------------------------------------------------------


def peer_stories(
    engine: Engine,
    actor: Actor | None,
    *,
    phases: Sequence[str] = (),
    dimensions: Sequence[str] = (),
    axes: Sequence[str] = (),
    limit: int = 30,
) -> list[Story]:
    """The latest milestones and stories other territories share with this reader, newest first."""
    actor = _require_member(actor)
    with reading(engine) as conn:
        viewer = _viewer(conn, actor)
        readable = [
            tid for tid in sharing.visible(viewer, _levels(conn, Kind.JOURNEY)) if tid not in viewer.own
        ]
        rows = store.latest_stories(
            conn, readable, phases=phases, dimensions=dimensions, axes=axes, limit=limit
        )
    return [_story(r) for r in rows]


# --- A peer's journey ----------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """One assessment's axis scores, as the journey charts draw them."""

    assessed_on: date
    axis_scores: dict[str, float | None]


@dataclass
class PeerJourney:
    territory_id: int
    name: str
    levels: dict[Kind, Level]
    relation: Relation
    milestones: list[Story] | None  # None: the journey is not shared with this reader
    latest: Snapshot | None  # None: the assessments are not shared with this reader
    previous: Snapshot | None
    history: list[AxisPoint] | None


def peer_journey(
    engine: Engine, actor: Actor | None, slug: str, framework: Framework | None = None
) -> PeerJourney:
    """What this reader may see of one territory, found by its slug. A territory that shares
    nothing with them is answered exactly like one that does not exist."""
    actor = _require_member(actor)
    framework = framework or load_framework()
    mapping = criterion_axis_map(framework)
    with reading(engine) as conn:
        viewer = _viewer(conn, actor)
        row = store.territory_by_slug(conn, slug)
        if row is None:
            raise NotFound(territory=slug)
        levels = sharing.levels_with_defaults({r.kind: r.level for r in store.levels_of(conn, [row.id])})
        relation = sharing.relation(viewer, row.id)
        if not any(sharing.reaches(relation, level) for level in levels.values()):
            raise NotFound(territory=slug)
        milestones = history = None
        if sharing.reaches(relation, levels[Kind.JOURNEY]):
            milestones = [_story(r) for r in store.latest_stories(conn, [row.id], limit=1000)]
        if sharing.reaches(relation, levels[Kind.ASSESSMENTS]):
            history = [
                AxisPoint(r.assessment_id, r.assessed_on, r.axis_id, float(r.score))
                for r in store.axis_history(conn, mapping, [row.id])
                if r.axis_id is not None
            ]
    snapshots: dict[int, Snapshot] = {}
    for p in history or []:
        snapshots.setdefault(p.assessment_id, Snapshot(p.assessed_on, {})).axis_scores[p.axis_id] = p.score
    ordered = list(snapshots.values())  # oldest first, as SQL ordered them
    return PeerJourney(
        territory_id=row.id,
        name=row.name,
        levels=levels,
        relation=relation,
        milestones=milestones,
        latest=ordered[-1] if ordered else None,
        previous=ordered[-2] if len(ordered) > 1 else None,
        history=history,
    )


# --- A peer group, for coordinators --------------------------------------------------------


@dataclass
class GroupMember:
    id: int
    name: str
    slug: str
    levels: dict[Kind, Level]
    last_assessed_on: date | None
    stale: bool  # no submitted assessment for a year, or never


@dataclass
class GroupOverview:
    group: Group
    members: list[GroupMember]
    assessed: int  # members with a submitted assessment
    spread: pd.DataFrame | None  # their latest: axis_id, territories, minimum, q1, median, q3, maximum;
    # None under MIN_TERRITORIES
    trajectory: (
        pd.DataFrame
    )  # per year and axis: year, axis_id, territories, minimum, q1, median, q3, maximum
    latest: pd.DataFrame  # each member's latest scores (_SCORE_COLUMNS)


def group_overview(
    engine: Engine,
    actor: Actor | None,
    group_id: int,
    framework: Framework | None = None,
    today: date | None = None,
) -> GroupOverview:
    """A peer group as its coordinators follow it: trajectory, spread, who shares what, who stalls."""
    require(actor, Action.VIEW_NETWORK)
    framework = framework or load_framework()
    mapping = criterion_axis_map(framework)
    today = today or clock.today()
    with reading(engine) as conn:
        groups = [g for g in store.groups_of(conn, None) if g.id == group_id]
        if not groups:
            raise NotFound(group_id=group_id)
        ids = store.group_member_ids(conn, group_id)
        rows = store.territories_with_level(
            conn, Kind.ASSESSMENTS, sharing.DEFAULT_LEVELS[Kind.ASSESSMENTS], ids
        )
        chosen: dict[int, dict[str, str]] = {}
        for r in store.levels_of(conn, ids):
            chosen.setdefault(r.territory_id, {})[r.kind] = r.level
        last = store.latest_assessment_dates(conn, ids)
        spread = store.axis_spread(conn, mapping, ids)
        trajectory = store.yearly_spread(conn, mapping, ids)
        names = {r.id: r.name for r in rows}
        latest = _scores_frame(store.latest_axis_scores(conn, mapping, ids), names, None)
    limit = today - timedelta(days=STALE_AFTER_DAYS)
    spread_columns = ["territories", "minimum", "q1", "median", "q3", "maximum"]
    return GroupOverview(
        group=_group(groups[0]),
        members=[
            GroupMember(
                id=r.id,
                name=r.name,
                slug=r.slug,
                levels=sharing.levels_with_defaults(chosen.get(r.id, {})),
                last_assessed_on=last.get(r.id),
                stale=last.get(r.id) is None or last[r.id] < limit,
            )
            for r in rows
        ],
        assessed=len(last),
        spread=pd.DataFrame([r._asdict() for r in spread], columns=["axis_id", *spread_columns])
        if len(last) >= sharing.MIN_TERRITORIES
        else None,
        trajectory=pd.DataFrame(
            [r._asdict() for r in trajectory], columns=["year", "axis_id", *spread_columns]
        ),
        latest=latest,
    )
