"""What a service can refuse, in terms a page can show next to the right field.

Messages are translation keys (see ``lib/i18n.py``), never sentences: the page shows
them in the person's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldError:
    code: str  # a translation key such as "error.required"
    params: dict[str, Any] = field(default_factory=dict)


class ServiceError(Exception):
    """Base of every refusal a page should show instead of a trace."""

    code = "error.unexpected"

    def __init__(self, code: str | None = None, **params: Any) -> None:
        self.code = code or self.code
        self.params = params
        super().__init__(self.code)


class ValidationFailed(ServiceError):
    """Bad input: one error per field, keyed by the field's name."""

    code = "error.validation"

    def __init__(self, errors: dict[str, FieldError]) -> None:
        super().__init__()
        self.errors = errors


class PermissionDenied(ServiceError):
    code = "error.permission_denied"


class NotFound(ServiceError):
    code = "error.not_found"


class ConcurrentEdit(ServiceError):
    """Someone saved the same record since this person opened it."""

    code = "error.concurrent_edit"


class WriteFailed(ServiceError):
    """The database refused or could not be reached; nothing was saved."""

    code = "error.write_failed"


class ReadFailed(ServiceError):
    """The database could not be read; the page says so instead of showing a trace."""

    code = "error.read_failed"
