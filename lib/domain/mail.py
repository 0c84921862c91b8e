"""E-mail rules with no SQL and no SMTP: addresses, headers, retry delays, the two bodies.

Everything a message carries in a header (recipient, subject, names) is checked here before
it is written to the outbox, and again by the sender before it speaks to the server: a line
break in a header would let whoever typed it add headers of their own (``Bcc:``) or a second
message. Such a value is refused, never cleaned silently.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import timedelta

from lib.domain.errors import FieldError, ValidationFailed

EMAIL_MAX = 320
# One address, no display name, no spaces, no line breaks: what people paste from a list.
_EMAIL = re.compile(r"^[^@\s<>,;\"()\[\]\\]+@[^@\s<>,;\"()\[\]\\]+\.[^@\s<>,;\"()\[\]\\]+$")
# Characters that end or split a header line, and the ones no header may carry.
_HEADER_BREAKERS = re.compile(r"[\r\n\x00\x0b\x0c\x85\u2028\u2029]")
# What separates addresses in a pasted list: line breaks, commas, semicolons, spaces.
_LIST_SEPARATORS = re.compile(r"[\s,;]+")

HEADER_REFUSED = "mail.error.header_refused"

# Back-off between attempts: 1, 2, 4 … minutes, at most six hours; after MAX_ATTEMPTS
# temporary failures (about a day and a half) the message is marked failed and shown.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
MAX_ATTEMPTS = 12


class HeaderRefused(ValidationFailed):
    """A value meant for a header holds a line break or a control character."""

    def __init__(self, field: str) -> None:
        super().__init__({field: FieldError(HEADER_REFUSED)})


def header_safe(value: str) -> bool:
    return not _HEADER_BREAKERS.search(value)


def check_header(field: str, value: str) -> str:
    """``value`` unchanged, or ``HeaderRefused`` naming ``field``."""
    if not header_safe(value):
        raise HeaderRefused(field)
    return value


def is_address(value: str) -> bool:
    return len(value) <= EMAIL_MAX and header_safe(value) and bool(_EMAIL.match(value))


def check_address(field: str, value: str) -> str:
    """One recipient address, lower-cased; refused with a line break or when malformed."""
    check_header(field, value)
    address = value.strip().lower()
    if not is_address(address):
        raise ValidationFailed({field: FieldError("auth.error.email_invalid")})
    return address


@dataclass(frozen=True)
class AddressList:
    valid: tuple[str, ...]  # lower-cased, each once, in the order pasted
    invalid: tuple[str, ...]  # as pasted
    duplicates: int


def parse_addresses(text: str) -> AddressList:
    """Addresses pasted as a list, checked one by one; duplicates (any case) removed."""
    valid: list[str] = []
    invalid: list[str] = []
    seen: set[str] = set()
    duplicates = 0
    for piece in _LIST_SEPARATORS.split(text or ""):
        if not piece:
            continue
        address = piece.strip().lower()
        if not is_address(address):
            invalid.append(piece)
        elif address in seen:
            duplicates += 1
        else:
            seen.add(address)
            valid.append(address)
    return AddressList(tuple(valid), tuple(invalid), duplicates)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th temporary failure (1-based)."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def is_permanent(smtp_code: int | None) -> bool:
    """A 5xx reply refuses this message for good; 4xx and no reply at all may pass later."""
    return smtp_code is not None and 500 <= smtp_code <= 599


@dataclass(frozen=True)
class Body:
    """The parts of one message body; the text parts are shown as typed in both renderings."""

    greeting: str
    paragraphs: tuple[str, ...]
    quote: str | None  # a text someone typed (an access request's message)
    action_label: str | None
    action_url: str | None
    closing: str
    footer: tuple[str, ...]  # the network's name, why this message, how to stop optional ones


def as_text(body: Body) -> str:
    parts = [body.greeting, *body.paragraphs]
    if body.quote:
        parts.append("\n".join(f"> {line}" for line in body.quote.splitlines()))
    if body.action_url:
        parts.append(f"{body.action_label} :\n{body.action_url}" if body.action_label else body.action_url)
    parts.append(body.closing)
    parts.append("-- \n" + "\n".join(body.footer))
    return "\n\n".join(parts) + "\n"


def _html_lines(text: str) -> str:
    return "<br>".join(html.escape(line) for line in text.splitlines())


def as_html(body: Body, language: str) -> str:
    """Simple HTML: every text escaped (what a person typed stays text, never markup)."""
    out = [
        f'<!doctype html><html lang="{html.escape(language)}"><head><meta charset="utf-8"></head>',
        '<body style="font-family: sans-serif; line-height: 1.5; color: #1a1a1a; max-width: 40em">',
        f"<p>{_html_lines(body.greeting)}</p>",
    ]
    out += [f"<p>{_html_lines(p)}</p>" for p in body.paragraphs]
    if body.quote:
        out.append(
            '<blockquote style="border-left: 3px solid #999; margin: 0; padding-left: 1em">'
            f"{_html_lines(body.quote)}</blockquote>"
        )
    if body.action_url:
        url = html.escape(body.action_url, quote=True)
        label = html.escape(body.action_label or body.action_url)
        out.append(f'<p><a href="{url}">{label}</a><br><small>{html.escape(body.action_url)}</small></p>')
    out.append(f"<p>{_html_lines(body.closing)}</p>")
    out.append(
        '<hr><p style="font-size: small; color: #555">'
        + "<br>".join(_linkified(line) for line in body.footer)
        + "</p></body></html>"
    )
    return "\n".join(out)


def _linkified(line: str) -> str:
    """A footer line; a URL at its end becomes a link (the unsubscribe one)."""
    head, sep, tail = line.rpartition(" ")
    if tail.startswith(("https://", "http://")):
        url = html.escape(tail, quote=True)
        return f'{html.escape(head)}{sep}<a href="{url}">{html.escape(tail)}</a>'
    return html.escape(line)
