"""The one rule for text that people (or identity providers) type: characters that no text
format can carry are removed, on the way in and again on the way out.

Removed: the C0 control characters except tab and line breaks (NUL included), the lone halves
of surrogate pairs, and U+FFFE/U+FFFF. Chromium lets a person type or paste them; none is
visible. PostgreSQL refuses NUL in text (and ``\\u0000`` in json), XML — and so XLSX —
refuses the others, UTF-8 cannot encode a lone surrogate. Line breaks are kept as ``\\n``
(a Windows ``\\r\\n`` or a lone ``\\r`` becomes one): a lone carriage return splits a CSV
row in two. Removing them silently is kinder than a refusal: the person could not see what to
correct, and nothing they can see is lost. Everything else, every visible character of every
plane included, is kept as typed.

Services apply ``clean_text`` (or ``clean_json`` for documents) to every free text before
checking its length; exports apply it again to what they read back, so a row stored before
this rule existed can never break a file.
"""

from __future__ import annotations

import re
from typing import Any

_UNCARRIABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """``text`` without the characters no database, XML or UTF-8 can carry, line breaks as ``\n``."""
    return _UNCARRIABLE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


def clean_json(value: Any) -> Any:
    """``clean_text`` applied to every string of a JSON-like document, keys included."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_json(k): clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    return value
