"""What makes a territory's identity right, for the Administration form and the CSV import
alike: its identifier in links, its INSEE and SIREN codes, its kind."""

from __future__ import annotations

import re
import unicodedata

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SLUG_MAX = 80
NAME_MAX = 200
REGION_MAX = 100
# A commune's INSEE code: five digits, or Corsica's 2A/2B and three digits.
INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
SIREN = re.compile(r"^\d{9}$")


def slugify(name: str) -> str:
    """The identifier a name gives: lower-case ASCII letters, digits and single hyphens."""
    flat = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", flat).strip("-")[:SLUG_MAX].strip("-")


def is_slug(value: str) -> bool:
    return len(value) <= SLUG_MAX and SLUG.match(value) is not None
