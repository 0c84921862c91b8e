"""Builders of test data, shared by every test module. Append new builders; keep them small."""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import re
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from lib.access import Actor, Role
from lib.domain import clock
from lib.domain.framework import Framework, load_framework
from lib.services.identity import load_actor
from lib.store import tables
from lib.store.reference import register_framework

# --- Territory journey (territories, people, memberships, assessments, milestones) -----------

_serial = itertools.count(1)


def make_territory(engine: Engine, name: str | None = None, *, kind: str = "commune", **values) -> int:
    n = next(_serial)
    with engine.begin() as conn:
        return conn.execute(
            sa.insert(tables.territory)
            .values({"slug": f"territoire-{n}", "name": name or f"Territoire {n}", "kind": kind, **values})
            .returning(tables.territory.c.id)
        ).scalar_one()


def make_person(
    engine: Engine, display_name: str | None = None, *, email: str | None = None, is_demo: bool = True
) -> int:
    n = next(_serial)
    with engine.begin() as conn:
        return conn.execute(
            sa.insert(tables.person)
            .values(
                email=email or f"personne{n}@exemple.test",
                display_name=display_name or f"Personne {n}",
                is_demo=is_demo,
            )
            .returning(tables.person.c.id)
        ).scalar_one()


def make_membership(engine: Engine, person_id: int, territory_id: int | None, role: Role | str) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.insert(tables.membership).values(
                person_id=person_id, territory_id=territory_id, role=str(role)
            )
        )


def make_actor(
    engine: Engine, role: Role | str, territory_id: int | None, display_name: str | None = None
) -> Actor:
    """A person holding ``role`` on ``territory_id`` (None: network-wide), as the app loads them."""
    person_id = make_person(engine, display_name)
    make_membership(engine, person_id, territory_id, role)
    actor = load_actor(engine, person_id)
    assert actor is not None
    return actor


def make_assessment(
    engine: Engine,
    territory_id: int,
    levels: dict[str, int | None] | int | None = 2,
    *,
    assessed_on: date | None = None,
    status: str = "submitted",
    comments: dict[str, str] | None = None,
    framework: Framework | None = None,
) -> int:
    """An assessment with a level for every criterion (one int for all, or a dict by criterion)."""
    framework = framework or load_framework()
    if not isinstance(levels, dict):
        levels = {c.id: levels for c in framework.criteria}
    comments = comments or {}
    with engine.begin() as conn:
        version = register_framework(conn, framework)
        assessment_id = conn.execute(
            sa.insert(tables.assessment)
            .values(
                territory_id=territory_id,
                framework_version=version,
                assessed_on=assessed_on or date(2025, 1, 15),
                status=status,
                submitted_at=tables.utcnow() if status == "submitted" else None,
            )
            .returning(tables.assessment.c.id)
        ).scalar_one()
        conn.execute(
            sa.insert(tables.assessment_score),
            [
                {
                    "assessment_id": assessment_id,
                    "criterion_id": cid,
                    "level": level,
                    "comment": comments.get(cid),
                }
                for cid, level in levels.items()
            ],
        )
    return assessment_id


def make_milestone(
    engine: Engine,
    territory_id: int,
    title: str = "Premier forum citoyen",
    *,
    occurred_on: date | None = None,
    phase: str = "impulse",
    story: str | None = None,
    storytelling_dimension: str | None = None,
    axis_id: str | None = None,
) -> int:
    with engine.begin() as conn:
        return conn.execute(
            sa.insert(tables.milestone)
            .values(
                territory_id=territory_id,
                occurred_on=occurred_on or date(2024, 6, 1),
                phase=phase,
                title=title,
                story=story,
                storytelling_dimension=storytelling_dimension,
                axis_id=axis_id,
            )
            .returning(tables.milestone.c.id)
        ).scalar_one()


# --- Access (invitations, access requests) ---------------------------------------------------


def make_invitation(
    engine: Engine,
    email: str,
    territory_id: int | None,
    role: Role | str,
    *,
    expires_in: timedelta = timedelta(days=14),
    revoked: bool = False,
    invited_by: int | None = None,
) -> int:
    """An invitation as a coordinator or admin would leave it (lower-cased email, like the service)."""
    with engine.begin() as conn:
        return conn.execute(
            sa.insert(tables.invitation)
            .values(
                email=email.strip().lower(),
                territory_id=territory_id,
                role=str(role),
                invited_by=invited_by,
                expires_at=tables.utcnow() + expires_in,
                revoked_at=tables.utcnow() if revoked else None,
            )
            .returning(tables.invitation.c.id)
        ).scalar_one()


def make_access_request(engine: Engine, person_id: int, territory_id: int | None, message: str = "") -> int:
    with engine.begin() as conn:
        return conn.execute(
            sa.insert(tables.access_request)
            .values(person_id=person_id, territory_id=territory_id, message=message, status="pending")
            .returning(tables.access_request.c.id)
        ).scalar_one()


# --- Feedback (form templates, campaigns, responses) -----------------------------------------


def _label(fr: str, en: str) -> dict[str, str]:
    return {"fr": fr, "en": en}


# A two-section template with one question of each kind that has a limit to break.
SHORT_TEMPLATE = {
    "slug": "essai-court",
    "version": 1,
    "title": _label("Essai court", "Short trial"),
    "sections": [
        {
            "id": "first",
            "title": _label("Première partie", "First part"),
            "questions": [
                {
                    "id": "mood",
                    "type": "scale",
                    "required": True,
                    "min": 1,
                    "max": 5,
                    "min_label": _label("Morose", "Gloomy"),
                    "max_label": _label("Enthousiaste", "Enthusiastic"),
                    "label": _label("Votre humeur sur la coopération", "Your mood about cooperation"),
                },
                {
                    "id": "topics",
                    "type": "multiple_choice",
                    "label": _label("Sujets abordés", "Topics discussed"),
                    "options": [
                        {"id": "energy", "label": _label("Énergie", "Energy")},
                        {"id": "food", "label": _label("Alimentation", "Food")},
                        {"id": "mobility", "label": _label("Mobilités", "Mobility")},
                    ],
                },
            ],
        },
        {
            "id": "second",
            "title": _label("Seconde partie", "Second part"),
            "questions": [
                {
                    "id": "story",
                    "type": "short_text",
                    "required": True,
                    "max_length": 20,
                    "label": _label("En quelques mots", "In a few words"),
                },
                {
                    "id": "partners",
                    "type": "number",
                    "integer": True,
                    "min": 0,
                    "max": 10,
                    "label": _label("Nouveaux partenaires", "New partners"),
                },
                {
                    "id": "outcome",
                    "type": "single_choice",
                    "label": _label("Issue du désaccord", "Outcome of the disagreement"),
                    "options": [
                        {"id": "agreed", "label": _label("Accord", "Agreement")},
                        {"id": "debated", "label": _label("En débat", "Under debate")},
                    ],
                },
            ],
        },
    ],
}


def make_template(engine: Engine, document: dict | None = None) -> int:
    """Store a template document (``SHORT_TEMPLATE`` by default); returns its id."""
    from lib.domain.forms import parse_template
    from lib.store import feedback as feedback_store

    template = parse_template(document or SHORT_TEMPLATE, source="test")
    with engine.begin() as conn:
        template_id, _ = feedback_store.store_template(conn, template, framework_version=None)
    return template_id


def make_campaign(
    engine: Engine,
    territory_id: int | None,
    *,
    template_id: int | None = None,
    title: str = "Campagne d’essai",
    opens_on: date | None = None,
    closes_on: date | None = None,
    anonymous: bool = True,
    token: str | None = None,
) -> tuple[int, str]:
    """A campaign open from five days ago for a month (by default); returns ``(id, share token)``."""
    today = clock.today()
    token = token or f"jeton-{next(_serial)}-0123456789abcdefghijklmnopqrst"
    with engine.begin() as conn:
        campaign_id = conn.execute(
            sa.insert(tables.campaign)
            .values(
                territory_id=territory_id,
                form_template_id=template_id or make_template(engine),
                title=title,
                opens_on=opens_on or today - timedelta(days=5),
                closes_on=closes_on or today + timedelta(days=30),
                anonymous=anonymous,
                share_token=token,
            )
            .returning(tables.campaign.c.id)
        ).scalar_one()
    return campaign_id, token


def make_response(
    engine: Engine,
    campaign_id: int,
    role: str,
    answers: dict,
    *,
    submitted_at=None,
    status: str = "submitted",
) -> int:
    """A response as the service stores it: the document, and one answer row per answer."""
    from lib.domain.forms import answer_rows, clean_answers, parse_template

    with engine.begin() as conn:
        content = conn.execute(
            sa.select(tables.form_template.c.content)
            .join(tables.campaign, tables.campaign.c.form_template_id == tables.form_template.c.id)
            .where(tables.campaign.c.id == campaign_id)
        ).scalar_one()
        template = parse_template(content)
        submitted = status == "submitted"
        response_id = conn.execute(
            sa.insert(tables.response)
            .values(
                campaign_id=campaign_id,
                respondent_role=role,
                status=status,
                resume_code=f"CODE{next(_serial):08d}",
                document={"answers": clean_answers(template, answers) if submitted else answers},
                submitted_at=(submitted_at or tables.utcnow()) if submitted else None,
            )
            .returning(tables.response.c.id)
        ).scalar_one()
        if submitted:
            rows = answer_rows(template, answers)
            if rows:
                conn.execute(
                    sa.insert(tables.answer),
                    [
                        {"response_id": response_id, "question_id": q, "numeric_value": n, "text_value": s}
                        for q, n, s in rows
                    ],
                )
            from lib.store import feedback as feedback_store

            feedback_store.bump_data_version(conn, campaign_id)  # as the service does on submit
    return response_id


def as_read(text: str) -> str:
    """A Markdown string as a person reads it: escapes resolved, and the invisible word joiners
    that keep bare addresses from becoming links left out (decision 0013)."""
    return re.sub(r"\\(.)", r"\1", str(text)).replace("\u2060", "")


# AppTest opens the app through this script, never app.py itself (decision 0004).
APP_ENTRY = str(Path(__file__).resolve().parent / "app_entry.py")


def open_app_as(actor: Actor, page: str | None = None) -> AppTest:
    """The app in demo mode as ``actor`` (their persona picked), on ``page`` when given."""
    at = AppTest.from_file(APP_ENTRY, default_timeout=60)
    at.session_state["demo_person_id"] = actor.person_id
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, at.exception
    return at


# --- Peers (peer groups, sharing levels, contact opt-ins) ------------------------------------


def make_peer_group(engine: Engine, name: str, territory_ids: list[int]) -> int:
    n = next(_serial)
    with engine.begin() as conn:
        group_id = conn.execute(
            sa.insert(tables.peer_group)
            .values(slug=f"groupe-{n}", name=name)
            .returning(tables.peer_group.c.id)
        ).scalar_one()
        if territory_ids:
            conn.execute(
                sa.insert(tables.peer_group_member),
                [{"peer_group_id": group_id, "territory_id": tid} for tid in territory_ids],
            )
    return group_id


def set_sharing(engine: Engine, territory_id: int, **levels: str) -> None:
    """Sharing levels by kind (``assessments=``, ``journey=``, ``feedback=``), as an admin sets them."""
    with engine.begin() as conn:
        for kind, level in levels.items():
            conn.execute(
                sa.delete(tables.territory_sharing).where(
                    tables.territory_sharing.c.territory_id == territory_id,
                    tables.territory_sharing.c.kind == kind,
                )
            )
            conn.execute(
                sa.insert(tables.territory_sharing).values(territory_id=territory_id, kind=kind, level=level)
            )


def share_nothing(engine: Engine, territory_id: int) -> None:
    set_sharing(engine, territory_id, **dict.fromkeys(tables.SHARING_KINDS, "private"))


def agree_to_be_contacted(engine: Engine, person_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(sa.insert(tables.peer_contact_consent).values(person_id=person_id))


def axis_levels(framework: Framework | None = None, **by_axis: int) -> dict[str, int]:
    """A level for every criterion, the same within an axis: each axis's mean is that level."""
    framework = framework or load_framework()
    return {c.id: by_axis[c.axis_id] for c in framework.criteria}


def run_coroutine(coro):
    """Runs a coroutine to its end from a synchronous test. On a thread of its own, because
    Playwright's sync API (the browser tests' session fixture) leaves an event loop running on
    the main thread, where asyncio.run() refuses to start another."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, coro).result()
