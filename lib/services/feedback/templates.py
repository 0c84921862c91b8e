"""Feedback templates: the forms shipped in ``data/forms``, a coordinator's new wording, and the
list a campaign is opened from."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Engine

from lib.access import Action, Actor, require, require_anywhere
from lib.domain import forms, template_versions
from lib.domain.errors import FieldError, NotFound, ValidationFailed
from lib.domain.forms import FormTemplate, FormTemplateError, parse_template
from lib.domain.framework import Framework, Label, load_framework
from lib.domain.text import clean_json
from lib.services.cache import caches
from lib.services.unit_of_work import reading, writing
from lib.store import feedback as store
from lib.store.reference import register_framework


@dataclass(frozen=True)
class TemplateChoice:
    id: int
    slug: str
    version: int
    title: Label


def ensure_templates(engine: Engine, framework: Framework | None = None) -> None:
    """Store the templates shipped in ``data/forms`` (a system task, run at start-up).

    A coordinator's newer wording wins: a shipped file replaces it only when the file's
    ``version`` is raised above the newest stored version.
    """
    framework = framework or load_framework()
    with writing(engine) as conn:
        version = register_framework(conn, framework)
        for template in forms.load_templates():
            newest = store.newest_template(conn, template.slug)
            if template_versions.shipped_file_applies(
                newest.version if newest else None, newest.created_by if newest else None, template.version
            ):
                store.store_template(conn, template, framework_version=version)


def edit_template(engine: Engine, actor: Actor | None, document: dict[str, Any]) -> tuple[int, int]:
    """A coordinator's new wording of a template; returns ``(id, version)``. An answered
    version is never changed: the edit becomes a new version."""
    require(actor, Action.MANAGE_NETWORK)
    framework = load_framework()
    document = clean_json(document)
    try:
        json.dumps(document, allow_nan=False)  # what the database will store
        source = str(document.get("slug", "?")) if isinstance(document, dict) else "?"
        template = parse_template(document, source=source, framework=framework)
    except (FormTemplateError, TypeError, ValueError) as exc:  # not JSON, or not a template
        problem = FieldError("feedback.error.template_invalid", {"detail": str(exc)})
        raise ValidationFailed({"document": problem}) from exc
    with writing(engine) as conn:
        version = register_framework(conn, framework)
        return store.store_template(conn, template, framework_version=version, created_by=actor.person_id)


def list_templates(engine: Engine, actor: Actor | None) -> list[TemplateChoice]:
    """The newest version of each template, for someone who may open a campaign."""
    require_anywhere(actor, Action.MANAGE_CAMPAIGNS)
    with reading(engine) as conn:
        rows = store.latest_templates(conn)
    return [
        TemplateChoice(id=r.id, slug=r.slug, version=r.version, title=Label(fr=r.title_fr, en=r.title_en))
        for r in rows
    ]


def stored_template(conn: Connection, template_id: int) -> FormTemplate:
    """One stored version of a template, as campaigns, answers and results read it."""
    row = store.template_by_id(conn, template_id)
    if row is None:
        raise NotFound(template_id=template_id)
    # A stored version keeps its own wording even if the framework has moved on since. Parsed
    # once per process and change (a template changes in place only while nobody answered it).
    return caches().templates.get_or_compute(
        (row.id, row.updated_at),
        lambda: parse_template(row.content, source=f"{row.slug} v{row.version}"),
    )


def respondent_roles() -> list[str]:
    """The hats a respondent may answer in (the framework's stakeholder roles), in order."""
    return [r.id for r in load_framework().stakeholder_roles]
