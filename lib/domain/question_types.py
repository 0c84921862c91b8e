"""The question types of a feedback template, in one registry.

Each type says, in one class, everything the domain needs of it: the keys a template may give
it and how they are read (``fields``), what is wrong with a non-empty answer (``problem``), the
answer as stored (``clean``), its rows in the ``answer`` table (``rows``), its export cell
(``exported``) and which aggregate the results page reads for it (``summary``). A template
naming a type that is not registered is refused when it is loaded, with the file and the
question named. The widget of each type is registered in ``components/form_renderer.py`` and
its results section in ``components/feedback_results.py`` (decision 0019 lists the files a new
type needs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from lib.domain.errors import FieldError
from lib.domain.framework import Label
from lib.domain.text import clean_text

if TYPE_CHECKING:
    from lib.domain.forms import Question

SCALE = "scale"
SINGLE_CHOICE = "single_choice"
MULTIPLE_CHOICE = "multiple_choice"
SHORT_TEXT = "short_text"
LONG_TEXT = "long_text"
NUMBER = "number"

# The aggregates the results page reads (``lib.services.feedback.campaign_results``).
BY_VALUE = "by_value"  # answers per role and value of a scale: distribution, means, gaps
BY_OPTION = "by_option"  # choices per role and option
TEXTS = "texts"  # free texts per role
NUMBERS = "numbers"  # count, median and quartiles per role

MAX_SCALE_POINTS = 11  # beyond this a scale stops being readable on a phone
# Beyond this a number is no answer anyone means, and a float no longer holds every whole number.
NUMBER_LIMIT = 10**15

# Error codes (translation keys, see data/i18n/feedback.yaml and core.yaml).
REQUIRED = "error.required"
TOO_LONG = "error.too_long"
OUT_OF_RANGE = "feedback.error.out_of_range"
NOT_OFFERED = "feedback.error.not_offered"
NOT_A_NUMBER = "feedback.error.not_a_number"
NOT_INTEGER = "feedback.error.not_integer"
NUMBER_TOO_LARGE = "feedback.error.number_too_large"

Row = tuple[float | None, str | None]  # (numeric_value, text_value) of one stored answer


@dataclass(frozen=True)
class Option:
    """One option of a choice question."""

    id: str
    label: Label


class QuestionType:
    """What every type declares. ``reader`` is the template reader of ``lib.domain.forms``: it
    names the file and the key in every error."""

    name: ClassVar[str]
    keys: ClassVar[tuple[str, ...]] = ()  # the keys of its own a template may give
    summary: ClassVar[str]

    def fields(self, reader: Any, node: dict, where: str) -> dict[str, Any]:
        raise NotImplementedError

    def problem(self, q: Question, value: Any) -> FieldError | None:
        """The problem with one non-empty answer, or None."""
        raise NotImplementedError

    def clean(self, q: Question, value: Any) -> Any:
        """The answer as stored (it passed ``problem``)."""
        raise NotImplementedError

    def rows(self, q: Question, value: Any) -> list[Row]:
        raise NotImplementedError

    def exported(self, q: Question, values: list) -> Any:
        """The export cell, from the stored rows' values (numbers or texts)."""
        return values[0]


def as_number(value: Any) -> float | None:
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


def show_bound(bound: float | None) -> str:
    if bound is None:
        return "…"
    return str(int(bound)) if bound == int(bound) else str(bound)


class _Numeric(QuestionType):
    whole_only: ClassVar[bool] = False

    def problem(self, q: Question, value: Any) -> FieldError | None:
        number = as_number(value)
        if number is None:
            return FieldError(NOT_A_NUMBER)
        if not abs(number) <= NUMBER_LIMIT:
            return FieldError(NUMBER_TOO_LARGE)
        if (self.whole_only or q.integer) and number != int(number):
            return FieldError(NOT_INTEGER)
        low = -math.inf if q.min is None else q.min
        high = math.inf if q.max is None else q.max
        if not low <= number <= high:
            return FieldError(OUT_OF_RANGE, {"min": show_bound(q.min), "max": show_bound(q.max)})
        return None

    def clean(self, q: Question, value: Any) -> Any:
        number = as_number(value)
        return int(number) if self.whole_only or q.integer or number == int(number) else number

    def rows(self, q: Question, value: Any) -> list[Row]:
        return [(float(value), None)]

    def exported(self, q: Question, values: list) -> Any:
        number = values[0]
        return int(number) if self.whole_only or q.integer or float(number).is_integer() else number


class Scale(_Numeric):
    name = SCALE
    keys = ("min", "max", "min_label", "max_label")
    summary = BY_VALUE
    whole_only = True

    def fields(self, reader: Any, node: dict, where: str) -> dict[str, Any]:
        low, high = (reader.number(node, k, where, whole=True) for k in ("min", "max"))
        if low is None or high is None:
            raise reader.fail(f"clé manquante « {where}.{'min' if low is None else 'max'} » (échelle)")
        if not low < high or high - low + 1 > MAX_SCALE_POINTS:
            raise reader.fail(
                f"« {where}.min » doit être inférieur à « max », {MAX_SCALE_POINTS} points au plus"
            )
        return {
            "min": low,
            "max": high,
            "min_label": reader.label(node, "min_label", where),
            "max_label": reader.label(node, "max_label", where),
        }


class Number(_Numeric):
    name = NUMBER
    keys = ("min", "max", "integer")
    summary = NUMBERS

    def fields(self, reader: Any, node: dict, where: str) -> dict[str, Any]:
        integer = reader.flag(node, "integer", where)
        low, high = (reader.number(node, k, where, whole=integer) for k in ("min", "max"))
        if low is not None and high is not None and not low < high:
            raise reader.fail(f"« {where}.min » doit être inférieur à « {where}.max »")
        return {"min": low, "max": high, "integer": integer}


class _Choice(QuestionType):
    keys = ("options",)
    summary = BY_OPTION

    def fields(self, reader: Any, node: dict, where: str) -> dict[str, Any]:
        nodes = reader.get(node, "options", where)
        if not isinstance(nodes, list) or len(nodes) < 2:
            raise reader.fail(f"« {where}.options » doit proposer au moins deux options")
        options = []
        for j, opt in enumerate(nodes):
            owhere = f"{where}.options[{j}]"
            oid = reader.ident(opt, owhere)
            if oid in {o.id for o in options}:
                raise reader.fail(f"option en double « {oid} » dans « {where}.options »")
            options.append(Option(id=oid, label=reader.label(opt, "label", owhere)))
        return {"options": tuple(options)}

    def rows(self, q: Question, value: Any) -> list[Row]:
        return [(None, value)]


class SingleChoice(_Choice):
    name = SINGLE_CHOICE

    def problem(self, q: Question, value: Any) -> FieldError | None:
        return None if isinstance(value, str) and value in q.option_ids else FieldError(NOT_OFFERED)

    def clean(self, q: Question, value: Any) -> Any:
        return value


class MultipleChoice(_Choice):
    name = MULTIPLE_CHOICE
    separator: ClassVar[str] = "|"  # between the chosen options' ids in an export cell

    def problem(self, q: Question, value: Any) -> FieldError | None:
        chosen = [value] if isinstance(value, str) else value
        if not isinstance(chosen, list | tuple) or any(c not in q.option_ids for c in chosen):
            return FieldError(NOT_OFFERED)
        return None

    def clean(self, q: Question, value: Any) -> Any:
        chosen = {value} if isinstance(value, str) else set(value)
        return [o for o in q.option_ids if o in chosen]  # in the template's order

    def rows(self, q: Question, value: Any) -> list[Row]:
        return [(None, option) for option in value]  # one row per chosen option

    def exported(self, q: Question, values: list) -> Any:
        return self.separator.join(o for o in q.option_ids if o in values)


class _Text(QuestionType):
    keys = ("max_length",)
    summary = TEXTS
    default_max_length: ClassVar[int]

    def fields(self, reader: Any, node: dict, where: str) -> dict[str, Any]:
        length = node.get("max_length", self.default_max_length)
        if isinstance(length, bool) or not isinstance(length, int) or length < 1:
            raise reader.fail(f"« {where}.max_length » doit être un entier positif")
        return {"max_length": length}

    def problem(self, q: Question, value: Any) -> FieldError | None:
        if not isinstance(value, str):
            return FieldError(NOT_OFFERED)
        length = len(clean_text(value).strip())
        if q.max_length is not None and length > q.max_length:
            return FieldError(TOO_LONG, {"length": length, "max": q.max_length})
        return None

    def clean(self, q: Question, value: Any) -> Any:
        return clean_text(value).strip()

    def rows(self, q: Question, value: Any) -> list[Row]:
        return [(None, value)]


class ShortText(_Text):
    name = SHORT_TEXT
    default_max_length = 200


class LongText(_Text):
    name = LONG_TEXT
    default_max_length = 4000


TYPES: dict[str, QuestionType] = {
    t.name: t for t in (Scale(), SingleChoice(), MultipleChoice(), ShortText(), LongText(), Number())
}
QUESTION_TYPES = tuple(TYPES)
TYPE_KEYS = frozenset(k for t in TYPES.values() for k in t.keys)


def question_type(name: str) -> QuestionType:
    """The registered type; templates are checked on load, so a stored question always has one."""
    return TYPES[name]


def types_summarised_as(summary: str) -> tuple[str, ...]:
    return tuple(name for name, t in TYPES.items() if t.summary == summary)


CHOICE_TYPES = types_summarised_as(BY_OPTION)
TEXT_TYPES = types_summarised_as(TEXTS)
