"""La vitrine: the public showcase of the territories' journeys, for anyone, logged out included.

Everything the showcase shows comes from this module, and this module only ever returns what
is public: each kind of data is read for a territory only when ``lib.domain.sharing`` says
the visitor (``sharing.VISITOR``, whoever is actually reading) may see it at that territory's
level. The functions take no actor: what a visitor gets is the same for everybody, a
coordinator included. Feedback is never shown as an aggregate over fewer than
``MIN_ANSWERS`` answers, and a person is named only if they agreed to be a public contact.

A territory's admin previews exactly this page before publishing (:func:`preview`), and a
coordinator downloads it as one self-contained HTML file (:func:`snapshot_html`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.engine import Connection, Engine

from lib.access import Action, Actor, require
from lib.domain import clock, forms, sharing
from lib.domain.errors import NotFound
from lib.domain.forms import parse_template
from lib.domain.framework import Framework, load_framework
from lib.domain.journey import criterion_axis_map
from lib.domain.sharing import PUBLIC_KINDS, VISITOR, Kind, Level
from lib.domain.territories import is_slug
from lib.i18n import translate
from lib.render import showcase_html
from lib.services.peers import Snapshot, Story, _story
from lib.services.unit_of_work import reading
from lib.store import peers as peers_store
from lib.store import showcase as store

# Feedback figures over fewer answers are not shown (the results page's own threshold).
MIN_ANSWERS = sharing.MIN_TERRITORIES
PARAM_TERRITORY = "territoire"


@dataclass(frozen=True)
class PublicGroup:
    slug: str
    name: str


@dataclass(frozen=True)
class PublicTerritory:
    slug: str
    name: str
    kind: str
    region: str | None
    population: int | None
    kinds: tuple[Kind, ...]  # what it publishes
    groups: tuple[PublicGroup, ...]
    phase: str | None  # the furthest phase its public journey reached; None: journey not public
    dimensions: tuple[str, ...]  # storytelling dimensions of its public stories


@dataclass(frozen=True)
class Filters:
    """Each empty tuple means "any"."""

    kinds: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()  # peer group slugs
    phases: tuple[str, ...] = ()
    dimensions: tuple[str, ...] = ()


@dataclass
class Showcase:
    territories: list[PublicTerritory]  # those matching the filters
    published: int  # every territory publishing something
    regions: list[str]  # filter options, from the publishing territories only
    groups: list[PublicGroup]


@dataclass(frozen=True)
class PhaseStep:
    phase: str
    first: date | None  # None: not reached
    milestones: int


@dataclass(frozen=True)
class QuestionMean:
    label_fr: str
    label_en: str
    mean: float
    minimum: float
    maximum: float
    answers: int


@dataclass(frozen=True)
class FeedbackHighlight:
    title_fr: str
    title_en: str
    responses: int
    questions: list[QuestionMean]


@dataclass(frozen=True)
class Contact:
    name: str
    role: str
    email: str


@dataclass
class PublicPage:
    territory: PublicTerritory
    phases: list[PhaseStep] | None = None  # None: journey not public
    milestones: list[Story] | None = None
    latest: Snapshot | None = None  # None: assessments not public (or none submitted)
    previous: Snapshot | None = None
    feedback: list[FeedbackHighlight] | None = None  # None: feedback not public
    contacts: list[Contact] = field(default_factory=list)


# --- who publishes what --------------------------------------------------------------------


def _public_kinds(levels: Mapping[Kind, Level], territory_id: int) -> tuple[Kind, ...]:
    """The kinds of this territory a visitor may read: THE sharing rule, asked for a visitor."""
    return tuple(k for k in Kind if k in PUBLIC_KINDS and sharing.may_see(VISITOR, territory_id, levels[k]))


def _chosen(conn: Connection, ids: Sequence[int]) -> dict[int, dict[str, str]]:
    chosen: dict[int, dict[str, str]] = {}
    for r in peers_store.levels_of(conn, list(ids)):
        chosen.setdefault(r.territory_id, {})[r.kind] = r.level
    return chosen


def _furthest_phase(framework: Framework, reached: set[str]) -> str | None:
    order = [p.id for p in framework.phases]
    return max(reached, key=order.index) if reached & set(order) else None


def _territories(
    conn: Connection,
    framework: Framework,
    overrides: Mapping[int, Mapping[Kind, Level]] | None = None,
    rows=None,
) -> list[PublicTerritory]:
    if rows is None:
        rows = store.candidates(conn, Level.PUBLIC.value, [k.value for k in PUBLIC_KINDS])
    chosen = _chosen(conn, [r.id for r in rows])
    kinds = {}
    for r in rows:
        levels = (overrides or {}).get(r.id) or sharing.levels_with_defaults(chosen.get(r.id, {}))
        if published := _public_kinds(levels, r.id):
            kinds[r.id] = published
    told = [tid for tid, k in kinds.items() if Kind.JOURNEY in k]
    groups: dict[int, list[PublicGroup]] = {}
    for g in store.group_memberships(conn, list(kinds)):
        groups.setdefault(g.territory_id, []).append(PublicGroup(g.slug, g.name))
    phases: dict[int, set[str]] = {}
    for span in peers_store.phase_spans(conn, told):
        phases.setdefault(span.territory_id, set()).add(span.phase)
    dims: dict[int, set[str]] = {}
    for d in store.dimensions_told(conn, told):
        dims.setdefault(d.territory_id, set()).add(d.storytelling_dimension)
    return [
        PublicTerritory(
            slug=r.slug,
            name=r.name,
            kind=r.kind,
            region=r.region,
            population=r.population,
            kinds=kinds[r.id],
            groups=tuple(groups.get(r.id, ())),
            phase=_furthest_phase(framework, phases.get(r.id, set())) if r.id in told else None,
            dimensions=tuple(sorted(dims.get(r.id, ()))),
        )
        for r in rows
        if r.id in kinds
    ]


def _matches(t: PublicTerritory, f: Filters) -> bool:
    return (
        (not f.kinds or any(k in t.kinds for k in f.kinds))
        and (not f.regions or t.region in f.regions)
        and (not f.groups or any(g.slug in f.groups for g in t.groups))
        and (not f.phases or t.phase in f.phases)
        and (not f.dimensions or any(d in t.dimensions for d in f.dimensions))
    )


def showcase(engine: Engine, filters: Filters = Filters(), framework: Framework | None = None) -> Showcase:
    """The territories that publish something, those matching ``filters`` first listed."""
    framework = framework or load_framework()
    with reading(engine) as conn:
        everyone = _territories(conn, framework)
    groups = {g.slug: g for t in everyone for g in t.groups}
    return Showcase(
        territories=[t for t in everyone if _matches(t, filters)],
        published=len(everyone),
        regions=sorted({t.region for t in everyone if t.region}),
        groups=sorted(groups.values(), key=lambda g: g.name),
    )


# --- one territory's public page -----------------------------------------------------------


def _feedback(conn: Connection, territory_id: int) -> list[FeedbackHighlight]:
    """Per questionnaire answered there: how many answered, and each scale question's mean over
    at least ``MIN_ANSWERS`` answers. Never a free text, a name, a role's own figures."""
    highlights = []
    for used in peers_store.templates_used(conn, [territory_id]):
        if used.responses < MIN_ANSWERS:
            continue
        row = peers_store.template_content(conn, used.id)
        template = parse_template(row.content, source=f"{row.slug} v{row.version}")
        scales = {q.id: q for q in template.questions_of_type(forms.SCALE)}
        means = {r.question_id: r for r in store.scale_means(conn, territory_id, list(scales), used.id)}
        questions = [
            QuestionMean(
                q.label("fr"), q.label("en"), float(means[q.id].mean), q.min, q.max, int(means[q.id].answers)
            )
            for q in scales.values()
            if q.id in means and means[q.id].answers >= MIN_ANSWERS
        ]
        highlights.append(FeedbackHighlight(used.title_fr, used.title_en, int(used.responses), questions))
    return highlights


def _page(conn: Connection, framework: Framework, row, territory: PublicTerritory) -> PublicPage:
    page = PublicPage(territory=territory)
    tid = row.id
    if Kind.JOURNEY in territory.kinds:
        spans = {s.phase: s for s in peers_store.phase_spans(conn, [tid])}
        page.phases = [
            PhaseStep(p.id, spans[p.id].first, spans[p.id].milestones)
            if p.id in spans
            else PhaseStep(p.id, None, 0)
            for p in framework.phases
        ]
        page.milestones = [_story(r) for r in peers_store.latest_stories(conn, [tid], limit=1000)]
    if Kind.ASSESSMENTS in territory.kinds:
        snapshots: dict[int, Snapshot] = {}
        for r in peers_store.axis_history(conn, criterion_axis_map(framework), [tid]):
            if r.axis_id is not None:
                snap = snapshots.setdefault(r.assessment_id, Snapshot(r.assessed_on, {}))
                snap.axis_scores[r.axis_id] = float(r.score)
        ordered = list(snapshots.values())
        page.latest = ordered[-1] if ordered else None
        page.previous = ordered[-2] if len(ordered) > 1 else None
    if Kind.FEEDBACK in territory.kinds:
        page.feedback = _feedback(conn, tid)
    page.contacts = [Contact(c.display_name or "", c.role, c.email) for c in store.public_contacts(conn, tid)]
    return page


def public_page(engine: Engine, slug: str, framework: Framework | None = None) -> PublicPage:
    """What anyone may read of one territory. One that publishes nothing is answered exactly
    like one that does not exist."""
    if not isinstance(slug, str) or not is_slug(slug):
        # Whatever a visitor types in the address: not even a query (a NUL byte is refused by
        # PostgreSQL itself, which would surface as a failure rather than "not found").
        raise NotFound(territory=slug)
    framework = framework or load_framework()
    with reading(engine) as conn:
        row = store.territory_row(conn, slug=slug)
        found = _territories(conn, framework, rows=[row]) if row is not None else []
        if not found:
            raise NotFound(territory=slug)
        return _page(conn, framework, row, found[0])


def preview(
    engine: Engine,
    actor: Actor | None,
    territory_id: int,
    levels: Mapping[str, str | None],
    framework: Framework | None = None,
) -> PublicPage | None:
    """The territory's public page as it would be with these levels (its admin's choice, not
    saved yet); None when they make nothing public."""
    require(actor, Action.MANAGE_SHARING, territory_id)
    framework = framework or load_framework()
    with reading(engine) as conn:
        chosen = sharing.levels_with_defaults(_chosen(conn, [territory_id]).get(territory_id, {}))
        proposed = {
            kind: Level(levels[kind.value]) if levels.get(kind.value) in set(Level) else level
            for kind, level in chosen.items()
        }
        row = store.territory_row(conn, territory_id=territory_id)
        if row is None:
            raise NotFound(territory_id=territory_id)
        found = _territories(conn, framework, overrides={territory_id: proposed}, rows=[row])
        if not found:
            return None
        return _page(conn, framework, row, found[0])


# --- the static snapshot -------------------------------------------------------------------


def snapshot_html(
    engine: Engine,
    actor: Actor | None,
    lang: str,
    framework: Framework | None = None,
    today: date | None = None,
) -> bytes:
    """The showcase today as one self-contained HTML page, for a coordinator to put on a site
    that cannot embed the app. Built from :func:`showcase` and :func:`public_page` only: it
    holds exactly what a visitor reads, nothing more."""
    require(actor, Action.VIEW_NETWORK)
    framework = framework or load_framework()
    pages = [
        public_page(engine, t.slug, framework) for t in showcase(engine, framework=framework).territories
    ]

    def translate_to(key: str, **params) -> str:
        return translate(key, lang, **params)

    html = showcase_html.render(framework, pages, lang, translate_to, today or clock.today())
    return html.encode("utf-8")
