"""The one way a page runs what a person asked for (decision 0013).

A page draws its fields, then an action's button: clicking it runs a service call in the
button's callback, before the page is drawn again. The outcome is kept under the action's
key and drawn where the page puts ``outcome()`` — next to the button, where the person is:

- refused fields: their messages under the fields (``errors()``), and one line by the button;
- the database did not answer: a plain sentence and a "Réessayer" button that runs the same
  call again, with what is on screen then;
- any other refusal: its sentence;
- success: the message, shown once.

Messages are kept as translation keys and translated when drawn, so a language switch
shows them in the new language. What was typed stays in the widgets: the call reads the
values from ``st.session_state`` by the widgets' keys, and nothing here touches them.

Pages whose form depends on a read (the campaign of a share link, the person's journey)
read it through ``read()``: when the database does not answer, the last value read in
this browser session is used, so the form is still drawn — Streamlit drops the value of
every widget a run does not draw, and with it what was typed since the last save.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import streamlit as st

from components.ui import engine, t
from lib.access import Actor
from lib.bootstrap import StartupFailed
from lib.domain.errors import FieldError, ReadFailed, ServiceError, ValidationFailed, WriteFailed
from lib.services.identity import load_actor

ss = st.session_state
T = TypeVar("T")

# The database did not answer: the same call may well work a moment later.
_WORTH_RETRYING = (ReadFailed, WriteFailed, StartupFailed)


@dataclass
class _Outcome:
    errors: dict[str, FieldError] = field(default_factory=dict)
    failure: ServiceError | None = None
    retry: tuple[Callable[[], Any], Any, dict] | None = None  # the call, its message
    done: tuple[str, dict] | None = None


def _outcome(key: str) -> _Outcome:
    return ss.setdefault(f"_action.{key}", _Outcome())


Done = str | Callable[[Any], tuple[str, dict]] | None


def run(key: str, call: Callable[[], Any], done: Done = None, /, **params: Any) -> Any:
    """Run ``call`` (a service call) for action ``key`` and keep its outcome; returns what the
    call returned, or None when it was refused. ``done``: the success message's key (with
    ``params``), or a function of the call's result giving the key and its parameters."""
    outcome = _outcome(key)
    outcome.errors, outcome.failure, outcome.retry, outcome.done = {}, None, None, None
    try:
        result = call()
    except ValidationFailed as exc:
        outcome.errors = dict(exc.errors)
        return None
    except ServiceError as exc:
        outcome.failure = exc
        if isinstance(exc, _WORTH_RETRYING):
            outcome.retry = (call, done, params)
        return None
    if callable(done):
        outcome.done = done(result)
    elif done:
        outcome.done = (done, params)
    return result


def _run_again(key: str) -> None:
    retry = _outcome(key).retry
    if retry is not None:
        call, done, params = retry
        run(key, call, done, **params)


def button(
    action: str,
    label: str,
    call: Callable[[], Any],
    /,
    *,
    done: Done = None,
    done_params: dict[str, Any] | None = None,
    in_form: bool = False,
    where: Any = None,
    name: str = "go",
    **widget: Any,
) -> bool:
    """A button (``in_form``: the submit button of the ``st.form`` around it) that runs
    ``call`` for ``action`` when clicked. ``name`` tells apart several buttons of one action
    (save a draft / submit; the widget's key unless ``key`` is given). Returns whether it was
    clicked at this run."""
    draw = (where or st).form_submit_button if in_form else (where or st).button
    if not in_form:
        widget.setdefault("key", f"{action}.{name}")
    return draw(label, on_click=run, args=(action, call, done), kwargs=done_params or {}, **widget)


def rights_now(actor: Actor | None) -> Actor | None:
    """The person's rights read again, inside a call: callbacks run before ``app.py`` reads
    them for this rerun, so a membership revoked since the page was drawn must not count.
    That read failing is a failed action like any other: said plainly, the form kept."""
    return None if actor is None else load_actor(engine(), actor.person_id)


def errors(key: str) -> dict[str, FieldError]:
    """The fields action ``key`` refused at its last run: show each under its field."""
    return _outcome(key).errors


def failure(key: str) -> ServiceError | None:
    """Why the last run of action ``key`` was refused (None: it was not)."""
    return _outcome(key).failure


def pop_failures(*keys: str) -> list[ServiceError]:
    """Take the refusals kept for these actions and every action under them (``key`` + "."),
    for a page that can no longer draw their forms but must still say what happened."""
    prefix = "_action."
    found = []
    for name in [k for k in ss if str(k).startswith(prefix)]:
        key = name[len(prefix) :]
        if any(key == k or key.startswith(f"{k}.") for k in keys):
            outcome = ss.pop(name)
            if outcome.failure is not None:
                found.append(outcome.failure)
    return found


def forget(key: str) -> None:
    """Start action ``key`` afresh: no message, no error kept."""
    ss.pop(f"_action.{key}", None)


def outcome(key: str, where: Any = None, *, fields_shown: bool = True, toast: bool = False) -> None:
    """What came of the last run of action ``key``, drawn here (next to its button).
    ``fields_shown=False``: an action on a list, with no field to show its errors under —
    each error is said here instead of "some fields need correcting".
    ``toast=True``: on a form longer than a screen, the rerun can leave the person scrolled
    away from the button, so the outcome is also said in a toast, which is always in view."""
    box = where or st
    result = _outcome(key)

    def say(kind: Callable[..., Any], text: str, icon: str) -> None:
        kind(text, icon=icon)
        if toast:
            st.toast(text, icon=icon, duration="long")

    if result.done is not None:
        message, params = result.done
        result.done = None  # once: the next rerun (a click, a language switch) no longer shows it
        say(box.success, t(message, **params), ":material/check_circle:")
    if result.errors and fields_shown:
        say(box.error, t("error.validation"), ":material/error:")
    elif result.errors:
        for error in result.errors.values():
            box.error(t(error.code, **error.params), icon=":material/error:")
    if result.failure is not None:
        say(box.error, t(result.failure.code, **result.failure.params), ":material/error:")
        if result.retry is not None:
            box.button(
                t("action.retry"),
                key=f"{key}.retry",
                icon=":material/refresh:",
                on_click=_run_again,
                args=(key,),
            )


def read(key: str, read_now: Callable[[], T]) -> T:
    """``read_now()``, or — when the database does not answer — the last value it gave in this
    browser session, so that the form depending on it is still drawn with what was typed.

    The page then says, once per run, that the database does not answer and that what was
    typed is still there. Without any earlier value the failure goes on to ``app.py``.
    Only reads made for this same person and page are reused: ``key`` must say whose they are.
    """
    kept = ss.setdefault("_last_read", {})
    try:
        value = read_now()
    except (ReadFailed, StartupFailed):
        if key not in kept:
            raise
        _say_read_failed_once()
        return kept[key]
    kept[key] = value
    return value


_RUN_MARK = "_read_failed_said_at_run"


def new_run() -> None:
    """Called by ``app.py`` at the start of every run (the notice is said once per run)."""
    ss[_RUN_MARK] = False


def _say_read_failed_once() -> None:
    if ss.get(_RUN_MARK):
        return
    ss[_RUN_MARK] = True
    # No button of its own: the person's next click (the action's "Réessayer" included) reads again.
    st.warning(t("action.read_failed_kept"), icon=":material/cloud_off:")
