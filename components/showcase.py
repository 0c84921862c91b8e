"""Pieces of la vitrine (the public showcase) and of its preview on the sharing screen: a
territory's card, its public page. They draw what ``lib.services.showcase`` returned, and
nothing else: no other service is called from here."""

from __future__ import annotations

import streamlit as st

from components import journey_charts as charts
from components.navigation import page_path
from components.peers import kind_label, story_card
from components.ui import Markdown, format_date, format_number, lang, plain, t
from lib.domain.framework import Framework
from lib.domain.sharing import Kind
from lib.services import showcase

# ``?embed=true`` is Streamlit's own embedding (no toolbar, no header), seen only through
# ``st.context.is_embedded``: Streamlit keeps ``embed`` out of ``st.query_params``. ``?integre=1``
# is ours, readable everywhere (page tests included), and gives the same page without sidebar.
EMBED_PARAM = "integre"
# The showcase's own path, and a query parameter that opens it on any path (for page tests
# and sites that can only link to the app's root).
URL_PATH = "vitrine"
SHOWCASE_PARAM = "vitrine"


def requested() -> bool:
    """Whether this visit is for the showcase: its URL path, or its query parameter."""
    if st.query_params.get(SHOWCASE_PARAM):
        return True
    url = st.context.url or ""
    path = url.split("?", 1)[0].rstrip("/")
    return path.rsplit("/", 1)[-1] == URL_PATH


def embedded() -> bool:
    """Inside another site's page (``?embed=true`` or ``?integre=1``): no sidebar."""
    return bool(st.context.is_embedded) or st.query_params.get(EMBED_PARAM) in ("1", "true")


def _link_params(**params: str) -> dict[str, str]:
    """Links inside the showcase keep the embed mode and the language."""
    kept = {EMBED_PARAM: "1"} if embedded() else {}
    if st.query_params.get(SHOWCASE_PARAM):
        kept[SHOWCASE_PARAM] = "1"
    return kept | {"lang": lang()} | params


def link(where) -> None:
    """Where the rest of the app points to the showcase (a new tab: it is another app, for
    anyone). Relative, so that it stays right behind a proxy's path prefix."""
    where.caption(t("showcase.home_link", url=Markdown(f"./{URL_PATH}")))


def back_link() -> None:
    st.page_link(
        page_path("showcase"),
        label=t("showcase.back"),
        icon=":material/arrow_back:",
        query_params=_link_params(),
    )


def _labels(items) -> dict[str, str]:
    return {i.id: i.label(lang()) for i in items}


def facts(fw: Framework, territory: showcase.PublicTerritory) -> str:
    parts = [t(f"peers.territory_kind.{territory.kind}")]
    if territory.region:
        parts.append(plain(territory.region))
    if territory.phase:
        parts.append(t("showcase.phase_now", phase=_labels(fw.phases).get(territory.phase, territory.phase)))
    return " · ".join(parts)


def card(fw: Framework, territory: showcase.PublicTerritory) -> None:
    with st.container(border=True):
        st.markdown(f"**{plain(territory.name)}**")
        st.caption(facts(fw, territory))
        st.caption(t("showcase.publishes", kinds=", ".join(kind_label(k) for k in territory.kinds)))
        if territory.groups:
            st.caption(t("showcase.groups", names=plain(", ".join(g.name for g in territory.groups))))
        st.page_link(
            page_path("showcase"),
            label=t("showcase.open"),  # the card names the territory: a long name would be cut
            help=plain(territory.name),
            icon=":material/travel_explore:",
            query_params=_link_params(**{showcase.PARAM_TERRITORY: territory.slug}),
        )


def _phases(fw: Framework, steps: list[showcase.PhaseStep]) -> None:
    """The five phases, reached or not, in order: a row of small cards (a column each on a phone)."""
    names = _labels(fw.phases)
    for column, step in zip(st.columns(len(steps)), steps, strict=True):
        with column.container(border=True):
            st.markdown(f"**{names.get(step.phase, step.phase)}**")
            if step.first is None:
                st.caption(t("showcase.phase_not_reached"))
            else:
                st.caption(t("showcase.phase_since", date=format_date(step.first), n=step.milestones))


def _feedback(highlights: list[showcase.FeedbackHighlight]) -> None:
    if not highlights:
        st.info(t("showcase.feedback_none", n=showcase.MIN_ANSWERS))
        return
    for h in highlights:
        with st.container(border=True):
            st.markdown(f"**{plain(h.title_en if lang() == 'en' else h.title_fr)}**")
            st.caption(t("showcase.feedback_responses", n=h.responses))
            for q in h.questions:
                st.markdown(
                    t(
                        "showcase.feedback_mean",
                        question=plain(q.label_en if lang() == "en" else q.label_fr),
                        mean=format_number(q.mean, 1),
                        low=format_number(q.minimum, 0),
                        high=format_number(q.maximum, 0),
                        n=q.answers,
                    )
                )


def page(fw: Framework, data: showcase.PublicPage) -> None:
    """One territory's public page; in the preview, exactly what a visitor will read."""
    territory = data.territory
    st.caption(facts(fw, territory))
    if data.phases is not None:
        st.subheader(t("showcase.trajectory"))
        _phases(fw, data.phases)
    if data.latest is not None:
        charts.radar(fw, data.latest, data.previous)
    elif Kind.ASSESSMENTS in territory.kinds:
        st.info(t("showcase.no_assessment"))
    if data.milestones is not None:
        st.subheader(t("peers.kind.journey"))
        if not data.milestones:
            st.info(t("showcase.no_milestone"))
        for story in data.milestones:
            story_card(fw, story, show_territory=False)
    if data.feedback is not None:
        st.subheader(t("showcase.feedback_title"))
        _feedback(data.feedback)
    st.subheader(t("showcase.contact_title"))
    if not data.contacts:
        st.caption(t("showcase.no_contact"))
    for c in data.contacts:
        role = t(f"role.{c.role}")
        st.markdown(t("showcase.contact", name=plain(c.name), role=role, email=plain(c.email)))
