"""Where each screen's module lives, as an absolute path.

``st.Page``, ``st.page_link`` and ``st.switch_page`` resolve a relative path against the
*main script's* folder. The page tests run ``app.py`` through an entry script in ``tests/``
(see decision 0004), so a relative path would point into ``tests/``; an absolute path built
from this file's location is right for both the real server and the tests.
"""

from __future__ import annotations

from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parents[1] / "pages"


def page_path(name: str) -> str:
    """The module of screen ``name`` (``"journey"`` → ``…/pages/journey.py``)."""
    path = PAGES_DIR / f"{name}.py"
    if not path.is_file():
        raise FileNotFoundError(f"no page module {path}")
    return str(path)
