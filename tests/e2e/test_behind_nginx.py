"""Two app processes behind nginx, on one PostgreSQL, as ``docs/deploy.md`` sets them up.

nginx runs ``deploy/nginx/parcours.conf`` itself, with only its address, ports, certificate
and log paths changed (``render_site``), in the foreground with its own prefix and temporary
folders, over HTTPS with a certificate made for the test. Both ``streamlit run`` processes
share one secrets file (database URL, ``[auth]`` cookie secret) and connect as the app's
own role, ``parcours_app``, to a database that ``postgres`` migrated.

Which process serves a browser is decided by nginx from the ``parcours_node`` cookie; the
test finds one cookie value for each process by asking nginx and reading its access log,
then gives each browser the value that sends it where the test wants.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest
import sqlalchemy as sa

from lib.store import migrate, tables
from lib.store.db import make_engine
from tests.conftest import as_app_role, throwaway_pg_database
from tests.e2e.conftest import (
    COORDINATOR_EMAIL,
    LOGIN_BUTTON,
    ROOT,
    TIMEOUT_MS,
    LiveApp,
    _only_local,
    _stop,
    _tail,
    _wait_http,
    answer_short_form,
    expect,
    free_port,
    login_as,
    screenshot,
    secrets_toml,
    start_streamlit,
    wait_for_app,
)
from tests.factories import make_campaign, make_territory

NGINX = os.environ.get("PARCOURS_NGINX", "/usr/sbin/nginx")
SITE = ROOT / "deploy" / "nginx" / "parcours.conf"
TITLE = "Retours derrière nginx (e2e)"
TERRITORY = "Grande-Synthe (nginx)"
HOST = "127.0.0.1"


def render_site(
    *, https_port: int, http_port: int, app_ports: list[int], cert: Path, key: Path, logs: Path
) -> str:
    """``deploy/nginx/parcours.conf`` for this machine: what an operator edits, nothing else."""
    text = SITE.read_text(encoding="utf-8")
    upstreams = "".join(f"    server 127.0.0.1:{port};\n" for port in app_ports)
    for old, new in [
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("    listen [::]:443 ssl http2;\n", ""),  # IPv6 may be missing here
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("    listen [::]:80;\n", ""),
        ("/etc/letsencrypt/live/parcours.example.org/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/parcours.example.org/privkey.pem", str(key)),
        ("parcours.example.org", "127.0.0.1"),
        ("/var/log/nginx/", f"{logs}/"),
        ("    server 127.0.0.1:8501;\n    server 127.0.0.1:8502;\n", upstreams),
    ]:
        assert old in text, f"{SITE} no longer holds {old!r}: update render_site and docs/deploy.md"
        text = text.replace(old, new)
    return text


def _main_conf(folder: Path) -> str:
    """The top of nginx.conf that Debian's package provides, for a private, foreground nginx."""
    temp = {name: folder / "temp" / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(parents=True, exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the folders above
    return f"""{user}daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {folder}/parcours.conf;
}}
"""


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]), False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


_INSECURE = ssl._create_unverified_context()  # the test's own self-signed certificate


def _get(url: str, cookie: str | None = None) -> tuple[int, Message]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=_INSECURE))
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers


def _answers(url: str) -> bool:
    try:
        return _get(url)[0] == 200
    except urllib.error.URLError:
        return False


@dataclass
class Proxied:
    base_url: str
    http_url: str
    app_ports: list[int]
    access_log: Path
    engine: sa.engine.Engine
    campaign_id: int
    token: str
    node_for_port: dict[int, str]  # a parcours_node cookie value that nginx sends to each process
    logs: list[Path]

    def requests_by_node(self) -> dict[str, set[str]]:
        """For each cookie value seen in the access log, the processes its requests reached."""
        seen: dict[str, set[str]] = {}
        for line in self.access_log.read_text().splitlines():
            match = re.search(r"node=(\S+) upstream=(\S+)", line)
            if match:
                seen.setdefault(match[1], set()).add(match[2])
        return seen

    def log_text(self) -> str:
        return "\n".join(f"--- {log.name}\n{_tail(log, 80)}" for log in self.logs)


def _nginx_or_skip() -> None:
    if not (Path(NGINX).exists() or shutil.which(NGINX)):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but nginx is missing at {NGINX} (apt-get install nginx)")
        pytest.skip(f"nginx not found at {NGINX}")


@pytest.fixture(scope="module")
def proxied(tmp_path_factory, oidc_provider, e2e_home) -> Iterator[Proxied]:
    _nginx_or_skip()
    folder = tmp_path_factory.mktemp("behind-nginx")
    https_port, http_port = free_port(), free_port()
    app_ports = [free_port(), free_port()]
    base_url = f"https://127.0.0.1:{https_port}"

    with throwaway_pg_database("parcours_nginx") as url:
        engine = make_engine(url)
        migrate.upgrade(engine)  # as postgres; the app processes connect as parcours_app
        campaign_id, token = make_campaign(engine, make_territory(engine, TERRITORY), title=TITLE)

        secrets = folder / ".streamlit" / "secrets.toml"
        secrets.parent.mkdir()
        secrets.write_text(secrets_toml(base_url, oidc_provider.url), encoding="utf-8")
        processes, logs = [], []
        try:
            for port in app_ports:
                log = folder / f"streamlit-{port}.log"
                logs.append(log)
                processes.append(start_streamlit(folder, port, secrets, as_app_role(url), e2e_home, log))
            for port, process, log in zip(app_ports, processes, logs, strict=True):
                _wait_http(f"http://127.0.0.1:{port}/_stcore/health", process, log, body="ok", timeout=60)

            cert, key = _certificate(folder)
            (folder / "parcours.conf").write_text(
                render_site(
                    https_port=https_port,
                    http_port=http_port,
                    app_ports=app_ports,
                    cert=cert,
                    key=key,
                    logs=folder,
                )
            )
            (folder / "nginx.conf").write_text(_main_conf(folder))
            error_log = folder / "error.log"
            logs.append(error_log)
            processes.append(
                subprocess.Popen(
                    [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(error_log)],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.STDOUT,
                )
            )
            proxied = Proxied(
                base_url, f"http://127.0.0.1:{http_port}", app_ports, folder / "parcours.access.log",
                engine, campaign_id, token, {}, logs,
            )  # fmt: skip
            proxied.node_for_port = _one_node_per_process(proxied, processes[-1], error_log)
            yield proxied
        finally:
            for process in reversed(processes):
                _stop(process)
            engine.dispose()


def _one_node_per_process(proxied: Proxied, nginx: subprocess.Popen, error_log: Path) -> dict[int, str]:
    deadline = time.monotonic() + 20
    while not _answers(f"{proxied.base_url}/_stcore/health"):
        if nginx.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"nginx did not start.\n{_tail(error_log)}")
        time.sleep(0.2)
    found: dict[int, str] = {}
    for n in range(64):
        node = f"probe-{n}"
        assert _get(f"{proxied.base_url}/_stcore/health", f"parcours_node={node}")[0] == 200
        time.sleep(0.05)  # the access log line is written once the response is sent
        upstream = proxied.requests_by_node().get(node, set())
        port = int(next(iter(upstream)).rsplit(":", 1)[1]) if upstream else None
        if port is not None:
            found.setdefault(port, node)
        if len(found) == len(proxied.app_ports):
            return found
    pytest.fail(f"nginx sent 64 different cookies to {sorted(found)} only, not to {proxied.app_ports}")


def _context(browser, proxied: Proxied, port: int):
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, ignore_https_errors=True
    )
    context.route("**/*", _only_local)
    context.set_default_timeout(TIMEOUT_MS)
    _send_to(context, proxied, port)
    return context


def _send_to(context, proxied: Proxied, port: int) -> None:
    """From now on nginx sends this browser to the process on ``port``."""
    cookie = {"name": "parcours_node", "value": proxied.node_for_port[port], "url": proxied.base_url}
    context.add_cookies([cookie])


def _submitted(page):
    metric = page.get_by_test_id("stMetric").filter(has_text="Réponses envoyées")
    return metric.get_by_test_id("stMetricValue")


def test_plain_http_is_sent_to_https(proxied):
    status, headers = _get(f"{proxied.http_url}/resultats")
    assert status == 301 and headers["Location"].startswith("https://")


def test_a_new_browser_is_given_a_process_and_keeps_it(proxied):
    status, headers = _get(f"{proxied.base_url}/_stcore/health")
    assert status == 200
    [cookie] = [c for c in headers.get_all("Set-Cookie") if c.startswith("parcours_node=")]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    node = cookie.split(";")[0].split("=", 1)[1]
    for _ in range(3):
        status, headers = _get(f"{proxied.base_url}/_stcore/health", f"parcours_node={node}")
        assert status == 200
        assert not [c for c in headers.get_all("Set-Cookie", []) if "parcours_node" in c]  # kept
    assert len(proxied.requests_by_node()[node]) == 1  # always the same process


def test_an_answer_sent_through_one_process_is_counted_through_the_other_after_a_login_through_nginx(
    proxied, browser, oidc_provider, request
):
    first, second = proxied.app_ports
    coordinator = _context(browser, proxied, second).new_page()
    respondent = _context(browser, proxied, first).new_page()
    try:
        # The coordinator logs in through nginx (and the provider's return reaches the process
        # that started the login), then opens the results: nothing answered yet.
        app = LiveApp(proxied.base_url, proxied.engine, oidc_provider.url, provider=oidc_provider)
        login_as(coordinator, app, COORDINATOR_EMAIL, name="Claire Coordinatrice")
        coordinator.goto(f"{proxied.base_url}/resultats")
        wait_for_app(coordinator)
        expect(coordinator.get_by_role("heading", name="Résultats des questionnaires")).to_be_visible()
        expect(_submitted(coordinator)).to_have_text("0")

        # A stakeholder answers through the other process.
        respondent.goto(f"{proxied.base_url}/?campagne={proxied.token}")
        wait_for_app(respondent)
        expect(respondent.get_by_role("heading", name=TITLE)).to_be_visible()
        answer_short_form(respondent)

        # The coordinator's next rerun (a click in the menu, same websocket) counts it.
        menu = coordinator.get_by_test_id("stSidebarNav")
        menu.get_by_role("link", name="Résultats des questionnaires").click()
        wait_for_app(coordinator)
        expect(_submitted(coordinator)).to_have_text("1")
        screenshot(coordinator, "behind-nginx-results")

        # Moved to the other process (as when one restarts), the coordinator is still logged in:
        # both processes sign and read the login cookie with the same cookie_secret.
        _send_to(coordinator.context, proxied, first)
        coordinator.goto(f"{proxied.base_url}/resultats")
        wait_for_app(coordinator)
        expect(coordinator.get_by_role("button", name=LOGIN_BUTTON)).to_have_count(0)
        expect(_submitted(coordinator)).to_have_text("1")
    except Exception:
        screenshot(coordinator, f"{request.node.name}-coordinator")
        screenshot(respondent, f"{request.node.name}-respondent")
        print(proxied.log_text())
        raise
    finally:
        coordinator.context.close()
        respondent.context.close()

    with proxied.engine.connect() as conn:
        status = conn.execute(
            sa.select(tables.response.c.status).where(tables.response.c.campaign_id == proxied.campaign_id)
        ).scalar_one()
    assert status == "submitted"
    # Every request of each browser, websocket included, reached the process it was given.
    seen = proxied.requests_by_node()
    assert seen[proxied.node_for_port[first]] == {f"127.0.0.1:{first}"}
    assert seen[proxied.node_for_port[second]] == {f"127.0.0.1:{second}"}
    # nginx writes a websocket's line when the connection ends, a moment after the browser closed it.
    expected = {f"127.0.0.1:{first}", f"127.0.0.1:{second}"}
    deadline = time.monotonic() + 15
    while (upstreams := _websocket_upstreams(proxied.access_log)) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    assert upstreams == expected


def _websocket_upstreams(access_log) -> set[str]:
    lines = [line for line in access_log.read_text().splitlines() if "/_stcore/stream" in line]
    return {re.search(r"upstream=(\S+)", line)[1] for line in lines}
