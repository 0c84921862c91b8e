"""End-to-end fixtures: a real OpenID Connect provider, a real ``streamlit run``, a real Chromium.

What runs, all on 127.0.0.1 and free ports, nothing on the internet:

- ``oidc-provider-mock`` (0.3.4) in a subprocess. Its consent page has a ``sub`` text field
  and an "Authorize" button; ``PUT /users/<sub>`` sets the claims that person will get.
- ``streamlit run deploy/streamlit_app.py --server.headless true --server.port <free> --server.address
  127.0.0.1`` in a temporary working directory whose ``.streamlit/secrets.toml`` has an
  ``[auth]`` section pointing at the mock (provider block ``testidp``, shown as
  ``PROVIDER_LABEL``), with ``DATABASE_URL`` a temporary SQLite file that the fixture
  migrates and fills with ``TERRITORIES`` before the server starts. ``--secrets.files``
  names that one file, so a developer's own secrets can never leak into a test.
  ``PARCOURS_COORDINATORS`` makes ``COORDINATOR_EMAIL`` a network coordinator at login.
- Playwright's sync API driving Debian's ``/usr/bin/chromium`` headless, with HOME and XDG
  folders in a temporary directory. Every request to a host other than 127.0.0.1 or
  localhost is aborted (the mock's pages ask a CDN for a stylesheet).

Fixtures and helpers other end-to-end tests can reuse:

``live_app`` (session)
    ``LiveApp``: ``base_url`` (``http://127.0.0.1:<port>``), ``engine`` (SQLAlchemy engine on
    the app's own database: create what a test needs with ``tests.factories``, read what
    the app wrote), ``territories`` (name → id of ``TERRITORIES``), ``provider_url``, and
    ``log_text()`` (the server's output, shown when a test fails). One server for the whole
    session: use unique emails (``unique_email``) so tests do not meet.
``browser_page`` (function)
    A fresh Playwright ``Page`` in a new browser context (no cookies: nobody logged in).
    A screenshot is saved to ``test-artifacts/e2e/<test name>.png`` when the test fails.
``login_as(page, live_app, email, *, name=None, email_verified=True)``
    Declares the person in the mock, opens the app, clicks "Se connecter avec
    <provider>", authorises as that person and waits until the app is back and shows a
    logout button (``email_verified=False``: the refusal screen instead).
``logout(page, live_app)``
    Clicks "Se déconnecter", passes the mock's end-session page and waits for the login screen.
``proconnect_app`` (session)
    ``ProConnectApp``: a second ``streamlit run`` (same helpers, its own database) whose secrets
    have two blocks: ``proconnect`` (``profile = "proconnect"``, button ``PROCONNECT_BUTTON``)
    on ``tests.strict_oidc.StrictProvider`` — a provider as strict as ProConnect, started in a
    thread, reachable as ``proconnect_app.strict`` (users, faults, refusals, sessions) — and
    ``testidp`` on ``oidc-provider-mock`` as above, so ``login_as`` and ``logout`` work there
    too: the standard path, in the same process as ProConnect's.
``wait_for_app(page)``
    Waits until Streamlit has finished running the script after a navigation or click.
``screenshot(page, name)``
    Saves ``test-artifacts/e2e/<name>.png`` (git-ignored), for people to look at.
``expect``
    Playwright's ``expect`` (waits up to ``TIMEOUT_MS``). Import it from here rather than
    from Playwright, so a machine without Playwright skips instead of failing to collect.

The tests skip when Playwright or Chromium is missing, unless ``REQUIRE_BROWSER=1`` (set
by CI), which turns that skip into a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from sqlalchemy.engine import Engine

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail under REQUIRE_BROWSER=1) before it is ever used
    expect = None

from lib.store import migrate
from lib.store.db import make_engine
from tests.factories import make_territory

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
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
PROVIDER = "testidp"
PROVIDER_LABEL = "Compte de test"
LOGIN_BUTTON = f"Se connecter avec {PROVIDER_LABEL}"
LOGOUT_BUTTON = "Se déconnecter"
COORDINATOR_EMAIL = "coordination@reseau.test"
TERRITORIES = ("Loos-en-Gohelle (e2e)", "Grande-Synthe (e2e)")
TIMEOUT_MS = 20_000
_LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


# --- processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, process: subprocess.Popen, log: Path, body: str | None = None, timeout=30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url}: the process stopped (code {process.returncode}).\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                answer = response.read().decode().strip()
                if response.status == 200 and (body is None or answer == body):
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {timeout} s.\n{_tail(log)}")


def _tail(log: Path, lines: int = 60) -> str:
    if not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _isolated_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        AUTHLIB_INSECURE_TRANSPORT="1",  # plain http on 127.0.0.1, for the mock only
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class Provider:
    url: str
    log: Path

    def set_user(self, sub: str, claims: dict) -> None:
        """Declare the claims the mock puts in the ID token of ``sub``."""
        request = urllib.request.Request(
            f"{self.url}/users/{sub}",
            data=json.dumps(claims).encode(),
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 204


@pytest.fixture(scope="session")
def e2e_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("e2e-home")
    for sub in (".config", ".cache", ".local/share"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    return home


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory, e2e_home) -> Iterator[Provider]:
    _browser_or_skip()
    port = free_port()
    log = tmp_path_factory.mktemp("oidc") / "oidc.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_isolated_env(e2e_home),
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{url}/.well-known/openid-configuration", process, log)
        yield Provider(url, log)
    finally:
        _stop(process)


def secrets_toml(base_url: str, provider_url: str) -> str:
    """A secrets file with login through the mock, for an app reached at ``base_url``."""
    return f"""
[auth]
redirect_uri = "{base_url}/oauth2callback"
cookie_secret = "{uuid.uuid4().hex}"

[auth.{PROVIDER}]
display_name = "{PROVIDER_LABEL}"
client_id = "parcours-e2e"
client_secret = "{uuid.uuid4().hex}"
server_metadata_url = "{provider_url}/.well-known/openid-configuration"

[parcours]
trusted_providers = []
"""


@dataclass
class LiveApp:
    base_url: str
    engine: Engine
    provider_url: str
    territories: dict[str, int] = field(default_factory=dict)
    provider: Provider | None = None
    log: Path | None = None

    def log_text(self) -> str:
        return _tail(self.log, 200) if self.log else ""


@pytest.fixture(scope="session")
def live_app(tmp_path_factory, oidc_provider, e2e_home) -> Iterator[LiveApp]:
    workdir = tmp_path_factory.mktemp("e2e-app")
    port = free_port()
    secrets = workdir / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text(secrets_toml(f"http://127.0.0.1:{port}", oidc_provider.url), encoding="utf-8")
    url = f"sqlite:///{workdir / 'parcours-e2e.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    territories = {name: make_territory(engine, name) for name in TERRITORIES}

    log = workdir / "streamlit.log"
    process = start_streamlit(workdir, port, secrets, url, e2e_home, log)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{base_url}/_stcore/health", process, log, body="ok")
        yield LiveApp(base_url, engine, oidc_provider.url, territories, oidc_provider, log)
    finally:
        _stop(process)
        engine.dispose()


PROCONNECT_LABEL = "ProConnect"
PROCONNECT_BUTTON = f"Se connecter avec {PROCONNECT_LABEL}"


@dataclass
class ProConnectApp(LiveApp):
    strict: object = None  # tests.strict_oidc.StrictProvider


@pytest.fixture(scope="session")
def proconnect_app(tmp_path_factory, oidc_provider, e2e_home) -> Iterator[ProConnectApp]:
    from tests.strict_oidc import StrictProvider

    workdir = tmp_path_factory.mktemp("e2e-proconnect")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    strict = StrictProvider("parcours-proconnect-e2e", uuid.uuid4().hex, port=free_port())
    strict.redirect_uri = f"{base_url}/oauth2callback"
    strict.start()
    secrets = workdir / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    standard = secrets_toml(base_url, oidc_provider.url)
    assert standard.endswith("\n[parcours]\ntrusted_providers = []\n")
    secrets.write_text(
        standard.removesuffix("\n[parcours]\ntrusted_providers = []\n")
        + f"""
[auth.proconnect]
display_name = "{PROCONNECT_LABEL}"
profile = "proconnect"
client_id = "{strict.client_id}"
client_secret = "{strict.client_secret}"
server_metadata_url = "{strict.url}/.well-known/openid-configuration"
client_kwargs = {{ scope = "openid email given_name usual_name" }}

[parcours]
trusted_providers = ["proconnect"]
""",
        encoding="utf-8",
    )
    url = f"sqlite:///{workdir / 'parcours-proconnect.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    territories = {name: make_territory(engine, name) for name in TERRITORIES}
    log = workdir / "streamlit.log"
    process = start_streamlit(workdir, port, secrets, url, e2e_home, log)
    try:
        _wait_http(f"{base_url}/_stcore/health", process, log, body="ok")
        yield ProConnectApp(base_url, engine, oidc_provider.url, territories, oidc_provider, log, strict)
    finally:
        _stop(process)
        strict.stop()
        engine.dispose()


def start_streamlit(
    workdir: Path, port: int, secrets: Path, database_url: str, home: Path, log: Path
) -> subprocess.Popen:
    """``streamlit run deploy/streamlit_app.py`` (as deployed) on 127.0.0.1:``port``, reading
    only ``secrets``; output in ``log``. ``COORDINATOR_EMAIL`` becomes a network coordinator
    at login."""
    env = _isolated_env(home)
    env.update(DATABASE_URL=database_url, PARCOURS_COORDINATORS=COORDINATOR_EMAIL)
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "deploy" / "streamlit_app.py"),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
        "--runner.postScriptGC", "false",  # as .streamlit/config.toml (decision 0015)
        "--secrets.files", str(secrets),
    ]  # fmt: skip
    with log.open("w") as out:
        return subprocess.Popen(command, cwd=workdir, stdout=out, stderr=subprocess.STDOUT, env=env)


# --- browser --------------------------------------------------------------------------------


def _browser_or_skip() -> None:
    problem = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        problem = f"Playwright is not installed: {exc}"
    if problem is None and not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        problem = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if problem:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {problem}")
        pytest.skip(problem)


@pytest.fixture(scope="session")
def browser(e2e_home):
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    # A first run of a page (new session, login recorded, charts) can take a few seconds on a
    # busy machine: every wait, ``expect`` included, gets the same generous limit.
    expect.set_options(timeout=TIMEOUT_MS)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, env=_isolated_env(e2e_home)
        )
        yield browser
        browser.close()


def _only_local(route) -> None:
    if urlparse(route.request.url).hostname in _LOCAL_HOSTS:
        route.continue_()
    else:
        route.abort()


def _page_for(request, browser, app: LiveApp):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.route("**/*", _only_local)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        screenshot(page, request.node.name)
        print(f"--- streamlit log ---\n{app.log_text()}")
        if getattr(app, "strict", None) is not None:
            print(f"--- strict provider refusals ---\n{app.strict.refusals}")
    context.close()


@pytest.fixture
def browser_page(request, browser, live_app):
    yield from _page_for(request, browser, live_app)


@pytest.fixture
def proconnect_page(request, browser, proconnect_app):
    """A fresh page, as ``browser_page``, for ``proconnect_app``."""
    yield from _page_for(request, browser, proconnect_app)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def unique_email(prefix: str, domain: str = "e2e.test") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@{domain}"


# --- acting -----------------------------------------------------------------------------------


def wait_for_app(page) -> None:
    """Streamlit is connected and has finished running the script after a navigation or click.

    As Streamlit's own end-to-end suite does: give the rerun a moment to start, then wait
    for the app root to report a live connection and a script that is not running.
    """
    page.wait_for_timeout(250)
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-connection-state="CONNECTED"]', timeout=TIMEOUT_MS
    )
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=TIMEOUT_MS)
    page.wait_for_timeout(100)  # let the last deltas paint


def login_as(
    page, live_app: LiveApp, email: str, *, name: str | None = None, email_verified: bool = True
) -> None:
    """Log in through the real flow: app → provider's consent page → back to the app."""
    claims = {"email": email, "email_verified": email_verified}
    if name:
        claims["name"] = name
    live_app.provider.set_user(email, claims)
    page.goto(live_app.base_url)
    page.get_by_role("button", name=LOGIN_BUTTON).click()
    page.wait_for_url(f"{live_app.provider_url}/**")
    page.fill('input[name="sub"]', email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{live_app.base_url}/**")
    wait_for_app(page)
    if email_verified:
        expect(page.get_by_role("button", name=LOGOUT_BUTTON).first).to_be_visible()
    else:
        expect(page.get_by_text("Connexion impossible")).to_be_visible()


def logout(page, live_app: LiveApp) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=LOGOUT_BUTTON).first.click()
    # The mock, like a real provider, shows its own end-of-session page before sending us back.
    if page.url.startswith(live_app.provider_url):
        page.get_by_role("button", name="End session").click()
        page.wait_for_url(f"{live_app.base_url}/**")
    wait_for_app(page)
    expect(page.get_by_role("button", name=LOGIN_BUTTON)).to_be_visible()


def answer_short_form(page, shots: str | None = None) -> None:
    """From a share link's landing page, answer a campaign of ``tests.factories.SHORT_TEMPLATE``
    as a State services agent, up to the thank-you message. ``shots``: screenshot name prefix."""
    page.get_by_text("Services de l’État (DDT/DDTM, préfecture, ADEME…)").click()
    page.get_by_role("button", name="Commencer").click()
    wait_for_app(page)

    expect(page.get_by_text("Étape 1 sur 2")).to_be_visible()
    page.get_by_text("4", exact=True).click()  # the scale, as pills
    wait_for_app(page)
    page.get_by_text("Alimentation", exact=True).click()
    wait_for_app(page)
    if shots:
        screenshot(page, f"{shots}-step1")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    wait_for_app(page)

    expect(page.get_by_text("Étape 2 sur 2")).to_be_visible()
    page.get_by_label("En quelques mots *").fill("Ça avance")
    page.get_by_label("En quelques mots *").press("Enter")
    wait_for_app(page)
    if shots:
        screenshot(page, f"{shots}-step2")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    wait_for_app(page)
    expect(page.get_by_text("Merci, vos réponses ont bien été envoyées.")).to_be_visible()
    if shots:
        screenshot(page, f"{shots}-done")
