"""The self-assessment form and the milestone form.

Saving runs through ``components.actions``: in the buttons' callbacks, before the page is
drawn again, so the outcome (field errors, a refusal, a success, a "Réessayer") is drawn
in place — field errors under the fields, the rest next to the buttons, where the person
is — and every typed value stays in its widget because widgets keep their state by key.
"""

from __future__ import annotations

import streamlit as st

from components import actions
from components.pickers import acting_on
from components.ui import (
    date_format,
    engine,
    field_error,
    format_date,
    keep_on_language_switch,
    lang,
    service_error,
    t,
)
from lib.access import Actor
from lib.domain.errors import ConcurrentEdit
from lib.domain.framework import LEVELS, Framework
from lib.domain.journey import CriterionScore, MilestoneDraft, Status, today
from lib.services import journey as svc

ss = st.session_state


def _failure_line(p: str) -> None:
    """The buttons are far below the top of a long form: say it at the top too."""
    failure = actions.failure(p)
    if actions.errors(p) or failure:
        st.error(
            t(failure.code, **failure.params) if failure else t("error.validation"), icon=":material/error:"
        )


# --- Self-assessment -------------------------------------------------------------------------


def _level_key(p: str, cid: str) -> str:
    return f"{p}.level.{cid}"


def _comment_key(p: str, cid: str) -> str:
    return f"{p}.comment.{cid}"


def _load_assessment(p: str, fw: Framework, draft: svc.Assessment | None) -> None:
    """Fill the form from the saved draft (or empty it) and remember which version it shows."""
    for c in fw.criteria:
        score = draft.scores.get(c.id) if draft else None
        ss[_level_key(p, c.id)] = score.level if score else None
        ss[_comment_key(p, c.id)] = score.comment if score else ""
    ss[f"{p}.date"] = draft.assessed_on if draft else today()
    ss[f"{p}.base"] = (draft.id, draft.version) if draft else (None, None)


def _save_assessment(p: str, fw: Framework, actor: Actor, territory_id: int, status: Status) -> None:
    scores = {
        c.id: CriterionScore(ss.get(_level_key(p, c.id)), ss.get(_comment_key(p, c.id)) or "")
        for c in fw.criteria
    }
    assessment_id, version = ss[f"{p}.base"]
    saved = svc.record_assessment(
        engine(),
        actions.rights_now(actor),
        territory_id,
        scores,
        status,
        assessment_id,
        version,
        assessed_on=ss.get(f"{p}.date"),
    )
    if status is Status.DRAFT:
        ss[f"{p}.base"] = (saved.id, saved.version)
    else:
        _load_assessment(p, fw, None)  # submitted for good: the next assessment starts blank


def _reload_assessment(p: str, fw: Framework, actor: Actor, territory_id: int) -> None:
    _load_assessment(p, fw, svc.get_journey(engine(), actions.rights_now(actor), territory_id, fw).draft)


def assessment_form(fw: Framework, actor: Actor, territory_id: int, draft: svc.Assessment | None) -> None:
    """Per axis, per criterion: a level (with each level's meaning visible) and a comment."""
    p = f"assess{territory_id}"
    if _level_key(p, fw.criteria[0].id) not in ss or f"{p}.base" not in ss:
        _load_assessment(p, fw, draft)  # first visit, or back from another page
        actions.forget(p)
    st.subheader(t("journey.form.title"))
    st.write(t("journey.form.intro"))
    if draft is not None and ss[f"{p}.base"][0] == draft.id:
        st.caption(
            t("journey.form.editing_draft", date=format_date(draft.assessed_on), version=draft.version)
        )
    errors = actions.errors(p)
    _failure_line(p)
    if isinstance(actions.failure(p), ConcurrentEdit):
        actions.button(
            p,
            t("journey.form.reload"),
            lambda: _reload_assessment(p, fw, actor, territory_id),
            name="reload",
            help=t("journey.form.reload_help"),
        )
    level_options = list(LEVELS)
    # The options show only the level number and the words go in captions: Streamlit matches a
    # radio's value by its displayed label, so translated labels would drop every level picked
    # so far when the person switches language.
    captions = [
        t(
            "journey.form.level_caption",
            label=fw.level(lv).label(lang()),
            description=fw.level(lv).description(lang()),
        )
        for lv in LEVELS
    ]

    # Not an st.form: a level picked is held by the server at once, so nothing picked is lost
    # when the person switches language before saving (a form keeps it in the browser only).
    with st.container():
        st.date_input(
            t("journey.form.assessed_on"), key=keep_on_language_switch(f"{p}.date"), format=date_format()
        )
        field_error(errors, "assessed_on")
        for axis in fw.axes:
            st.markdown(f"#### {axis.label(lang())}")
            st.caption(axis.description(lang()))
            for c in axis.criteria:
                with st.container(border=True):
                    about, choice = st.columns([2, 3], gap="medium")
                    with about:
                        st.markdown(f"**{c.label(lang())}**  \n{c.description(lang())}")
                        st.text_area(
                            t("journey.form.comment"),
                            key=keep_on_language_switch(_comment_key(p, c.id)),
                            height=100,
                        )
                        field_error(errors, f"comment.{c.id}")
                    with choice:
                        st.radio(
                            c.label(lang()),
                            level_options,
                            index=None,
                            format_func=str,
                            captions=captions,
                            key=keep_on_language_switch(_level_key(p, c.id)),
                            label_visibility="collapsed",
                        )
                        field_error(errors, f"level.{c.id}")
        acting_on()
        left, right = st.columns(2)
        actions.button(
            p,
            t("journey.form.save_draft"),
            lambda: _save_assessment(p, fw, actor, territory_id, Status.DRAFT),
            done="journey.form.saved_draft",
            name="save_draft",
            where=left,
            icon=":material/save:",
        )
        actions.button(
            p,
            t("journey.form.submit"),
            lambda: _save_assessment(p, fw, actor, territory_id, Status.SUBMITTED),
            done="journey.form.submitted",
            name="submit",
            where=right,
            type="primary",
            icon=":material/send:",
        )
        # Where the person is: under the buttons of this long form, and in a toast (issue 7, item 12).
        actions.outcome(p, toast=True)


# --- Milestones ------------------------------------------------------------------------------


def _ms_prefix(territory_id: int, milestone_id: int | None) -> str:
    return f"ms{territory_id}.{milestone_id or 'new'}"


def _load_milestone(p: str, milestone: svc.Milestone | None) -> None:
    ss[f"{p}.date"] = milestone.occurred_on if milestone else today()
    ss[f"{p}.phase"] = milestone.phase if milestone else None
    ss[f"{p}.dimension"] = milestone.storytelling_dimension if milestone else None
    ss[f"{p}.axis"] = milestone.axis_id if milestone else None
    ss[f"{p}.title"] = milestone.title if milestone else ""
    ss[f"{p}.story"] = milestone.story if milestone else ""
    ss[f"{p}.base"] = milestone.version if milestone else None


def _save_milestone(p: str, actor: Actor, territory_id: int, milestone_id: int | None) -> None:
    draft = MilestoneDraft(
        occurred_on=ss.get(f"{p}.date"),
        phase=ss.get(f"{p}.phase"),
        title=ss.get(f"{p}.title") or "",
        story=ss.get(f"{p}.story") or "",
        storytelling_dimension=ss.get(f"{p}.dimension"),
        axis_id=ss.get(f"{p}.axis"),
    )
    saved = svc.save_milestone(
        engine(), actions.rights_now(actor), territory_id, draft, milestone_id, ss.get(f"{p}.base")
    )
    if milestone_id is None:
        _load_milestone(p, None)
    else:
        ss[f"{p}.base"] = saved.version


def _reload_milestone(p: str, actor: Actor, territory_id: int, milestone_id: int) -> None:
    milestones = svc.list_milestones(engine(), actions.rights_now(actor), territory_id)
    _load_milestone(p, next((m for m in milestones if m.id == milestone_id), None))


# The "new milestone" entry of the picker: 0, never a milestone's id, and unlike None a value
# Streamlit can hand back to the browser when the language changes.
NEW_MILESTONE = 0


def milestone_form(fw: Framework, actor: Actor, territory_id: int, milestones: list[svc.Milestone]) -> None:
    """Add a milestone, or pick one to edit; each keeps its own typed values."""
    st.subheader(t("journey.ms.title"))
    by_id = {m.id: m for m in milestones}
    pick_key = f"ms{territory_id}.pick"
    if ss.get(pick_key) not in (NEW_MILESTONE, *by_id):
        ss[pick_key] = NEW_MILESTONE
    picked = st.selectbox(
        t("journey.ms.pick"),
        [NEW_MILESTONE, *sorted(by_id, key=lambda i: (by_id[i].occurred_on, i), reverse=True)],
        format_func=lambda i: (
            t("journey.ms.new")
            if i == NEW_MILESTONE
            else f"{format_date(by_id[i].occurred_on)} · {by_id[i].title}"
        ),
        key=keep_on_language_switch(pick_key),
    )
    milestone_id = None if picked == NEW_MILESTONE else picked
    p = _ms_prefix(territory_id, milestone_id)
    if f"{p}.title" not in ss or f"{p}.base" not in ss:
        _load_milestone(p, by_id.get(milestone_id))
        actions.forget(p)
    errors = actions.errors(p)
    _failure_line(p)
    if milestone_id is not None and isinstance(actions.failure(p), ConcurrentEdit):
        actions.button(
            p,
            t("journey.form.reload"),
            lambda: _reload_milestone(p, actor, territory_id, milestone_id),
            name="reload",
            help=t("journey.form.reload_help"),
        )
    phases = {ph.id: ph.label(lang()) for ph in fw.phases}
    dimensions = {d.id: d.label(lang()) for d in fw.storytelling_dimensions}
    # Not an st.form: the phase and dimension are picked from translated labels, and only a value
    # the server already holds survives a language switch (see components.ui.keep_on_language_switch).
    with st.container(border=True):
        left, right = st.columns(2)
        with left:
            st.date_input(
                t("journey.ms.occurred_on"), key=keep_on_language_switch(f"{p}.date"), format=date_format()
            )
            field_error(errors, "occurred_on")
        with right:
            st.selectbox(
                t("journey.ms.phase"),
                list(phases),
                index=None,
                format_func=phases.get,
                placeholder=t("journey.ms.choose"),
                key=keep_on_language_switch(f"{p}.phase"),
            )
            field_error(errors, "phase")
        st.text_input(t("journey.ms.title_field"), key=keep_on_language_switch(f"{p}.title"))
        field_error(errors, "title")
        st.selectbox(
            t("journey.ms.dimension"),
            list(dimensions),
            index=None,
            format_func=dimensions.get,
            placeholder=t("journey.ms.choose"),
            key=keep_on_language_switch(f"{p}.dimension"),
        )
        field_error(errors, "storytelling_dimension")
        axes = {a.id: a.label(lang()) for a in fw.axes}
        st.selectbox(
            t("peers.ms.axis"),
            list(axes),
            index=None,
            format_func=axes.get,
            placeholder=t("journey.ms.choose"),
            help=t("peers.ms.axis_help"),
            key=keep_on_language_switch(f"{p}.axis"),
        )
        field_error(errors, "axis_id")
        st.text_area(t("journey.ms.story"), key=keep_on_language_switch(f"{p}.story"), height=120)
        field_error(errors, "story")
        acting_on()
        actions.button(
            p,
            t("journey.ms.add") if milestone_id is None else t("journey.ms.save"),
            lambda: _save_milestone(p, actor, territory_id, milestone_id),
            done="journey.ms.added" if milestone_id is None else "journey.ms.updated",
            name="save",
            type="primary",
            icon=":material/flag:",
        )
        actions.outcome(p)


def refusal_after_losing_rights(territory_id: int) -> None:
    """Someone whose right to edit was withdrawn while a form was open still learns that the
    save was refused (the form is gone: they may now only read)."""
    for failure in actions.pop_failures(f"assess{territory_id}", f"ms{territory_id}"):
        service_error(failure)
