"""The first visitors of a server just started: the login gate holds and their first click counts.

Started as ``app.py`` with ``pages/`` beside it, a fresh Streamlit 1.67 server ran
``pages/members.py`` for an anonymous first visit to ``/members`` (without the login gate),
listed every page file in the sidebar, and ignored the first visitor's first click. The
servers here start as deployed (``deploy/streamlit_app.py``, decision 0018).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from lib.store import migrate
from lib.store.db import make_engine
from tests.e2e.conftest import (
    LOGIN_BUTTON,
    _only_local,
    _stop,
    _wait_http,
    expect,
    free_port,
    secrets_toml,
    start_streamlit,
    wait_for_app,
)


@pytest.fixture
def fresh_server(tmp_path, oidc_provider, e2e_home) -> Iterator[str]:
    """A server no browser has visited yet (one per test)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text(secrets_toml(base_url, oidc_provider.url), encoding="utf-8")
    url = f"sqlite:///{tmp_path / f'fresh-{uuid.uuid4().hex[:6]}.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    log = tmp_path / "streamlit.log"
    process = start_streamlit(tmp_path, port, secrets, url, e2e_home, log)
    try:
        _wait_http(f"{base_url}/_stcore/health", process, log, body="ok")
        yield base_url
    finally:
        _stop(process)


def _page(browser):
    context = browser.new_context(locale="fr-FR")
    context.route("**/*", _only_local)
    return context, context.new_page()


def test_an_anonymous_first_visit_to_a_page_meets_the_login_screen(fresh_server, browser):
    context, page = _page(browser)
    page.goto(f"{fresh_server}/members")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Bienvenue sur Parcours")).to_be_visible()
    expect(page.get_by_text("Membres et accès")).to_have_count(0)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)  # no list of page files
    context.close()


def test_the_first_visitors_first_click_logs_in(fresh_server, browser, oidc_provider):
    context, page = _page(browser)
    page.goto(fresh_server)
    wait_for_app(page)
    page.get_by_role("button", name=LOGIN_BUTTON).click()
    page.wait_for_url(f"{oidc_provider.url}/**")  # the provider's page: the click was heard
    context.close()
