"""Accessible to all, nothing sent elsewhere (issue 15), in Chromium, on the demo data.

One demo server, one browser, one browser context per visitor. The walk opens every page of
the navigation for one demo persona of each kind (the four roles, and a person with two
territories), in French then in English, and a share link's form at phone size (390×844) at
each of its steps, in both languages. On each screen axe-core's WCAG 2.1 A and AA rules run
(``axe-playwright-python``, which bundles axe-core); every request the browser makes is
recorded. The figures are printed for the report:

    .venv/bin/pytest -q -s tests/e2e/test_accessibility.py

The keyboard test completes a share-link form with the keyboard alone.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa

from lib.store import tables as tb
from tests.e2e.conftest import expect, screenshot, wait_for_app
from tests.e2e.demo import as_persona, demo_server
from tests.factories import make_campaign

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# One persona of each role the demo data has: people of one role see the same screens, with
# other figures (a test below fails when the demo data gains a role).
PERSONAS = {
    "coordinator": "Camille Roussel",
    "territory_admin": "Élise Marchand",
    "contributor": "Hugo Lefèvre",
    "reader": "Nadia Benali",
}
SHARE_TOKEN = "acces-pour-tous-0123456789abcdefghijklmnop"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@dataclass
class Walk:
    origin: str
    visits: list[str] = field(default_factory=list)
    # "persona · lang · page" → [(rule id, impact, nodes, first node and why)]
    violations: dict[str, list[tuple[str, str, int, str]]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)
    navigation: dict[str, list[str]] = field(default_factory=dict)  # persona → pages listed
    charts: int = 0
    unnamed_charts: list[str] = field(default_factory=list)
    notice_first: dict[str, bool] = field(default_factory=dict)  # lang → notice above the question

    def by_rule(self) -> tuple[Counter, Counter]:
        """Screens, and elements, breaking each rule."""
        screens: Counter = Counter()
        nodes: Counter = Counter()
        for rules in self.violations.values():
            for rule, _, count, _ in rules:
                screens[rule] += 1
                nodes[rule] += count
        return screens, nodes


@pytest.fixture(scope="module")
def a11y_app(tmp_path_factory, browser, e2e_home):
    def prepare(engine) -> None:
        # A named (not anonymous) campaign of the short test form: its landing page shows the
        # name field and the longest privacy notice.
        with engine.connect() as conn:
            territory = conn.execute(sa.select(sa.func.min(tb.territory.c.id))).scalar_one()
        make_campaign(
            engine, territory, title="Accessible à toutes et tous", anonymous=False, token=SHARE_TOKEN
        )

    with demo_server(tmp_path_factory.mktemp("e2e-a11y"), browser, e2e_home, prepare=prepare) as app:
        yield app


def _axe() -> str:
    """axe-core's script, as ``axe-playwright-python`` bundles it."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe().axe_script


# Only the violations, summed up in the page: passes and their nodes would be serialised too.
_RUN_AXE = """async (rules) => {
  const found = await axe.run(document, {runOnly: {type: 'tag', values: rules}, resultTypes: ['violations']});
  return found.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
    first: v.nodes[0].html.slice(0, 160) + ' — ' + v.nodes[0].failureSummary.slice(0, 220)}));
}"""


def _context(browser, walk: Walk, viewport: dict):
    context = browser.new_context(locale="fr-FR", viewport=viewport)
    context.set_default_timeout(20_000)

    def seen(request) -> None:
        url = request.url
        if url.startswith(("data:", "blob:")):
            return
        walk.requests.append(url)
        parts = urlparse(url)
        if f"{parts.scheme}://{parts.netloc}" != walk.origin and parts.scheme in (
            "http",
            "https",
            "ws",
            "wss",
        ):
            walk.elsewhere.append(url)

    context.on("request", seen)
    # Nothing may reach the internet from a test; what tried is recorded above.
    context.route(lambda url: not url.startswith(walk.origin), lambda route: route.abort())
    return context


# Each chart's accessible name, as Vega writes it ("Vega visualization" when nobody said what
# the chart shows).
_CHART_NAMES = """() => [...document.querySelectorAll('[role="graphics-document"]')]
  .map(chart => chart.getAttribute('aria-label') || '')"""


def _check(page, walk: Walk, axe: str, where: str) -> None:
    # What the last run did not redraw fades out before it goes: judge the page once it has.
    page.wait_for_function("!document.querySelector('[data-stale=\"true\"]')")
    # Streamlit changes pages without reloading the document: axe is injected once per page.
    if page.evaluate("typeof window.axe") == "undefined":
        page.evaluate(axe)
    walk.visits.append(where)
    names = page.evaluate(_CHART_NAMES)
    walk.charts += len(names)
    said = ("Graphique", "Chart")  # components/charts.py's text alternatives begin so
    walk.unnamed_charts += [f"{where}: {name}" for name in names if not name.startswith(said)]
    found = page.evaluate(_RUN_AXE, AXE_TAGS)
    if found:
        walk.violations[where] = [(v["id"], v["impact"], v["nodes"], v["first"]) for v in found]


def _switch_to_english(page) -> None:
    page.get_by_text("English", exact=True).first.click()
    wait_for_app(page)


def _walk_pages(page, walk: Walk, axe, who: str, lang: str) -> list[str]:
    """Every page of the navigation, in its order; returns their addresses' last parts."""
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link").first).to_be_visible()
    names = []
    for href in [link.get_attribute("href") for link in nav.get_by_role("link").all()]:
        nav.locator(f'a[href="{href}"]').click()
        wait_for_app(page)
        names.append(href.rsplit("/", 1)[-1] or "accueil")
        _check(page, walk, axe, f"{who} · {lang} · {names[-1]}")
    return names


SHARE_LABELS = {
    "fr": {"role": "Services de l’État", "name": "Votre nom *", "start": "Commencer",
           "next": "Enregistrer et continuer", "submit": "Envoyer mes réponses",
           "notice": "Vos données personnelles", "question": "À quel titre répondez-vous ?"},
    "en": {"role": "State services", "name": "Your name *", "start": "Start",
           "next": "Save and continue", "submit": "Send my answers",
           "notice": "Your personal data", "question": "In what capacity are you answering?"},
}  # fmt: skip


def _share_link_steps(page, walk: Walk, axe: str, lang: str) -> None:
    """Landing, its errors, each step, and the summary of what is missing, with the mouse."""
    labels = SHARE_LABELS[lang]
    where = f"share link 390 · {lang}"
    _check(page, walk, axe, f"{where} · landing")
    # Decision 0020: the privacy notice comes before the first question, at phone width too.
    notice = page.get_by_text(labels["notice"], exact=True)
    question = page.get_by_text(labels["question"], exact=True)
    expect(notice).to_be_visible()
    walk.notice_first[lang] = notice.bounding_box()["y"] < question.bounding_box()["y"]
    screenshot(page, f"a11y-share-link-{lang}-390")
    page.get_by_role("button", name=labels["start"]).click()  # no hat, no name
    wait_for_app(page)
    _check(page, walk, axe, f"{where} · landing errors")
    page.get_by_text(labels["role"]).first.click()
    page.get_by_label(labels["name"]).fill("Alex Accès")
    page.get_by_role("button", name=labels["start"]).click()
    wait_for_app(page)
    _check(page, walk, axe, f"{where} · step 1")
    page.get_by_role("button", name=labels["next"]).click()
    wait_for_app(page)
    _check(page, walk, axe, f"{where} · step 2")
    page.get_by_role("button", name=labels["submit"]).click()  # required answers missing
    wait_for_app(page)
    _check(page, walk, axe, f"{where} · errors")


def _role_kinds(engine) -> set[str]:
    """The roles the demo people hold."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(tb.membership.c.person_id, tb.membership.c.role)
            .join(tb.person, tb.person.c.id == tb.membership.c.person_id)
            .where(tb.person.c.is_demo.is_(True))
        ).all()
    return {role for _, role in rows}


# In English, the coordinator's pages (every page of the app) by default; every persona's with
# PARCOURS_A11Y_FULL=1 (as for the figures of the report): a role changes which controls a page
# shows, not their language, and the full walk doubles the module's time in CI.
FULL = os.environ.get("PARCOURS_A11Y_FULL") == "1"


@pytest.fixture(scope="module")
def walk(a11y_app, browser) -> Walk:
    walk = Walk(origin=a11y_app.base_url)
    axe = _axe()
    for role, name in PERSONAS.items():
        context = _context(browser, walk, DESKTOP)
        page = context.new_page()
        as_persona(page, a11y_app, name)
        walk.navigation[name] = _walk_pages(page, walk, axe, name, "fr")
        if FULL or role == "coordinator":
            _switch_to_english(page)
            _walk_pages(page, walk, axe, name, "en")
        context.close()
    context = _context(browser, walk, DESKTOP)  # la vitrine: public, no login, its own address
    page = context.new_page()
    for lang in ("fr", "en"):
        page.goto(f"{a11y_app.base_url}/vitrine?lang={lang}")
        wait_for_app(page)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        _check(page, walk, axe, f"vitrine · {lang}")
    context.close()
    for lang in ("fr", "en"):
        context = _context(browser, walk, PHONE)
        page = context.new_page()
        page.goto(f"{a11y_app.base_url}/?campagne={SHARE_TOKEN}")
        wait_for_app(page)
        if lang == "en":
            _switch_to_english(page)
        _share_link_steps(page, walk, axe, lang)
        context.close()
    screens, nodes = walk.by_rule()
    print(
        f"\naxe walk: {len(walk.visits)} screens, {len(walk.violations)} with violations; "
        f"screens by rule: {dict(screens)}; elements by rule: {dict(nodes)}"
    )
    for where, found in walk.violations.items():
        print(f"  {where}: {found}")
    print(f"charts: {walk.charts}, without a name saying what they show: {len(walk.unnamed_charts)}")
    elsewhere = sorted(set(walk.elsewhere))[:5]
    print(f"requests: {len(walk.requests)}, to another host: {len(walk.elsewhere)} {elsewhere}")
    return walk


def test_the_walk_meets_every_kind_of_demo_persona(a11y_app):
    assert _role_kinds(a11y_app.engine) == set(PERSONAS)


def test_every_persona_finds_the_accessibility_statement_in_the_navigation(walk):
    assert set(walk.navigation) == set(PERSONAS.values())
    assert all("accessibilite" in pages for pages in walk.navigation.values()), walk.navigation


def test_no_screen_breaks_a_wcag_2_1_a_or_aa_rule_checked_by_axe(walk):
    coordinator = walk.navigation[PERSONAS["coordinator"]]
    # Every page each persona lists in French, the coordinator's (all of them) in English, and
    # la vitrine and the share link's five screens in both languages.
    assert len(walk.visits) >= sum(map(len, walk.navigation.values())) + len(coordinator) + 2 * 6
    assert len(coordinator) >= 16
    assert walk.violations == {}, walk.by_rule()


def test_every_chart_says_what_it_shows_to_assistive_technologies(walk):
    assert walk.charts >= 20  # the walk met the journey's, results', peers' and steering's charts
    assert walk.unnamed_charts == []


def test_the_share_link_says_what_happens_to_the_answers_before_the_first_question(walk):
    assert walk.notice_first == {"fr": True, "en": True}


def test_no_request_leaves_the_app_s_origin_on_any_screen(walk):
    assert len(walk.requests) > 100  # the walk did load pages, scripts and styles
    assert walk.elsewhere == [], sorted(set(walk.elsewhere))


# What has the keyboard focus, and whether a person can see it: an outline, or the theme's ring
# (a box shadow) on the element or on the field's frame.
_FOCUSED = """() => {
  const e = document.activeElement;
  const frame = e.closest('[data-testid$="RootElement"], [data-testid="stNumberInputContainer"]');
  const ring = (el) => el !== null && (getComputedStyle(el).outlineStyle !== 'none'
                                       || getComputedStyle(el).boxShadow !== 'none');
  return {tag: e.tagName, type: e.type || '', seen: ring(e) || ring(frame),
          text: (e.innerText || e.getAttribute('aria-label') || '').trim()};
}"""


def _tab_to(page, wanted, limit: int = 40) -> dict:
    """Press Tab until ``wanted(focused)``; the focus must be visible on the way there."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        passed.append(focused["text"][:30])
        if focused["tag"] not in ("BODY", "MAIN"):
            assert focused["seen"], f"focus not visible on {focused}"
        if wanted(focused):
            return focused
    raise AssertionError(f"never reached with Tab, through {passed}")


def _button(text: str):
    return lambda f: f["tag"] == "BUTTON" and f["text"].endswith(text)


def test_a_share_link_form_is_completed_with_the_keyboard_alone(a11y_app, browser):
    walk = Walk(origin=a11y_app.base_url)
    context = _context(browser, walk, PHONE)
    page = context.new_page()
    page.goto(f"{a11y_app.base_url}/?campagne={SHARE_TOKEN}")
    wait_for_app(page)
    errors = page.get_by_test_id("stAlertContentError")

    # Started with nothing chosen: the problems are summed up at the top, and each is said
    # next to its field.
    _tab_to(page, _button("Commencer"))
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(errors.first).to_contain_text("2 point(s) à corriger")
    expect(errors.first).to_contain_text("À quel titre répondez-vous ?")
    expect(errors.first).to_contain_text("Votre nom")
    assert errors.filter(has_text="Ce champ est obligatoire").count() == 2
    summary_y = errors.first.bounding_box()["y"]
    question = page.get_by_test_id("stRadio").get_by_text("À quel titre répondez-vous ?", exact=True)
    assert summary_y < question.bounding_box()["y"]

    _tab_to(page, lambda f: f["type"] == "radio")
    page.keyboard.press("ArrowDown")  # a radio group moves with the arrows, as everywhere
    page.keyboard.press("ArrowDown")
    wait_for_app(page)
    _tab_to(page, lambda f: f["type"] == "text")
    page.keyboard.type("Alex Clavier")
    _tab_to(page, _button("Commencer"))
    page.keyboard.press("Enter")
    wait_for_app(page)

    # Step 1: the focus is on the step's title, then the scale and the topics are chosen.
    expect(page.get_by_text("Étape 1 sur 2")).to_be_visible()
    page.wait_for_function("document.activeElement.tagName === 'H3'")
    assert page.evaluate(_FOCUSED)["text"] == "Première partie"
    _tab_to(page, lambda f: f["text"].startswith("1 · "))  # the scale's first choice
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    wait_for_app(page)
    _tab_to(page, lambda f: f["text"] == "Énergie")  # the topics: one stop, arrows inside
    page.keyboard.press("ArrowRight")
    assert page.evaluate(_FOCUSED)["text"] == "Alimentation"
    page.keyboard.press("Space")
    wait_for_app(page)
    _tab_to(page, _button("Enregistrer et continuer"))
    page.keyboard.press("Enter")
    wait_for_app(page)

    # Step 2: sent without its required answer, then corrected.
    expect(page.get_by_text("Étape 2 sur 2")).to_be_visible()
    page.wait_for_function("document.activeElement.tagName === 'H3'")
    _tab_to(page, _button("Envoyer mes réponses"))
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(errors.first).to_contain_text("point(s) à corriger")
    expect(errors.first).to_contain_text("En quelques mots")
    expect(errors.filter(has_text="Ce champ est obligatoire")).to_have_count(1)
    _tab_to(page, lambda f: f["type"] == "text")
    page.keyboard.type("Ça avance")
    _tab_to(page, _button("Envoyer mes réponses"))
    page.keyboard.press("Enter")
    wait_for_app(page)

    expect(page.get_by_text("Merci, vos réponses ont bien été envoyées.")).to_be_visible()
    with a11y_app.engine.connect() as conn:
        sent = conn.execute(
            sa.select(tb.response.c.respondent_role)
            .join(tb.campaign, tb.campaign.c.id == tb.response.c.campaign_id)
            .where(tb.campaign.c.share_token == SHARE_TOKEN, tb.response.c.submitted_at.is_not(None))
        ).scalars()
        assert list(sent) == ["state_services"]  # the third hat, chosen with the arrows
    context.close()
