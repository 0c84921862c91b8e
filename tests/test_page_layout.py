"""Page modules live in ``pages/`` beside ``app.py``, and AppTest never runs from the root.

AppTest 1.67 treats a ``pages/`` folder beside its main script as an old-style multipage app
(decision 0004): every page test must open the app through ``tests/app_entry.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

from components.navigation import PAGES_DIR, page_path
from tests.factories import APP_ENTRY

ROOT = Path(__file__).resolve().parents[1]


def test_apptest_main_script_is_not_beside_the_pages_folder():
    entry = Path(APP_ENTRY)
    assert entry.is_file()
    assert entry.parent != ROOT
    assert not (entry.parent / "pages").exists()


def test_every_apptest_opens_the_app_through_the_entry_script():
    # from_string and from_function write their script to a temporary folder, away from pages/;
    # a file, though, must be the entry script, never app.py beside pages/.
    opened = re.compile(r"AppTest\.from_file\(\s*([^,)]+)")
    for path in (ROOT / "tests").rglob("*.py"):
        for match in opened.finditer(path.read_text(encoding="utf-8")):
            assert match.group(1).strip() == "APP_ENTRY", (
                f"{path.relative_to(ROOT)} opens AppTest with {match.group(0)!r}"
            )


def test_page_paths_are_absolute_and_refuse_unknown_screens():
    assert Path(page_path("home")).is_absolute()
    assert Path(page_path("home")).parent == PAGES_DIR == ROOT / "pages"
    try:
        page_path("nowhere")
    except FileNotFoundError:
        pass
    else:
        raise AssertionError("an unknown page must be refused")


def test_no_page_is_named_by_a_relative_path_in_the_code():
    relative = re.compile(r"""(st\.Page|page_link|switch_page)\(\s*["'](pages|views)/""")
    for folder in ("app.py", "pages", "components"):
        target = ROOT / folder
        for path in [target] if target.is_file() else target.rglob("*.py"):
            assert not relative.search(path.read_text(encoding="utf-8")), path
