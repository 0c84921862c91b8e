"""French (and English) typography for printed documents, and the one escape of typed text.

Printed text follows the French rules a council expects: a non-breaking space before « : »
and a narrow one before « ; ? ! », non-breaking spaces inside « guillemets », a decimal comma,
dates in words (« 1er décembre 2026 »). A small rule rather than a locale library: the report
needs these five things and nothing else (decision 0013).

Every text goes into the typst source through :func:`literal`: a typst *string*, shown as
it is. A title typed as ``*bold* #import`` is printed with its stars and its hash, never run.
"""

from __future__ import annotations

import re
from datetime import date

from lib.domain import formats

NBSP = "\u00a0"  # before « : » and inside guillemets
NNBSP = "\u202f"  # narrow, before « ; ? ! »

_MONTHS = {
    "fr": (
        "janvier", "février", "mars", "avril", "mai", "juin",
        "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip

# A space (ordinary, or none at all for the closing guillemet) before high punctuation.
_BEFORE_COLON = re.compile(r"[ \t]+:")
_BEFORE_HIGH = re.compile(r"[ \t]+([;?!])")
_AFTER_OPENING = re.compile(r"«[ \t]*")
_BEFORE_CLOSING = re.compile(r"[ \t]*»")


def french_spaces(text: str) -> str:
    """Spaces before high punctuation and inside guillemets become non-breaking, so « ? » never
    starts a line. Only existing spaces change: an address such as ``https://…`` stays whole."""
    text = _BEFORE_COLON.sub(NBSP + ":", text)
    text = _BEFORE_HIGH.sub(lambda m: NNBSP + m.group(1), text)
    text = _AFTER_OPENING.sub("«" + NBSP, text)
    return _BEFORE_CLOSING.sub(NBSP + "»", text)


def typeset(text: str, lang: str) -> str:
    """Text as printed in ``lang``: French spacing in French, unchanged in English."""
    return french_spaces(text) if lang == "fr" else text


def number(value: float | None, lang: str, digits: int = 1, *, signed: bool = False) -> str:
    """``2,5`` in French, ``2.5`` in English; a dash when there is no value. A change that
    rounds to zero reads ``0,0``, never ``+0,0`` or ``-0,0``."""
    if value is None:
        return "—"
    return formats.decimal(value, lang, digits, signed=signed).replace("-", "−")  # a real minus sign


def percent(share: float, lang: str) -> str:
    return formats.percent(share, lang)


def day_in_words(day: date, lang: str) -> str:
    """« 1er décembre 2026 », « 15 mars 2025 »; « 1 December 2026 » in English."""
    month = _MONTHS["en" if lang == "en" else "fr"][day.month - 1]
    if lang == "en":
        return f"{day.day} {month} {day.year}"
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first}{NBSP}{month} {day.year}"


def month_in_words(day: date, lang: str) -> str:
    month = _MONTHS["en" if lang == "en" else "fr"][day.month - 1]
    return f"{month} {day.year}"


def literal(text: str) -> str:
    """A typst string literal holding ``text``: printed as it is, no markup interpreted."""
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append(" ")
        elif ch == "\r" or (ord(ch) < 32):
            continue  # control characters have no printed form
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def shown(text: str, lang: str) -> str:
    """Text to print in markup: ``#"…"``, with the typography of ``lang``."""
    return "#" + literal(typeset(text, lang))
