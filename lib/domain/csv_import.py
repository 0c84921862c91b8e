"""CSV imports as a French spreadsheet writes them: reading the file and checking each row.

No SQL here. ``read_file`` turns the uploaded bytes into records (UTF-8, with or without its
byte-order mark, or Windows-1252; comma or semicolon, found from the header line), or refuses
the whole file with a message saying what to change. Each kind of import (``KINDS``: the one
registry, from which the service, the page and the model files all read) names its columns and
checks one row against what the database already holds (``Known``), gathering one ``Problem``
per wrong cell: the line as the spreadsheet numbers it (the header is line 1), the column as
the file names it, and a translation key.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lib.domain.errors import ServiceError
from lib.domain.inputs import ID_MAX
from lib.domain.territories import INSEE, NAME_MAX, REGION_MAX, SIREN, is_slug, slugify
from lib.domain.text import clean_text

SEPARATORS = (";", ",")
MAX_ROWS = 50_000


class ImportRefused(ServiceError):
    """The file as a whole cannot be read (encoding, separator, columns): nothing was checked."""

    code = "import.error.file"


@dataclass(frozen=True)
class Problem:
    line: int
    column: str  # the column's name in the file ("" when the problem is the whole line)
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Record:
    line: int
    cells: dict[str, str]  # by column name


@dataclass(frozen=True)
class ParsedFile:
    encoding: str  # "utf-8" or "cp1252"
    separator: str
    records: list[Record]


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise ImportRefused("import.error.encoding")  # UTF-16 ("texte Unicode") or not text at all
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise ImportRefused("import.error.encoding") from exc


def _name(header: str) -> str:
    """A column name as written by hand: case, accents, spaces and hyphens do not matter."""
    flat = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode().lower().strip()
    return re.sub(r"[\s\-]+", "_", flat)


def read_file(data: bytes, columns: tuple[str, ...], required: tuple[str, ...]) -> ParsedFile:
    """The records of an uploaded CSV whose header names ``columns`` (``required`` at least)."""
    text, encoding = _decode(data)
    text = clean_text(text)
    lines = text.split("\n", 1)
    header_line = lines[0]
    if not header_line.strip():
        raise ImportRefused("import.error.empty")
    best, found = None, []
    for separator in SEPARATORS:
        names = [_name(h) for h in next(csv.reader([header_line], delimiter=separator))]
        if set(required) <= set(names):
            best, found = separator, names
            break
    if best is None:
        if any(s in header_line for s in ("\t", "|")) or not any(s in header_line for s in SEPARATORS):
            raise ImportRefused("import.error.separator", expected=";".join(columns))
        raise ImportRefused("import.error.columns", expected=";".join(columns), found=header_line[:200])
    unknown = [n for n in found if n and n not in columns]
    if unknown or len(set(found)) != len(found):
        raise ImportRefused("import.error.columns", expected=";".join(columns), found=header_line[:200])
    try:
        return ParsedFile(encoding, best, _records(text, best, found))
    except csv.Error as exc:  # a cell beyond csv's size limit, a quote never closed at the end
        raise ImportRefused("import.error.unreadable", detail=str(exc)) from exc


def _records(text: str, separator: str, found: list[str]) -> list[Record]:
    records = []
    reader = csv.reader(io.StringIO(text), delimiter=separator)
    next(reader)
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue  # a blank line, as spreadsheets leave at the end
        if len(records) >= MAX_ROWS:
            raise ImportRefused("import.error.too_many", max=MAX_ROWS)
        extra = cells[len(found) :]
        values = {name: cells[i].strip() if i < len(cells) else "" for i, name in enumerate(found) if name}
        if any(c.strip() for c in extra):
            values["__extra__"] = "x"
        records.append(Record(line, values))
    return records


# --- what the database already holds, for the checks ----------------------------------------


@dataclass
class Known:
    """Looked up once per import, then updated as rows are checked (duplicates within the file)."""

    territories: dict[str, int] = field(default_factory=dict)  # slug -> id
    territory_names: dict[str, str] = field(default_factory=dict)  # lower-cased name -> slug
    groups: dict[str, int] = field(default_factory=dict)  # slug -> id
    group_names: dict[str, str] = field(default_factory=dict)  # lower-cased name -> slug
    group_members: set[tuple[int, int]] = field(default_factory=set)  # (group id, territory id)
    members: set[tuple[str, int | None]] = field(default_factory=set)  # (email, territory id)
    open_invitations: set[tuple[str, int | None]] = field(default_factory=set)
    seen: dict[Any, int] = field(default_factory=dict)  # a row's identity in this file -> its line


class RowChecks:
    def __init__(self, record: Record) -> None:
        self.record = record
        self.problems: list[Problem] = []

    def cell(self, column: str) -> str:
        return self.record.cells.get(column, "")

    def fail(self, column: str, code: str, **params: Any) -> None:
        self.problems.append(Problem(self.record.line, column, code, params))


def _flat(value: str) -> str:
    return _name(value).replace("_", "")


def flat_name(value: str) -> str:
    """A name as a spreadsheet cell may spell it, flattened: case, accents, spaces, hyphens and
    underscores do not matter (for imports that look names up)."""
    return _flat(value)


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

TERRITORY_KINDS = {
    "commune": "commune",
    "municipality": "commune",
    "epci": "epci",
    "intercommunalite": "epci",
    "petr": "petr",
    "departement": "departement",
    "region": "region",
    "other": "other",
    "autre": "other",
}

ROLES = {
    "coordinator": "coordinator",
    "coordinateur": "coordinator",
    "coordinatrice": "coordinator",
    "coordination": "coordinator",
    "territoryadmin": "territory_admin",
    "administrateur": "territory_admin",
    "administratrice": "territory_admin",
    "admin": "territory_admin",
    "contributor": "contributor",
    "contributeur": "contributor",
    "contributrice": "contributor",
    "reader": "reader",
    "lecteur": "reader",
    "lectrice": "reader",
}


def _text(checks: RowChecks, column: str, max_length: int, *, required: bool = False) -> str | None:
    value = checks.cell(column)
    if not value:
        if required:
            checks.fail(column, "error.required")
        return None
    if len(value) > max_length:
        checks.fail(column, "error.too_long", length=len(value), max=max_length)
    return value


def _territory(checks: RowChecks, column: str, known: Known, *, required: bool) -> int | None:
    value = checks.cell(column)
    if not value:
        if required:
            checks.fail(column, "error.required")
        return None
    slug = value if value in known.territories else known.territory_names.get(value.lower())
    if slug is None:
        checks.fail(column, "import.error.unknown_territory", value=value)
        return None
    return known.territories[slug]


def _duplicate(checks: RowChecks, column: str, known: Known, identity: Any) -> bool:
    first = known.seen.get(identity)
    if first is not None:
        checks.fail(column, "import.error.duplicate", line=first)
        return True
    known.seen[identity] = checks.record.line
    return False


def check_territory(checks: RowChecks, known: Known) -> dict[str, Any]:
    name = _text(checks, "nom", NAME_MAX, required=True)
    slug = checks.cell("identifiant") or slugify(name or "")
    if name and not slug:
        checks.fail("identifiant", "error.required")
    elif slug and not is_slug(slug):
        checks.fail("identifiant", "import.error.slug")
    elif slug in known.territories:
        checks.fail("identifiant", "import.error.territory_exists", value=slug)
    elif slug:
        _duplicate(checks, "identifiant", known, ("territory", slug))
    kind = TERRITORY_KINDS.get(_flat(checks.cell("type")))
    if not checks.cell("type"):
        checks.fail("type", "error.required")
    elif kind is None:
        checks.fail("type", "import.error.kind", value=checks.cell("type"))
    insee = checks.cell("code_insee").upper() or None
    if insee and not INSEE.match(insee):
        checks.fail("code_insee", "import.error.insee")
    siren = re.sub(r"\s", "", checks.cell("siren")) or None
    if siren and not SIREN.match(siren):
        checks.fail("siren", "import.error.siren")
    region = _text(checks, "region", REGION_MAX)
    population = None
    raw = re.sub(r"[\s\u00a0\u202f.]", "", checks.cell("population"))
    if raw:
        # ASCII digits only (``isdigit`` takes "²"), and few enough for ``int`` to read.
        if not re.fullmatch(r"[0-9]{1,12}", raw) or int(raw) > ID_MAX:
            checks.fail("population", "import.error.population")
        else:
            population = int(raw)
    return {
        "slug": slug,
        "name": name,
        "kind": kind,
        "insee_code": insee,
        "siren": siren,
        "region": region,
        "population": population,
    }


def check_group_member(checks: RowChecks, known: Known) -> dict[str, Any]:
    value = checks.cell("groupe")
    group_id = None
    if not value:
        checks.fail("groupe", "error.required")
    else:
        slug = value if value in known.groups else known.group_names.get(value.lower())
        if slug is None:
            checks.fail("groupe", "import.error.unknown_group", value=value)
        else:
            group_id = known.groups[slug]
    territory_id = _territory(checks, "territoire", known, required=True)
    if group_id is not None and territory_id is not None:
        if (group_id, territory_id) in known.group_members:
            checks.fail("territoire", "import.error.already_in_group")
        else:
            _duplicate(checks, "territoire", known, ("member", group_id, territory_id))
    return {"peer_group_id": group_id, "territory_id": territory_id}


def check_invitation(checks: RowChecks, known: Known) -> dict[str, Any]:
    email = checks.cell("email").lower()
    if not email:
        checks.fail("email", "error.required")
    elif len(email) > 320 or not EMAIL.match(email):
        checks.fail("email", "auth.error.email_invalid")
    territory_id = _territory(checks, "territoire", known, required=False)
    territory_given = bool(checks.cell("territoire"))
    role = ROLES.get(_flat(checks.cell("role")))
    if not checks.cell("role"):
        checks.fail("role", "error.required")
    elif role is None:
        checks.fail("role", "import.error.role", value=checks.cell("role"))
    elif (role == "coordinator") == territory_given:
        checks.fail("role", "import.error.role_scope")
    if email and (territory_id is not None or not territory_given):
        if (email, territory_id) in known.members:
            checks.fail("email", "auth.error.already_member")
        elif (email, territory_id) in known.open_invitations:
            checks.fail("email", "auth.error.already_invited")
        elif email:
            _duplicate(checks, "email", known, ("invitation", email, territory_id))
    return {"email": email, "territory_id": territory_id, "role": role}


@dataclass(frozen=True)
class ImportKind:
    columns: tuple[str, ...]
    required: tuple[str, ...]
    check: Callable[[RowChecks, Known], dict[str, Any]]
    example: tuple[tuple[str, ...], ...]  # rows of the model file


KINDS: dict[str, ImportKind] = {
    "territories": ImportKind(
        columns=("identifiant", "nom", "type", "code_insee", "siren", "region", "population"),
        required=("nom", "type"),
        check=check_territory,
        example=(
            ("loos-en-gohelle", "Loos-en-Gohelle", "commune", "62528", "", "Hauts-de-France", "6 500"),
            ("", "Communauté de communes du Val", "EPCI", "", "200012345", "Occitanie", "25000"),
        ),
    ),
    "peer_group_members": ImportKind(
        columns=("groupe", "territoire"),
        required=("groupe", "territoire"),
        check=check_group_member,
        example=(("villes-pairs-2018-2020", "loos-en-gohelle"),),
    ),
    "invitations": ImportKind(
        columns=("email", "territoire", "role"),
        required=("email", "role"),
        check=check_invitation,
        example=(
            ("prenom.nom@mairie.example.fr", "loos-en-gohelle", "administrateur"),
            ("agent@mairie.example.fr", "loos-en-gohelle", "contributeur"),
            ("coordination@reseau.example.fr", "", "coordinateur"),
        ),
    ),
}


def check_record(kind: str, record: Record, known: Known) -> tuple[dict[str, Any], list[Problem]]:
    """One row's values as they will be stored, and its problems (none: the row is right)."""
    checks = RowChecks(record)
    if "__extra__" in record.cells:
        checks.fail("", "import.error.extra_cells")
    values = KINDS[kind].check(checks, known)
    return values, checks.problems


def model_file(kind: str) -> bytes:
    """The model a coordinator fills in: a semicolon CSV in UTF-8 with its byte-order mark,
    which a French spreadsheet opens with its accents and columns right."""
    spec = KINDS[kind]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(spec.columns)
    writer.writerows(spec.example)
    return out.getvalue().encode("utf-8-sig")
