"""The permission matrix: every role × every action × own territory / other territory / network.

Each cell is checked AT THE SERVICE LEVEL: the test calls the real service behind the
action, with valid input, and looks at whether it goes through or raises PermissionDenied.
Hiding a button is never the protection; this is.

Where no service takes that action on that scope, the cell is checked on
``lib.access.can`` instead (the one function every service calls): those cells are listed
in ``VIA_CAN``, and a test keeps that list honest.
"""

from __future__ import annotations

import ast
import io
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib.access import Action, Actor, Role, can, can_anywhere
from lib.domain import clock
from lib.domain.errors import PermissionDenied
from lib.domain.journey import MilestoneDraft
from lib.services import (
    administration,
    backup,
    campaign_mail,
    feedback,
    imports,
    journey,
    mail,
    membership,
    peers,
    people,
    reports,
    steering,
)
from lib.services.identity import load_actor
from lib.store import tables
from tests.factories import (
    SHORT_TEMPLATE,
    make_actor,
    make_campaign,
    make_person,
    make_template,
    make_territory,
)

# Y: allowed, n: refused. "own" is the territory the person is a member of (any territory for a
# coordinator, whose membership is network-wide); "other" a territory they are not a member of;
# "network" the network as a whole.
MATRIX = """
role            scope   view edit answer results campaigns members sharing details journal net_view net_manage
coordinator     own     Y    Y    Y      Y       Y         Y       Y       Y       Y       Y        Y
coordinator     other   Y    Y    Y      Y       Y         Y       Y       Y       Y       Y        Y
coordinator     network Y    Y    Y      Y       Y         Y       Y       Y       Y       Y        Y
territory_admin own     Y    Y    Y      Y       Y         Y       Y       Y       Y       n        n
territory_admin other   n    n    n      n       n         n       n       n       n       n        n
territory_admin network n    n    Y      n       n         n       n       n       n       n        n
contributor     own     Y    Y    Y      Y       n         n       n       n       n       n        n
contributor     other   n    n    n      n       n         n       n       n       n       n        n
contributor     network n    n    Y      n       n         n       n       n       n       n        n
reader          own     Y    n    Y      Y       n         n       n       n       n       n        n
reader          other   n    n    n      n       n         n       n       n       n       n        n
reader          network n    n    Y      n       n         n       n       n       n       n        n
no_membership   own     n    n    n      n       n         n       n       n       n       n        n
no_membership   other   n    n    n      n       n         n       n       n       n       n        n
no_membership   network n    n    n      n       n         n       n       n       n       n        n
anonymous       own     n    n    n      n       n         n       n       n       n       n        n
anonymous       other   n    n    n      n       n         n       n       n       n       n        n
anonymous       network n    n    n      n       n         n       n       n       n       n        n
"""

COLUMNS = {
    "view": Action.VIEW_TERRITORY,
    "edit": Action.EDIT_JOURNEY,
    "answer": Action.ANSWER_FORM,
    "results": Action.VIEW_RESULTS,
    "campaigns": Action.MANAGE_CAMPAIGNS,
    "members": Action.MANAGE_MEMBERS,
    "sharing": Action.MANAGE_SHARING,
    "details": Action.MANAGE_TERRITORY,
    "journal": Action.VIEW_ACTIVITY,
    "net_view": Action.VIEW_NETWORK,
    "net_manage": Action.MANAGE_NETWORK,
}


def _parse(matrix: str) -> dict[tuple[str, str], dict[Action, bool]]:
    header, *rows = [line.split() for line in matrix.strip().splitlines()]
    table = {}
    for role, scope, *cells in rows:
        table[(role, scope)] = {
            COLUMNS[name]: cell == "Y" for name, cell in zip(header[2:], cells, strict=True)
        }
    return table


EXPECTED = _parse(MATRIX)

Probe = Callable[["World", Actor | None, int | None], object]


@dataclass
class World:
    """Two territories, and on each of them (and on the network) a campaign to act on."""

    engine: Engine
    own: int
    other: int
    template_id: int
    campaigns: dict[int | None, tuple[int, str]]  # territory (None: network) -> (id, share token)


def _view(w: World, actor, territory_id):
    # Whoever may open a journey may print its report, and nobody else: both must agree.
    outcomes = set()
    for read in (journey.get_journey, reports.journey_report):
        try:
            read(w.engine, actor, territory_id)
            outcomes.add(True)
        except PermissionDenied:
            outcomes.add(False)
    assert len(outcomes) == 1, "the journey and its report disagree"
    if not outcomes.pop():
        raise PermissionDenied(action=str(Action.VIEW_TERRITORY))


def _edit(w: World, actor, territory_id):
    draft = MilestoneDraft(occurred_on=date(2024, 3, 1), phase="impulse", title="Forum de lancement")
    return journey.save_milestone(w.engine, actor, territory_id, draft)


def _answer(w: World, actor, territory_id):
    # As a logged-in member answering from inside the app. (Through a share link nobody is
    # logged in and the token itself is the permission: not a matter of roles.)
    _, token = w.campaigns[territory_id]
    return feedback.start_response(w.engine, token, "local_agent", actor=actor)


def _results(w: World, actor, territory_id):
    campaign_id, _ = w.campaigns[territory_id]
    return feedback.results(w.engine, actor, campaign_id)


def _agree(action: Action, *calls) -> None:
    """Several services perform one action: each must let the same people through."""
    outcomes = set()
    for call in calls:
        try:
            call()
            outcomes.add(True)
        except PermissionDenied:
            outcomes.add(False)
    assert len(outcomes) == 1, f"the services of {action} disagree"
    if not outcomes.pop():
        raise PermissionDenied(action=str(action))


def _open_campaign(w: World, actor, territory_id):
    # Whoever may open a campaign here may e-mail a campaign's link here (no SMTP: it waits).
    campaign_id, _ = w.campaigns[territory_id]
    _agree(
        Action.MANAGE_CAMPAIGNS,
        lambda: _open_new_campaign(w, actor, territory_id),
        lambda: campaign_mail.send_link(w.engine, actor, campaign_id, addresses="x@y.test", language="fr"),
    )


def _open_new_campaign(w: World, actor, territory_id):
    opens = clock.today()
    return feedback.open_campaign(
        w.engine,
        actor,
        territory_id=territory_id,
        template_id=w.template_id,
        title="Retour sur le forum",
        opens_on=opens,
        closes_on=opens + timedelta(days=30),
    )


def _members(w: World, actor, territory_id):
    return membership.list_members(w.engine, actor, territory_id)


def _sharing(w: World, actor, territory_id):
    return peers.set_sharing(w.engine, actor, territory_id, {"assessments": "network"})


def _territory_details(w: World, actor, territory_id):
    name = "Territoire membre" if territory_id == w.own else "Territoire voisin"
    draft = administration.TerritoryDraft(name=name, kind="commune", population=1200)
    return administration.save_territory(w.engine, actor, draft, territory_id)


def _journal(w: World, actor, territory_id):
    if territory_id is not None:
        return steering.journal(w.engine, actor, steering.JournalQuery(territory_id=territory_id))
    # The network's journal holds entries of no territory (a login, a new person): whoever
    # reads only their territories' entries does not read it.
    entries = steering.journal(w.engine, actor).entries
    if "person.created" not in set(entries["action"]):
        raise PermissionDenied(action=str(Action.VIEW_ACTIVITY))
    return entries


def _network_overview(w: World, actor, territory_id):
    return steering.overview(w.engine, actor)


def _edit_template(w: World, actor, territory_id):
    # A network-only action: the territory plays no part, the answer must not depend on it.
    # The outbox (every territory's addresses) is read by the same people.
    _agree(
        Action.MANAGE_NETWORK,
        lambda: feedback.edit_template(w.engine, actor, deepcopy(SHORT_TEMPLATE)),
        lambda: mail.outbox(w.engine, actor),
    )


# The service that performs each action, by scope ("territory" or "network").
PROBES: dict[Action, dict[str, Probe]] = {
    Action.VIEW_TERRITORY: {"territory": _view},
    Action.EDIT_JOURNEY: {"territory": _edit},
    Action.ANSWER_FORM: {"territory": _answer, "network": _answer},
    Action.VIEW_RESULTS: {"territory": _results, "network": _results},
    Action.MANAGE_CAMPAIGNS: {"territory": _open_campaign, "network": _open_campaign},
    Action.MANAGE_MEMBERS: {"territory": _members, "network": _members},
    Action.MANAGE_SHARING: {"territory": _sharing},
    Action.MANAGE_TERRITORY: {"territory": _territory_details},
    Action.VIEW_ACTIVITY: {"territory": _journal, "network": _journal},
    Action.VIEW_NETWORK: {"network": _network_overview},
    Action.MANAGE_NETWORK: {"territory": _edit_template, "network": _edit_template},
}

# Cells with no service of their own, checked on lib.access.can: viewing or editing a
# journey concerns one territory, never "the network"; engagement across the network
# (VIEW_NETWORK) is never asked about one territory. Answering as an anonymous visitor goes
# through a share link.
VIA_CAN = {
    (Action.VIEW_TERRITORY, "network"),
    (Action.MANAGE_SHARING, "network"),  # sharing is a territory's choice; the network has none
    (Action.MANAGE_TERRITORY, "network"),  # details are a territory's; the network has none
    (Action.EDIT_JOURNEY, "network"),
    (Action.VIEW_NETWORK, "territory"),
}


def _actor(engine: Engine, role: str, own: int) -> Actor | None:
    if role == "anonymous":
        return None
    if role == "no_membership":
        return load_actor(engine, make_person(engine, "Sans Accès"))
    return make_actor(engine, Role(role), None if role == "coordinator" else own)


def _allowed(w: World, actor: Actor | None, action: Action, territory_id: int | None) -> bool:
    scope = "network" if territory_id is None else "territory"
    probe = PROBES.get(action, {}).get(scope)
    if probe is None or (actor is None and action == Action.ANSWER_FORM):
        return can(actor, action, territory_id)
    try:
        probe(w, actor, territory_id)
    except PermissionDenied:
        return False
    return True


@pytest.mark.parametrize(("role", "scope"), list(EXPECTED))
def test_permission_matrix(engine, role, scope):
    own, other = make_territory(engine, "Territoire membre"), make_territory(engine, "Territoire voisin")
    template_id = make_template(engine)
    campaigns = {tid: make_campaign(engine, tid, template_id=template_id) for tid in (own, other, None)}
    with engine.begin() as conn:  # one entry of the network's journal, and one of each territory's
        conn.execute(
            sa.insert(tables.activity_log),
            [
                {"occurred_at": tables.utcnow(), "action": "person.created"},
                *(
                    {"occurred_at": tables.utcnow(), "action": "milestone.created", "territory_id": x}
                    for x in (own, other)
                ),
            ],
        )
    world = World(engine, own, other, template_id, campaigns)
    actor = _actor(engine, role, own)
    territory_id = {"own": own, "other": other, "network": None}[scope]

    outcome = {action: _allowed(world, actor, action, territory_id) for action in Action}

    assert outcome == EXPECTED[(role, scope)]


def test_the_matrix_covers_every_role_and_action():
    assert {role for role, _ in EXPECTED} == {r.value for r in Role} | {"no_membership", "anonymous"}
    assert set(COLUMNS.values()) == set(Action)
    # Every cell goes through a service except the few listed, and these are the ones without.
    probed = {(a, s) for a, scopes in PROBES.items() for s in scopes}
    assert {(a, s) for a in Action for s in ("territory", "network")} - probed == VIA_CAN


# --- Checks that concern no one territory -----------------------------------------------------
# "May do this somewhere" comes before a territory is chosen (the templates offered to open a
# campaign); "is someone logged in" guards what a person asks for themselves (access requests).
# Both go through lib.access like every other check, and through the real services here.
SCOPELESS = """
role             manage_somewhere  logged_in
coordinator      Y                 Y
territory_admin  Y                 Y
contributor      n                 Y
reader           n                 Y
no_membership    n                 Y
anonymous        n                 n
"""

SCOPELESS_PROBES: dict[str, tuple[Callable[[Engine, Actor | None], object], ...]] = {
    "manage_somewhere": (lambda engine, actor: feedback.list_templates(engine, actor),),
    "logged_in": (
        lambda engine, actor: membership.request_targets(engine, actor),
        lambda engine, actor: membership.my_requests(engine, actor),
    ),
}


def _scopeless_expected() -> dict[str, dict[str, bool]]:
    header, *rows = [line.split() for line in SCOPELESS.strip().splitlines()]
    return {
        role: {name: cell == "Y" for name, cell in zip(header[1:], cells, strict=True)}
        for role, *cells in rows
    }


@pytest.mark.parametrize("role", list(_scopeless_expected()))
def test_checks_without_a_territory_go_through_lib_access(engine, role):
    own = make_territory(engine, "Territoire membre")
    actor = _actor(engine, role, own)
    outcome = {}
    for name, probes in SCOPELESS_PROBES.items():
        allowed = set()
        for probe in probes:
            try:
                probe(engine, actor)
            except PermissionDenied:
                allowed.add(False)
            else:
                allowed.add(True)
        assert len(allowed) == 1, f"{name}: the services disagree for {role}"
        outcome[name] = allowed.pop()
    assert outcome == _scopeless_expected()[role]
    assert outcome["manage_somewhere"] == can_anywhere(actor, Action.MANAGE_CAMPAIGNS)


def test_no_service_refuses_by_itself_every_refusal_comes_from_lib_access():
    """A side door is a service deciding a right on its own: every PermissionDenied is raised
    in lib/access.py, where the matrix above checks it."""
    services = Path(__file__).resolve().parents[1] / "lib" / "services"
    raised = []
    for path in sorted(services.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                call = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(call, ast.Name) and call.id == "PermissionDenied":
                    raised.append(f"{path.name}:{node.lineno}")
    assert raised == []


# --- Network administration: every service of it, one by one ----------------------------------
# Administration, imports and the full export are the coordinators' (MANAGE_NETWORK); a territory
# admin lists and corrects their own territory and finds and places its people. Each service
# is called as each role, with valid input, on the person's own territory, and must go through
# only as the table says.
NETWORK_ADMIN = """
role             territories  save_territory  archive  groups  save_group  import  export  people  add_member
coordinator      Y            Y               Y        Y       Y           Y       Y       Y       Y
territory_admin  Y            Y               n        n       n           n       n       Y       Y
contributor      n            n               n        n       n           n       n       n       n
reader           n            n               n        n       n           n       n       n       n
no_membership    n            n               n        n       n           n       n       n       n
anonymous        n            n               n        n       n           n       n       n       n
"""


def _network_admin_probes(engine: Engine, own: int) -> dict[str, Callable[[Actor | None], object]]:
    return {
        "territories": lambda actor: administration.territories(engine, actor),
        "save_territory": lambda actor: administration.save_territory(
            engine, actor, administration.TerritoryDraft(name="Nouveau", kind="commune"), own
        ),
        "archive": lambda actor: administration.set_archived(engine, actor, own, True),
        "groups": lambda actor: administration.peer_groups(engine, actor),
        "save_group": lambda actor: administration.save_peer_group(
            engine, actor, name="Cohorte", territory_ids=[own]
        ),
        "import": lambda actor: imports.import_csv(engine, actor, "territories", b"nom;type\nLens;commune\n"),
        "export": lambda actor: backup.export_archive(engine, actor, io.BytesIO()),
        "people": lambda actor: people.find_people(engine, actor, ""),
        "add_member": lambda actor: people.add_membership(
            engine, actor, person_id=make_person(engine), territory_id=own, role="reader"
        ),
    }


@pytest.mark.parametrize("role", [line.split()[0] for line in NETWORK_ADMIN.strip().splitlines()[1:]])
def test_network_administration_goes_through_as_the_table_says(engine, role):
    header, *rows = [line.split() for line in NETWORK_ADMIN.strip().splitlines()]
    expected = {
        name: cell == "Y"
        for name, cell in zip(header[1:], dict((r[0], r[1:]) for r in rows)[role], strict=True)
    }
    own = make_territory(engine, "Territoire membre")
    actor = _actor(engine, role, own)
    outcome = {}
    for name, probe in _network_admin_probes(engine, own).items():
        try:
            probe(actor)
        except PermissionDenied:
            outcome[name] = False
        else:
            outcome[name] = True
    assert outcome == expected
