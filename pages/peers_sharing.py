"""Partage des données: what my territory shares with its peers and the network, per kind of
data; its admin changes it here (each change goes to the activity log)."""

from __future__ import annotations

import streamlit as st

from components import actions
from components.peers import kind_label, level_label
from components.pickers import acting_on, territory_picker
from components.ui import (
    actor,
    engine,
    field_error,
    format_date,
    keep_on_language_switch,
    service_error,
    t,
)
from lib.domain.errors import ServiceError
from lib.domain.sharing import Kind, Level
from lib.services import peers

ss = st.session_state
person = actor()
st.title(t("peers.sharing.title"))
territory = territory_picker(person)
if person is None or territory is None:
    st.info(t("journey.no_territory"))
    st.stop()


def _key(territory_id: int, kind: Kind) -> str:
    return keep_on_language_switch(f"sharing.{territory_id}.{kind.value}")


ACTION = "sharing"


def _save(territory_id: int) -> None:
    """Run by the save button before the page is drawn again, with fresh rights."""
    levels = {kind.value: ss.get(_key(territory_id, kind)) for kind in Kind}
    peers.set_sharing(engine(), actions.rights_now(person), territory_id, levels)


try:
    settings = peers.sharing_settings(engine(), person, territory.id)
except ServiceError as exc:
    service_error(exc)
    st.stop()

st.markdown(t("peers.sharing.for", name=territory.name))
st.markdown(t("peers.sharing.explained"))
with st.expander(t("peers.sharing.levels_title")):
    for level in Level:
        st.markdown(f"- **{level_label(level)}**. {t(f'peers.level_help.{level.value}')}")
    st.markdown(t("peers.sharing.counted_help"))

errors = actions.errors(ACTION)

levels = {level.value: level_label(level) for level in Level}
for kind in Kind:
    choice = settings.choices[kind]
    with st.container(border=True):
        st.markdown(f"**{kind_label(kind)}**")
        st.caption(t(f"peers.kind_help.{kind.value}"))
        if choice.chosen and choice.updated_at is not None:
            st.caption(
                t(
                    "peers.sharing.changed_by",
                    date=format_date(choice.updated_at.date()),
                    who=choice.updated_by or t("peers.sharing.someone"),
                )
            )
        elif not choice.chosen:
            st.caption(t("peers.sharing.default"))
        if settings.can_edit:
            key = _key(territory.id, kind)
            if key not in ss:
                ss[key] = choice.level.value
            st.radio(
                t("peers.sharing.visible_to"),
                list(levels),
                format_func=levels.get,
                captions=[t(f"peers.level_help.{level.value}") for level in Level],
                key=key,
                horizontal=True,
            )
            field_error(errors, f"level.{kind.value}")
        else:
            st.markdown(t("peers.sharing.current", level=level_label(choice.level)))

if settings.can_edit:
    acting_on()
    here = territory.id
    actions.button(
        ACTION,
        t("peers.sharing.save"),
        lambda: _save(here),
        done="peers.sharing.saved",
        type="primary",
        icon=":material/save:",
    )
    actions.outcome(ACTION)
else:
    st.info(t("peers.sharing.admin_only"), icon=":material/admin_panel_settings:")
