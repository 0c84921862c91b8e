"""The demo data set's texts and fictional cast, read from ``data/demo/*.yaml``: territories
and peer groups, people, journey texts, campaign texts. Code decides how they are dated and
drawn; the files say what they say."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

DEMO_DIR = Path(__file__).resolve().parents[2] / "data" / "demo"


@cache
def demo_file(name: str) -> dict[str, Any]:
    """One file of ``data/demo`` (``territories``, ``people``, ``journey``, ``feedback``)."""
    return yaml.safe_load((DEMO_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
