"""The Rapport de parcours: what a council reads in the PDF, in French and in English, and what
it must never say (another territory's private data, markup typed into a story).

The PDF's text is read back with ``pdftotext`` (Debian's poppler-utils), as a person copying
from the document would: line breaks and hyphenation are normalised before comparing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import UTC, date, datetime

import pytest

from lib.access import Role
from lib.domain.errors import PermissionDenied, ValidationFailed
from lib.render import typography as typo
from lib.services import indicators, reports
from lib.services.reports import Section
from tests.factories import (
    axis_levels,
    make_actor,
    make_assessment,
    make_campaign,
    make_milestone,
    make_peer_group,
    make_response,
    make_territory,
    set_sharing,
    share_nothing,
)

START, END = date(2024, 1, 1), date(2026, 6, 30)
MARKUP_TITLE = '*Forum* #import "x" = titre $x$ <a> @b'
STORY = "Nous avons ouvert la friche aux habitants : trois cents personnes sont venues ! Qui l’eût cru ?"
FREE_TEXT = "Forêt partagée"


def _pdftotext(pdf: bytes, tmp_path, *, layout: bool = False) -> str:
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext is missing: .ci/run installs poppler-utils")
        pytest.skip("pdftotext (Debian's poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    # -layout keeps a table's rows on their lines; without it, paragraphs read in order.
    command = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    text = subprocess.run(command, check=True, capture_output=True).stdout.decode()
    # Read as a person would: words split at a line end joined again, one space everywhere.
    text = re.sub(r"\u00ad\n(?=\w)", "", text)  # typst's hyphenation
    text = re.sub(r"-\n(?=\w)", "-", text)  # a compound name broken at its own hyphen
    return re.sub(r"\s+", " ", text.replace(typo.NNBSP, " ").replace(typo.NBSP, " "))


def _pages(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True).stdout.decode()
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def territory(engine):
    """A territory with two assessments, a story with markup in its title, and a campaign."""
    tid = make_territory(engine, "Vallée-des-Essais (démo)")
    make_assessment(
        engine,
        tid,
        axis_levels(engagement=1, cooperation=2, systemic=2, evaluation=1),
        assessed_on=date(2025, 1, 10),
    )
    make_assessment(
        engine,
        tid,
        axis_levels(engagement=3, cooperation=2, systemic=4, evaluation=1),
        assessed_on=date(2026, 3, 10),
    )
    make_milestone(engine, tid, MARKUP_TITLE, occurred_on=date(2025, 5, 2), phase="groundwork", story=STORY)
    campaign_id, _ = make_campaign(
        engine,
        tid,
        title="Retour sur le forum",
        opens_on=date(2026, 2, 1),
        closes_on=date(2026, 2, 28),
        anonymous=False,
    )
    at = datetime(2026, 2, 10, 10, tzinfo=UTC)
    for role, mood, story in [("elected_official", 5, FREE_TEXT)] + [("local_agent", 2, "Trop lent")] * 3:
        make_response(engine, campaign_id, role, {"mood": mood, "story": story}, submitted_at=at)
    return tid


def _axis_words(lang: str) -> list[str]:
    from lib.domain.framework import load_framework

    return [a.label(lang) for a in load_framework().axes]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_report_shows_every_section_the_radar_figures_a_story_and_a_free_text(
    engine, territory, lang, tmp_path
):
    admin = make_actor(engine, Role.TERRITORY_ADMIN, territory)

    name, pdf = reports.journey_report_pdf(engine, admin, territory, start=START, end=END, lang=lang)
    text = _pdftotext(pdf, tmp_path)

    from lib.i18n import translate

    for key in ("standing", "journey", "feedback", "peers", "annex"):
        assert translate(f"report.section.{key}", lang) in text
    for key in (
        "report.contents",
        "report.standing.trajectories",
        "report.standing.movers",
        "report.journey.stories",
        "report.feedback.gaps",
        "report.annex.methods",
    ):
        assert _plain(translate(key, lang)) in text
    # The radar's table, row by row: engagement went from 1 to 3, cooperation stayed at 2,
    # systemic went from 2 to 4, evaluation stayed at 1.
    rows = _pdftotext(pdf, tmp_path, layout=True)
    comma = (lambda s: s.replace(".", ",")) if lang == "fr" else (lambda s: s)
    for axis, figures in zip(
        _axis_words(lang),
        ["3.00 1.00 +2.00", "2.00 2.00 0.00", "4.00 2.00 +2.00", "1.00 1.00 0.00"],
        strict=True,
    ):
        assert axis.split()[0] in rows
        assert comma(figures) in rows
    # The story, its title printed as typed (no markup read), with French spacing in French.
    assert MARKUP_TITLE in text
    assert STORY in text
    assert FREE_TEXT in text
    assert name.endswith(f"_2024-01-01_2026-06-30_{lang}.pdf") and "territoire-" in name


def test_french_dates_are_in_words_and_english_ones_too(engine, territory, tmp_path):
    admin = make_actor(engine, Role.READER, territory)
    fr = _pdftotext(reports.journey_report_pdf(engine, admin, territory, start=START, end=END)[1], tmp_path)
    en = _pdftotext(
        reports.journey_report_pdf(engine, admin, territory, start=START, end=END, lang="en")[1], tmp_path
    )

    assert "Période : du 1er janvier 2024 au 30 juin 2026" in fr
    assert "10 mars 2026" in fr
    assert "Period: 1 January 2024 to 30 June 2026" in en
    assert "10 March 2026" in en


def test_a_territory_whose_data_is_private_is_never_named_in_a_peers_report(engine, territory, tmp_path):
    secret = make_territory(engine, "Territoire-Discret")
    open_one = make_territory(engine, "Territoire-Ouvert")
    third = make_territory(engine, "Territoire-Tiers")
    for tid in (secret, open_one, third):
        make_assessment(engine, tid, 2, assessed_on=date(2026, 1, 5))
        make_milestone(engine, tid, f"Jalon de {tid}", occurred_on=date(2025, 6, 1))
        campaign_id, _ = make_campaign(engine, tid, opens_on=date(2026, 2, 1), closes_on=date(2026, 2, 28))
        make_response(engine, campaign_id, "elected_official", {"mood": 4, "story": "Réponse voisine"})
    make_peer_group(engine, "Cohorte d’essai", [territory, secret, open_one, third])
    share_nothing(engine, secret)
    set_sharing(engine, third, assessments="private")
    # Even a coordinator's copy says only what the territory's own members may see: it leaves the app.
    coordinator = make_actor(engine, Role.COORDINATOR, None)

    text = _pdftotext(
        reports.journey_report_pdf(engine, coordinator, territory, start=START, end=END)[1], tmp_path
    )

    assert "Territoire-Ouvert" in text
    assert "Territoire-Discret" not in text
    assert "Territoire-Tiers" not in text
    assert "Réponse voisine" not in text  # other territories' feedback never comes in
    # Counted without a name: the two private ones together, in the group's quartiles.
    assert "dont 2 sans leur nom" in text


def test_typed_text_is_printed_as_text_and_long_stories_break_across_pages(engine, tmp_path):
    tid = make_territory(engine)
    long_story = "\n\n".join(f"Paragraphe {i} : " + "une histoire longue, " * 60 for i in range(12))
    make_milestone(engine, tid, '#set page(width: 1cm) \\ "', occurred_on=date(2025, 3, 1), story=long_story)
    reader = make_actor(engine, Role.READER, tid)

    pdf = reports.journey_report_pdf(engine, reader, tid, start=START, end=END, sections=["journey"])[1]
    text = _pdftotext(pdf, tmp_path)

    assert '#set page(width: 1cm) \\ "' in text
    assert "Paragraphe 11 :" in text
    assert text.count("histoire") == 12 * 60  # every word, across page breaks
    assert _pages(pdf, tmp_path) >= 4


def test_a_territory_with_no_data_gets_a_short_report_saying_so(engine, tmp_path):
    tid = make_territory(engine, "Territoire-Neuf")
    reader = make_actor(engine, Role.READER, tid)

    pdf = reports.journey_report_pdf(engine, reader, tid, end=END)[1]
    text = _pdftotext(pdf, tmp_path)

    assert "Pas encore de données" in text
    assert "Territoire-Neuf n’a encore ni auto-évaluation soumise" in text
    assert "Sommaire" not in text and "Où nous en sommes" not in text
    assert _pages(pdf, tmp_path) == 2  # the cover, and the page that says so


def test_sections_left_out_are_not_printed(engine, territory, tmp_path):
    reader = make_actor(engine, Role.READER, territory)

    text = _pdftotext(
        reports.journey_report_pdf(engine, reader, territory, start=START, end=END, sections=["standing"])[1],
        tmp_path,
    )

    assert "Où nous en sommes" in text
    assert "Ce qu’ont dit les parties prenantes" not in text and FREE_TEXT not in text
    assert "Annexe" not in text


def test_the_report_is_refused_to_whoever_may_not_open_the_journey(engine, territory):
    elsewhere = make_actor(engine, Role.TERRITORY_ADMIN, make_territory(engine))

    for actor in (None, elsewhere):
        with pytest.raises(PermissionDenied):
            reports.journey_report_pdf(engine, actor, territory, start=START, end=END)


def test_a_period_ending_before_it_starts_is_refused_with_a_message(engine, territory):
    reader = make_actor(engine, Role.READER, territory)

    with pytest.raises(ValidationFailed) as refused:
        reports.journey_report(engine, reader, territory, start=END, end=START)

    assert refused.value.errors["end"].code == "report.error.end_before_start"


def test_the_period_chooses_the_assessments_and_stories(engine, territory):
    reader = make_actor(engine, Role.READER, territory)

    report = reports.journey_report(engine, reader, territory, start=date(2025, 6, 1), end=date(2025, 12, 31))

    assert report.latest is not None and report.latest.assessed_on == date(2025, 1, 10)
    assert report.previous is None and report.movers == []
    assert report.history == [] and report.stories == []
    assert [m.title for m in report.milestones] == [MARKUP_TITLE]
    assert report.campaigns == []


def test_criteria_that_moved_most_come_first(engine, territory):
    reader = make_actor(engine, Role.READER, territory)

    report = reports.journey_report(engine, reader, territory, end=END, sections=[Section.STANDING])

    assert [abs(m.change) for m in report.movers] == [2] * len(report.movers)
    assert {m.axis_id for m in report.movers} == {"engagement", "systemic"}


def test_progress_is_reported_step_by_step_up_to_done(engine, territory):
    reader = make_actor(engine, Role.READER, territory)
    heard: list[tuple[float, str]] = []

    reports.journey_report_pdf(engine, reader, territory, end=END, progress=lambda s, k: heard.append((s, k)))

    shares = [s for s, _ in heard]
    assert shares == sorted(shares) and heard[-1] == (1.0, "report.progress.done")
    assert len(heard) >= 4


# --- Typography ----------------------------------------------------------------------------


def test_french_punctuation_gets_non_breaking_spaces_and_addresses_stay_whole():
    assert typo.french_spaces("Où ? Ici ! Oui ; non : « bien »") == (
        f"Où{typo.NNBSP}? Ici{typo.NNBSP}! Oui{typo.NNBSP}; non{typo.NBSP}: «{typo.NBSP}bien{typo.NBSP}»"
    )
    assert typo.french_spaces("https://exemple.fr") == "https://exemple.fr"


def test_numbers_take_a_decimal_comma_in_french_and_a_real_minus_sign():
    assert typo.number(2.5, "fr", 2) == "2,50"
    assert typo.number(2.5, "en", 2) == "2.50"
    assert typo.number(-0.5, "fr", 1, signed=True) == "−0,5"
    assert typo.number(0.04, "fr", 1, signed=True) == "0,0"
    assert typo.number(None, "fr") == "—"


def test_dates_are_written_in_words():
    assert typo.day_in_words(date(2026, 12, 1), "fr") == f"1er{typo.NBSP}décembre 2026"
    assert typo.day_in_words(date(2026, 8, 15), "fr") == f"15{typo.NBSP}août 2026"
    assert typo.day_in_words(date(2026, 8, 15), "en") == "15 August 2026"


def test_a_typst_literal_holds_any_text_as_it_is():
    assert typo.literal('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'
    assert typo.literal("x\x07y") == '"xy"'


def test_the_file_name_holds_territory_period_and_language(engine, territory):
    reader = make_actor(engine, Role.READER, territory)
    report = reports.journey_report(engine, reader, territory, end=END, lang="en", sections=[Section.ANNEX])

    assert reports.file_name(report).endswith("_start_2026-06-30_en.pdf")
    assert reports.file_name(report).startswith("journey-report_territoire-")


def test_an_anonymous_campaign_names_no_role_too_small_to_hide_in(engine, tmp_path):
    tid = make_territory(engine)
    campaign_id, _ = make_campaign(
        engine, tid, title="Bilan anonyme", opens_on=date(2026, 2, 1), closes_on=date(2026, 2, 28)
    )
    at = datetime(2026, 2, 10, 10, tzinfo=UTC)
    make_response(
        engine, campaign_id, "elected_official", {"mood": 1, "story": "Seule élue"}, submitted_at=at
    )
    for role in ["local_agent"] * 3 + ["socio_economic"] * 3:
        make_response(engine, campaign_id, role, {"mood": 4, "story": "Avec les autres"}, submitted_at=at)
    reader = make_actor(engine, Role.READER, tid)

    pdf = reports.journey_report_pdf(engine, reader, tid, start=START, end=END, sections=["feedback"])[1]
    text = _pdftotext(pdf, tmp_path)

    assert "Rôles regroupés" in text and "Agent·e territorial·e" in text
    assert "Élu·e" not in text  # the lone elected official is pooled, never named
    pooled = text.index("Rôles regroupés (4)")
    assert "Seule élue" in text[pooled:]  # the free text, under the pool


# --- Rapport de réseau -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_network_report_shows_engagement_coverage_stalled_territories_and_trajectories(
    engine, territory, lang, tmp_path
):
    from lib.i18n import translate

    quiet = make_territory(engine, "Territoire-Silencieux")
    make_assessment(engine, quiet, 2, assessed_on=date(2024, 3, 1))
    make_peer_group(engine, "Cohorte du rapport", [territory, quiet])
    coordinator = make_actor(engine, Role.COORDINATOR, None)

    name, pdf = reports.network_report_pdf(engine, coordinator, days=365, lang=lang, today=END)
    text = _pdftotext(pdf, tmp_path)

    for key in (
        "report.network.engagement",
        "report.network.coverage",
        "report.network.trajectory",
        "report.network.groups",
        "report.annex.methods",
        "steering.stalled.title",
    ):
        assert _plain(translate(key, lang)) in text
    assert translate("steering.figure.responses", lang) in text
    assert "Territoire-Silencieux" in text and "Vallée-des-Essais (démo)" in text
    assert "Cohorte du rapport" in text
    # Its 2024 assessment and the other's 2025 one: the network's median per year.
    rows = _pdftotext(pdf, tmp_path, layout=True)
    assert re.search(r"2024\s+1\s+" + r"\s+".join(["2[,.]00"] * 4), rows)
    assert (
        name == f"{'network-report' if lang == 'en' else 'rapport-reseau'}_2025-07-01_2026-06-30_{lang}.pdf"
    )


def test_the_network_report_is_for_coordinators_only(engine, territory):
    for actor in (None, make_actor(engine, Role.TERRITORY_ADMIN, territory)):
        with pytest.raises(PermissionDenied):
            reports.network_report(engine, actor)


def test_the_pdf_is_tagged_with_one_heading_per_section_for_screen_readers(engine, territory, tmp_path):
    reader = make_actor(engine, Role.READER, territory)
    pdf = reports.journey_report_pdf(engine, reader, territory, start=START, end=END)[1]
    _pdftotext(pdf, tmp_path)  # skips (or fails in CI) without poppler-utils, like the others
    path = tmp_path / "tagged.pdf"
    path.write_bytes(pdf)

    info = subprocess.run(["pdfinfo", str(path)], capture_output=True).stdout.decode()
    tree = subprocess.run(["pdfinfo", "-struct", str(path)], capture_output=True).stdout

    assert re.search(r"^Tagged:\s+yes", info, re.M)
    headings = re.findall(rb"^\s*(H[1-3]) ", tree, re.M)
    assert headings.count(b"H1") == 7  # the contents, then the six sections
    assert headings.count(b"H2") >= 8 and b"H3" in headings


def test_the_indicators_section_prints_each_indicator_its_status_and_its_figures_as_of_the_end(
    engine, territory, tmp_path
):
    contributor = make_actor(engine, Role.CONTRIBUTOR, territory)
    lanes = indicators.follow(engine, contributor, territory, "cycle_lanes")
    indicators.save_value(engine, contributor, territory, lanes, year=2020, value="10")
    indicators.save_value(engine, contributor, territory, lanes, year=2023, value="12,5")
    indicators.save_value(engine, contributor, territory, lanes, year=2025, value="99")  # after the end
    indicators.save_target(engine, contributor, territory, lanes, year=2030, value="30")

    pdf = reports.journey_report_pdf(
        engine, contributor, territory, start=START, end=date(2024, 12, 31), sections=["indicators"]
    )[1]
    text = _pdftotext(pdf, tmp_path)
    assert "Les indicateurs" in text and "Aménagements cyclables (km)" in text
    # 10 -> 30 over ten years: the path is 16 in 2023, and 12,5 is 3,5 behind it.
    assert "En retard sur la trajectoire" in text
    rows = _pdftotext(pdf, tmp_path, layout=True)
    assert re.search(r"2023\s+12,5\s+16\s+−3,5\s+\+2,5\s+Mesurée", rows), rows
    assert "99" not in rows.split("Aménagements cyclables")[-1].split("Cibles")[0]
    assert "30 en 2030" in text
