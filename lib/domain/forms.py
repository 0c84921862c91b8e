"""Feedback form templates: loaded from ``data/forms/*.yaml``, checked on load, and the
checks applied to a respondent's answers.

A template is a list of sections, each a list of questions. Question types (``scale``,
``single_choice``, ``multiple_choice``, ``short_text``, ``long_text``, ``number``), their keys
and their checks are registered in ``lib.domain.question_types``; any other type is refused on
load.

Every question has an ``id`` (unique in the template: it names the stored answers and the
export column), a ``label`` and optional ``help`` in French and English, ``required``
(default false), and an optional link to an ``axis``, a ``storytelling_dimension`` or a
``value_dimension`` of the framework.

Answer errors are keyed ``q.<question id>`` and carry translation keys as codes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from lib.domain.errors import FieldError
from lib.domain.formats import LANGUAGES
from lib.domain.framework import Framework, Label, load_framework
from lib.domain.question_types import (  # noqa: F401 (the names templates and pages use)
    CHOICE_TYPES,
    LONG_TEXT,
    MULTIPLE_CHOICE,
    NOT_A_NUMBER,
    NOT_INTEGER,
    NOT_OFFERED,
    NUMBER,
    NUMBER_LIMIT,
    NUMBER_TOO_LARGE,
    OUT_OF_RANGE,
    QUESTION_TYPES,
    REQUIRED,
    SCALE,
    SHORT_TEXT,
    SINGLE_CHOICE,
    TEXT_TYPES,
    TOO_LONG,
    TYPE_KEYS,
    TYPES,
    Option,
    question_type,
    show_bound,
)
from lib.domain.text import clean_text

FORMS_DIR = Path(__file__).resolve().parents[2] / "data" / "forms"

# The largest whole number a draft keeps, so that it is refused as too large at submission:
# JSON on both databases gives it back exactly (Python reads at most 4,300 digits).
_DRAFT_INT_LIMIT = 10**1000

# Ids become export column names and widget keys: keep them plain.
_ID = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


class FormTemplateError(ValueError):
    """A template file is broken; the message names the file and the faulty key."""


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: Label
    help: Label | None = None
    required: bool = False
    options: tuple[Option, ...] = ()
    min: float | None = None
    max: float | None = None
    min_label: Label | None = None
    max_label: Label | None = None
    integer: bool = False
    max_length: int | None = None
    axis: str | None = None
    storytelling_dimension: str | None = None
    value_dimension: str | None = None

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)

    def option_label(self, option_id: str, lang: str) -> str:
        for o in self.options:
            if o.id == option_id:
                return o.label(lang)
        return option_id

    @property
    def scale_points(self) -> tuple[int, ...]:
        return tuple(range(int(self.min), int(self.max) + 1)) if self.type == SCALE else ()


@dataclass(frozen=True)
class Section:
    id: str
    title: Label
    questions: tuple[Question, ...]
    intro: Label | None = None


@dataclass(frozen=True)
class FormTemplate:
    slug: str
    version: int
    title: Label
    sections: tuple[Section, ...]
    intro: Label | None = None
    storytelling_dimension: str | None = None
    raw: dict[str, Any] | None = None  # the document as written, stored in the database

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    def questions_of_type(self, *types: str) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.type in types)

    def questions_summarised_as(self, summary: str) -> tuple[Question, ...]:
        """The questions whose answers the results page reads through one aggregate
        (``question_types.BY_VALUE``, ``BY_OPTION``, ``TEXTS``, ``NUMBERS``)."""
        return tuple(q for q in self.questions if question_type(q.type).summary == summary)


# --- Loading -------------------------------------------------------------------------------


class _Reader:
    """Reads one template document, naming the file and key in every error."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, message: str) -> FormTemplateError:
        return FormTemplateError(f"formulaire {self.source} : {message}")

    def get(self, node: Any, key: str, where: str) -> Any:
        if not isinstance(node, dict) or node.get(key) in (None, ""):
            raise self.fail(f"clé manquante « {where}.{key} »")
        return node[key]

    def label(self, node: Any, key: str, where: str, optional: bool = False) -> Label | None:
        if optional and (not isinstance(node, dict) or node.get(key) is None):
            return None
        value = self.get(node, key, where)
        for lang in LANGUAGES:
            text = value.get(lang) if isinstance(value, dict) else None
            if not isinstance(text, str) or not text.strip():
                raise self.fail(f"texte « {lang} » manquant pour « {where}.{key} »")
        return Label(fr=value["fr"].strip(), en=value["en"].strip())

    def ident(self, node: Any, where: str) -> str:
        value = self.get(node, "id", where)
        if not isinstance(value, str) or not _ID.match(value):
            raise self.fail(
                f"identifiant invalide « {where}.id » = {value!r} (minuscules, chiffres et _, 60 au plus)"
            )
        return value

    def number(self, node: dict, key: str, where: str, *, whole: bool = False) -> float | None:
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not abs(value) <= NUMBER_LIMIT:
            raise self.fail(f"« {where}.{key} » doit être un nombre (au plus {NUMBER_LIMIT:.0e})")
        if whole and value != int(value):
            raise self.fail(f"« {where}.{key} » doit être un nombre entier")
        return int(value) if whole or isinstance(value, int) else float(value)

    def flag(self, node: dict, key: str, where: str) -> bool:
        value = node.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(f"« {where}.{key} » doit valoir true ou false")
        return value


# The keys every question may have; each type adds its own (``question_types``).
_COMMON_QUESTION_KEYS = {
    "id",
    "type",
    "label",
    "help",
    "required",
    "axis",
    "storytelling_dimension",
    "value_dimension",
}


def _question(r: _Reader, node: Any, where: str, framework: Framework | None) -> Question:
    qid = r.ident(node, where)
    unknown = sorted(set(node) - _COMMON_QUESTION_KEYS - TYPE_KEYS)
    if unknown:
        raise r.fail(f"clé inconnue « {where}.{unknown[0]} »")
    qtype = r.get(node, "type", where)
    if qtype not in TYPES:
        raise r.fail(
            f"question « {qid} » ({where}.type) : type inconnu {qtype!r} "
            f"(attendu : {', '.join(QUESTION_TYPES)})"
        )
    kind = question_type(qtype)
    fields: dict[str, Any] = {
        "id": qid,
        "type": qtype,
        "label": r.label(node, "label", where),
        "help": r.label(node, "help", where, optional=True),
        "required": r.flag(node, "required", where),
    }
    for key in sorted(TYPE_KEYS - set(kind.keys)):
        if key in node:
            raise r.fail(f"« {where}.{key} » n’a pas de sens pour une question de type {qtype}")
    fields |= kind.fields(r, node, where)
    for key, choices in _links(framework).items():
        value = node.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or (choices is not None and value not in choices):
            raise r.fail(f"« {where}.{key} » = {value!r} n’existe pas dans le référentiel")
        fields[key] = value
    return Question(**fields)


def _links(framework: Framework | None) -> dict[str, set[str] | None]:
    """The framework entries a question may point to; None when not checked (stored templates)."""
    if framework is None:
        return {"axis": None, "storytelling_dimension": None, "value_dimension": None}
    return {
        "axis": {a.id for a in framework.axes},
        "storytelling_dimension": {d.id for d in framework.storytelling_dimensions},
        "value_dimension": {d.id for d in framework.value_dimensions},
    }


def parse_template(data: Any, source: str = "?", framework: Framework | None = None) -> FormTemplate:
    """Check a template document and build it. ``framework`` checks the links to it
    (templates read back from the database are not re-checked: the framework may have moved on).
    """
    r = _Reader(source)
    if not isinstance(data, dict):
        raise r.fail("le fichier doit contenir un dictionnaire YAML")
    slug = r.get(data, "slug", "formulaire")
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise r.fail(f"« slug » invalide : {slug!r} (minuscules, chiffres et tirets)")
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise r.fail("« version » doit être un entier positif")
    dimension = data.get("storytelling_dimension")
    links = _links(framework)["storytelling_dimension"]
    if dimension is not None and links is not None and dimension not in links:
        raise r.fail(f"« storytelling_dimension » = {dimension!r} n’existe pas dans le référentiel")

    section_nodes = r.get(data, "sections", "formulaire")
    if not isinstance(section_nodes, list) or not section_nodes:
        raise r.fail("« sections » doit être une liste non vide")
    sections, seen_sections, seen_questions = [], set(), set()
    for i, snode in enumerate(section_nodes):
        where = f"sections[{i}]"
        sid = r.ident(snode, where)
        if sid in seen_sections:
            raise r.fail(f"section en double « {sid} »")
        seen_sections.add(sid)
        qnodes = r.get(snode, "questions", where)
        if not isinstance(qnodes, list) or not qnodes:
            raise r.fail(f"« {where}.questions » doit être une liste non vide")
        questions = []
        for j, qnode in enumerate(qnodes):
            q = _question(r, qnode, f"{where}.questions[{j}]", framework)
            if q.id in seen_questions:
                raise r.fail(f"question en double « {q.id} » dans « {where}.questions[{j}] »")
            seen_questions.add(q.id)
            questions.append(q)
        sections.append(
            Section(
                id=sid,
                title=r.label(snode, "title", where),
                intro=r.label(snode, "intro", where, optional=True),
                questions=tuple(questions),
            )
        )
    return FormTemplate(
        slug=slug,
        version=version,
        title=r.label(data, "title", "formulaire"),
        intro=r.label(data, "intro", "formulaire", optional=True),
        storytelling_dimension=dimension,
        sections=tuple(sections),
        raw=data,
    )


def load_template_file(path: Path, framework: Framework | None = None) -> FormTemplate:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise FormTemplateError(f"formulaire {path.name} : YAML illisible : {exc}") from exc
    return parse_template(data, source=path.name, framework=framework)


def load_templates_from(folder: Path, framework: Framework | None = None) -> tuple[FormTemplate, ...]:
    """Every template in ``folder``, checked (against ``framework`` when given)."""
    templates = tuple(load_template_file(p, framework) for p in sorted(folder.glob("*.yaml")))
    slugs = [t.slug for t in templates]
    for slug in slugs:
        if slugs.count(slug) > 1:
            raise FormTemplateError(f"formulaire : slug « {slug} » utilisé par deux fichiers")
    return templates


@cache
def load_templates() -> tuple[FormTemplate, ...]:
    """The templates shipped in ``data/forms``, checked against the current framework;
    the same for every user, read once per process."""
    return load_templates_from(FORMS_DIR, load_framework())


# --- Answers -------------------------------------------------------------------------------


def field_name(question_id: str) -> str:
    """The error key of a question, as pages look it up."""
    return f"q.{question_id}"


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not clean_text(value).strip()
    if isinstance(value, list | tuple | set):
        return len(value) == 0
    return isinstance(value, float) and math.isnan(value)


def validate_answers(
    template: FormTemplate,
    answers: dict[str, Any],
    *,
    section_id: str | None = None,
    check_required: bool = True,
) -> dict[str, FieldError]:
    """Every problem at once, keyed ``q.<question id>``: required but missing, out of range,
    too long, or a choice the question does not offer. ``section_id`` limits the check to
    one section; ``check_required=False`` lets a draft be half-filled.
    """
    questions = template.section(section_id).questions if section_id else template.questions
    errors: dict[str, FieldError] = {}
    for q in questions:
        value = answers.get(q.id)
        if is_empty(value):
            if check_required and q.required:
                errors[field_name(q.id)] = FieldError(REQUIRED)
            continue
        problem = question_type(q.type).problem(q, value)
        if problem is not None:
            errors[field_name(q.id)] = problem
    return errors


def clean_answers(template: FormTemplate, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers as stored: known questions only, empty ones dropped, text stripped,
    numbers as numbers, multiple choices in the template's order. Assumes they validated."""
    cleaned: dict[str, Any] = {}
    for q in template.questions:
        value = answers.get(q.id)
        if is_empty(value):
            continue
        cleaned[q.id] = question_type(q.type).clean(q, value)
    return cleaned


def _draft_value(value: Any) -> Any:
    """A value as a draft keeps it (texts cleaned by the one rule), or None when no JSON column
    of both databases gives it back exactly, or no page can send it: booleans, infinities,
    whole numbers of more than a thousand digits, anything that is not a text, a number or a
    list of them."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) <= _DRAFT_INT_LIMIT else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return None


def draft_answers(template: FormTemplate, answers: dict[str, Any]) -> dict[str, Any]:
    """What a draft keeps: every known question's value as typed, even a wrong one, so
    nothing typed is lost; only values that cannot be stored as JSON are dropped."""
    kept: dict[str, Any] = {}
    known = {q.id for q in template.questions}
    for qid, value in answers.items():
        if qid not in known or is_empty(value):
            continue
        if isinstance(value, list | tuple | set | frozenset):
            items = [_draft_value(v) for v in value]
            value = [v for v in items if v is not None]
        else:
            value = _draft_value(value)
        if value is not None and not is_empty(value):
            kept[qid] = value
    return kept


def answer_rows(
    template: FormTemplate, answers: dict[str, Any]
) -> list[tuple[str, float | None, str | None]]:
    """One row per answer — one per chosen option for a multiple choice — as
    ``(question_id, numeric_value, text_value)``, so that analysis stays in SQL."""
    rows: list[tuple[str, float | None, str | None]] = []
    for qid, value in clean_answers(template, answers).items():
        q = template.question(qid)
        rows.extend((qid, numeric, text) for numeric, text in question_type(q.type).rows(q, value))
    return rows
