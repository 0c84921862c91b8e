"""The one translation function. French first, English second.

Catalogues live in ``data/i18n/*.yaml`` as ``key: {fr: ..., en: ...}``, one file per
area of the app, so translators see both languages side by side.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from lib.domain.formats import DEFAULT_LANGUAGE, LANGUAGES

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "catalogue", "translate"]

I18N_DIR = Path(__file__).resolve().parents[1] / "data" / "i18n"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(I18N_DIR.glob("*.yaml")):
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, texts in entries.items():
            if key in merged:
                raise ValueError(f"i18n: clé « {key} » définie deux fois (dans {path.name})")
            merged[key] = texts
    return merged


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **params: Any) -> str:
    """The text for ``key`` in ``lang``, falling back to French, then to the key itself."""
    texts = catalogue().get(key)
    if texts is None:
        return key
    text = texts.get(lang) or texts.get(DEFAULT_LANGUAGE) or key
    return text.format(**params) if params else text
