"""The app in demo mode on the demo data set, in a real ``streamlit run`` (what ``make run`` shows).

Import the fixture into a test module (``from tests.e2e.demo import demo_app``); one server
per module. ``as_persona(page, demo_app, name)`` opens the app and picks a persona the way a
visitor does, from the sidebar.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from lib.demo.seed import seed_demo
from lib.store import migrate
from lib.store.db import make_engine
from tests.e2e.conftest import (
    ROOT,
    _stop,
    _tail,
    _wait_http,
    expect,
    free_port,
    start_streamlit,
    wait_for_app,
)

PERSONA_LABEL = "Personnage de démo"


@dataclass
class DemoApp:
    base_url: str
    engine: Engine
    log: Path

    def log_text(self) -> str:
        return _tail(self.log, 200)


@contextmanager
def demo_server(workdir: Path, browser, home: Path, prepare=None) -> Iterator[DemoApp]:
    """A demo-mode server on the demo data, with the project's ``.streamlit/config.toml``;
    ``prepare(engine)`` may change the data first."""
    secrets = workdir / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text("# demo mode: no [auth]\n", encoding="utf-8")
    url = f"sqlite:///{workdir / 'demo.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    assert seed_demo(engine).seeded
    if prepare is not None:
        prepare(engine)
    # The project's own config (theme, toolbar), as ``make run`` and production read it from
    # their working folder: the accessibility walk must judge the colours people see.
    shutil.copyfile(ROOT / ".streamlit" / "config.toml", workdir / ".streamlit" / "config.toml")
    port = free_port()
    log = workdir / "streamlit.log"
    process = start_streamlit(workdir, port, secrets, url, home, log)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{base_url}/_stcore/health", process, log, body="ok")
        _warm_up(browser, base_url)
        yield DemoApp(base_url, engine, log)
    finally:
        _stop(process)
        engine.dispose()


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory, browser, e2e_home) -> Iterator[DemoApp]:
    with demo_server(tmp_path_factory.mktemp("e2e-demo"), browser, e2e_home) as app:
        yield app


def _warm_up(browser, base_url: str) -> None:
    """One first visit, so tests meet a server whose caches are filled. (On a server just
    started, a persona picked during the very first session was seen to be ignored.)"""
    context = browser.new_context()
    page = context.new_page()
    page.goto(base_url)
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    context.close()


def sidebar_picker(page, label: str):
    return page.get_by_test_id("stSidebar").get_by_role("combobox", name=label)


def pick(page, label: str, option: str) -> None:
    """Choose ``option`` in the sidebar selectbox labelled ``label``, as a person does."""
    picker = sidebar_picker(page, label)
    picker.click()
    picker.press_sequentially(option)  # typed, as the list may still be moving when clicked
    page.get_by_role("option", name=option).first.click()
    wait_for_app(page)


def as_persona(page, demo_app: DemoApp, name: str) -> None:
    """A fresh visit (the first persona is shown), then ``name`` picked in the sidebar."""
    page.goto(demo_app.base_url)
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_be_visible()  # the first run is over
    wait_for_app(page)
    pick(page, PERSONA_LABEL, name)
    expect(sidebar_picker(page, PERSONA_LABEL)).to_have_value(re.compile("^" + re.escape(name)))


def open_page(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    wait_for_app(page)
