"""The showcase's static snapshot (issue 19): one HTML file a coordinator downloads, that opens
without the server and holds nothing private of the demo data.

Every private field of the demo data set is looked for in it: e-mails and names of people
who did not agree to a public contact, every free-text answer, every assessment comment,
every campaign's title and share link, the stories of territories whose journey is not
public, the names of the territories that publish nothing."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
import sqlalchemy as sa

from lib.access import Role
from lib.demo.seed import seed_demo
from lib.domain.errors import PermissionDenied
from lib.domain.sharing import Kind
from lib.services import showcase
from lib.store import tables
from tests.factories import make_actor

TODAY = date(2026, 11, 30)


@pytest.fixture
def demo(engine):
    seed_demo(engine, today=TODAY)
    return engine


def _column(engine, query) -> set[str]:
    with engine.connect() as conn:
        return {str(v) for v in conn.execute(query).scalars() if v}


def _private_fields(engine) -> dict[str, set[str]]:
    """What must never leave the network, by what it is."""
    listing = showcase.showcase(engine)
    public = {t.slug: t for t in listing.territories}
    told = [t.slug for t in public.values() if Kind.JOURNEY in t.kinds]
    P, C, T, M = tables.person, tables.peer_contact_consent, tables.territory, tables.milestone
    consenting = sa.select(C.c.person_id).where(C.c.public.is_(True))
    return {
        "e-mail of a non-consenting person": _column(
            engine, sa.select(P.c.email).where(P.c.id.not_in(consenting))
        ),
        "name of a non-consenting person": _column(
            engine, sa.select(P.c.display_name).where(P.c.id.not_in(consenting))
        ),
        "territory publishing nothing": _column(
            engine, sa.select(T.c.name).where(T.c.slug.not_in(list(public)))
        ),
        "free-text answer": _column(
            engine,
            sa.select(tables.answer.c.text_value).where(sa.func.length(tables.answer.c.text_value) > 20),
        ),
        "assessment comment": _column(engine, sa.select(tables.assessment_score.c.comment)),
        "campaign title": _column(engine, sa.select(tables.campaign.c.title)),
        "campaign share link": _column(engine, sa.select(tables.campaign.c.share_token)),
        "story not public": _column(
            engine,
            sa.select(M.c.story).join(T, T.c.id == M.c.territory_id).where(T.c.slug.not_in(told)),
        ),
    }


def test_the_snapshot_holds_the_public_showcase_and_no_private_field_of_the_demo(demo):
    coordinator = make_actor(demo, Role.COORDINATOR, None)
    html = unescape(showcase.snapshot_html(demo, coordinator, "fr", today=TODAY).decode("utf-8"))

    # What is public is there: each publishing territory, a public story, a consenting contact.
    for territory in showcase.showcase(demo).territories:
        assert territory.name in html
    assert "elise.marchand@demo.parcours.fr" in html and "<svg" in html
    page = showcase.public_page(demo, "demo-port-lanterne")
    assert page.milestones and page.milestones[0].title in html

    private = _private_fields(demo)
    assert all(private.values()), {k: len(v) for k, v in private.items()}  # the scan has something to find
    leaks = {what: sorted(v for v in values if v in html) for what, values in private.items()}
    assert not any(leaks.values()), leaks


def test_the_snapshot_opens_without_the_server(demo):
    coordinator = make_actor(demo, Role.COORDINATOR, None)
    html = showcase.snapshot_html(demo, coordinator, "en", today=TODAY).decode("utf-8")
    assert html.startswith("<!doctype html>") and '<html lang="en">' in html
    assert "The journeys’ showcase" in html
    # Nothing fetched from anywhere: no script, no stylesheet or image link, no remote address
    # but the contacts' mailto links.
    assert "<script" not in html and "<link" not in html and "<img" not in html
    assert not re.findall(r"(?:src|href)=['\"](?!#|mailto:)", html)
    assert not re.findall(r"https?://", html)


def test_only_coordinators_download_the_snapshot(demo):
    with demo.connect() as conn:
        tid = conn.execute(
            sa.select(tables.territory.c.id).where(tables.territory.c.slug == "demo-port-lanterne")
        ).scalar_one()
    for actor in (None, make_actor(demo, Role.TERRITORY_ADMIN, tid)):
        with pytest.raises(PermissionDenied):
            showcase.snapshot_html(demo, actor, "fr")
