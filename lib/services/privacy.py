"""Personal data by the book (RGPD; issue 15 item 2, decision 0020).

- ``notice``: what a share-link page tells a respondent before the first question — who
  collects the answers, for what, how long they are kept, whether the campaign is anonymous,
  how to ask for deletion — from ``[privacy]`` in ``.streamlit/secrets.toml`` (defaults in
  French and English in the catalogue).
- ``my_data``: everything stored about the person asking, as one JSON file;
  ``request_erasure``: they ask the coordinators to erase them.
- ``erase``: a coordinator erases (anonymises) a person: their name and e-mail leave every
  table, their contributions stay as "ancien membre", every figure is unchanged, and the
  journal records who erased whom and when — by number, without what was erased.
- ``purge``: names typed in named campaigns and abandoned drafts (with their resume codes)
  leave once their retention is over, counted in Paris days; ``python -m lib.cli purge`` and
  a button of the Administration page run it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from lib.access import Action, Actor, require, require_logged_in, require_other_person
from lib.domain import clock, privacy
from lib.domain.errors import NotFound, ServiceError
from lib.domain.inputs import Checks
from lib.domain.privacy import Retention
from lib.i18n import LANGUAGES
from lib.services.smtp import SettingsError, _secrets
from lib.services.smtp import load_settings as load_mail_settings
from lib.services.unit_of_work import reading, writing
from lib.store import feedback as feedback_store
from lib.store import privacy as store
from lib.store.activity import log_activity

# The configurable wording of the notice: one text per language, each optional.
WORDING_KEYS = ("controller", "purpose", "answers_kept", "contact")


class AlreadyErased(ServiceError):
    code = "privacy.error.already_erased"


@dataclass(frozen=True)
class PrivacySettings:
    retention: Retention = field(default_factory=Retention)
    # ``wording[key][language]``: what the network wrote; a missing one uses the catalogue's.
    wording: dict[str, dict[str, str]] = field(default_factory=dict)

    def text(self, key: str, language: str) -> str | None:
        return self.wording.get(key, {}).get(language)


def _days(section: dict, key: str, default: int) -> int:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SettingsError(f"[privacy] {key} must be a whole number of days, 0 or more")
    return value


def load_settings(secrets_path: Path | None = None) -> PrivacySettings:
    """``[privacy]``: ``respondent_names_kept_days``, ``abandoned_drafts_kept_days``, and for
    each wording key ``<key>_fr`` / ``<key>_en`` (see ``.streamlit/secrets.example.toml``)."""
    section = dict(_secrets(secrets_path).get("privacy") or {})
    wording: dict[str, dict[str, str]] = {}
    for key in WORDING_KEYS:
        for language in LANGUAGES:
            value = section.get(f"{key}_{language}")
            if isinstance(value, str) and value.strip():
                wording.setdefault(key, {})[language] = " ".join(value.split())
    return PrivacySettings(
        retention=Retention(
            respondent_names_days=_days(
                section, "respondent_names_kept_days", privacy.RESPONDENT_NAMES_KEPT_DAYS
            ),
            abandoned_drafts_days=_days(
                section, "abandoned_drafts_kept_days", privacy.ABANDONED_DRAFTS_KEPT_DAYS
            ),
        ),
        wording=wording,
    )


def settings() -> PrivacySettings:
    return load_settings()


# --- the notice of a share-link page ----------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """What the page says; ``None`` texts take the catalogue's default wording."""

    anonymous: bool
    network: str
    names_kept_days: int
    drafts_kept_days: int
    controller: str | None
    purpose: str | None
    answers_kept: str | None
    contact: str | None


def _network_name() -> str:
    try:
        return load_mail_settings().network_name
    except (SettingsError, ValueError):
        return "Parcours"  # a wrong mail setting is said by send-mail; the notice still names one


def notice(anonymous: bool, language: str, config: PrivacySettings | None = None) -> Notice:
    config = config or settings()
    return Notice(
        anonymous=anonymous,
        network=_network_name(),
        names_kept_days=config.retention.respondent_names_days,
        drafts_kept_days=config.retention.abandoned_drafts_days,
        **{key: config.text(key, language) for key in WORDING_KEYS},
    )


# --- a person's own data ----------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not exportable: {type(value).__name__}")


def my_data(engine: Engine, actor: Actor | None) -> bytes:
    """Everything stored about the person asking (profile, memberships, invitations, requests,
    journal entries, responses given while logged in with their answers, what they wrote,
    mail preferences and messages sent to them), as UTF-8 JSON."""
    actor = require_logged_in(actor)
    with reading(engine) as conn:
        data = store.person_data(conn, actor.person_id)
    if data is None:
        raise NotFound(person_id=actor.person_id)
    data = {"format": "parcours-personal-data/1", "exported_at": clock.today().isoformat(), **data}
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default).encode("utf-8")


def request_erasure(engine: Engine, actor: Actor | None) -> None:
    """The person asks to be erased: the coordinators see it on Administration."""
    actor = require_logged_in(actor)
    with writing(engine) as conn:
        log_activity(
            conn,
            person_id=actor.person_id,
            territory_id=None,
            action=store.ERASURE_REQUESTED_ACTION,
            subject_type="person",
            subject_id=actor.person_id,
        )


def erasure_asked(engine: Engine, actor: Actor | None) -> bool:
    """Has the person asking already asked to be erased?"""
    actor = require_logged_in(actor)
    with reading(engine) as conn:
        return any(r.person_id == actor.person_id for r in store.erasure_requests(conn))


# --- a coordinator's side ---------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    id: int
    display_name: str | None
    email: str
    asked_at: datetime | None = None


def erasure_requests(engine: Engine, actor: Actor | None) -> list[Person]:
    require(actor, Action.MANAGE_NETWORK)
    with reading(engine) as conn:
        rows = store.erasure_requests(conn)
    return [Person(r.person_id, r.display_name, r.email, r.asked_at) for r in rows]


def people(engine: Engine, actor: Actor | None) -> list[Person]:
    """Everyone a coordinator may erase (not yet erased), by name."""
    require(actor, Action.MANAGE_NETWORK)
    with reading(engine) as conn:
        return [Person(r.id, r.display_name, r.email) for r in store.people(conn)]


def erase(engine: Engine, actor: Actor | None, person_id: Any) -> None:
    """Erase (anonymise) a person, in one transaction; refused to anyone but a coordinator, and
    on oneself (a coordinator's own erasure is another coordinator's act)."""
    checks = Checks()
    person_id = checks.record_id("person_id", person_id)
    checks.done()
    actor = require(actor, Action.MANAGE_NETWORK)
    require_other_person(actor, person_id)
    with writing(engine) as conn:
        row = store.get_person(conn, person_id)
        if row is None:
            raise NotFound(person_id=person_id)
        if privacy.is_erased(row.email):
            raise AlreadyErased()
        for campaign_id in store.erase_person(conn, person_id, row.email, row.display_name):
            feedback_store.bump_data_version(conn, campaign_id)
        # Who erased whom, and when: numbers only, nothing of what was erased.
        log_activity(
            conn,
            person_id=actor.person_id,
            territory_id=None,
            action=store.ERASED_ACTION,
            subject_type="person",
            subject_id=person_id,
        )


# --- retention --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Purge:
    names: int  # respondents' names removed from responses of named campaigns
    drafts: int  # abandoned drafts deleted, with their resume codes
    retention: Retention


def _purge(
    engine: Engine, config: PrivacySettings, today: date, *, apply: bool, by: int | None = None
) -> Purge:
    retention = config.retention
    closed_before = privacy.names_closed_before(today, retention)
    saved_before = privacy.drafts_saved_before(today, retention)
    with writing(engine) as conn:
        named = store.names_to_purge(conn, closed_before)
        if not apply:
            return Purge(len(named), store.count_abandoned_drafts(conn, saved_before), retention)
        for row in named:
            store.drop_respondent_name(conn, row.id, row.document)
        for campaign_id in {row.campaign_id for row in named}:
            feedback_store.bump_data_version(conn, campaign_id)  # exports showed the names
        drafts = store.delete_abandoned_drafts(conn, saved_before)
        if named or drafts:
            log_activity(
                conn,
                person_id=by,
                territory_id=None,
                action=store.PURGE_ACTION,
                details={"names": len(named), "drafts": drafts},
            )
    return Purge(len(named), drafts, retention)


def purge(engine: Engine, config: PrivacySettings | None = None, today: date | None = None) -> Purge:
    """Run the retention purge (the command's entry point: no person acts)."""
    return _purge(engine, config or settings(), today or clock.today(), apply=True)


def purge_now(engine: Engine, actor: Actor | None, today: date | None = None) -> Purge:
    """A coordinator runs the purge from Administration."""
    actor = require(actor, Action.MANAGE_NETWORK)
    return _purge(engine, settings(), today or clock.today(), apply=True, by=actor.person_id)


def purge_due(engine: Engine, actor: Actor | None, today: date | None = None) -> Purge:
    """What the purge would remove today, for the coordinator to see before running it."""
    require(actor, Action.MANAGE_NETWORK)
    return _purge(engine, settings(), today or clock.today(), apply=False)
