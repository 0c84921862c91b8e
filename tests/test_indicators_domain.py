"""Indicators' pure rules: the catalogue checked at load, figures typed in French, and the
trajectory read on hand-computed data."""

from __future__ import annotations

import copy

import pytest
import yaml

from lib.domain import indicators as ind
from lib.domain.indicators import Direction, Point, Status

EMISSIONS = ind.Definition(
    id="ghg",
    name=ind.Label("GES", "GHG"),
    definition=ind.Label("", ""),
    unit="t_co2e",
    direction=Direction.DECREASE,
)
LANES = ind.Definition(
    id="lanes",
    name=ind.Label("Pistes", "Lanes"),
    definition=ind.Label("", ""),
    unit="km",
    direction=Direction.INCREASE,
)


def _shipped() -> dict:
    return yaml.safe_load(ind.CATALOGUE_PATH.read_text(encoding="utf-8"))


# --- The catalogue ---------------------------------------------------------------------------


def test_the_shipped_catalogue_loads_with_its_seven_starter_indicators():
    catalogue = ind.load_catalogue_file(ind.CATALOGUE_PATH)
    ids = [d.id for d in catalogue.indicators]
    assert ids == [
        "ghg_emissions",
        "renewable_production",
        "housing_renovations",
        "cycle_lanes",
        "sustainable_school_food",
        "citizen_initiatives",
        "cooperation_workshop_participants",
    ]
    ghg = catalogue.get("ghg_emissions")
    assert (
        ghg.direction == Direction.DECREASE and ghg.per_inhabitant and ghg.value_dimension == "environmental"
    )
    assert catalogue.get("citizen_initiatives").axis_id == "engagement"
    # Plainly marked: some are suggestions to adapt, some are not.
    assert {d.adapt for d in catalogue.indicators} == {True, False}
    assert not catalogue.get("sustainable_school_food").per_inhabitant  # a share is never divided


def test_a_wrong_unit_is_refused_naming_the_file_and_the_key():
    data = _shipped()
    data["indicators"][3]["unit"] = "miles"
    with pytest.raises(ind.CatalogueError) as refused:
        ind.parse_catalogue(data, "indicators.yaml")
    message = str(refused.value)
    assert message.startswith("indicators.yaml")
    assert "indicators[3] (cycle_lanes).unit" in message and "'miles'" in message


def test_a_wrong_direction_is_refused_naming_the_file_and_the_key():
    data = _shipped()
    data["indicators"][0]["direction"] = "down"
    with pytest.raises(
        ind.CatalogueError, match=r"indicators\.yaml.*indicators\[0\] \(ghg_emissions\)\.direction"
    ):
        ind.parse_catalogue(data, "indicators.yaml")


def test_a_broken_file_on_disk_is_named_by_its_file_name(tmp_path):
    data = _shipped()
    data["indicators"][1]["direction"] = "sideways"
    path = tmp_path / "mes-indicateurs.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(
        ind.CatalogueError, match=r"^mes-indicateurs\.yaml : .*renewable_production\)\.direction"
    ):
        ind.load_catalogue_file(path)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda d: d["indicators"][2].update(documents={"axis": "nowhere"}), "documents.axis"),
        (lambda d: d["indicators"][2].update(per_inhabitant="oui"), "per_inhabitant"),
        (lambda d: d["indicators"][2]["name"].pop("en"), "name.en"),
        (lambda d: d["indicators"][2].update(id="ghg_emissions"), ".id"),
    ],
)
def test_other_mistakes_name_their_key(change, key):
    data = copy.deepcopy(_shipped())
    change(data)
    with pytest.raises(ind.CatalogueError, match=key.replace(".", r"\.")):
        ind.parse_catalogue(data)


# --- Figures typed in French -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("12 345,6", 12345.6),
        ("12\u00a0345,6", 12345.6),
        ("1\u202f234\u202f567", 1234567.0),
        ("-3,25", -3.25),
        ("12345.6", 12345.6),
        (" 42 ", 42.0),
        (",5", 0.5),
    ],
)
def test_french_notation_is_read(typed, value):
    assert ind.parse_number(typed) == pytest.approx(value)


@pytest.mark.parametrize(
    "typed", ["", "douze", "1.234,5", "1,2,3", "12 345 km", "inf", "nan", "1e5", None, True]
)
def test_what_is_not_a_figure_is_refused(typed):
    assert ind.parse_number(typed) is None


def test_impossible_values_for_the_unit_are_refused_with_their_bound():
    assert ind.value_problem(-1.0, "km") == (ind.BELOW_MINIMUM, {"minimum": 0})
    assert ind.value_problem(100.5, "percent") == (ind.ABOVE_MAXIMUM, {"maximum": 100})
    assert ind.value_problem(None, "km") == (ind.NOT_A_NUMBER, {})
    assert ind.value_problem(-250.0, "t_co2e") is None  # net emissions may be negative
    assert ind.value_problem(100.0, "percent") is None


@pytest.mark.parametrize(
    ("typed", "year"), [("2030", 2030), (2019, 2019), ("1989", None), ("20 30", None), ("", None)]
)
def test_years(typed, year):
    assert ind.parse_year(typed) == year


# --- Trajectory ------------------------------------------------------------------------------


def test_the_path_runs_straight_from_the_first_value_to_the_target():
    # 2020: 100 kt, target 2030: 50 kt -> the path loses 5 a year.
    corners = ind.path_corners([Point(2022, 95), Point(2020, 100)], [Point(2030, 50)])
    assert corners == (Point(2020, 100), Point(2030, 50))
    assert ind.path_at(corners, 2019) is None
    assert ind.path_at(corners, 2020) == 100
    assert ind.path_at(corners, 2024) == pytest.approx(80)
    assert ind.path_at(corners, 2030) == 50
    assert ind.path_at(corners, 2035) == 50  # flat after the last target


def test_the_path_goes_from_target_to_target_and_ignores_targets_before_the_baseline():
    corners = ind.path_corners([Point(2020, 10)], [Point(2018, 5), Point(2030, 40), Point(2024, 20)])
    assert corners == (Point(2020, 10), Point(2024, 20), Point(2030, 40))
    assert ind.path_at(corners, 2022) == pytest.approx(15)  # 10 -> 20 over 4 years
    assert ind.path_at(corners, 2027) == pytest.approx(30)  # 20 -> 40 over 6 years


def test_gap_and_change_with_missing_years():
    # Emissions 2019: 100, 2020: 97, (2021 missing), 2022: 88; target 2029: 65.
    # Path: 100 - (35/10)·(y-2019): 2020 -> 96.5, 2022 -> 89.5.
    reading = ind.read_indicator(
        EMISSIONS, [Point(2019, 100), Point(2022, 88), Point(2020, 97)], [Point(2029, 65)], current_year=2023
    )
    rows = {r.year: r for r in reading.rows}
    assert list(rows) == [2019, 2020, 2022]
    assert rows[2019].gap == 0 and rows[2019].change is None
    assert rows[2020].path == pytest.approx(96.5) and rows[2020].gap == pytest.approx(0.5)
    assert rows[2022].path == pytest.approx(89.5) and rows[2022].gap == pytest.approx(-1.5)
    # The change since 2020, not an invented 2021.
    assert rows[2022].change == pytest.approx(-9) and rows[2022].since == 2020
    # 88 is below the path's 89.5 and emissions should go down: on track.
    assert reading.status == Status.ON_TRACK
    assert reading.target == Point(2029, 65)


def test_behind_the_path_is_off_track():
    # Cycle lanes 2020: 10 km, 2023: 12 km; target 2030: 30 km. Path 2023: 10 + 2·3 = 16 > 12.
    reading = ind.read_indicator(
        LANES, [Point(2020, 10), Point(2023, 12)], [Point(2030, 30)], current_year=2024
    )
    assert reading.latest.path == pytest.approx(16)
    assert reading.latest.gap == pytest.approx(-4)
    assert reading.status == Status.OFF_TRACK


def test_a_target_already_reached_says_so_even_ahead_of_its_year():
    reading = ind.read_indicator(
        LANES, [Point(2020, 10), Point(2024, 31)], [Point(2030, 30)], current_year=2025
    )
    assert reading.status == Status.REACHED
    reading = ind.read_indicator(
        EMISSIONS, [Point(2020, 100), Point(2024, 60)], [Point(2030, 60)], current_year=2025
    )
    assert reading.status == Status.REACHED


def test_a_latest_value_more_than_three_years_old_is_no_recent_value():
    values = [Point(2018, 10), Point(2022, 30)]
    assert ind.read_indicator(LANES, values, [Point(2030, 30)], current_year=2025).status == Status.REACHED
    assert (
        ind.read_indicator(LANES, values, [Point(2030, 40)], current_year=2026).status
        == Status.NO_RECENT_VALUE
    )
    assert (
        ind.read_indicator(LANES, [], [Point(2030, 40)], current_year=2026).status == Status.NO_RECENT_VALUE
    )


def test_values_without_a_target_have_no_path_to_be_on():
    reading = ind.read_indicator(LANES, [Point(2024, 3), Point(2025, 4)], [], current_year=2026)
    assert reading.status == Status.NO_TARGET
    assert reading.rows[-1].change == 1 and reading.rows[-1].gap is None  # no path without a target
    assert reading.target is None


def test_a_baseline_alone_is_on_its_path():
    reading = ind.read_indicator(EMISSIONS, [Point(2025, 100)], [Point(2030, 50)], current_year=2026)
    assert reading.status == Status.ON_TRACK and reading.latest.gap == 0


def test_the_spread_interpolates_quartiles_like_a_spreadsheet():
    found = ind.spread([4.0, 1.0, 3.0, 2.0])
    assert (found.count, found.minimum, found.maximum) == (4, 1.0, 4.0)
    assert (found.q1, found.median, found.q3) == (
        pytest.approx(1.75),
        pytest.approx(2.5),
        pytest.approx(3.25),
    )
    assert ind.spread([]) is None
    assert ind.spread([5.0]).median == 5.0


def test_per_inhabitants_uses_a_readable_scale_per_unit():
    assert ind.per_inhabitants(65_000, 10_000, "t_co2e") == pytest.approx(6.5)  # t CO2e per inhabitant
    assert ind.per_inhabitants(12, 6_000, "km") == pytest.approx(2.0)  # km per 1,000 inhabitants
    assert ind.per_inhabitants(12, None, "km") is None
    assert ind.per_inhabitants(40, 6_000, "percent") is None  # a share is never divided


def test_app_years_count_milestones_responses_per_campaign_and_pivot_roles_covered():
    years = ind.app_years(
        milestones={2024: 2, 2026: 1},
        campaigns={2025: 2},
        responses=[(2025, "elected_official", 3), (2025, "local_agent", 4), (2025, "inhabitant", 5)],
        pivot_roles=["elected_official", "local_agent", "state_services", "socio_economic"],
    )
    assert [(y.year, y.milestones, y.campaigns, y.responses, y.roles_covered) for y in years] == [
        (2024, 2, 0, 0, 0),
        (2025, 0, 2, 12, 2),  # inhabitants answer, but are not one of the four pivot hats
        (2026, 1, 0, 0, 0),
    ]
    assert years[1].responses_per_campaign == 6
    assert years[0].responses_per_campaign is None
