"""A production install — ``requirements.txt`` alone, as ``make install`` does — runs the app.

The test environment holds more (``requirements-dev.txt``): a module the app imports only
through a development tool's dependency would work in every test and fail in production.
That happened: ``st.login`` needs ``httpx``, which only ``oidc-provider-mock`` brought in;
following docs/deploy.md on a fresh install, every login answered 500.
"""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from lib.store.db import ROOT


def _runtime_distributions() -> set[str]:
    """Every distribution ``requirements.txt`` installs, dependencies and requested extras included."""
    pending = [
        Requirement(line.split("#")[0].strip())
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.split("#")[0].strip() and not line.startswith("-")
    ]
    seen: set[str] = set()
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        if name in seen:
            continue
        seen.add(name)
        for line in metadata.requires(requirement.name) or []:
            dependency = Requirement(line)
            marker = dependency.marker
            wanted = marker is None or any(
                marker.evaluate({"extra": extra}) for extra in (requirement.extras or {""})
            )
            if wanted:
                pending.append(dependency)
    return seen


# Imported in a Python that refuses every installed distribution outside requirements.txt.
_PROBE = """
import importlib.abc, importlib.metadata, sys
allowed = set(sys.argv[1].split(","))
owners = importlib.metadata.packages_distributions()

class OnlyRuntime(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        dists = {d.lower().replace("_", "-").replace(".", "-") for d in owners.get(top, [])}
        if dists and not dists & allowed:
            raise ModuleNotFoundError(f"{name} comes from {sorted(dists)}, not in requirements.txt")
        return None

sys.meta_path.insert(0, OnlyRuntime())
for module in sys.argv[2:]:
    __import__(module)
"""

# What the app loads: its own layers, and what Streamlit loads for a login (its auth routes).
APP_MODULES = [
    "lib.cli",
    "components.ui",
    "components.auth",
    "streamlit.web.server.starlette.starlette_auth_routes",
    "authlib.integrations.starlette_client",
]


def test_the_runtime_requirements_alone_load_the_app_and_its_login():
    allowed = ",".join(sorted(_runtime_distributions()))
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE, allowed, *APP_MODULES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr[-2000:]
