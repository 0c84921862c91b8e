"""A download changes nothing on the page (issue 7 item 10).

A download button reruns the page by default. After one, the open share panel showed another
campaign's link and QR code (checked in Chromium by tests/e2e/test_share_panel.py): every
download button of the app is declared ``on_click="ignore"``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _download_buttons() -> list[tuple[str, int, ast.Call]]:
    found = []
    for path in [
        ROOT / "app.py",
        *sorted((ROOT / "pages").glob("*.py")),
        *sorted((ROOT / "components").glob("*.py")),
    ]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "download_button":
                found.append((path.relative_to(ROOT).as_posix(), node.lineno, node))
    return found


def test_every_download_button_leaves_the_page_as_it_is():
    buttons = _download_buttons()
    rerunning = [
        f"{path}:{line}"
        for path, line, call in buttons
        if not any(
            k.arg == "on_click" and isinstance(k.value, ast.Constant) and k.value.value == "ignore"
            for k in call.keywords
        )
    ]
    assert len(buttons) >= 5  # the QR codes, the exports, the report
    assert rerunning == []
