"""Every interface text exists in French and English, and every key the code asks for exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from lib.i18n import catalogue, translate

ROOT = Path(__file__).resolve().parents[1]
KEY_CALL = re.compile(r"""\b(?:t|translate)\(\s*["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']""")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_text_has_french_and_english_with_the_same_placeholders():
    problems = []
    for key, texts in catalogue().items():
        fr, en = (texts or {}).get("fr"), (texts or {}).get("en")
        if not fr or not en:
            problems.append(f"{key}: missing {'fr' if not fr else 'en'}")
        elif _placeholders(fr) != _placeholders(en):
            problems.append(f"{key}: placeholders differ {_placeholders(fr)} vs {_placeholders(en)}")
    assert problems == []


def test_every_key_used_in_code_is_in_the_catalogue():
    used: dict[str, str] = {}
    for folder in ("app.py", "pages", "components", "lib"):
        paths = [ROOT / folder] if folder.endswith(".py") else (ROOT / folder).rglob("*.py")
        for path in paths:
            for key in KEY_CALL.findall(path.read_text(encoding="utf-8")):
                used.setdefault(key, str(path.relative_to(ROOT)))
    missing = {key: where for key, where in used.items() if key not in catalogue()}
    assert missing == {}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_translate_fills_placeholders_and_falls_back_to_the_key(lang):
    text = translate("error.too_long", lang, length=2500, max=2000)
    assert "2500" in text and "2000" in text
    assert translate("no.such.key", lang) == "no.such.key"


def test_english_falls_back_to_french_never_to_nothing():
    assert translate("nav.home", "de") == translate("nav.home", "fr") == "Accueil"
