"""La vitrine: the territories that publish their journey, and each one's public page. No login;
reached at its own path (``/vitrine``), in its own navigation that holds nothing else (app.py).
Everything shown comes from ``lib.services.showcase``, which returns only what is public."""

from __future__ import annotations

import streamlit as st

from components import showcase as view
from components.peers import filter_picker, kind_label
from components.ui import engine, framework, lang, language_choice, plain, service_error, t, t_text
from lib.domain.errors import ServiceError
from lib.domain.sharing import PUBLIC_KINDS, Kind
from lib.services import showcase

fw = framework()
embedded = view.embedded()
if not embedded:
    # The sidebar holds the language and a word on what this is; an embedded page has none.
    language_choice(st.sidebar)
    st.sidebar.caption(t("showcase.about"))
else:
    language_choice(st, collapsed=True)

slug = st.query_params.get(showcase.PARAM_TERRITORY)
if slug:
    try:
        data = showcase.public_page(engine(), slug, fw)
    except ServiceError as exc:
        st.title(t("showcase.title"))
        service_error(exc)
        view.back_link()
        st.stop()
    st.title(plain(data.territory.name))
    view.page(fw, data)
    view.back_link()
    st.stop()

st.title(t("showcase.title"))
st.markdown(t("showcase.intro"))
everything = showcase.showcase(engine(), framework=fw)
if not everything.published:
    st.info(t("showcase.empty"))
    st.stop()

with st.expander(t("showcase.filters"), expanded=not embedded, icon=":material/filter_list:"):
    first, second, third = st.columns(3)
    kinds = filter_picker(
        first,
        t("showcase.filter.kinds"),
        {k.value: t_text(f"peers.kind.{k.value}") for k in Kind if k in PUBLIC_KINDS},
        "showcase_kinds",
    )
    groups = filter_picker(
        second, t("showcase.filter.groups"), {g.slug: g.name for g in everything.groups}, "showcase_groups"
    )
    regions = filter_picker(
        third, t("showcase.filter.regions"), {r: r for r in everything.regions}, "showcase_regions"
    )
    fourth, fifth = st.columns(2)
    phases = filter_picker(
        fourth, t("showcase.filter.phases"), {p.id: p.label(lang()) for p in fw.phases}, "showcase_phases"
    )
    dimensions = filter_picker(
        fifth,
        t("showcase.filter.dimensions"),
        {d.id: d.label(lang()) for d in fw.storytelling_dimensions},
        "showcase_dimensions",
    )

chosen = showcase.Filters(tuple(kinds), tuple(regions), tuple(groups), tuple(phases), tuple(dimensions))
listing = showcase.showcase(engine(), chosen, fw) if chosen != showcase.Filters() else everything
st.caption(t("showcase.count", n=len(listing.territories), total=everything.published))
if not listing.territories:
    st.info(t("showcase.none_match"))
for start in range(0, len(listing.territories), 2):
    for column, territory in zip(st.columns(2), listing.territories[start : start + 2], strict=False):
        with column:
            view.card(fw, territory)
st.caption(t("showcase.kinds_note", kinds=", ".join(kind_label(k) for k in Kind if k in PUBLIC_KINDS)))
# The accessibility statement, on its own address (new tab): this page's navigation holds it not.
st.caption(f"[{t('a11y.statement.link')}](accessibilite)")
