"""Answer one feedback campaign: the page a share link opens, and nothing else of the app.

One section at a time (phone first); the draft is saved on the server at every step and a
resume code is shown, so closing the tab loses nothing. Submitting checks everything and
shows every problem at once, next to its field.
"""

from __future__ import annotations

import streamlit as st

from components import actions, ui
from components.a11y import focus_heading
from components.form_renderer import campaign_header, forget, render_section
from components.navigation import page_path
from components.privacy import share_notice
from components.qr import show_resume_link
from components.ui import engine, field_error, lang, language_choice, plain, t
from lib.domain.anonymity import MIN_GROUP
from lib.domain.errors import ValidationFailed
from lib.domain.forms import field_name
from lib.services import feedback

ss = st.session_state
link_token = st.query_params.get("campagne")
token = link_token or ss.get("answer_token")
# Through a share link nobody is logged in, whatever this browser did before.
actor = None if link_token else ui.actor()

if link_token:  # the app's sidebar is not there: respondents still choose their language
    language_choice(collapsed=True)

# When the database does not answer, the campaign read last is drawn again: the form must be
# drawn for what was typed since the last save to stay on screen (components.actions.read).
campaign = actions.read(f"answer.campaign.{token}", lambda: feedback.public_campaign(engine(), token))
if not campaign_header(campaign, token):
    st.stop()  # unknown, not yet open or closed: a clear page, and nothing else

template = campaign.template
sections = template.sections
flow = ss.setdefault("answer_flows", {}).setdefault(
    token, {"code": None, "role": None, "step": 0, "values": {}, "done": False}
)
ACTION = f"answer.{token}"


def adopt(draft: feedback.Draft) -> None:
    flow.update(code=draft.resume_code, role=draft.role, values=dict(draft.answers), step=max(1, draft.step))


def typed() -> dict:
    """The answers on screen now, as their widgets hold them (read when a button is clicked)."""
    prefix = f"ans.{flow['code']}."
    return {q.id: ss[prefix + q.id] for s in sections for q in s.questions if prefix + q.id in ss}


def start() -> None:
    role, name = ss.get(f"ans.{token}.role"), ss.get(f"ans.{token}.name")
    flow["role"] = role
    if flow["code"] is None:
        draft = feedback.start_response(
            engine(),
            token,
            role,
            respondent_name=name,
            actor=actor,
            territory_slug=st.query_params.get("territoire"),
        )
        flow.update(code=draft.resume_code, step=1)
    else:
        feedback.save_draft(engine(), token, flow["code"], role=role, respondent_name=name, step=1)
        flow["step"] = 1


def save(step: int) -> None:
    current = typed()
    flow["values"].update(current)
    feedback.save_draft(engine(), token, flow["code"], current, step=step)
    flow["step"] = step


def submit() -> None:
    flow["values"].update(typed())
    try:
        # A personal link's code (``&envoi=``) spares that address the reminder.
        feedback.submit_response(
            engine(), token, flow["code"], flow["values"], sent_to=st.query_params.get("envoi")
        )
    except ValidationFailed:
        flow["step"] = len(sections) + 1  # every section with a problem, all at once
        raise
    flow["done"] = True


def resume(code: str | None = None) -> None:
    adopt(feedback.resume_response(engine(), token, code or ss.get(f"ans.{token}.resume") or ""))


resume_typed = st.query_params.get("reprise")
if resume_typed and flow["code"] is None and not flow.get("resume_tried"):
    flow["resume_tried"] = True
    actions.run(ACTION, lambda: resume(resume_typed))

errors, step = actions.errors(ACTION), flow["step"]


def error_summary(intro: str) -> None:
    """Every problem at the top, each named by its field (RGAA 11.10): the messages themselves
    sit next to their fields below."""
    names = {
        "role": t("feedback.answer.role_label"),
        "respondent_name": t("feedback.answer.name_label"),
        "resume_code": t("feedback.answer.resume_label"),
    } | {field_name(q.id): plain(q.label(lang())) for s in sections for q in s.questions}
    listed = "\n".join(f"- {names.get(name, plain(name))}" for name in errors)
    st.error(f"{intro}\n\n{listed}", icon=":material/error:")


if flow["done"]:
    st.success(t("feedback.answer.thanks_title"), icon=":material/check_circle:")
    st.write(t("feedback.answer.thanks_text"))
    if st.button(t("feedback.answer.another"), icon=":material/person_add:"):
        # The next person starts blank: no hat, name or answer of the previous one.
        forget(f"ans.{token}.", f"ans.{flow['code']}.")
        ss["answer_flows"].pop(token)
        actions.forget(ACTION)
        st.query_params.pop("reprise", None)
        st.rerun()
    if not link_token:
        st.page_link(page_path("campaigns"), label=t("feedback.answer.back"), icon=":material/arrow_back:")
elif step == 0:
    if errors:
        error_summary(t("feedback.answer.errors_summary", count=len(errors)))
    if template.intro is not None:
        st.write(template.intro(lang()))
    if campaign.anonymous:  # what anonymous means, before anyone answers (decision 0010)
        st.info(t("feedback.answer.anonymous_notice", n=MIN_GROUP), icon=":material/visibility_off:")
    share_notice(campaign.anonymous)  # who collects, what for, how long, how to delete (RGPD)
    role_names = {r.id: ui.role_label(r.id) for r in ui.framework().stakeholder_roles}
    if f"ans.{token}.role" not in ss and flow["role"]:
        ss[f"ans.{token}.role"] = flow["role"]
    st.radio(
        t("feedback.answer.role_label"),
        list(role_names),
        format_func=role_names.get,
        index=None,
        key=ui.keep_on_language_switch(f"ans.{token}.role"),
        help=t("feedback.answer.role_help"),
    )
    field_error(errors, "role")
    if not campaign.anonymous:
        st.text_input(t("feedback.answer.name_label"), max_chars=feedback.NAME_MAX, key=f"ans.{token}.name")
        field_error(errors, "respondent_name")
    actions.button(
        ACTION,
        t("feedback.answer.start"),
        start,
        name="start",
        type="primary",
        icon=":material/arrow_forward:",
    )
    with st.expander(t("feedback.answer.resume_title"), expanded="resume_code" in errors):
        st.text_input(t("feedback.answer.resume_label"), key=f"ans.{token}.resume")
        field_error(errors, "resume_code")
        actions.button(ACTION, t("feedback.answer.resume_button"), resume, name="resume")
    actions.outcome(ACTION)
elif step <= len(sections):
    section = sections[step - 1]
    st.progress(step / len(sections), text=t("feedback.answer.progress", step=step, total=len(sections)))
    st.subheader(section.title(lang()), anchor=False)
    # A screen reader starts the new step at its title, not at the top of the page.
    focus_heading(section.title(lang()), f"{flow['code']}.{step}")
    st.caption(t("feedback.answer.required_note"))
    flow["values"].update(render_section(section, flow["values"], errors, f"ans.{flow['code']}"))
    back, forward = st.columns(2)
    actions.button(
        ACTION, t("feedback.answer.previous"), lambda to=step - 1: save(to), name="back", where=back,
        icon=":material/arrow_back:",
    )  # fmt: skip
    if step < len(sections):
        actions.button(
            ACTION, t("feedback.answer.next"), lambda to=step + 1: save(to), name="next", where=forward,
            type="primary", icon=":material/arrow_forward:",
        )  # fmt: skip
    else:
        actions.button(
            ACTION, t("feedback.answer.submit"), submit, name="submit", where=forward,
            type="primary", icon=":material/send:",
        )  # fmt: skip
    actions.outcome(ACTION)
else:
    error_summary(t("feedback.answer.fix_all", count=len(errors)))
    for section in sections:
        if any(field_name(q.id) in errors for q in section.questions):
            st.subheader(section.title(lang()), anchor=False)
            flow["values"].update(render_section(section, flow["values"], errors, f"ans.{flow['code']}"))
    actions.button(
        ACTION, t("feedback.answer.submit"), submit, name="submit", type="primary", icon=":material/send:"
    )
    actions.outcome(ACTION)

if flow["code"] and not flow["done"]:
    show_resume_link(token, flow["code"], feedback.format_code(flow["code"]))

if link_token:  # the app's sidebar is not there: the statement opens in a new tab, the form stays
    st.caption(f"[{t('a11y.statement.link')}](accessibilite)")
