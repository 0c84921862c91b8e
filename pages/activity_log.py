"""Journal d'activité: who did what and when. Coordinators read the whole network's log; a
territory admin, the entries of their territories. Filters by territory, person, action and
period; pages of fifty, newest first; the filtered entries as CSV or XLSX."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from components.pickers import period
from components.steering import exports, journal_table
from components.ui import (
    actor,
    engine,
    field_error,
    format_count,
    keep_on_language_switch,
    lang,
    service_error,
    t,
)
from lib.domain import clock
from lib.domain.errors import ServiceError, ValidationFailed
from lib.services import steering
from lib.services.steering import JournalQuery

person = actor()
st.title(t("journal.title"))
try:
    choices = steering.journal_choices(engine(), person)
except ServiceError as exc:
    service_error(exc)
    st.stop()

network_wide = steering.journal_territories(person) is None
territories = dict(choices.territories)
if network_wide:
    st.caption(t("journal.caption_network"))
else:
    st.caption(t("journal.caption_territory", territories=", ".join(territories.values())))

people = dict(choices.people)
territory_id = None
if len(territories) > 1:  # an admin of one territory has nothing to choose
    where_col, who_col = st.columns(2)
    territory_id = where_col.selectbox(
        t("journal.filter.territory"),
        [None, *territories],
        format_func=lambda tid: t("journal.filter.any_territory") if tid is None else territories[tid],
        key=keep_on_language_switch("journal.territory"),
    )
else:
    who_col = st.container()
person_id = who_col.selectbox(
    t("journal.filter.person"),
    [None, *people],
    format_func=lambda pid: t("journal.filter.any") if pid is None else people[pid],
    key=keep_on_language_switch("journal.person"),
)
actions = st.multiselect(
    t("journal.filter.actions"),
    list(choices.actions),
    format_func=lambda code: t(f"journal.action.{code}"),
    placeholder=t("steering.all"),
    key=keep_on_language_switch("journal.actions"),
)
today = clock.today()
start, end = period(
    "journal.period",
    (today - timedelta(days=30), today),
    (t("journal.filter.start"), t("journal.filter.end")),
)

query = JournalQuery(territory_id, person_id, tuple(actions), start, end)
if st.session_state.get("journal.query") != query:  # new filters: back to the newest entries
    st.session_state["journal.query"], st.session_state["journal.page"] = query, 0
try:
    page = steering.journal(engine(), person, query, st.session_state["journal.page"])
except ValidationFailed as exc:
    field_error(exc.errors, "end")
    st.stop()
except ServiceError as exc:
    service_error(exc)
    st.stop()


if page.entries.empty:
    st.info(t("journal.none"))
else:
    when = t("journal.col.when")
    fmt = "DD/MM/YYYY HH:mm" if lang() == "fr" else "YYYY-MM-DD HH:mm"
    st.dataframe(
        journal_table(page.entries),
        hide_index=True,
        column_config={when: st.column_config.DatetimeColumn(when, format=fmt)},
    )
newer, where, older = st.columns([1, 2, 1])
if newer.button(t("journal.previous"), icon=":material/arrow_back:", disabled=page.page == 0):
    st.session_state["journal.page"] -= 1
    st.rerun()
where.caption(t("journal.page", page=page.page + 1))
if older.button(t("journal.next"), icon=":material/arrow_forward:", disabled=not page.has_more):
    st.session_state["journal.page"] += 1
    st.rerun()

st.caption(t("journal.export_help", limit=format_count(steering.JOURNAL_EXPORT_LIMIT)))
exports(
    lambda: journal_table(steering.journal_export(engine(), person, query)), "journal-activite", "journal"
)
