"""Shared pieces of network steering's screens: labels in the reader's language, the period and
territory filters, the headline figures, table exports, the coordinators' Accueil and the
journal's table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from components.kpi import Kpi, kpi_cards
from components.navigation import page_path
from components.ui import (
    date_format,
    engine,
    format_date,
    format_month,
    framework,
    keep_on_language_switch,
    plain,
    role_label,
    t,
)
from lib.access import Actor, Role
from lib.domain import engagement
from lib.services import steering
from lib.services.steering import Scope
from lib.store.tables import TERRITORY_KINDS

# --- labels -----------------------------------------------------------------------------------


def role_names() -> dict[str, str]:
    """Each hat's name without its examples ("Services de l’État", not "… (DDT/DDTM, …)"): short
    enough for a column header or a chart axis."""
    return {r.id: role_label(r.id, short=True) for r in framework().stakeholder_roles}


def kind_name(code: str) -> str:
    return t(f"steering.kind.{code}") if code in TERRITORY_KINDS else code


def month_name(day: date) -> str:
    """A month as people read it: ``nov. 2026`` / ``Nov 2026``."""
    return format_month(day)


def date_columns(frame: pd.DataFrame, *names: str) -> dict:
    """Column settings showing these date columns as people read dates (27/10/2026)."""
    return {name: st.column_config.DateColumn(name, format=date_format()) for name in names if name in frame}


def exports(frame: pd.DataFrame | Callable[[], pd.DataFrame], stem: str, key: str) -> None:
    """The table as CSV and XLSX, headers and values as shown. A function giving the table is
    called only when a button is clicked (for a long table that is not on the screen)."""

    def table() -> pd.DataFrame:
        return frame() if callable(frame) else frame

    left, right = st.columns(2)
    left.download_button(
        t("steering.export.csv"),
        lambda: steering.csv_bytes(table()),
        f"{stem}.csv",
        "text/csv",
        icon=":material/download:",
        on_click="ignore",
        key=f"{key}.csv",
    )
    right.download_button(
        t("steering.export.xlsx"),
        lambda: steering.xlsx_bytes({stem: table()}),
        f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        on_click="ignore",
        key=f"{key}.xlsx",
    )


# --- filters and figures ----------------------------------------------------------------------


def filters(person: Actor) -> tuple[int, Scope]:
    """The period (N days) and the part of the network to look at; the whole network by default."""
    choices = steering.filter_choices(engine(), person)
    groups = dict(choices.peer_groups)
    st.session_state.setdefault("steering.days", engagement.DEFAULT_DAYS)
    with st.expander(t("steering.filters"), icon=":material/tune:"):
        days_col, groups_col = st.columns([1, 3])
        days = days_col.number_input(
            t("steering.days"),
            min_value=engagement.MIN_DAYS,
            max_value=engagement.MAX_DAYS,
            step=1,
            key=keep_on_language_switch("steering.days"),
            help=t("steering.days_help"),
        )
        chosen_groups = groups_col.multiselect(
            t("steering.peer_groups"),
            list(groups),
            format_func=groups.get,
            placeholder=t("steering.all"),
            key=keep_on_language_switch("steering.groups"),
        )
        kinds_col, regions_col = st.columns(2)
        kinds = kinds_col.multiselect(
            t("steering.kinds"),
            choices.kinds,
            format_func=kind_name,
            placeholder=t("steering.all"),
            key=keep_on_language_switch("steering.kinds"),
        )
        regions = regions_col.multiselect(
            t("steering.regions"),
            choices.regions,
            placeholder=t("steering.all"),
            key=keep_on_language_switch("steering.regions"),
        )
    return int(days), Scope(tuple(chosen_groups), tuple(kinds), tuple(regions))


def figures(view: steering.Overview) -> None:
    """The four headline figures, each with its change over the previous period."""
    period = view.period
    st.caption(
        t(
            "steering.period",
            start=format_date(period.first_day),
            end=format_date(period.today),
            days=period.days,
        )
    )
    cards = []
    for figure in view.figures:
        cards.append(
            Kpi(
                t(f"steering.figure.{figure.code}"),
                str(figure.value),
                f"{figure.change:+d}" if figure.change else "0",
                t(f"steering.figure.{figure.code}.help", total=len(view.territories)),
                steady=figure.change == 0,
            )
        )
    kpi_cards(cards)


# --- the coordinators' Accueil ---------------------------------------------------------------

_GLANCE_ITEMS = 5


def _more(count: int) -> None:
    if count > _GLANCE_ITEMS:
        st.caption(t("steering.home.more", count=count - _GLANCE_ITEMS))


def network_glance(person: Actor) -> None:
    """The network at a glance: the figures, who to get back in touch with, which voices are
    missing, how old self-assessments are; then the way to the full view."""
    st.title(t("steering.home.title"))
    view = steering.overview(engine(), person)
    coverage = steering.coverage(engine(), person)
    figures(view)
    stalled_col, voices_col, assessed_col = st.columns(3, gap="large")
    with stalled_col:
        st.subheader(t("steering.home.stalled"))
        if view.stalled.empty:
            st.write(t("steering.stalled.none"))
        for row in view.stalled.head(_GLANCE_ITEMS).itertuples():
            last = format_date(row.last_activity_day) if row.last_activity_day else t("steering.never")
            st.markdown(f"- {t('steering.home.stalled_line', territory=row.name, last=last)}")
            st.caption(plain(row.admin_emails or t("steering.stalled.no_admin")))
        _more(len(view.stalled))
    with voices_col:
        st.subheader(t("steering.home.voices"))
        names = role_names()
        for role in ("elected_official", "state_services"):
            silent = engagement.never_heard(coverage, role)
            key = "steering.coverage.signal" if len(silent) else "steering.coverage.signal_none"
            st.markdown(f"**{plain(t(key, role=names[role], count=len(silent)))}**")
            for name in silent["name"].head(_GLANCE_ITEMS):
                st.markdown(f"- {plain(name)}")
            _more(len(silent))
    with assessed_col:
        st.subheader(t("steering.home.assessments"))
        old = view.territories[view.territories["freshness"].isin(("1_to_2_years", "over_2_years", "never"))]
        never = int((view.territories["freshness"] == engagement.NEVER).sum())
        st.write(t("steering.home.old_assessments", count=len(old), never=never))
    st.page_link(page_path("steering"), label=t("steering.home.open_steering"), icon=":material/monitoring:")
    st.page_link(page_path("activity_log"), label=t("steering.home.open_journal"), icon=":material/history:")


# --- the journal ----------------------------------------------------------------------------


def _label(key: str, fallback: str) -> str:
    """The catalogue's text for ``key``, else ``fallback`` (an action another part of the app
    records before it has a label here is shown by its code)."""
    text = t(key)
    return fallback if text == key else text


def journal_table(entries: pd.DataFrame) -> pd.DataFrame:
    """Journal entries as people read them: actions, subjects and roles in their language,
    Paris times."""
    roles = {
        **role_names(),
        **{r.value: role_label(r.value) for r in Role},
    }

    def subject(kind, ident) -> str:
        if kind is None or pd.isna(ident):
            return ""
        return t("journal.subject.line", subject=_label(f"journal.subject.{kind}", kind), id=int(ident))

    def details(value) -> str:
        if not isinstance(value, dict):
            return ""
        return " · ".join(
            f"{_label(f'journal.detail.{k}', k)} : {roles.get(v, v) if isinstance(v, str) else v}"
            for k, v in value.items()
            if v is not None
        )

    return pd.DataFrame(
        {
            t("journal.col.when"): entries["occurred_at"],
            t("journal.col.action"): entries["action"].map(
                lambda code: _label(f"journal.action.{code}", code)
            ),
            t("journal.col.person"): entries["person_name"].fillna(t("journal.nobody")),
            t("journal.col.email"): entries["person_email"].fillna(""),
            t("journal.col.territory"): entries["territory_name"].fillna(t("journal.network")),
            t("journal.col.subject"): [
                subject(k, i) for k, i in zip(entries["subject_type"], entries["subject_id"], strict=True)
            ],
            t("journal.col.details"): entries["details"].map(details),
        }
    )
