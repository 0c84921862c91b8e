"""Every way of serving the app starts ``deploy/streamlit_app.py``, away from ``pages/``.

With ``pages/`` beside the script given to ``streamlit run``, a fresh Streamlit 1.67 server
opened ``pages/members.py`` for an anonymous first visit to ``/members`` (without ``app.py``
and its login gate) and lost the first visitor's first click (decision 0018).
"""

from __future__ import annotations

import ast

from lib.store.db import ROOT

ENTRY = ROOT / "deploy" / "streamlit_app.py"


def test_the_entry_script_has_no_pages_folder_beside_it_and_runs_app_py():
    assert not (ENTRY.parent / "pages").exists()
    assert (ROOT / "pages").is_dir()  # the project's own layout is kept
    source = ENTRY.read_text(encoding="utf-8")
    ast.parse(source)
    assert 'runpy.run_path(str(ROOT / "app.py"), run_name="__main__")' in source


def test_make_run_systemd_and_the_browser_tests_serve_the_entry_script():
    for path in ("Makefile", "deploy/systemd/parcours@.service"):
        text = (ROOT / path).read_text(encoding="utf-8")
        assert "streamlit run deploy/streamlit_app.py" in text, path
        assert "streamlit run app.py" not in text, path
    assert '"deploy" / "streamlit_app.py"' in (ROOT / "tests/e2e/conftest.py").read_text(encoding="utf-8")
    assert "main file `deploy/streamlit_app.py`" in (ROOT / "docs/deploy.md").read_text(encoding="utf-8")
