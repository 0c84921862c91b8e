"""Empty pickers speak the person's language (issue 7 item 15): Streamlit's own placeholder is
English ("Choose an option", "Choose options"). Every multiselect, and every selectbox that may
start empty, gives its placeholder from the catalogue."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pickers():
    sources = [
        ROOT / "app.py",
        *sorted((ROOT / "pages").glob("*.py")),
        *sorted((ROOT / "components").glob("*.py")),
    ]
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in (
                "selectbox",
                "multiselect",
            ):
                yield path.relative_to(ROOT).as_posix(), node


def _may_start_empty(call: ast.Call) -> bool:
    if call.func.attr == "multiselect":
        return True
    index = next((k.value for k in call.keywords if k.arg == "index"), None)
    # index=None, or an expression that may give None (``... if roles else None``).
    return index is not None and any(isinstance(n, ast.Constant) and n.value is None for n in ast.walk(index))


def test_every_picker_that_may_be_empty_has_a_placeholder_in_the_person_s_language():
    pickers = list(_pickers())
    missing = [
        f"{path}:{call.lineno}"
        for path, call in pickers
        if _may_start_empty(call) and not any(k.arg == "placeholder" for k in call.keywords)
    ]
    assert len(pickers) > 20
    assert missing == []
