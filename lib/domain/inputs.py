"""What a service takes from outside, checked at the door: types and ranges, field by field.

Services are the trust boundary: a page sends what its widgets give, but a script, a forged
request or a future page may send anything. Every service checks each value it takes with a
``Checks``, which collects one ``FieldError`` per field (a translation key, shown next to the
field) and raises them all at once as ``ValidationFailed``. Nothing from below — an overflow,
an encoding error, a database refusing a value — ever reaches the person instead.

Free texts are cleaned by ``lib.domain.text.clean_text`` before their length is checked.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from lib.domain.errors import FieldError, ValidationFailed
from lib.domain.text import clean_text

# Ids are INTEGER columns: 32 bits on PostgreSQL, and no record can lie beyond.
ID_MAX = 2**31 - 1
# Dates a person can mean in this product (journeys, campaigns, periods); beyond them
# arithmetic on days overflows and charts lose their meaning.
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)

REQUIRED = "error.required"
TOO_LONG = "error.too_long"
INVALID = "error.invalid_value"
INVALID_DATE = "error.invalid_date"
NOT_FOUND = "error.not_found"


def is_whole(value: Any) -> bool:
    """A whole number, and not a boolean (``True`` is an ``int`` in Python)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_record_id(value: Any) -> bool:
    return is_whole(value) and 1 <= value <= ID_MAX


class Checks:
    """Collects the problems of one service call's input; ``done()`` raises them at once.

    Each method returns the value as the service should use it (texts cleaned and trimmed),
    or a neutral value (``None``, ``""``) when it records a problem.
    """

    def __init__(self) -> None:
        self.errors: dict[str, FieldError] = {}

    def fail(self, field: str, code: str, **params: Any) -> None:
        self.errors.setdefault(field, FieldError(code, params))

    def text(self, field: str, value: Any, *, required: bool = False, max_length: int | None = None) -> str:
        """A free text, cleaned and trimmed; ``None`` counts as empty."""
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(field, INVALID)
            return ""
        value = clean_text(value).strip()
        if required and not value:
            self.fail(field, REQUIRED)
        elif max_length is not None and len(value) > max_length:
            self.fail(field, TOO_LONG, length=len(value), max=max_length)
        return value

    def record_id(self, field: str, value: Any, *, optional: bool = False) -> int | None:
        """The id of a stored record (``None`` allowed when ``optional``). An id no record can
        have is "not found", like one that names nothing."""
        if value is None:
            if not optional:
                self.fail(field, REQUIRED)
            return None
        if not is_record_id(value):
            self.fail(field, NOT_FOUND)
            return None
        return value

    def whole(self, field: str, value: Any, low: int, high: int) -> int | None:
        if not is_whole(value) or not low <= value <= high:
            self.fail(field, INVALID)
            return None
        return value

    def day(self, field: str, value: Any, *, required: bool = True) -> date | None:
        """A calendar day (a ``datetime`` is not one) between ``EARLIEST`` and ``LATEST``."""
        if value is None:
            if required:
                self.fail(field, REQUIRED)
            return None
        if isinstance(value, datetime) or not isinstance(value, date) or not EARLIEST <= value <= LATEST:
            self.fail(field, INVALID_DATE, earliest=EARLIEST.year, latest=LATEST.year)
            return None
        return value

    def flag(self, field: str, value: Any) -> bool:
        if not isinstance(value, bool):
            self.fail(field, INVALID)
            return False
        return value

    def one_of(self, field: str, value: Any, allowed: Collection[str], *, code: str = INVALID) -> str | None:
        """One of ``allowed`` (strings); ``None`` or ``""`` is missing."""
        if value is None or value == "":
            self.fail(field, REQUIRED)
            return None
        if not isinstance(value, str) or value not in allowed:
            self.fail(field, code)
            return None
        return value

    def done(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)
