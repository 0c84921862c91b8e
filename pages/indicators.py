"""Indicateurs: the territory's figures on the ground — values against the path to each target,
entered by its contributors, read by its members (and by peers as far as it shares)."""

from __future__ import annotations

import streamlit as st

from components import actions
from components import indicators as view
from components.peers import sharing_caption
from components.pickers import territory_picker
from components.ui import actor, engine, keep_on_language_switch, plain, service_error, t
from lib.domain.errors import ServiceError
from lib.domain.indicators import load_catalogue
from lib.domain.sharing import Kind
from lib.services import indicators

person = actor()
territory = territory_picker(person)
if territory is None:
    st.info(t("journey.no_territory"))
    st.stop()

st.title(f"{t('indicators.title')} · {plain(territory.name)}")
st.caption(t("indicators.intro"))
try:
    # The forms below are drawn from this read: when the database does not answer, the last
    # read stands in so that what was typed is kept (components.actions).
    data = actions.read(
        f"indicators.{person.person_id}.{territory.id}",
        lambda: indicators.board(engine(), person, territory.id),
    )
except ServiceError as exc:
    service_error(exc)
    st.stop()
sharing_caption(person, territory.id, (Kind.INDICATORS,))
if not data.can_edit:
    st.info(t("indicators.read_only"), icon=":material/visibility:")

tab_names = [t("indicators.tab.follow")]
if data.can_edit:
    tab_names += [t("indicators.tab.add"), t("indicators.tab.import")]
tab_names += [t("indicators.tab.app"), t("indicators.tab.catalogue")]
tabs = st.tabs(tab_names)

with tabs[0]:
    if not data.indicators:
        st.info(t("indicators.none_yet_edit" if data.can_edit else "indicators.none_yet"))
    else:
        view.summary_cards(data.summary)
        by_id = {i.id: i for i in data.indicators}
        pick = f"ind{territory.id}.pick"
        if st.session_state.get(pick) not in by_id:
            st.session_state[pick] = next(iter(by_id))
        chosen = by_id[
            st.selectbox(
                t("indicators.pick"),
                list(by_id),
                format_func=lambda i: (
                    f"{view.name_line(by_id[i])} · {view.status_label(by_id[i].reading.status)}"
                ),
                key=keep_on_language_switch(pick),
            )
        ]
        st.subheader(view.name_line(chosen))
        with st.expander(t("indicators.about"), expanded=False):
            view.describe(chosen.definition)
        view.trajectory(chosen)
        view.among_peers(person, territory.id, chosen)
        if data.can_edit:
            left, right = st.columns([3, 2], gap="medium")
            with left:
                view.value_form(person, territory.id, chosen)
            with right:
                view.target_form(person, territory.id, chosen)
            view.remove_form(person, territory.id, chosen)

if data.can_edit:
    with tabs[1]:
        view.follow_form(person, territory.id, data)
        view.own_form(person, territory.id)
    with tabs[2]:
        view.import_form(person, territory.id)

with tabs[-2]:
    view.app_figures(person, territory.id)

with tabs[-1]:
    view.catalogue_table(load_catalogue())
