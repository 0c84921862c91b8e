"""A participant's phone in a live workshop: what ``?atelier=TOKEN`` opens, and nothing else.

Join without an account by choosing a role once; then the question the facilitator opens
appears by itself (a fragment reads the room's state every 1.5 s), is answered and can be
changed while it is open; between questions the phone says to wait. The participant's code is
kept in the address (``&participant=``): a reload or a lost connection finds the same person,
on the question the room is on.
"""

from __future__ import annotations

import streamlit as st

from components import actions
from components import workshop as room_ui
from components.form_renderer import render_question
from components.ui import engine, field_error, framework, language_choice, plain, role_label, t
from lib.domain.anonymity import MIN_GROUP
from lib.domain.errors import ServiceError
from lib.services import workshop as ws

ss = st.session_state
token = st.query_params.get(ws.WORKSHOP_PARAM)
language_choice(collapsed=True)  # no sidebar here: participants still choose their language

state = actions.read(
    f"workshop.phone.{token}",
    lambda: ws.phone(engine(), token, st.query_params.get(ws.PARTICIPANT_PARAM)),
)
if not state.known:
    st.header(t("workshop.phone.unknown_title"), anchor=False)
    st.write(t("workshop.phone.unknown_text"))
    st.stop()
st.header(plain(state.title), anchor=False)
JOIN = f"workshop.join.{token}"


def join() -> None:
    code = ws.join_workshop(engine(), token, ss.get(f"{JOIN}.role"))
    st.query_params[ws.PARTICIPANT_PARAM] = code


if state.role is None:  # not joined yet (or a code that is not this workshop's)
    if state.ended:
        st.success(t("workshop.phone.ended"), icon=":material/celebration:")
        st.stop()
    st.info(t("workshop.phone.anonymous", n=MIN_GROUP), icon=":material/visibility_off:")
    roles = {r.id: role_label(r.id) for r in framework().stakeholder_roles}
    st.radio(
        t("workshop.phone.role_label"), list(roles), format_func=roles.get, index=None, key=f"{JOIN}.role"
    )
    field_error(actions.errors(JOIN), "role")
    actions.button(JOIN, t("workshop.phone.join"), join, type="primary", icon=":material/login:")
    actions.outcome(JOIN)
    st.stop()

code = st.query_params.get(ws.PARTICIPANT_PARAM)
st.caption(t("workshop.phone.joined_as", role=role_label(state.role, short=True)))


@st.fragment(run_every=room_ui.POLL_SECONDS)
def current_question() -> None:
    try:
        now = ws.phone(engine(), token, code)
    except ServiceError:
        now = state  # the database did not answer: the last state stays, the next run reads again
    if now.ended:
        st.success(t("workshop.phone.ended"), icon=":material/celebration:")
        return
    if now.question is None or not now.question_open:
        st.info(t("workshop.phone.waiting"), icon=":material/hourglass_top:")
        st.caption(t("workshop.phone.waiting_text"))
        return
    question = now.question
    action = f"workshop.answer.{code}.{question.id}"
    key = f"ws_answer.{code}.{question.id}"
    render_question(question, now.answer, actions.errors(action), key)
    answered = now.answer is not None
    actions.button(
        action,
        t("workshop.phone.change" if answered else "workshop.phone.send"),
        lambda: ws.answer_question(engine(), token, code, question.id, ss.get(key)),
        type="primary",
        icon=":material/send:",
        width="stretch",
    )
    actions.outcome(action)
    if answered:
        st.success(t("workshop.phone.sent"), icon=":material/check_circle:")


current_question()
