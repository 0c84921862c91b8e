"""Personal data on screen: the notice of a share-link page, a person's own data on their
profile, and the coordinators' side on Administration (``lib.services.privacy``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import actions
from components.ui import engine, field_error, format_date, lang, service_error, t, t_text
from lib.access import Actor
from lib.domain.clock import local_day
from lib.domain.errors import FieldError, ServiceError, ValidationFailed
from lib.services import privacy

ss = st.session_state


def share_notice(anonymous: bool) -> None:
    """Before the first question: who collects the answers, for what, how long they are kept,
    whether the campaign is anonymous, how to have them deleted. The network's own wording
    (``[privacy]``) where it gave one, else the catalogue's."""
    notice = privacy.notice(anonymous, lang())

    def said(key: str):  # the network's text is shown as text; the default is the catalogue's
        own = getattr(notice, key)
        return own if own is not None else t(f"privacy.default.{key}", network=notice.network)

    with st.container(border=True):
        st.markdown(f"**{t('privacy.notice.title')}**")
        lines = [
            t("privacy.notice.who", controller=said("controller")),
            t("privacy.notice.why", purpose=said("purpose")),
            t("privacy.notice.anonymous_yes")
            if anonymous
            else t("privacy.notice.anonymous_no", days=notice.names_kept_days),
            t("privacy.notice.kept", answers_kept=said("answers_kept"), drafts=notice.drafts_kept_days),
            t("privacy.notice.contact", contact=said("contact")),
        ]
        st.markdown("\n".join(f"- {line}" for line in lines))


# --- a person's own data (Mon profil) ---------------------------------------------------------


def my_data(person: Actor) -> None:
    st.subheader(t("privacy.mine.title"), anchor=False)
    st.markdown(t("privacy.mine.explained"))
    try:
        data = privacy.my_data(engine(), person)
        asked = privacy.erasure_asked(engine(), person)
    except ServiceError as exc:
        service_error(exc)
        return
    st.download_button(
        t("privacy.mine.download"),
        data,
        "mes-donnees-parcours.json",
        "application/json",
        icon=":material/download:",
        on_click="ignore",
        key="privacy.download",
    )
    st.markdown(t("privacy.mine.erase_explained"))
    if asked:
        actions.outcome("privacy.erase_request")  # "sent", once, right after the click
        st.info(t("privacy.mine.erase_asked"), icon=":material/hourglass_top:")
        return
    actions.button(
        "privacy.erase_request",
        t("privacy.mine.erase_button"),
        lambda: privacy.request_erasure(engine(), actions.rights_now(person)),
        done="privacy.mine.erase_sent",
        icon=":material/person_remove:",
    )
    actions.outcome("privacy.erase_request")


# --- the coordinators' side (Administration) --------------------------------------------------


def administration(person: Actor) -> None:
    st.markdown(t("privacy.admin.intro"))
    requests = privacy.erasure_requests(engine(), person)
    st.subheader(t("privacy.admin.requests_title"), anchor=False)
    if requests:
        st.dataframe(
            pd.DataFrame(
                {
                    t_text("privacy.col.name"): [p.display_name or "" for p in requests],
                    t_text("privacy.col.email"): [p.email for p in requests],
                    t_text("privacy.col.asked_on"): [format_date(local_day(p.asked_at)) for p in requests],
                }
            ),
            hide_index=True,
        )
    else:
        st.caption(t("privacy.admin.no_requests"))
    _erase_form(person, requests)
    _purge(person)


def _erase_form(person: Actor, requests: list[privacy.Person]) -> None:
    st.subheader(t("privacy.admin.erase_title"), anchor=False)
    st.markdown(t("privacy.admin.erase_explained"))
    people = {p.id: p for p in privacy.people(engine(), person) if p.id != person.person_id}
    asked = [p.id for p in requests if p.id in people]
    key = "privacy.erase"
    chosen = st.selectbox(
        t("privacy.admin.erase_who"),
        asked + [pid for pid in people if pid not in asked],
        format_func=lambda pid: f"{people[pid].display_name or ''} — {people[pid].email}",
        index=None,
        key=f"{key}.who",
        placeholder=t_text("privacy.admin.erase_placeholder"),
    )
    st.checkbox(t("privacy.admin.erase_confirm"), key=f"{key}.confirm")
    field_error(actions.errors(key), "confirm")

    def erase() -> None:
        if not ss.get(f"{key}.confirm"):
            raise ValidationFailed({"confirm": FieldError("privacy.error.confirm")})
        privacy.erase(engine(), actions.rights_now(person), ss.get(f"{key}.who"))
        ss[f"{key}.confirm"] = False
        ss[f"{key}.who"] = None  # gone from the list: the next one is chosen afresh

    actions.button(
        key,
        t("privacy.admin.erase_button"),
        erase,
        done="privacy.admin.erased",
        type="primary",
        icon=":material/person_remove:",
        disabled=chosen is None,
    )
    actions.outcome(key)


def _purge(person: Actor) -> None:
    st.subheader(t("privacy.admin.purge_title"), anchor=False)
    due = privacy.purge_due(engine(), person)
    st.markdown(
        t(
            "privacy.admin.purge_rules",
            names_days=due.retention.respondent_names_days,
            drafts_days=due.retention.abandoned_drafts_days,
        )
    )
    st.markdown(t("privacy.admin.purge_due", names=due.names, drafts=due.drafts))
    actions.button(
        "privacy.purge",
        t("privacy.admin.purge_button"),
        lambda: privacy.purge_now(engine(), actions.rights_now(person)),
        done=lambda done: ("privacy.admin.purged", {"names": done.names, "drafts": done.drafts}),
        icon=":material/auto_delete:",
    )
    actions.outcome("privacy.purge", fields_shown=False)
