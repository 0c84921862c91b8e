"""Partage des données: what my territory shares with its peers and the network, per kind of
data; its admin changes it here (each change goes to the activity log)."""

from __future__ import annotations

import streamlit as st

from components import actions
from components import showcase as public_view
from components.peers import kind_label, level_label
from components.pickers import acting_on, territory_picker
from components.ui import (
    actor,
    engine,
    field_error,
    format_date,
    framework,
    keep_on_language_switch,
    plain,
    service_error,
    t,
)
from lib.domain.errors import ServiceError
from lib.domain.sharing import Kind, Level, levels_for
from lib.services import peers, showcase

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


def _confirm_key(territory_id: int) -> str:
    return f"sharing.{territory_id}.confirm_public"


def _save(territory_id: int) -> None:
    """Run by the save button before the page is drawn again, with fresh rights."""
    levels = {kind.value: ss.get(_key(territory_id, kind)) for kind in Kind}
    confirmed = bool(ss.get(_confirm_key(territory_id)))
    peers.set_sharing(engine(), actions.rights_now(person), territory_id, levels, confirm_public=confirmed)
    ss.pop(_confirm_key(territory_id), None)  # the next publication is confirmed afresh


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
            levels = {level.value: level_label(level) for level in levels_for(kind)}
            st.radio(
                t("peers.sharing.visible_to"),
                list(levels),
                format_func=levels.get,
                captions=[t(f"peers.level_help.{level}") for level in levels],
                key=key,
                horizontal=True,
            )
            field_error(errors, f"level.{kind.value}")
        else:
            st.markdown(t("peers.sharing.current", level=level_label(choice.level)))

if settings.can_edit:
    chosen = {kind.value: ss.get(_key(territory.id, kind)) for kind in Kind}
    if any(level == Level.PUBLIC for level in chosen.values()):
        # What anyone will read, drawn by the showcase's own pieces from the showcase's own
        # service: the admin sees the very page, not a description of it.
        st.subheader(t("showcase.preview.title"))
        st.caption(t("showcase.preview.explained"))
        try:
            preview = showcase.preview(engine(), person, territory.id, chosen, framework())
        except ServiceError as exc:
            service_error(exc)
            preview = None
        with st.container(border=True):
            if preview is None:
                st.info(t("showcase.preview.nothing"))
            else:
                st.markdown(f"### {plain(preview.territory.name)}")
                public_view.page(framework(), preview)
        before = {kind: settings.level(kind) for kind in Kind}
        if peers.newly_public(before, chosen):
            st.checkbox(t("showcase.preview.confirm"), key=_confirm_key(territory.id))
            field_error(errors, "confirm_public")
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
