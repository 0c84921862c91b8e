"""When a template's wording updates a stored version in place, and when it becomes a new one.

The rule, in one place (the store only carries out what it decides): an answered version is
never changed, so old answers keep the questions they answered; nobody's wording is
overwritten by someone else's; a shipped file's ``version`` is a floor the stored number never
goes below; and a coordinator's newer wording wins over the shipped file until the file's
``version`` is raised above it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Step(StrEnum):
    ADD = "add"  # store a new version
    UPDATE = "update"  # rewrite the newest version in place
    KEEP = "keep"  # the newest version already says this


@dataclass(frozen=True)
class Wording:
    """What a template version says, and who wrote it (None: the shipped file)."""

    title_fr: str
    title_en: str
    content: dict[str, Any]
    author: int | None


@dataclass(frozen=True)
class StoredVersion:
    version: int
    wording: Wording
    answered: bool  # any response, even a draft, on a campaign using it


@dataclass(frozen=True)
class Placement:
    step: Step
    version: int


def place(newest: StoredVersion | None, wording: Wording, floor: int) -> Placement:
    """Where ``wording`` goes, given the newest stored version of the same template."""
    if newest is None:
        return Placement(Step.ADD, floor)
    if _same_text(newest.wording, wording):
        return Placement(Step.KEEP, newest.version)
    if newest.wording.author == wording.author and not newest.answered:
        return Placement(Step.UPDATE, max(newest.version, floor))
    return Placement(Step.ADD, max(newest.version + 1, floor))


def shipped_file_applies(newest_version: int | None, newest_author: int | None, file_version: int) -> bool:
    """Whether a file of ``data/forms`` is stored at start-up: always, unless a person's wording
    is newest and the file's ``version`` was not raised above it."""
    if newest_version is None or newest_author is None:
        return True
    return file_version > newest_version


def _same_text(a: Wording, b: Wording) -> bool:
    return a.content == b.content and a.title_fr == b.title_fr and a.title_en == b.title_en
