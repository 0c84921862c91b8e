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
from lib.domain.template_upload import TemplateProblem, read_template
from lib.domain.text import clean_json
from lib.services.cache import caches
from lib.services.unit_of_work import reading, writing
from lib.store import activity
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
        stored = store.store_template(conn, template, framework_version=version, created_by=actor.person_id)
        activity.log_activity(
            conn,
            person_id=actor.person_id,
            territory_id=None,
            action="template.published",
            subject_type="form_template",
            subject_id=stored[0],
            details={"slug": template.slug, "version": stored[1]},
        )
        return stored


@dataclass(frozen=True)
class TemplateUpload:
    """An uploaded template that reads well, and what publishing it would do
    (``lib.domain.template_versions``): ``step`` add, update or keep, as ``version``."""

    template: FormTemplate
    step: template_versions.Step
    version: int
    first: bool  # no version of this template is stored yet


def _uploaded(content: Any) -> tuple[FormTemplate, dict[str, Any]]:
    if not isinstance(content, bytes | bytearray):
        raise ValidationFailed({"file": FieldError("error.invalid_value")})
    try:
        return read_template(bytes(content), load_framework())
    except TemplateProblem as problem:
        raise ValidationFailed({"file": FieldError(problem.code, problem.params)}) from None


def check_template_upload(engine: Engine, actor: Actor | None, content: bytes) -> TemplateUpload:
    """Read an uploaded YAML template without storing anything: what is wrong (line and key),
    or the template to preview, and the version publishing would give it."""
    actor = require(actor, Action.MANAGE_NETWORK)
    template, document = _uploaded(content)
    with reading(engine) as conn:
        first = store.newest_template(conn, template.slug) is None
        placement = store.template_placement(conn, template, clean_json(document), actor.person_id)
    return TemplateUpload(template, placement.step, placement.version, first)


def publish_template(engine: Engine, actor: Actor | None, content: bytes) -> tuple[int, int]:
    """Store an uploaded YAML template; returns ``(id, version)``. Versioned like every edit
    (``lib.domain.template_versions``): an answered version is never changed."""
    require(actor, Action.MANAGE_NETWORK)
    _, document = _uploaded(content)
    return edit_template(engine, actor, document)


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
