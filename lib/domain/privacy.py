"""Personal data by the book (issue 15 item 2): the rules, without SQL or Streamlit.

- How long what identifies a respondent is kept, counted in Paris calendar days: a name typed
  in a named campaign from the day after the campaign closes, a draft's resume code from the
  day it was last saved. On the last day of the window the data is still there; the purge
  that runs the next day removes it.
- What an erased person becomes: a row that still counts (their contributions, logins and
  memberships stay in every figure) but names nobody.
- How an erased person's name and e-mail are taken out of a stored value, text or JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from lib.domain.clock import start_of_local_day

# Defaults, documented in README and docs/registre-des-traitements.md.
RESPONDENT_NAMES_KEPT_DAYS = 365
ABANDONED_DRAFTS_KEPT_DAYS = 90

# What an erased person's e-mail becomes: unique per person, in a domain that can never
# receive mail nor be verified by an identity provider (RFC 2606), so nobody logs in as it.
ERASED_DOMAIN = "ancien-membre.invalid"
# What takes the place of an erased person's name, in the person row and in any text that
# quoted it (a story, a message). The interface shows it in the reader's language.
FORMER_MEMBER = "Ancien membre"
# What takes the place of their e-mail address inside a text.
ERASED_ADDRESS = "[adresse effacée]"


@dataclass(frozen=True)
class Retention:
    respondent_names_days: int = RESPONDENT_NAMES_KEPT_DAYS
    abandoned_drafts_days: int = ABANDONED_DRAFTS_KEPT_DAYS


def names_closed_before(today: date, retention: Retention) -> date:
    """Names of campaigns that closed strictly before this day are purged ``today``: a
    campaign closing on day D keeps them through D + N, and loses them on D + N + 1."""
    return today - timedelta(days=retention.respondent_names_days)


def drafts_saved_before(today: date, retention: Retention) -> datetime:
    """Drafts last saved strictly before this instant (the start of a Paris day, in UTC) are
    purged ``today``: a draft saved on Paris day D keeps its code through D + N."""
    return start_of_local_day(today - timedelta(days=retention.abandoned_drafts_days))


def erased_email(person_id: int) -> str:
    return f"{person_id}@{ERASED_DOMAIN}"


def is_erased(email: str | None) -> bool:
    return bool(email) and email.endswith("@" + ERASED_DOMAIN)


def scrub_text(value: str, needles: dict[str, str]) -> str:
    """``value`` with each needle (a name, an address) replaced by its stand-in."""
    for needle, stand_in in needles.items():
        if needle:
            value = value.replace(needle, stand_in)
    return value


def scrub_json(value: Any, needles: dict[str, str]) -> Any:
    """The same for a JSON document: every string in it, keys left as they are."""
    if isinstance(value, str):
        return scrub_text(value, needles)
    if isinstance(value, list):
        return [scrub_json(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: scrub_json(v, needles) for k, v in value.items()}
    return value


def needles_for(email: str, display_name: str | None) -> dict[str, str]:
    """What identifies a person in stored text, longest first (an address holds a name)."""
    found = {email: ERASED_ADDRESS}
    # A name of one or two letters would take letters out of other words: too short to be
    # told apart from text; it is cleared in the person row and in their own records only.
    if display_name and len(display_name.strip()) >= 3:
        found[display_name.strip()] = FORMER_MEMBER
    return found
