"""Live workshops of a territory: prepare one, then run it on the room's screen (``?salle=ID``):
join screen with its QR code, one question at a time, live results by role, the conclusions,
and the end that turns it into a milestone of Mon parcours."""

from __future__ import annotations

import streamlit as st

from components import actions
from components import workshop as room_ui
from components.pickers import territory_picker
from components.qr import share_link
from components.ui import actor, date_format, engine, field_error, format_date, framework, lang, plain, t
from lib.access import Action, can
from lib.domain import clock
from lib.domain.errors import ReadFailed, ServiceError
from lib.services import feedback
from lib.services import workshop as ws
from lib.services.workshop import WORKSHOP_PARAM

ss = st.session_state
person = actor()
ROOM = "salle"


def _open_room(workshop_id: int | None) -> None:
    if workshop_id is None:
        st.query_params.pop(ROOM, None)
    else:
        st.query_params[ROOM] = str(workshop_id)


def _join_link(workshop: ws.Workshop) -> str:
    return share_link(workshop.share_token, param=WORKSHOP_PARAM)


def prepare_form(territory_id: int) -> None:
    key = "workshop.prepare"
    errors = actions.errors(key)
    templates = feedback.list_templates(engine(), person)
    names = {tpl.id: f"{tpl.title(lang())} (v{tpl.version})" for tpl in templates}
    template_id = st.selectbox(
        t("workshop.prepare.template"), list(names), format_func=names.get, key="ws_template"
    )
    field_error(errors, "template_id")
    questions = ws.workshop_questions(engine(), person, template_id) if template_id else ()
    labels = {q.id: q.label(lang()) for q in questions}
    st.multiselect(
        t("workshop.prepare.questions"),
        list(labels),
        format_func=labels.get,
        placeholder=t("workshop.prepare.questions_placeholder"),
        key=f"ws_questions.{template_id}",
    )
    field_error(errors, "question_ids")
    st.text_input(t("workshop.prepare.title_label"), max_chars=feedback.TITLE_MAX, key="ws_title")
    field_error(errors, "title")
    st.date_input(t("workshop.prepare.held_on"), value=clock.today(), format=date_format(), key="ws_held_on")
    field_error(errors, "held_on")
    st.checkbox(
        t("workshop.prepare.reveal"), value=True, key="ws_reveal", help=t("workshop.prepare.reveal_help")
    )

    def prepare() -> ws.Workshop:
        return ws.prepare_workshop(
            engine(),
            actions.rights_now(person),
            territory_id=territory_id,
            template_id=ss.get("ws_template"),
            question_ids=ss.get(f"ws_questions.{ss.get('ws_template')}") or [],
            title=ss.get("ws_title") or "",
            held_on=ss.get("ws_held_on"),
            reveal_mode=bool(ss.get("ws_reveal")),
        )

    actions.button(key, t("workshop.prepare.submit"), prepare, done="workshop.prepare.done", type="primary")
    actions.outcome(key)


def list_view() -> None:
    territory = territory_picker(person)
    st.title(t("workshop.title"))
    if territory is None or not can(person, Action.MANAGE_CAMPAIGNS, territory.id):
        st.info(t("workshop.no_right"))
        st.stop()
    st.caption(plain(territory.name))
    st.write(t("workshop.intro"))
    with st.expander(t("workshop.prepare.title"), icon=":material/add:"):
        prepare_form(territory.id)
    st.subheader(t("workshop.list.title"), anchor=False)
    workshops = ws.list_workshops(engine(), person, territory.id)
    if not workshops:
        st.caption(t("workshop.list.empty"))
    for w in workshops:
        with st.container(border=True):
            st.markdown(f"**{plain(w.title)}** · {format_date(w.held_on)}")
            st.caption(t("workshop.list.joined", n=w.joined_count, q=len(w.question_ids)))
            if w.ended:
                st.success(t("workshop.list.ended"), icon=":material/flag:")
            else:
                # Navigation, not an action: a plain button (decision 0014).
                st.button(
                    t("workshop.list.open_room"),
                    key=f"ws_open.{w.id}",
                    icon=":material/co_present:",
                    on_click=_open_room,
                    args=(w.id,),
                )


def room_view(workshop_id: str) -> None:
    try:
        workshop = ws.get_workshop(engine(), person, int(workshop_id) if workshop_id.isdigit() else 0)
    except ServiceError as exc:
        if isinstance(exc, ReadFailed):
            raise
        st.button(t("workshop.room.back"), icon=":material/arrow_back:", on_click=_open_room, args=(None,))
        st.info(t("workshop.room.unknown"))
        st.stop()
    room_ui.room_styles()
    link = _join_link(workshop)
    st.button(t("workshop.room.back"), icon=":material/arrow_back:", on_click=_open_room, args=(None,))
    screen = st.container(key="workshop_room")
    with screen:
        st.title(plain(workshop.title), anchor=False)
        live_screen(workshop.id, link)
    if workshop.ended:
        st.success(t("workshop.finish.ended"), icon=":material/flag:")
        return
    controls(workshop)


@st.fragment(run_every=room_ui.POLL_SECONDS)
def live_screen(workshop_id: int, link: str) -> None:
    """The part of the room's screen that follows the answers: redrawn every 1.5 s."""
    try:
        now = ws.room(engine(), person, workshop_id)
    except ServiceError as exc:
        st.caption(t(exc.code, **exc.params))  # the next run tries again
        return
    w = now.workshop
    if now.question is None:
        room_ui.join_screen(w.title, link, now.joined)
        return
    main, side = st.columns([2, 1], gap="large")
    with side:
        room_ui.join_reminder(link, now.joined)
    with main:
        position = w.question_ids.index(now.question.id) + 1
        st.caption(t("workshop.room.question_of", i=position, n=len(w.question_ids)))
        st.header(plain(now.question.label(lang())), anchor=False)
        if w.question_open:
            st.info(t("workshop.room.open"), icon=":material/smartphone:")
        else:
            st.caption(t("workshop.room.closed"))
        st.markdown(f"**{t('workshop.room.answers', n=now.results.answered)}**")
        if w.results_shown or not w.reveal_mode:
            room_ui.results_view(now.question, now.results)
        else:
            st.caption(t("workshop.room.hidden"))


def controls(workshop: ws.Workshop) -> None:
    """The facilitator's buttons, below the screen: which question, open, close, reveal."""
    key = f"workshop.control.{workshop.id}"
    template_questions = ws.room(engine(), person, workshop.id).template
    labels = {qid: template_questions.question(qid).label(lang()) for qid in workshop.question_ids}
    st.divider()
    st.subheader(t("workshop.control.title"), anchor=False)
    default = workshop.current_question or workshop.question_ids[0]
    picked_key = f"ws_pick.{workshop.id}"
    if picked_key not in ss or ss[picked_key] not in labels:
        ss[picked_key] = default
    # A list rather than a drop-down: the screen above is redrawn every 1.5 s, and an open
    # drop-down closed under the facilitator's finger when it moved.
    picked = st.radio(
        t("workshop.control.question"),
        list(labels),
        format_func=lambda q: f"{workshop.question_ids.index(q) + 1}. {labels[q]}",
        key=picked_key,
    )
    me = actions.rights_now
    columns = st.columns(4)
    actions.button(
        key,
        t("workshop.control.show"),
        lambda: ws.show_question(engine(), me(person), workshop.id, ss[picked_key]),
        name="show",
        where=columns[0],
        type="primary",
        icon=":material/play_arrow:",
    )
    actions.button(
        key,
        t("workshop.control.close"),
        lambda: ws.close_question(engine(), me(person), workshop.id),
        name="close",
        where=columns[1],
        icon=":material/stop:",
        disabled=not workshop.question_open,
    )
    shown = workshop.results_shown
    actions.button(
        key,
        t("workshop.control.hide" if shown else "workshop.control.reveal"),
        lambda: ws.show_results(engine(), me(person), workshop.id, not shown),
        name="reveal",
        where=columns[2],
        icon=":material/visibility_off:" if shown else ":material/visibility:",
        disabled=workshop.current_question is None,
    )
    actions.button(
        key,
        t("workshop.control.join_screen"),
        lambda: ws.back_to_join_screen(engine(), me(person), workshop.id),
        name="join",
        where=columns[3],
        icon=":material/qr_code_2:",
    )
    actions.outcome(key, fields_shown=False)

    conclusion_key = f"ws_conclusion.{workshop.id}.{picked}"
    if conclusion_key not in ss:
        ss[conclusion_key] = workshop.conclusions.get(picked, "")
    st.text_area(t("workshop.conclusion.label"), key=conclusion_key, height=120, max_chars=ws.CONCLUSION_MAX)
    save_key = f"workshop.conclusion.{workshop.id}"
    field_error(actions.errors(save_key), "conclusion")
    actions.button(
        save_key,
        t("workshop.conclusion.save"),
        lambda: ws.save_conclusion(engine(), me(person), workshop.id, picked, ss.get(conclusion_key) or ""),
        done="workshop.conclusion.saved",
        icon=":material/edit_note:",
    )
    actions.outcome(save_key)

    with st.expander(t("workshop.finish.title"), icon=":material/flag:"):
        st.write(t("workshop.finish.text"))
        phases = {p.id: p.label(lang()) for p in framework().phases}
        st.selectbox(
            t("workshop.finish.phase"), list(phases), format_func=phases.get, key=f"ws_phase.{workshop.id}"
        )
        finish_key = f"workshop.finish.{workshop.id}"
        field_error(actions.errors(finish_key), "phase")
        actions.button(
            finish_key,
            t("workshop.finish.submit"),
            lambda: ws.finish_workshop(
                engine(), me(person), workshop.id, phase=ss.get(f"ws_phase.{workshop.id}"), language=lang()
            ),
            done="workshop.finish.done",
            type="primary",
            icon=":material/flag:",
        )
        actions.outcome(finish_key)


if person is None:
    st.title(t("workshop.title"))
    st.info(t("workshop.no_right"))
elif st.query_params.get(ROOM):
    room_view(st.query_params.get(ROOM))
else:
    list_view()
