"""A whole page rerun in AppTest, for every page and persona, on a generated network.

    python -m bench.page_reruns [--size S|M|L] [--repeat N]

Builds the network of ``bench.network`` in a throw-away SQLite file (demo mode: the
coordinator and the focus territory's admin are its personas), opens every page of each
persona's navigation through ``tests/app_entry.py`` as the page tests do, and times a rerun
of the whole script with nothing changed (what each click on an unrelated widget costs),
median of ``--repeat``. Nothing asserts on the figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench import network
from lib.store.db import make_engine

ROOT = Path(__file__).resolve().parents[1]
PAGES = (
    "home",
    "journey",
    "campaigns",
    "results",
    "members",
    "steering",
    "activity_log",
    "peers_compare",
    "peers_help",
    "peers_stories",
    "peers_group",
    "peers_sharing",
    "peers_profile",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="S", choices=sorted(network.SIZES))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    from streamlit.testing.v1 import AppTest

    from components.navigation import page_path
    from tests.factories import APP_ENTRY

    with tempfile.TemporaryDirectory(prefix="parcours-reruns-") as folder:
        url = f"sqlite:///{Path(folder) / 'network.db'}"
        engine = make_engine(url)
        focus = network.build(engine, network.SIZES[args.size], demo_personas=True)
        engine.dispose()
        os.environ["DATABASE_URL"] = url
        os.chdir(ROOT)
        rows = []
        for who, person_id in (("coordinator", focus.coordinator_id), ("admin", focus.admin_id)):
            for name in PAGES:
                at = AppTest.from_file(APP_ENTRY, default_timeout=300)
                at.session_state["demo_person_id"] = person_id
                at.run()
                try:
                    at.switch_page(page_path(name))
                except ValueError:  # not in this persona's navigation
                    continue
                at.run()
                if at.exception:
                    rows.append((who, name, None, "exception"))
                    continue
                times = []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    at.run()
                    times.append(time.perf_counter() - started)
                title = at.title[0].value if at.title else ""
                rows.append((who, name, statistics.median(times), title[:40]))
    print(f"Size {args.size}: a whole rerun in AppTest, median of {args.repeat} (ms)")
    print("| persona | page | rerun (ms) | title |")
    print("|---|---|---:|---|")
    for who, name, seconds, title in rows:
        shown = f"{seconds * 1000:.0f}" if seconds is not None else "–"
        print(f"| {who} | {name} | {shown} | {title} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
