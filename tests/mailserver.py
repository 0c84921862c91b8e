"""A real SMTP server for the tests (aiosmtpd), on 127.0.0.1, that keeps what it receives.

It can be stopped and started again (the server down, then back), and told to refuse every
recipient with a permanent (5xx) or temporary (4xx) reply.
"""

from __future__ import annotations

import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

BASE_URL = "https://parcours.reseau.test/"
NETWORK = "Réseau d’essai"


def free_port() -> int:
    """A port nobody listens on, chosen by the system (parallel test runs never collide)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.server.refuse_with:
            return self.server.refuse_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.server.lock:
            self.server.received.append((tuple(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[tuple[tuple[str, ...], EmailMessage]] = []
        self.refuse_with: str | None = None
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [message for _, message in self.received]

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for rcpt, m in self.received if address in rcpt]


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


# --- settings pointing at a test server ---------------------------------------------------


def write_secrets(folder, port: int | None, *, network: str = NETWORK) -> None:
    smtp = (
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        'sender = "parcours@reseau.test"\nreply_to = "coordination@reseau.test"\ntimeout = 5\n\n'
        if port
        else ""
    )
    (folder / ".streamlit").mkdir(exist_ok=True)
    (folder / ".streamlit" / "secrets.toml").write_text(
        f'{smtp}[mail]\nbase_url = "{BASE_URL}"\nnetwork_name = "{network}"\n', encoding="utf-8"
    )
