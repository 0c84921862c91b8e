"""The demo data shows each signal of *Pilotage du réseau*: an engaged territory, stalled ones,
one whose elected officials never answer, a network campaign split by territory."""

from __future__ import annotations

from datetime import date

import pytest

from lib.access import Role
from lib.demo.seed import seed_demo
from lib.domain import engagement
from lib.services import steering
from tests.factories import make_actor

TODAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from lib.store import migrate
    from lib.store.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    migrate.upgrade(engine)
    assert seed_demo(engine, today=TODAY).seeded
    yield engine, make_actor(engine, Role.COORDINATOR, None, "Coordination de test")
    engine.dispose()


def _named(frame, short_name: str):
    return frame[frame["name"].str.contains(short_name, regex=False)]


def test_an_engaged_territory_is_active_every_month_of_the_year(demo):
    engine, coordinator = demo

    _, grid = steering.activity_map(engine, coordinator, today=TODAY)

    engaged = _named(grid, "Vallée-des-Tilleuls")
    assert len(engaged) == engagement.MONTHS
    assert (engaged["events"] > 0).all()


def test_stalled_territories_appear_with_their_admin_to_contact(demo):
    engine, coordinator = demo

    stalled = steering.overview(engine, coordinator, today=TODAY).stalled

    names = " ".join(stalled["name"])
    assert "Bourg-les-Castors" in names and "Haute-Sylve" in names
    assert "Vallée-des-Tilleuls" not in names
    row = _named(stalled, "Bourg-les-Castors").iloc[0]
    assert row["admins"] == "Karim Haddad"
    assert row["admin_emails"] == "karim.haddad@demo.parcours.fr"
    assert row["idle_days"] > 90


def test_one_territory_hears_every_voice_but_its_elected_officials(demo):
    engine, coordinator = demo

    coverage = steering.coverage(engine, coordinator, today=TODAY)

    silent = engagement.never_heard(coverage, "elected_official")
    assert [name for name in silent["name"]] == ["Communauté de communes du Val-Fougère (démo)"]
    assert silent.iloc[0]["local_agent"] > 0 and silent.iloc[0]["state_services"] > 0


def test_the_network_campaign_reads_territory_by_territory(demo):
    engine, coordinator = demo
    (campaign,) = steering.network_campaigns(engine, coordinator, today=TODAY)

    split = steering.campaign_by_territory(engine, coordinator, campaign.id)

    named = split.responses.dropna(subset=["name"])
    assert len(named) >= 5
    assert split.responses["total"].sum() == campaign.submitted_count
    assert not any("Bourg-les-Castors" in name for name in named["name"])  # stalled: no answer
