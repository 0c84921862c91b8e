"""Mail settings (``[smtp]`` and ``[mail]`` in ``.streamlit/secrets.toml``) and the SMTP transport.

Without an ``[smtp]`` section nothing is ever sent: messages wait in the outbox, where a
coordinator reads them (demo mode). Every setting is documented in ``secrets.example.toml``.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
import tomllib
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from lib.domain.mail import header_safe, is_address

SECURITIES = ("starttls", "tls", "none")
_DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


class SettingsError(ValueError):
    """A mail setting is missing or wrong: said at start-up and by ``send-mail``."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "starttls" (port 587), "tls" (implicit TLS, port 465), "none" (a local relay)
    sender: str  # the From address
    user: str | None = None
    password: str | None = None
    reply_to: str | None = None
    timeout: float = 20.0


@dataclass(frozen=True)
class MailSettings:
    smtp: SmtpSettings | None  # None: nothing is sent, messages wait in the outbox
    base_url: str  # the app's public address, the start of every link in a message
    network_name: str
    reminder_days: int = 3  # a campaign's one reminder goes this many days before it closes
    addresses_kept_days: int = 30  # pasted addresses are deleted this long after closing


def _secrets(secrets_path: Path | None) -> dict[str, Any]:
    path = secrets_path or Path.cwd() / ".streamlit" / "secrets.toml"
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _text(section: dict, key: str, default: str | None = None) -> str | None:
    value = section.get(key, default)
    if value is None:
        return None
    value = str(value).strip()
    if not header_safe(value):
        raise SettingsError(f"[smtp] {key} holds a line break")
    return value or None


def load_settings(secrets_path: Path | None = None) -> MailSettings:
    secrets = _secrets(secrets_path)
    mail = dict(secrets.get("mail") or {})
    base_url = _text(mail, "base_url", "http://localhost:8501/") or "http://localhost:8501/"
    if not base_url.startswith(("https://", "http://")):
        raise SettingsError("[mail] base_url must start with https:// (or http:// for a local run)")
    settings = MailSettings(
        smtp=_smtp(secrets.get("smtp")),
        base_url=base_url.rstrip("/") + "/",
        network_name=_text(mail, "network_name", "Parcours") or "Parcours",
        reminder_days=int(mail.get("reminder_days_before_closing", 3)),
        addresses_kept_days=int(mail.get("campaign_addresses_kept_days", 30)),
    )
    if settings.reminder_days < 1 or settings.addresses_kept_days < 0:
        raise SettingsError("[mail] reminder_days_before_closing ≥ 1, campaign_addresses_kept_days ≥ 0")
    return settings


def _smtp(section: Any) -> SmtpSettings | None:
    if not isinstance(section, dict) or not section.get("host"):
        return None
    security = str(section.get("security", "starttls")).lower()
    if security not in SECURITIES:
        raise SettingsError(f"[smtp] security must be one of {SECURITIES}, not {security!r}")
    sender = (_text(section, "sender") or "").lower()
    if not is_address(sender):
        raise SettingsError("[smtp] sender must be one e-mail address")
    reply_to = _text(section, "reply_to")
    if reply_to is not None and not is_address(reply_to.lower()):
        raise SettingsError("[smtp] reply_to must be one e-mail address")
    return SmtpSettings(
        host=_text(section, "host") or "",
        port=int(section.get("port", _DEFAULT_PORTS[security])),
        security=security,
        sender=sender,
        user=_text(section, "user"),
        password=str(section["password"]) if section.get("password") else None,
        reply_to=reply_to,
        timeout=float(section.get("timeout", 20)),
    )


@dataclass
class SmtpFailure(Exception):
    """The server did not take the message: ``code`` is its reply (None: no reply at all)."""

    code: int | None
    detail: str

    def __str__(self) -> str:
        return f"{self.code or '—'} {self.detail}"


def _failure(exc: Exception) -> SmtpFailure:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()))
        return SmtpFailure(code, _said(reply))
    if isinstance(exc, smtplib.SMTPResponseException):
        return SmtpFailure(exc.smtp_code, _said(exc.smtp_error))
    return SmtpFailure(None, f"{type(exc).__name__}: {exc}"[:500])


def _said(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return text[:500]


class Transport:
    """One connection to the SMTP server, opened at the first message and reused."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._client: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        if s.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                client.starttls(context=context)
        if s.user:
            client.login(s.user, s.password or "")
        return client

    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` over, or raise ``SmtpFailure`` with what the server said."""
        try:
            if self._client is None:
                self._client = self._connect()
            refused = self._client.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            self.close()  # the next message starts on a fresh connection
            raise _failure(exc) from exc
        if refused:  # one recipient per message: this cannot be a partial success
            code, reply = next(iter(refused.values()))
            raise SmtpFailure(code, _said(reply))

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._client.quit()
            self._client = None
