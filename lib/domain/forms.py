"""Feedback form templates: loaded from ``data/forms/*.yaml``, checked on load, and the
checks applied to a respondent's answers.

A template is a list of sections, each a list of questions. Question types:

- ``scale``: whole numbers from ``min`` to ``max``, both ends labelled (``min_label``, ``max_label``);
- ``single_choice`` / ``multiple_choice``: ``options``, each ``{id, label}``;
- ``short_text`` / ``long_text``: free text, at most ``max_length`` characters;
- ``number``: optional ``min``/``max``, ``integer: true`` for whole numbers.

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
from lib.domain.framework import Framework, Label, load_framework
from lib.domain.text import clean_text

FORMS_DIR = Path(__file__).resolve().parents[2] / "data" / "forms"
LANGUAGES = ("fr", "en")

SCALE = "scale"
SINGLE_CHOICE = "single_choice"
MULTIPLE_CHOICE = "multiple_choice"
SHORT_TEXT = "short_text"
LONG_TEXT = "long_text"
NUMBER = "number"
QUESTION_TYPES = (SCALE, SINGLE_CHOICE, MULTIPLE_CHOICE, SHORT_TEXT, LONG_TEXT, NUMBER)
CHOICE_TYPES = (SINGLE_CHOICE, MULTIPLE_CHOICE)
TEXT_TYPES = (SHORT_TEXT, LONG_TEXT)
DEFAULT_MAX_LENGTH = {SHORT_TEXT: 200, LONG_TEXT: 4000}
MAX_SCALE_POINTS = 11  # beyond this a scale stops being readable on a phone
# Beyond this a number is no answer anyone means, and a float no longer holds every whole number.
NUMBER_LIMIT = 10**15
# The largest whole number a draft keeps, so that it is refused as too large at submission:
# JSON on both databases gives it back exactly (Python reads at most 4,300 digits).
_DRAFT_INT_LIMIT = 10**1000

# Ids become export column names and widget keys: keep them plain.
_ID = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")

# Error codes (translation keys, see data/i18n/feedback.yaml and core.yaml).
REQUIRED = "error.required"
TOO_LONG = "error.too_long"
OUT_OF_RANGE = "feedback.error.out_of_range"
NOT_OFFERED = "feedback.error.not_offered"
NOT_A_NUMBER = "feedback.error.not_a_number"
NOT_INTEGER = "feedback.error.not_integer"
NUMBER_TOO_LARGE = "feedback.error.number_too_large"


class FormTemplateError(ValueError):
    """A template file is broken; the message names the file and the faulty key."""


@dataclass(frozen=True)
class Option:
    id: str
    label: Label


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


_KNOWN_QUESTION_KEYS = {
    "id",
    "type",
    "label",
    "help",
    "required",
    "options",
    "min",
    "max",
    "min_label",
    "max_label",
    "integer",
    "max_length",
    "axis",
    "storytelling_dimension",
    "value_dimension",
}


def _question(r: _Reader, node: Any, where: str, framework: Framework | None) -> Question:
    qid = r.ident(node, where)
    unknown = sorted(set(node) - _KNOWN_QUESTION_KEYS)
    if unknown:
        raise r.fail(f"clé inconnue « {where}.{unknown[0]} »")
    qtype = r.get(node, "type", where)
    if qtype not in QUESTION_TYPES:
        raise r.fail(f"type inconnu « {where}.type » = {qtype!r} (attendu : {', '.join(QUESTION_TYPES)})")
    fields: dict[str, Any] = {
        "id": qid,
        "type": qtype,
        "label": r.label(node, "label", where),
        "help": r.label(node, "help", where, optional=True),
        "required": r.flag(node, "required", where),
    }
    if qtype == SCALE:
        low, high = (r.number(node, k, where, whole=True) for k in ("min", "max"))
        if low is None or high is None:
            raise r.fail(f"clé manquante « {where}.{'min' if low is None else 'max'} » (échelle)")
        if not low < high or high - low + 1 > MAX_SCALE_POINTS:
            raise r.fail(f"« {where}.min » doit être inférieur à « max », {MAX_SCALE_POINTS} points au plus")
        fields |= {
            "min": low,
            "max": high,
            "min_label": r.label(node, "min_label", where),
            "max_label": r.label(node, "max_label", where),
        }
    elif qtype == NUMBER:
        integer = r.flag(node, "integer", where)
        low, high = (r.number(node, k, where, whole=integer) for k in ("min", "max"))
        if low is not None and high is not None and not low < high:
            raise r.fail(f"« {where}.min » doit être inférieur à « {where}.max »")
        fields |= {"min": low, "max": high, "integer": integer}
    elif qtype in TEXT_TYPES:
        length = node.get("max_length", DEFAULT_MAX_LENGTH[qtype])
        if isinstance(length, bool) or not isinstance(length, int) or length < 1:
            raise r.fail(f"« {where}.max_length » doit être un entier positif")
        fields["max_length"] = length
    else:
        nodes = r.get(node, "options", where)
        if not isinstance(nodes, list) or len(nodes) < 2:
            raise r.fail(f"« {where}.options » doit proposer au moins deux options")
        options = []
        for j, opt in enumerate(nodes):
            owhere = f"{where}.options[{j}]"
            oid = r.ident(opt, owhere)
            if oid in {o.id for o in options}:
                raise r.fail(f"option en double « {oid} » dans « {where}.options »")
            options.append(Option(id=oid, label=r.label(opt, "label", owhere)))
        fields["options"] = tuple(options)
    for key in ("min", "max", "min_label", "max_label", "integer", "max_length", "options"):
        if key in node and key not in fields:
            raise r.fail(f"« {where}.{key} » n’a pas de sens pour une question de type {qtype}")
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


def _as_number(value: Any) -> float | None:
    """The number given or typed, None when it is none. A whole number too large for a float
    becomes an infinity, so that it is refused as too large rather than as not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            return None
        return None if math.isnan(number) else number
    return None


def _check(question: Question, value: Any) -> FieldError | None:
    """The problem with one non-empty answer, or None."""
    q = question
    if q.type in (SCALE, NUMBER):
        number = _as_number(value)
        if number is None:
            return FieldError(NOT_A_NUMBER)
        if not abs(number) <= NUMBER_LIMIT:
            return FieldError(NUMBER_TOO_LARGE)
        if (q.type == SCALE or q.integer) and number != int(number):
            return FieldError(NOT_INTEGER)
        low = -math.inf if q.min is None else q.min
        high = math.inf if q.max is None else q.max
        if not low <= number <= high:
            return FieldError(OUT_OF_RANGE, {"min": show_bound(q.min), "max": show_bound(q.max)})
        return None
    if q.type in TEXT_TYPES:
        if not isinstance(value, str):
            return FieldError(NOT_OFFERED)
        length = len(clean_text(value).strip())
        if q.max_length is not None and length > q.max_length:
            return FieldError(TOO_LONG, {"length": length, "max": q.max_length})
        return None
    if q.type == SINGLE_CHOICE:
        return None if isinstance(value, str) and value in q.option_ids else FieldError(NOT_OFFERED)
    chosen = [value] if isinstance(value, str) else value
    if not isinstance(chosen, list | tuple) or any(c not in q.option_ids for c in chosen):
        return FieldError(NOT_OFFERED)
    return None


def show_bound(bound: float | None) -> str:
    if bound is None:
        return "…"
    return str(int(bound)) if bound == int(bound) else str(bound)


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
        problem = _check(q, value)
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
        if q.type in (SCALE, NUMBER):
            number = _as_number(value)
            cleaned[q.id] = int(number) if q.type == SCALE or q.integer or number == int(number) else number
        elif q.type in TEXT_TYPES:
            cleaned[q.id] = clean_text(value).strip()
        elif q.type == MULTIPLE_CHOICE:
            chosen = {value} if isinstance(value, str) else set(value)
            cleaned[q.id] = [o for o in q.option_ids if o in chosen]
        else:
            cleaned[q.id] = value
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
        if q.type in (SCALE, NUMBER):
            rows.append((qid, float(value), None))
        elif q.type == MULTIPLE_CHOICE:
            rows.extend((qid, None, option) for option in value)
        else:
            rows.append((qid, None, value))
    return rows
