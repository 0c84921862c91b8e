"""Answer one feedback campaign: the page a share link opens, and nothing else of the app.

One section at a time (phone first); the draft is saved on the server at every step and a
resume code is shown, so closing the tab loses nothing. Submitting checks everything and
shows every problem at once, next to its field.
"""

from __future__ import annotations

import streamlit as st

from components import ui
from components.form_renderer import campaign_header, forget, render_section
from components.navigation import page_path
from components.qr import show_resume_link
from components.ui import engine, field_error, lang, language_choice, service_error, t
from lib.domain.errors import ServiceError, ValidationFailed
from lib.domain.forms import field_name
from lib.services import feedback
from lib.services.feedback import CampaignUnavailable

link_token = st.query_params.get("campagne")
token = link_token or st.session_state.get("answer_token")
# Through a share link nobody is logged in, whatever this browser did before.
actor = None if link_token else ui.actor()

if link_token:  # the app's sidebar is not there: respondents still choose their language
    language_choice(collapsed=True)

campaign = feedback.public_campaign(engine(), token)
if not campaign_header(campaign, token):
    st.stop()  # unknown, not yet open or closed: a clear page, and nothing else

template = campaign.template
sections = template.sections
flow = st.session_state.setdefault("answer_flows", {}).setdefault(
    token, {"code": None, "role": None, "step": 0, "values": {}, "errors": {}, "done": False}
)


def act(action) -> None:
    """Run a service call; on success rerun to the next screen, else keep everything typed."""
    try:
        action()
    except ValidationFailed as exc:
        flow["errors"] = exc.errors
        st.rerun()
    except CampaignUnavailable:
        st.rerun()  # the campaign closed meanwhile: the page now says so
    except ServiceError as exc:
        service_error(exc)
        return
    flow["errors"] = {}
    st.rerun()


def adopt(draft: feedback.Draft) -> None:
    flow.update(code=draft.resume_code, role=draft.role, values=dict(draft.answers), step=max(1, draft.step))


def start() -> None:
    role, name = flow["role"], st.session_state.get(f"ans.{token}.name")
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


def save(values: dict, step: int) -> None:
    feedback.save_draft(engine(), token, flow["code"], values, step=step)
    flow["step"] = step


def submit() -> None:
    try:
        feedback.submit_response(engine(), token, flow["code"], flow["values"])
    except ValidationFailed:
        flow["step"] = len(sections) + 1  # every section with a problem, all at once
        raise
    flow["done"] = True


resume_typed = st.query_params.get("reprise")
if resume_typed and flow["code"] is None and not flow.get("resume_tried"):
    flow["resume_tried"] = True
    act(lambda: adopt(feedback.resume_response(engine(), token, resume_typed)))

errors, step = flow["errors"], flow["step"]
if flow["done"]:
    st.success(t("feedback.answer.thanks_title"), icon=":material/check_circle:")
    st.write(t("feedback.answer.thanks_text"))
    if st.button(t("feedback.answer.another"), icon=":material/person_add:"):
        # The next person starts blank: no hat, name or answer of the previous one.
        forget(f"ans.{token}.", f"ans.{flow['code']}.")
        st.session_state["answer_flows"].pop(token)
        st.query_params.pop("reprise", None)
        st.rerun()
    if not link_token:
        st.page_link(page_path("campaigns"), label=t("feedback.answer.back"), icon=":material/arrow_back:")
elif step == 0:
    if template.intro is not None:
        st.write(template.intro(lang()))
    role_names = {r.id: ui.role_label(r.id) for r in ui.framework().stakeholder_roles}
    if f"ans.{token}.role" not in st.session_state and flow["role"]:
        st.session_state[f"ans.{token}.role"] = flow["role"]
    flow["role"] = st.radio(
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
    if st.button(t("feedback.answer.start"), type="primary", icon=":material/arrow_forward:"):
        act(start)
    with st.expander(t("feedback.answer.resume_title"), expanded="resume_code" in errors):
        typed = st.text_input(t("feedback.answer.resume_label"), key=f"ans.{token}.resume")
        field_error(errors, "resume_code")
        if st.button(t("feedback.answer.resume_button")):
            act(lambda: adopt(feedback.resume_response(engine(), token, typed)))
elif step <= len(sections):
    section = sections[step - 1]
    st.progress(step / len(sections), text=t("feedback.answer.progress", step=step, total=len(sections)))
    st.subheader(section.title(lang()), anchor=False)
    st.caption(t("feedback.answer.required_note"))
    current = render_section(section, flow["values"], errors, f"ans.{flow['code']}")
    flow["values"].update(current)
    back, forward = st.columns(2)
    if back.button(t("feedback.answer.previous"), icon=":material/arrow_back:"):
        act(lambda: save(current, step - 1))
    if step < len(sections):
        if forward.button(t("feedback.answer.next"), type="primary", icon=":material/arrow_forward:"):
            act(lambda: save(current, step + 1))
    elif forward.button(t("feedback.answer.submit"), type="primary", icon=":material/send:"):
        act(submit)
else:
    st.error(t("feedback.answer.fix_all", count=len(errors)), icon=":material/error:")
    for section in sections:
        if any(field_name(q.id) in errors for q in section.questions):
            st.subheader(section.title(lang()), anchor=False)
            flow["values"].update(render_section(section, flow["values"], errors, f"ans.{flow['code']}"))
    if st.button(t("feedback.answer.submit"), type="primary", icon=":material/send:"):
        act(submit)

if flow["code"] and not flow["done"]:
    show_resume_link(token, flow["code"], feedback.format_code(flow["code"]))
