"""Indicators through the real services, on SQLite and PostgreSQL: who writes, who reads (the
sharing matrix extended to indicators), values typed in French, nothing half-saved."""

from __future__ import annotations

from datetime import date

import pytest

from lib.access import Role
from lib.domain.errors import NotFound, PermissionDenied, ValidationFailed
from lib.domain.indicators import Status
from lib.services import indicators as svc
from lib.store import tables
from tests.conftest import count_rows
from tests.factories import (
    make_actor,
    make_campaign,
    make_milestone,
    make_peer_group,
    make_response,
    make_territory,
    set_sharing,
)

TODAY = date(2026, 11, 30)


@pytest.fixture
def place(engine):
    """A territory with its contributor, a peer territory and a territory outside the group."""
    home = make_territory(engine, "Loos")
    peer = make_territory(engine, "Pair")
    other = make_territory(engine, "Ailleurs")
    make_peer_group(engine, "Cohorte", [home, peer])
    return {
        "home": home,
        "contributor": make_actor(engine, Role.CONTRIBUTOR, home),
        "peer": make_actor(engine, Role.CONTRIBUTOR, peer),
        "other": make_actor(engine, Role.TERRITORY_ADMIN, other),
    }


def test_a_contributor_follows_a_catalogue_indicator_enters_values_and_a_target_and_reads_the_trajectory(
    engine, place
):
    home, who = place["home"], place["contributor"]
    ghg = svc.follow(engine, who, home, "ghg_emissions")
    svc.save_value(engine, who, home, ghg, year="2019", value="100 000", source="OREC")
    svc.save_value(engine, who, home, ghg, year=2023, value="85\u00a0000,0", nature="estimated")
    svc.save_target(engine, who, home, ghg, year="2029", value="65 000")

    data = svc.board(engine, who, home, on=TODAY)
    assert data.can_edit
    [indicator] = data.indicators
    assert indicator.definition.id == "ghg_emissions" and not indicator.own
    assert [(v.year, v.value, v.nature) for v in indicator.values] == [
        (2019, 100000.0, "measured"),
        (2023, 85000.0, "estimated"),
    ]
    assert indicator.values[0].source == "OREC"
    # Path 100 000 -> 65 000 over ten years: 86 000 in 2023; 85 000 is below it, and less is progress.
    assert indicator.reading.latest.path == pytest.approx(86000)
    assert indicator.reading.status == Status.ON_TRACK
    assert "ghg_emissions" not in [d.id for d in data.not_followed]
    assert svc.summary(engine, who, home, on=TODAY).counts == {Status.ON_TRACK: 1}


def test_a_year_entered_again_replaces_its_value(engine, place):
    home, who = place["home"], place["contributor"]
    lanes = svc.follow(engine, who, home, "cycle_lanes")
    svc.save_value(engine, who, home, lanes, year=2024, value="12")
    svc.save_value(engine, who, home, lanes, year=2024, value="12,5", comment="corrigé")
    [indicator] = svc.board(engine, who, home, on=TODAY).indicators
    assert [(v.year, v.value, v.comment) for v in indicator.values] == [(2024, 12.5, "corrigé")]


def test_a_dated_value_takes_its_year_from_its_day(engine, place):
    home, who = place["home"], place["contributor"]
    lanes = svc.follow(engine, who, home, "cycle_lanes")
    svc.save_value(engine, who, home, lanes, year="", value="7", measured_on=date(2025, 6, 30))
    [indicator] = svc.board(engine, who, home, on=TODAY).indicators
    assert [(v.year, v.measured_on) for v in indicator.values] == [(2025, date(2025, 6, 30))]


def test_impossible_values_are_refused_field_by_field_and_nothing_is_saved(engine, place):
    home, who = place["home"], place["contributor"]
    share = svc.follow(engine, who, home, "sustainable_school_food")
    before = count_rows(engine, tables.indicator_value)
    with pytest.raises(ValidationFailed) as refused:
        svc.save_value(engine, who, home, share, year="20 25", value="120", nature="guessed")
    errors = refused.value.errors
    assert errors["value"].code == "indicators.error.above_maximum" and errors["value"].params == {
        "maximum": 100
    }
    assert errors["year"].code == "indicators.error.year"
    assert errors["nature"].code == "error.invalid_value"
    with pytest.raises(ValidationFailed) as refused:
        svc.save_value(engine, who, home, share, year="2025", value="douze")
    assert refused.value.errors["value"].code == "indicators.error.not_a_number"
    with pytest.raises(ValidationFailed) as refused:
        svc.save_target(engine, who, home, share, year="2030", value="")
    assert refused.value.errors["value"].code == "error.required"
    assert count_rows(engine, tables.indicator_value) == before
    assert count_rows(engine, tables.indicator_target) == 0


def test_own_indicators_are_checked_and_a_catalogue_one_is_followed_once(engine, place):
    home, who = place["home"], place["contributor"]
    with pytest.raises(ValidationFailed) as refused:
        svc.add_own(engine, who, home, name="", unit="furlongs", direction="up")
    assert set(refused.value.errors) == {"name", "unit", "direction"}
    own = svc.add_own(engine, who, home, name="Arbres plantés", unit="count", direction="increase")
    svc.save_value(engine, who, home, own, year=2025, value="1 200")
    svc.follow(engine, who, home, "cycle_lanes")
    with pytest.raises(ValidationFailed) as refused:
        svc.follow(engine, who, home, "cycle_lanes")
    assert refused.value.errors["catalogue_id"].code == "indicators.error.already_followed"
    names = [i.definition.name.fr for i in svc.board(engine, who, home, on=TODAY).indicators]
    assert names == ["Aménagements cyclables", "Arbres plantés"]


@pytest.mark.parametrize("role", [Role.READER])
def test_a_reader_reads_but_never_writes(engine, place, role):
    home = place["home"]
    svc.follow(engine, place["contributor"], home, "cycle_lanes")
    reader = make_actor(engine, role, home)
    data = svc.board(engine, reader, home, on=TODAY)
    assert not data.can_edit and len(data.indicators) == 1
    with pytest.raises(PermissionDenied):
        svc.follow(engine, reader, home, "ghg_emissions")
    with pytest.raises(PermissionDenied):
        svc.save_value(engine, reader, home, data.indicators[0].id, year=2025, value="3")


def test_nobody_writes_on_another_territory_nor_through_another_territorys_indicator(engine, place):
    home, who = place["home"], place["contributor"]
    lanes = svc.follow(engine, who, home, "cycle_lanes")
    with pytest.raises(PermissionDenied):
        svc.save_value(engine, place["other"], home, lanes, year=2025, value="3")
    mine = svc.follow(engine, place["other"], place["other"].territory_ids[0], "cycle_lanes")
    with pytest.raises(NotFound):
        svc.save_value(engine, who, home, mine, year=2025, value="3")


@pytest.mark.parametrize(
    ("level", "peer_reads", "network_reads"),
    [("private", False, False), ("peers", True, False), ("network", True, True)],
)
def test_other_territories_read_as_far_as_the_indicators_sharing_level_says(
    engine, place, level, peer_reads, network_reads
):
    home = place["home"]
    svc.follow(engine, place["contributor"], home, "cycle_lanes")
    set_sharing(engine, home, indicators=level)
    for actor, allowed in ((place["peer"], peer_reads), (place["other"], network_reads)):
        if allowed:
            board = svc.board(engine, actor, home, on=TODAY)
            assert len(board.indicators) == 1 and not board.can_edit
        else:
            with pytest.raises(NotFound):
                svc.board(engine, actor, home, on=TODAY)
    # The territory's own members and coordinators read whatever the level.
    assert svc.board(engine, make_actor(engine, Role.READER, home), home, on=TODAY).indicators
    assert svc.board(engine, make_actor(engine, Role.COORDINATOR, None), home, on=TODAY).indicators


def test_nobody_logged_out_reads_indicators(engine, place):
    set_sharing(engine, place["home"], indicators="network")
    with pytest.raises(NotFound):
        svc.board(engine, None, place["home"], on=TODAY)


def test_the_summary_counts_each_status(engine, place):
    home, who = place["home"], place["contributor"]
    lanes = svc.follow(engine, who, home, "cycle_lanes")  # off track: 10 -> 12 against 16 on the path
    svc.save_value(engine, who, home, lanes, year=2020, value="10")
    svc.save_value(engine, who, home, lanes, year=2023, value="12")
    svc.save_target(engine, who, home, lanes, year=2030, value="30")
    old = svc.follow(engine, who, home, "renewable_production")  # its latest value is from 2021
    svc.save_value(engine, who, home, old, year=2021, value="5000")
    svc.follow(engine, who, home, "ghg_emissions")  # no value at all
    counts = svc.summary(engine, who, home, on=date(2025, 1, 15)).counts
    assert counts == {Status.OFF_TRACK: 1, Status.NO_RECENT_VALUE: 2}


# --- CSV import --------------------------------------------------------------------------------


def _csv(*lines: str, encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join(("indicateur;type;annee;valeur;nature;source;commentaire", *lines)).encode(encoding)


def test_a_french_csv_imports_values_and_targets_all_at_once(engine, place):
    home, who = place["home"], place["contributor"]
    svc.follow(engine, who, home, "ghg_emissions")
    svc.add_own(engine, who, home, name="Arbres plantés", unit="count", direction="increase")
    data = _csv(
        "ghg_emissions;valeur;2022;52 100;mesurée;OREC;",
        "GHG_Emissions;Valeur;2023;49\u00a0800,5;Estimée;OREC;provisoire",
        "ghg_emissions;cible;2030;36 000;;;objectif du PCAET",
        "arbres plantes;;2024;340;;;",  # an own indicator by its name, accents and case aside
        encoding="cp1252",
    )
    report = svc.import_csv(engine, who, home, data)
    assert report.applied and report.rows == 4 and report.problems == []
    assert report.encoding == "cp1252" and report.separator == ";"
    by_id = {i.definition.id: i for i in svc.board(engine, who, home, on=TODAY).indicators}
    ghg = by_id["ghg_emissions"]
    assert [(v.year, v.value, v.nature, v.comment) for v in ghg.values] == [
        (2022, 52100.0, "measured", ""),
        (2023, 49800.5, "estimated", "provisoire"),
    ]
    assert [(g.year, g.value) for g in ghg.targets] == [(2030, 36000.0)]
    assert [(v.year, v.value) for v in by_id["own"].values] == [(2024, 340.0)]


def test_one_wrong_row_saves_nothing_and_the_report_names_each_line_and_column(engine, place):
    home, who = place["home"], place["contributor"]
    share = svc.follow(engine, who, home, "sustainable_school_food")
    svc.save_value(engine, who, home, share, year=2020, value="30")
    before = count_rows(engine, tables.indicator_value), count_rows(engine, tables.indicator_target)
    data = _csv(
        "sustainable_school_food;valeur;2023;45;;;",  # right
        "sustainable_school_food;valeur;2024;120;;;",  # above 100 %
        "cycle_lanes;valeur;2024;3;;;",  # not followed
        "sustainable_school_food;cible;deux mille;60;;;",
        "sustainable_school_food;valeur;2023;46;devinée;;",  # the same year again, an unknown nature
    )
    report = svc.import_csv(engine, who, home, data)
    assert not report.applied
    assert [(p.line, p.column, p.code) for p in report.problems] == [
        (3, "valeur", "indicators.error.above_maximum"),
        (4, "indicateur", "indicators.import.unknown_indicator"),
        (5, "annee", "indicators.error.year"),
        (6, "nature", "indicators.import.nature"),
        (6, "annee", "import.error.duplicate"),
    ]
    assert report.problems[-1].params == {"line": 2}
    assert (count_rows(engine, tables.indicator_value), count_rows(engine, tables.indicator_target)) == before


def test_a_reader_imports_nothing(engine, place):
    reader = make_actor(engine, Role.READER, place["home"])
    with pytest.raises(PermissionDenied):
        svc.import_csv(engine, reader, place["home"], _csv("ghg_emissions;valeur;2022;1;;;"))


def test_the_model_file_imports_as_it_is_once_its_indicator_is_followed(engine, place):
    home, who = place["home"], place["contributor"]
    svc.follow(engine, who, home, "ghg_emissions")
    report = svc.import_csv(engine, who, home, svc.model_file())
    assert report.applied and report.rows == 3


# --- Among peers -------------------------------------------------------------------------------


def _emissions(engine, territory_id: int, value: str, year: int = 2025) -> None:
    contributor = make_actor(engine, Role.CONTRIBUTOR, territory_id)
    ghg = svc.follow(engine, contributor, territory_id, "ghg_emissions")
    svc.save_value(engine, contributor, territory_id, ghg, year=year, value=value)


def test_peers_per_inhabitant_name_those_who_share_and_count_the_others_without_a_name(engine):
    home = make_territory(engine, "Loos", population=10_000)
    shares = make_territory(engine, "Ouverte", population=20_000)
    closed = [make_territory(engine, f"Fermée {i}", population=5_000) for i in (1, 2)]
    group = make_peer_group(engine, "Cohorte", [home, shares, *closed])
    for tid in closed:
        set_sharing(engine, tid, indicators="private")
    _emissions(engine, home, "65 000")  # 6.5 t per inhabitant
    _emissions(engine, shares, "100 000")  # 5
    _emissions(engine, closed[0], "40 000")  # 8
    _emissions(engine, closed[1], "45 000")  # 9
    reader = make_actor(engine, Role.READER, home)

    found = svc.among_peers(engine, reader, home, group, "ghg_emissions", on=TODAY)
    assert [(f.name, f.value, f.own) for f in found.named] == [("Loos", 6.5, True), ("Ouverte", 5.0, False)]
    assert (found.counted, found.unnamed) == (4, 2)
    # 5, 6.5, 8, 9: median 7.25, quartiles 6.125 and 8.25.
    assert (found.spread.minimum, found.spread.median, found.spread.maximum) == (5.0, 7.25, 9.0)
    assert (found.spread.q1, found.spread.q3) == (pytest.approx(6.125), pytest.approx(8.25))


def test_a_lone_unnamed_peer_is_left_out_and_too_few_give_no_spread(engine):
    home = make_territory(engine, "Loos", population=10_000)
    shares = make_territory(engine, "Ouverte", population=20_000)
    closed = make_territory(engine, "Fermée", population=5_000)
    old = make_territory(engine, "Ancienne", population=5_000)
    group = make_peer_group(engine, "Cohorte", [home, shares, closed, old])
    set_sharing(engine, closed, indicators="private")
    _emissions(engine, home, "65 000")
    _emissions(engine, shares, "100 000")
    _emissions(engine, closed, "40 000")
    _emissions(engine, old, "50 000", year=2019)  # not recent: out of the comparison
    found = svc.among_peers(
        engine, make_actor(engine, Role.READER, home), home, group, "ghg_emissions", on=TODAY
    )
    assert [f.name for f in found.named] == ["Loos", "Ouverte"]
    assert found.unnamed == 0 and found.counted == 2 and found.spread is None
    # The closed territory's own figure never reaches the reader, named or not.
    assert 8.0 not in [f.value for f in found.named]


def test_peers_are_compared_only_from_ones_own_group_and_per_inhabitant_indicators(engine, place):
    home = place["home"]
    other_group = make_peer_group(engine, "Autre", [place["other"].territory_ids[0]])
    with pytest.raises(PermissionDenied):
        svc.among_peers(engine, place["contributor"], home, other_group, "ghg_emissions", on=TODAY)
    group = make_peer_group(engine, "Mienne", [home])
    with pytest.raises(ValidationFailed):
        svc.among_peers(engine, place["contributor"], home, group, "sustainable_school_food", on=TODAY)


# --- What the app already knows ----------------------------------------------------------------


def test_app_figures_come_from_the_territorys_own_journey_and_campaigns_only(engine, place):
    home = place["home"]
    make_milestone(engine, home, "Forum", occurred_on=date(2025, 3, 1))
    make_milestone(engine, home, "Charte", occurred_on=date(2025, 9, 1))
    campaign, _ = make_campaign(engine, home, opens_on=date(2025, 5, 1), closes_on=date(2025, 6, 1))
    for role in ("elected_official", "elected_official", "state_services", "inhabitant"):
        make_response(engine, campaign, role, {})
    elsewhere, _ = make_campaign(engine, place["other"].territory_ids[0], opens_on=date(2025, 5, 1))
    make_response(engine, elsewhere, "local_agent", {})

    found = svc.app_figures(engine, make_actor(engine, Role.READER, home), home)
    assert found.pivot_roles == 4
    assert [(y.year, y.milestones, y.campaigns, y.responses, y.roles_covered) for y in found.years] == [
        (2025, 2, 1, 4, 2)
    ]
    with pytest.raises(PermissionDenied):
        svc.app_figures(engine, place["peer"], home)


def test_a_value_or_a_target_entered_by_mistake_is_taken_back_by_a_contributor_only(engine, place):
    home, who = place["home"], place["contributor"]
    lanes = svc.follow(engine, who, home, "cycle_lanes")
    svc.save_value(engine, who, home, lanes, year=2024, value="3")
    svc.save_value(engine, who, home, lanes, year=2004, value="3")  # meant 2024
    svc.save_target(engine, who, home, lanes, year=2030, value="9")
    with pytest.raises(PermissionDenied):
        svc.remove_value(engine, make_actor(engine, Role.READER, home), home, lanes, 2004)
    svc.remove_value(engine, who, home, lanes, 2004)
    svc.remove_target(engine, who, home, lanes, 2030)
    with pytest.raises(NotFound):
        svc.remove_value(engine, who, home, lanes, 2004)
    [indicator] = svc.board(engine, who, home, on=TODAY).indicators
    assert [v.year for v in indicator.values] == [2024] and indicator.targets == []


def test_a_value_for_a_year_still_to_come_is_refused_where_a_target_is_welcome(engine, place):
    home, who = place["home"], place["contributor"]
    lanes = svc.follow(engine, who, home, "cycle_lanes")
    next_year = date.today().year + 1
    with pytest.raises(ValidationFailed) as refused:
        svc.save_value(engine, who, home, lanes, year=next_year, value="3")
    assert refused.value.errors["year"].code == "indicators.error.future_year"
    svc.save_target(engine, who, home, lanes, year=next_year, value="3")
    report = svc.import_csv(engine, who, home, _csv(f"cycle_lanes;valeur;{next_year};3;;;"))
    assert [(p.column, p.code) for p in report.problems] == [("annee", "indicators.error.future_year")]
