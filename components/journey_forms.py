"""The self-assessment form and the milestone form.

Saving happens in the buttons' callbacks, before the page is drawn again: the outcome
(field errors, a refusal, a success) is then drawn in place, right under the fields, and
every typed value stays in its widget because widgets keep their state by key.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from components.pickers import acting_on
from components.ui import engine, field_error, format_date, keep_on_language_switch, lang, service_error, t
from lib.access import Actor
from lib.domain.errors import ConcurrentEdit, FieldError, ServiceError, ValidationFailed
from lib.domain.framework import LEVELS, Framework
from lib.domain.journey import CriterionScore, MilestoneDraft, Status, today
from lib.services import journey as svc
from lib.services.identity import load_actor

ss = st.session_state


def _outcome_keys(prefix: str) -> tuple[str, str, str]:
    return f"{prefix}.errors", f"{prefix}.failure", f"{prefix}.flash"


def _run_save(prefix: str, actor: Actor, save) -> Any:
    """Call ``save(actor)``; keep what the page must show about the outcome.

    Callbacks run before ``app.py`` reads the person's rights for this rerun, so they are
    read again here: a membership revoked since the page was drawn no longer counts. That
    read failing is a failed save like any other: said plainly, the form kept.
    """
    errors_key, failure_key, _ = _outcome_keys(prefix)
    ss[errors_key], ss[failure_key] = None, None
    try:
        return save(load_actor(engine(), actor.person_id))
    except ValidationFailed as exc:
        ss[errors_key] = exc.errors
    except ServiceError as exc:
        ss[failure_key] = exc
    return None


def _show_outcome(prefix: str) -> dict[str, FieldError] | None:
    errors_key, failure_key, flash_key = _outcome_keys(prefix)
    if ss.get(flash_key):
        st.success(t(ss.pop(flash_key)), icon=":material/check_circle:")
    if ss.get(errors_key):
        st.error(t("error.validation"), icon=":material/error:")
    if ss.get(failure_key):
        service_error(ss[failure_key])
    return ss.get(errors_key)


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
    saved = _run_save(
        p,
        actor,
        lambda fresh: svc.record_assessment(
            engine(),
            fresh,
            territory_id,
            scores,
            status,
            assessment_id,
            version,
            assessed_on=ss.get(f"{p}.date"),
        ),
    )
    if saved is None:
        return
    if status is Status.DRAFT:
        ss[f"{p}.base"] = (saved.id, saved.version)
        ss[f"{p}.flash"] = "journey.form.saved_draft"
    else:
        _load_assessment(p, fw, None)  # submitted for good: the next assessment starts blank
        ss[f"{p}.flash"] = "journey.form.submitted"


def _reload_assessment(p: str, fw: Framework, actor: Actor, territory_id: int) -> None:
    journey = _run_save(p, actor, lambda fresh: svc.get_journey(engine(), fresh, territory_id, fw))
    if journey is not None:
        _load_assessment(p, fw, journey.draft)


def assessment_form(fw: Framework, actor: Actor, territory_id: int, draft: svc.Assessment | None) -> None:
    """Per axis, per criterion: a level (with each level's meaning visible) and a comment."""
    p = f"assess{territory_id}"
    if _level_key(p, fw.criteria[0].id) not in ss or f"{p}.base" not in ss:
        _load_assessment(p, fw, draft)  # first visit, or back from another page
        ss[f"{p}.errors"] = ss[f"{p}.failure"] = None
    st.subheader(t("journey.form.title"))
    st.write(t("journey.form.intro"))
    if draft is not None and ss[f"{p}.base"][0] == draft.id:
        st.caption(
            t("journey.form.editing_draft", date=format_date(draft.assessed_on), version=draft.version)
        )
    errors = _show_outcome(p)
    if isinstance(ss.get(f"{p}.failure"), ConcurrentEdit):
        st.button(
            t("journey.form.reload"),
            help=t("journey.form.reload_help"),
            key=f"{p}.reload",
            on_click=_reload_assessment,
            args=(p, fw, actor, territory_id),
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
            t("journey.form.assessed_on"), key=keep_on_language_switch(f"{p}.date"), format="DD/MM/YYYY"
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
        failure = ss.get(f"{p}.failure")
        if errors or failure:  # the buttons are far below the top of the form: say it here too
            st.error(
                t(failure.code, **failure.params) if failure else t("error.validation"),
                icon=":material/error:",
            )
        acting_on()
        left, right = st.columns(2)
        with left:
            st.button(
                t("journey.form.save_draft"),
                icon=":material/save:",
                key=f"{p}.save_draft",
                on_click=_save_assessment,
                args=(p, fw, actor, territory_id, Status.DRAFT),
            )
        with right:
            st.button(
                t("journey.form.submit"),
                type="primary",
                icon=":material/send:",
                key=f"{p}.submit",
                on_click=_save_assessment,
                args=(p, fw, actor, territory_id, Status.SUBMITTED),
            )


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
    saved = _run_save(
        p,
        actor,
        lambda fresh: svc.save_milestone(
            engine(), fresh, territory_id, draft, milestone_id, ss.get(f"{p}.base")
        ),
    )
    if saved is None:
        return
    if milestone_id is None:
        _load_milestone(p, None)
        ss[f"{p}.flash"] = "journey.ms.added"
    else:
        ss[f"{p}.base"] = saved.version
        ss[f"{p}.flash"] = "journey.ms.updated"


def _reload_milestone(p: str, actor: Actor, territory_id: int, milestone_id: int) -> None:
    milestones = _run_save(p, actor, lambda fresh: svc.list_milestones(engine(), fresh, territory_id))
    if milestones is not None:
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
        ss[f"{p}.errors"] = ss[f"{p}.failure"] = None
    errors = _show_outcome(p)
    if milestone_id is not None and isinstance(ss.get(f"{p}.failure"), ConcurrentEdit):
        st.button(
            t("journey.form.reload"),
            help=t("journey.form.reload_help"),
            key=f"{p}.reload",
            on_click=_reload_milestone,
            args=(p, actor, territory_id, milestone_id),
        )
    phases = {ph.id: ph.label(lang()) for ph in fw.phases}
    dimensions = {d.id: d.label(lang()) for d in fw.storytelling_dimensions}
    # Not an st.form: the phase and dimension are picked from translated labels, and only a value
    # the server already holds survives a language switch (see components.ui.keep_on_language_switch).
    with st.container(border=True):
        left, right = st.columns(2)
        with left:
            st.date_input(
                t("journey.ms.occurred_on"), key=keep_on_language_switch(f"{p}.date"), format="DD/MM/YYYY"
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
        st.button(
            t("journey.ms.add") if milestone_id is None else t("journey.ms.save"),
            type="primary",
            icon=":material/flag:",
            key=f"{p}.save",
            on_click=_save_milestone,
            args=(p, actor, territory_id, milestone_id),
        )


def refusal_after_losing_rights(territory_id: int) -> None:
    """Someone whose right to edit was withdrawn while a form was open still learns that the
    save was refused (the form is gone: they may now only read)."""
    mine = (f"assess{territory_id}.", f"ms{territory_id}.")
    for key in [k for k in ss if str(k).startswith(mine) and str(k).endswith(".failure")]:
        failure = ss.pop(key)
        if failure is not None:
            service_error(failure)
