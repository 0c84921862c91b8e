"""A live workshop under load: 150 participants answering within 10 s on one app process.

    python -m bench.workshop [--participants 150] [--spread 10] [--port 8651]

Starts one ``streamlit run`` on the demo data (SQLite, demo mode), opens the room's screen of a
new workshop in headless Chromium (the persona who manages the territory's campaigns), then
connects the participants as real Streamlit sessions over the app's websocket — what a phone's
browser does, without drawing: each opens the join link, chooses a role with the form's own
widgets, then polls the workshop as the page's fragment asks (``auto_rerun``), and, once the
question appears, answers it (the pills and the send button, by their widget ids) after a
random delay within ``--spread`` seconds. The facilitator puts the question with the room's
own button.

Printed: the time from the question put until the room's screen shows every answer, and from
the last answer sent until it shows it; the server's CPU (share of one core) and resident
memory in three phases: the room's screen alone (the baseline), the participants connected and
waiting, and the answering. Nothing asserts on the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.server import CHROMIUM, CHROMIUM_ARGS, ROOT
from lib.demo.seed import seed_demo
from lib.store import migrate
from lib.store.db import make_engine

ROLES = ["elected_official", "local_agent", "state_services", "socio_economic", "inhabitant", "other"]
QUESTION = "Globalement, les effets sont-ils à la hauteur des attentes ?"


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _memory_mb(pid: int, name: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


class Phase:
    """CPU (share of one core) and memory of the server over a stretch of time."""

    def __init__(self, pid: int, name: str) -> None:
        self.pid, self.name = pid, name
        self.cpu0, self.t0 = _cpu_seconds(pid), time.monotonic()

    def end(self) -> str:
        cpu, elapsed = _cpu_seconds(self.pid) - self.cpu0, time.monotonic() - self.t0
        return (
            f"{self.name:<36} {elapsed:6.1f} s   CPU {100 * cpu / elapsed:5.0f} % of a core"
            f"   RSS {_memory_mb(self.pid, 'VmRSS'):6.0f} MB"
        )


class Participant:
    """One phone, as Streamlit's own frontend speaks to the server (no drawing)."""

    def __init__(self, url: str, token: str, role_index: int, spread: float, rng: random.Random) -> None:
        self.url, self.role_index, self.spread, self.rng = url, role_index, spread, rng
        self.query = f"atelier={token}"
        self.elements: dict[str, str] = {}  # kind of widget -> its id, as last drawn
        self.options: dict[str, list[str]] = {}  # kind of widget -> its options, as shown
        self.fragment: tuple[str, float] | None = None  # the fragment to rerun, every n s
        self.joined = asyncio.Event()
        self.question_seen = asyncio.Event()
        self.answered_at: float | None = None
        self.finished = asyncio.Event()

    async def _send(self, ws, widgets=(), fragment: str | None = None, auto: bool = True) -> None:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        if fragment:
            state.fragment_id, state.is_auto_rerun = fragment, auto and not widgets
        for widget_id, kind, value in widgets:
            w = state.widget_states.widgets.add()
            w.id = widget_id
            if kind == "trigger":
                w.trigger_value = True
            elif kind == "string":  # a radio: the option as shown (Streamlit 1.67)
                w.string_value = value
            elif kind == "string_array":  # pills: the options as shown
                w.string_array_value.data.extend(value)
        self.finished.clear()
        await ws.send(msg.SerializeToString())

    async def _read(self, ws) -> None:
        async for raw in ws:
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                name = element.WhichOneof("type")
                widget = getattr(element, name) if name in ("radio", "button", "button_group") else None
                if widget is None or widget.id.endswith("-lang"):  # not the language switch
                    continue
                self.elements[name] = widget.id
                if name == "radio":
                    self.options[name] = list(widget.options)
                if name == "button_group":
                    self.options[name] = [option.content for option in widget.options]
                    self.question_seen.set()
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
                if "participant=" in self.query:
                    self.joined.set()
            elif kind == "auto_rerun":
                self.fragment = (msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
            elif kind == "script_finished":
                self.finished.set()

    async def run(self, go: asyncio.Event, deadline: float) -> None:
        async with websockets.connect(self.url, subprotocols=["streamlit"], max_size=None) as ws:
            reader = asyncio.create_task(self._read(ws))
            await self._send(ws)
            await self.finished.wait()
            join = [
                (self.elements["radio"], "string", self.options["radio"][self.role_index]),
                (self.elements["button"], "trigger", None),
            ]
            await self._send(ws, join)
            await self.joined.wait()
            while time.monotonic() < deadline:
                if self.question_seen.is_set() and self.answered_at is None and go.is_set():
                    await asyncio.sleep(self.rng.uniform(0, self.spread))
                    await self.finished.wait()
                    # A tap on a point, then on "send": inside the fragment, as the page's own.
                    widgets = [
                        (
                            self.elements["button_group"],
                            "string_array",
                            [self.rng.choice(self.options["button_group"])],
                        ),
                        (self.elements["button"], "trigger", None),
                    ]
                    await self._send(ws, widgets, fragment=self.fragment[0], auto=False)
                    self.answered_at = time.monotonic()
                    await self.finished.wait()
                interval = self.fragment[1] if self.fragment else 2.0
                await asyncio.sleep(interval)
                if self.fragment and self.finished.is_set():
                    await self._send(ws, fragment=self.fragment[0])
            reader.cancel()


def _serve(workdir: Path, port: int) -> tuple[subprocess.Popen, str, object]:
    secrets = workdir / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir(parents=True)
    secrets.write_text("# demo mode: no [auth]\n", encoding="utf-8")
    url = f"sqlite:///{workdir / 'bench.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    seed_demo(engine)
    env = dict(os.environ, DATABASE_URL=url)
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "streamlit"),
            "run",
            str(ROOT / "deploy" / "streamlit_app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
            "--runner.postScriptGC",  # as .streamlit/config.toml
            "false",
            "--secrets.files",
            str(secrets),
        ],
        cwd=workdir,
        env=env,
        stdout=(workdir / "server.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.2)
    return process, base, engine


def _workshop(engine):
    import sqlalchemy as sa

    from lib.domain import clock
    from lib.services import workshop as ws
    from lib.services.identity import load_actor
    from lib.store import tables

    with engine.connect() as conn:
        person_id = conn.execute(
            sa.select(tables.person.c.id).where(tables.person.c.display_name == "Élise Marchand")
        ).scalar_one()
        template_id = conn.execute(
            sa.select(sa.func.max(tables.form_template.c.id)).where(
                tables.form_template.c.slug == "evaluer-la-valeur-creee"
            )
        ).scalar_one()
    actor = load_actor(engine, person_id)
    return ws.prepare_workshop(
        engine,
        actor,
        territory_id=actor.territory_ids[0],
        template_id=template_id,
        question_ids=["effects_vs_expectations"],
        title="Atelier de charge (bench)",
        held_on=clock.today(),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=150)
    parser.add_argument("--spread", type=float, default=10.0, help="answers come within this many seconds")
    parser.add_argument("--port", type=int, default=8651)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="bench-workshop-"))
    process, base, engine = _serve(workdir, args.port)
    lines: list[str] = []
    try:
        workshop = _workshop(engine)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            room = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            room.set_default_timeout(120_000)
            room.goto(f"{base}/ateliers?salle={workshop.id}")
            room.get_by_text("0 personnes connectées").wait_for()
            phase = Phase(process.pid, "room's screen alone (baseline)")
            time.sleep(10)
            lines.append(phase.end())

            # The participants, in their own thread and event loop, while the room is watched here.
            rng = random.Random("bench-workshop")
            ws_url = base.replace("http", "ws") + "/_stcore/stream"
            deadline = time.monotonic() + 600
            loop = asyncio.new_event_loop()
            go = asyncio.Event()
            people = [
                Participant(
                    ws_url, workshop.share_token, i % len(ROLES), args.spread, random.Random(rng.random())
                )
                for i in range(args.participants)
            ]

            async def crowd() -> None:
                await asyncio.gather(*(p.run(go, deadline) for p in people), return_exceptions=True)

            thread = threading.Thread(target=loop.run_until_complete, args=(crowd(),), daemon=True)
            started = time.monotonic()
            thread.start()
            room.get_by_text(f"{args.participants} personnes connectées").wait_for(timeout=300_000)
            lines.append(f"{args.participants} joined in {time.monotonic() - started:.1f} s")
            phase = Phase(process.pid, "participants connected, waiting")
            time.sleep(10)
            lines.append(phase.end())

            phase = Phase(process.pid, "question put, everyone answering")
            asked = time.monotonic()
            room.get_by_role("button", name="Poser cette question").click()
            loop.call_soon_threadsafe(go.set)
            room.get_by_text(re.compile(f"^{args.participants} réponses$")).wait_for(timeout=300_000)
            shown = time.monotonic()
            lines.append(phase.end())
            last = max(p.answered_at or 0 for p in people)
            seen = sum(1 for p in people if p.question_seen.is_set())
            lines.append(f"question seen by {seen} phones; every answer on the room's screen")
            lines.append(f"  {shown - asked:.1f} s after the question was put")
            lines.append(f"  {shown - last:.1f} s after the last answer was sent")
            lines.append(f"server peak memory (VmHWM) {_memory_mb(process.pid, 'VmHWM'):.0f} MB")
            deadline = 0
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
        engine.dispose()
    print(
        f"bench.workshop: {args.participants} participants answering within {args.spread:.0f} s, one process"
    )
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
