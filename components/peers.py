"""Pieces shared by the peers' screens: sharing levels said plainly, the comparison's scope,
story cards and links to a peer's journey."""

from __future__ import annotations

import streamlit as st

from components.navigation import page_path
from components.ui import engine, format_date, format_score, keep_on_language_switch, lang, plain, t, t_text
from lib.access import Actor
from lib.domain import peers as rules
from lib.domain.errors import ServiceError
from lib.domain.framework import Framework
from lib.domain.sharing import Kind, Level
from lib.services import peers
from lib.services.territories import TerritoryName
from lib.store.tables import TERRITORY_KINDS

JOURNEY_PARAM = "territoire"


def level_label(level: Level | str) -> str:
    return t(f"peers.level.{Level(level).value}")


def kind_label(kind: Kind | str) -> str:
    return t(f"peers.kind.{Kind(kind).value}")


def sharing_caption(person: Actor | None, territory_id: int, kinds: tuple[Kind, ...] = tuple(Kind)) -> None:
    """What a territory's data on this screen is visible to, said where the data is shown."""
    try:
        settings = peers.sharing_settings(engine(), person, territory_id)
    except ServiceError:
        return  # the page around says why it cannot be read
    parts = [t("peers.sharing.part", kind=kind_label(k), level=level_label(settings.level(k))) for k in kinds]
    st.caption(t("peers.sharing.caption", parts=" · ".join(parts)), help=t("peers.sharing.caption_help"))


def journey_link(slug: str, name: str | None = None) -> None:
    """A link to what this reader may see of one territory's journey; without ``name`` a short
    label, for a card that already names the territory (a long one is cut on a phone)."""
    st.page_link(
        page_path("peers_journey"),
        label=t("peers.link.journey", name=name) if name else t("peers.link.its_journey"),
        icon=":material/travel_explore:",
        query_params={JOURNEY_PARAM: slug},
    )


def group_picker(groups: list[peers.Group], key: str) -> int:
    """One of these peer groups, the largest first (where statistics have the most to say)."""
    # Labels made during the run: a format function calling t() later would lose the language.
    labels = {
        g.id: t_text("peers.scope.group_option", name=g.name, n=g.members)
        for g in sorted(groups, key=lambda g: (-g.members, g.name))
    }
    return st.selectbox(
        t("peers.scope.group"), list(labels), format_func=labels.get, key=keep_on_language_switch(key)
    )


def filter_picker(where, label: str, options: dict[str, str], key: str) -> list[str]:
    """Several of ``options`` ({value: label}); none chosen means all."""
    return where.multiselect(
        label,
        list(options),
        format_func=options.get,
        placeholder=t("peers.filter.all"),
        key=keep_on_language_switch(key),
    )


def scope_picker(person: Actor, territory: TerritoryName | None) -> peers.Scope | None:
    """What to compare with: one of the territory's peer groups, or for a coordinator any group
    or a selection by kind, region and population band. None when there is nothing to pick."""
    groups = peers.comparison_groups(engine(), person, territory.id if territory else None)
    if not person.is_coordinator:
        return peers.Scope(group_id=group_picker(groups, "peers_group")) if groups else None
    ways = {v: t(f"peers.scope.{v}") for v in ("group", "selection")}
    how = st.segmented_control(
        t("peers.scope.how"),
        list(ways),
        format_func=ways.get,
        default="group",
        required=True,
        key=keep_on_language_switch("peers_scope_how"),
    )
    if how == "group" and groups:
        return peers.Scope(group_id=group_picker(groups, "peers_group"))
    kinds_col, regions_col, band_col = st.columns(3)
    kind_names = {k: t(f"peers.territory_kind.{k}") for k in TERRITORY_KINDS}
    bands = {b: t(f"peers.population.{b}") for b, _low, _high in rules.POPULATION_BANDS}
    kinds = filter_picker(kinds_col, t("peers.scope.kinds"), kind_names, "peers_kinds")
    regions = {r: r for r in peers.regions(engine(), person)}
    regions = filter_picker(regions_col, t("peers.scope.regions"), regions, "peers_regions")
    band = band_col.selectbox(
        t("peers.scope.population"),
        list(bands),
        index=None,
        format_func=bands.get,
        placeholder=t("peers.scope.any_population"),
        key=keep_on_language_switch("peers_band"),
    )
    return peers.Scope(kinds=tuple(kinds), regions=tuple(regions), population_band=band)


def _labels(items) -> dict[str, str]:
    return {i.id: i.label(lang()) for i in items}


def story_card(fw: Framework, story: peers.Story, *, show_territory: bool = True) -> None:
    """One milestone and its story, as typed (never as Markdown)."""
    phases, dimensions = _labels(fw.phases), _labels(fw.storytelling_dimensions)
    axes = {a.id: a.label(lang()) for a in fw.axes}
    with st.container(border=True):
        st.markdown(f"**{plain(story.title)}**")
        facts = [format_date(story.occurred_on), phases.get(story.phase, story.phase)]
        if story.storytelling_dimension:
            facts.append(dimensions.get(story.storytelling_dimension, story.storytelling_dimension))
        if story.axis_id in axes:
            facts.append(t("peers.story.axis", axis=axes[story.axis_id]))
        if show_territory:
            facts.insert(0, story.territory_name)
        st.caption(plain(" · ".join(facts)))
        if story.story:
            st.markdown(plain(story.story))
        if show_territory:
            journey_link(story.territory_slug)


def score_text(value: float) -> str:
    return t("peers.score", score=format_score(value))


def span_text(months: int | None) -> str:
    if months is None:
        return t("peers.help.single")
    if months >= 12:
        years = round(months / 12)
        return t("peers.help.years", n=years) if years > 1 else t("peers.help.one_year")
    return t("peers.help.months", n=months)
