"""The script ``streamlit run`` is given: it runs the real ``app.py`` (decision 0018).

Streamlit 1.67 looks for a ``pages/`` folder beside its *main script*. Found, a fresh server
runs as an old-style multipage app until the first ``st.navigation`` call: the files of
``pages/`` are listed in the sidebar and open on their own, without ``app.py`` and its login
gate (an anonymous first visit to ``/members`` ran ``pages/members.py``), and the first
session loses its first click (the first visitor's "Se connecter" did nothing). This folder
has no ``pages/``, so Streamlit never does that; the project keeps its layout (``pages/``
beside ``app.py``). ``tests/app_entry.py`` does the same for AppTest.
"""

import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # Streamlit puts this folder on the path, not the repository
runpy.run_path(str(ROOT / "app.py"), run_name="__main__")
