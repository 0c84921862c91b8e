"""The real server on a generated network: cold start, every page in Chromium, peak memory.

    python -m bench.server [--size S|M|L] [--port 8660] [--shots DIR]

Builds the network of ``bench.network`` in a throw-away SQLite file, starts ``streamlit run
app.py`` on it (demo mode: the coordinator and the focus territory's admin are its personas)
and, beside it, a one-line Streamlit page served the same way as the baseline. It prints the
time to a healthy ``/_stcore/health``, then, for each persona, the time each page of the
navigation takes to load in headless Chromium (click in the sidebar until the script has
finished), against loading the one-line page; then the server's peak resident memory
(``VmHWM``). ``--shots DIR`` also saves screenshots of the territory picker and of Membres,
desktop and 390 px wide, in French and English. Nothing asserts on the figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from bench import network
from lib.store.db import make_engine

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("PARCOURS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 120_000


def _serve(script: Path, port: int, env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "streamlit"),
            "run",
            str(script),
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
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def _healthy(port: int, process: subprocess.Popen, timeout: float = 120) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"the server on {port} stopped")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.read().decode().strip() == "ok":
                    return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"no health on {port}")


def _wait(page) -> None:
    page.wait_for_timeout(150)
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-connection-state="CONNECTED"]', timeout=TIMEOUT_MS
    )
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=TIMEOUT_MS)


def _open(page, url: str) -> float:
    started = time.perf_counter()
    page.goto(url)
    _wait(page)
    return time.perf_counter() - started


def _persona(page, name: str) -> None:
    # The demo persona picker by its label, the name typed: the list draws only what fits.
    picker = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Personnage de démo")
    picker.click()
    picker.press_sequentially(name)
    page.get_by_role("option", name=name).first.click()
    _wait(page)


def _nav_links(page) -> list[str]:
    links = page.locator('[data-testid="stSidebarNav"] a')
    return [links.nth(i).get_attribute("href") for i in range(links.count())]


def _visit(page, href: str) -> float:
    started = time.perf_counter()
    page.locator(f'[data-testid="stSidebarNav"] a[href="{href}"]').click()
    _wait(page)
    return time.perf_counter() - started


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _children_peak_mb(process: subprocess.Popen) -> float:
    # ``streamlit`` is the process itself (no wrapper); its peak is what the host must hold.
    return _peak_mb(process.pid)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="S", choices=sorted(network.SIZES))
    parser.add_argument("--port", type=int, default=8660)
    parser.add_argument("--shots", type=Path, default=None)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="parcours-server-") as folder:
        tmp = Path(folder)
        url = f"sqlite:///{tmp / 'network.db'}"
        engine = make_engine(url)
        focus = network.build(engine, network.SIZES[args.size], demo_personas=True)
        engine.dispose()
        blank = tmp / "blank.py"
        # Two one-line pages behind st.navigation, reached by the same sidebar click as the app's.
        blank.write_text(
            "import streamlit as st\n"
            "pages = [st.Page(lambda: st.write('ok'), title=n, url_path=n) for n in ('un', 'deux')]\n"
            "st.navigation(pages).run()\n"
        )
        home = tmp / "home"
        home.mkdir()
        env = dict(
            os.environ,
            DATABASE_URL=url,
            HOME=str(home),
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_CACHE_HOME=str(home / ".cache"),
            PYTHONUNBUFFERED="1",
        )
        app = _serve(ROOT / "app.py", args.port, env, tmp / "app.log")
        base = _serve(blank, args.port + 1, env, tmp / "blank.log")
        try:
            cold = _healthy(args.port, app)
            _healthy(args.port + 1, base)
            rows = []
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.set_default_timeout(TIMEOUT_MS)
                first = _open(page, f"http://127.0.0.1:{args.port}/")
                _open(page, f"http://127.0.0.1:{args.port + 1}/")
                blank_links = _nav_links(page)
                blanks = [_visit(page, blank_links[i % 2]) for i in range(1, 7)]
                page.goto(f"http://127.0.0.1:{args.port}/")
                _wait(page)
                for who, name in (
                    ("coordinator", "Personne 00001"),
                    ("admin", f"Personne {focus.admin_id:05d}"),
                ):
                    _persona(page, name)
                    for href in _nav_links(page):
                        times = [_visit(page, href) for _ in range(3)]
                        rows.append((who, href.rsplit("/", 1)[-1] or "accueil", statistics.median(times)))
                if args.shots:
                    _shots(browser, args.port, focus, args.shots)
                browser.close()
            peak = _children_peak_mb(app)
        finally:
            for process in (app, base):
                process.terminate()
                process.wait(timeout=20)
    blank_s = statistics.median(blanks)
    print(
        f"Size {args.size}: healthy after {cold:.2f} s; first page (start-up on the database) {first:.2f} s."
    )
    print(f"One-line page, same sidebar click: {blank_s * 1000:.0f} ms (median of 6).")
    print("| persona | page | load, median of 3 (ms) | ÷ one-line page |")
    print("|---|---|---:|---:|")
    for who, page_name, seconds in rows:
        print(f"| {who} | {page_name} | {seconds * 1000:.0f} | {seconds / blank_s:.1f}× |")
    print(f"Peak resident memory of the app server: {peak:.0f} MB.")
    return 0


def _shots(browser, port: int, focus: network.Focus, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for lang in ("fr", "en"):
        for width, label in ((1280, "desktop"), (390, "phone")):
            context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"http://127.0.0.1:{port}/")
            _wait(page)
            if width < 600:
                page.locator(
                    '[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"]'
                ).first.click()
                page.wait_for_timeout(300)
            if lang == "en":
                page.locator('[data-testid="stSidebar"]').get_by_text("English").click()
                _wait(page)
            journey = next(h for h in _nav_links(page) if h.endswith("/journey"))
            _visit(page, journey)
            search = page.locator('[data-testid="stSidebar"] [data-testid="stTextInput"] input').first
            search.fill("0012")
            search.press("Enter")
            _wait(page)
            page.screenshot(path=str(folder / f"picker-coordinator-{lang}-{label}.png"), full_page=True)
            members = next(h for h in _nav_links(page) if h.endswith("/members"))
            _visit(page, members)
            if width < 600:
                page.locator('[data-testid="stSidebarCollapseButton"] button').first.click()
                page.wait_for_timeout(300)
            page.get_by_text("Demandes 1 à" if lang == "fr" else "Requests 1 to").scroll_into_view_if_needed()
            page.screenshot(path=str(folder / f"members-coordinator-{lang}-{label}.png"), full_page=True)
            spaces = page.locator('[data-testid="stMain"] [data-testid="stTextInput"] input').first
            spaces.fill("0012")
            spaces.press("Enter")
            _wait(page)
            spaces.scroll_into_view_if_needed()
            page.screenshot(path=str(folder / f"members-spaces-coordinator-{lang}-{label}.png"))
            context.close()


if __name__ == "__main__":
    raise SystemExit(main())
