"""AppTest's main script: runs the real ``app.py`` (decision 0004).

AppTest 1.67 treats a ``pages/`` folder beside its *main script* as an old-style multipage
app and, from the second run on, runs the page without ``app.py``. Opening the app through
this script, which lives in ``tests/`` where no ``pages/`` folder is, keeps the project's
layout (``pages/`` beside ``app.py``) and AppTest's behaviour both right.
"""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parents[1] / "app.py"), run_name="__main__")
