"""The coordinators' weekly digest by e-mail: new responses, stalled territories, pending requests.

Written once per ISO week and coordinator (the outbox's ``dedupe_key``), by the first
``send-mail`` pass of the week, with the figures of *Pilotage du réseau* read as that
coordinator would read them. Optional: it carries a one-click unsubscribe, and a coordinator
who unsubscribed is not written to again.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from lib.access import Role
from lib.domain import clock
from lib.domain import engagement as domain
from lib.services import mail, membership, steering
from lib.services.identity import load_actor
from lib.services.smtp import MailSettings
from lib.services.unit_of_work import reading, writing
from lib.store import membership as membership_store
from lib.store import outbox as store

WEEK = 7
STALLED_NAMES_SHOWN = 5


def coordinators(engine: Engine) -> list[int]:
    with reading(engine) as conn:
        return [
            row.person_id
            for row in membership_store.list_members(conn, None)
            if row.role == Role.COORDINATOR.value
        ]


def write_digests(engine: Engine, config: MailSettings, today: date | None = None) -> int:
    """This week's digest for each coordinator who has none yet; returns how many were written."""
    today = today or clock.today()
    year, week, _ = today.isocalendar()
    written = 0
    for person_id in coordinators(engine):
        actor = load_actor(engine, person_id)
        if actor is None or not actor.is_coordinator:
            continue
        with reading(engine) as conn:
            # Done this week, or unsubscribed: nothing to compute.
            if store.message_with_key_exists(conn, _key(actor.email, year, week)) or store.opted_out(
                conn, actor.email
            ):
                continue
        week_figures = steering.overview(engine, actor, days=WEEK, today=today)
        stalled = steering.overview(engine, actor, days=domain.DEFAULT_DAYS, today=today).stalled
        responses = next(f.value for f in week_figures.figures if f.code == "responses")
        pending = len(membership.pending_requests(engine, actor))
        with writing(engine) as conn:
            language = mail.language_of(conn, actor.email)
            names = list(stalled["name"][:STALLED_NAMES_SHOWN])
            more = len(stalled) - len(names)
            shown = (" (" + ", ".join(names) + (f", +{more}" if more > 0 else "") + ")") if names else ""
            written += (
                mail.queue(
                    conn,
                    config,
                    kind="digest",
                    to=actor.email,
                    language=language,
                    params={
                        "responses": responses,
                        "stalled": len(stalled),
                        "stalled_days": domain.DEFAULT_DAYS,
                        "stalled_names": shown,
                        "pending": pending,
                    },
                    action_url=mail.link(config),
                    dedupe_key=_key(actor.email, year, week),
                )
                is not None
            )
    return written


def _key(email: str, year: int, week: int) -> str:
    return f"digest:{email}:{year}-W{week:02d}"
