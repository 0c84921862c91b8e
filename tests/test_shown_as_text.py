"""What people (or their identity provider) typed is shown as text, on every page (decision 0013).

One rule: ``t()`` escapes its parameters and ``plain()`` escapes text shown on its own, bare
addresses included; places that never read Markdown (tables, charts, option lists) get the
text unescaped. The pages are walked through AppTest on the demo data, after planting a
payload in every name, title, story, comment, answer and message: no Markdown read from them,
no backslash shown where nothing reads Markdown, nothing escaped twice.
"""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from components.ui import Markdown, plain
from lib.demo.seed import seed_demo
from lib.i18n import translate
from lib.store import migrate
from lib.store import tables as tb
from lib.store.db import make_engine
from tests.factories import APP_ENTRY, make_access_request, make_person

# An HTML image with a handler, a Markdown image on a host nobody should reach, a Markdown
# link, and bare addresses: what the browser test (tests/e2e/test_shown_as_text.py) plants too.
PAYLOAD = (
    "<img src=x onerror=alert(7)> ![pic](http://blocked.test/pic.png) "
    "[relogin](http://blocked.test/login) www.blocked.test/bare http://blocked.test/bare"
)
# Markup read from the payload: any of these in a Markdown string means it was not escaped.
_MARKUP = re.compile(
    r"(?<!\\)<img|(?<!\\)\[(?:pic|relogin)|(?<!\\)\]\\?\(\S*blocked|://blocked|www\\?\.blocked"
)
_SPECIAL = r"[\\`*_{}\[\]()#+\-.!|<>~$:]"
_SHOWN_BACKSLASH = re.compile(r"\\" + _SPECIAL)  # in a place that does not read Markdown
_TWICE = re.compile(r"\\\\" + _SPECIAL)  # in Markdown: "\\(" shows a backslash

COORDINATOR = "camille.roussel@demo.parcours.fr"
ADMIN = "elise.marchand@demo.parcours.fr"  # Vallée-des-Tilleuls


# --- the rule, in isolation -------------------------------------------------------------------


def test_plain_escapes_markdown_and_breaks_every_bare_web_address():
    shown = plain(PAYLOAD)

    assert not _MARKUP.search(shown)
    assert shown.replace("\\", "").replace("\u2060", "") == PAYLOAD  # every character is still there
    assert plain("camille@exemple.fr") == "camille@exemple\\.fr"  # e-mails stay mailto: links
    assert isinstance(shown, Markdown)


def test_translation_parameters_are_text_unless_already_markdown(monkeypatch):
    monkeypatch.setattr("components.ui.lang", lambda: "fr")
    from components.ui import t

    sentence = t("home.welcome", name=PAYLOAD)
    assert not _MARKUP.search(sentence)
    assert t("home.welcome", name=plain("A.B")) == translate("home.welcome", "fr", name="A\\.B")
    assert t("home.welcome", name=t("role.elu")) == translate(
        "home.welcome", "fr", name=translate("role.elu")
    )
    assert "2.5" in t("home.welcome", name=2.5)  # the app's own numbers go in as they are


# --- every page, on planted data ----------------------------------------------------------------


def plant(engine) -> dict[str, int]:
    """The payload in every text people type, on the demo data; rows changed per field."""
    planted = {}
    with engine.begin() as conn:

        def put(name: str, statement) -> None:
            planted[name] = conn.execute(statement).rowcount

        # Names keep their beginning so tests and people still find them.
        put("territory names", sa.update(tb.territory).values(name=tb.territory.c.name + " " + PAYLOAD))
        put(
            "display names",
            sa.update(tb.person).values(
                display_name=sa.func.coalesce(tb.person.c.display_name, "") + " " + PAYLOAD
            ),
        )
        put(
            "peer groups",
            sa.update(tb.peer_group).values(name=tb.peer_group.c.name + " " + PAYLOAD, description=PAYLOAD),
        )
        put("milestones", sa.update(tb.milestone).values(title=PAYLOAD[:200], story=PAYLOAD))
        put(
            "assessment comments",
            sa.update(tb.assessment_score)
            .where(tb.assessment_score.c.comment.is_not(None))
            .values(comment=PAYLOAD),
        )
        put("campaign titles", sa.update(tb.campaign).values(title=tb.campaign.c.title + " " + PAYLOAD[:100]))
        put(
            "free-text answers",
            sa.update(tb.answer).where(tb.answer.c.text_value.is_not(None)).values(text_value=PAYLOAD),
        )
        put("access request messages", sa.update(tb.access_request).values(message=PAYLOAD))
    # And one pending request more, from a person named by the payload, where admins see it.
    asker = make_person(engine, PAYLOAD, email="demandeur@exemple.test")
    with engine.connect() as conn:
        territories = conn.execute(sa.select(tb.territory.c.id)).scalars().all()
    for territory_id in territories:
        make_access_request(engine, asker, territory_id, PAYLOAD)
    planted["access request messages"] += len(territories)
    planted["display names"] += 1
    return planted


@pytest.fixture(scope="module")
def planted_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('shown-as-text') / 'demo.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    assert seed_demo(engine).seeded
    plant(engine)
    engine.dispose()
    return url


def _person_id(url: str, email: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.select(tb.person.c.id).where(tb.person.c.email == email)).scalar_one()
    finally:
        engine.dispose()


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


# Nodes whose every text is shown as it is (never read as Markdown).
_PLAIN_NODES = {"selectbox", "multiselect", "code", "text", "json"}
_MARKDOWN_FIELDS = ("body", "label", "help")


def _shown(at: AppTest) -> tuple[list[str], list[str]]:
    """(Markdown strings, strings shown as they are) of everything drawn, sidebar included."""
    markdown: list[str] = []
    as_is: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", "")
        if kind == "dataframe":
            frame = node.value
            as_is.extend(str(c) for c in frame.columns)
            as_is.extend(str(v) for v in frame.astype(str).to_numpy().ravel())
        elif kind == "table":  # st.table reads Markdown in its cells, index and headers
            frame = node.value
            markdown.extend(str(c) for c in frame.columns)
            markdown.extend(str(i) for i in frame.index)
            markdown.extend(str(v) for v in frame.astype(str).to_numpy().ravel())
        elif kind in ("vega_lite_chart", "arrow_vega_lite_chart"):
            as_is.extend(_strings(json.loads(proto.spec)))
        elif proto is not None and hasattr(proto, "DESCRIPTOR"):
            names = {f.name for f in proto.DESCRIPTOR.fields}
            target = as_is if kind in _PLAIN_NODES else markdown
            for field in _MARKDOWN_FIELDS:
                if field in names and isinstance(getattr(proto, field), str):
                    target.append(getattr(proto, field))
            if "options" in names:
                for option in proto.options:
                    text = option if isinstance(option, str) else getattr(option, "content", "")
                    (as_is if kind in _PLAIN_NODES else markdown).append(text)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return markdown, as_is


def _problems(at: AppTest) -> list[str]:
    markdown, as_is = _shown(at)
    found = [f"markup read: {s[:140]!r}" for s in markdown if _MARKUP.search(s)]
    found += [f"escaped twice: {s[:140]!r}" for s in markdown if _TWICE.search(s)]
    found += [f"backslash shown: {s[:140]!r}" for s in as_is if _SHOWN_BACKSLASH.search(s)]
    return found


def _walk_every_page(url: str, email: str, lang: str) -> dict[str, list[str]]:
    at = AppTest.from_file(APP_ENTRY, default_timeout=90)
    at.session_state["demo_person_id"] = _person_id(url, email)
    at.session_state["lang"] = lang
    at.run()
    pages = [info["script_path"] for info in at._registered_pages.values()]
    problems: dict[str, list[str]] = {}
    shown = 0
    for path in pages:
        at.switch_page(path)
        at.run()
        assert not at.exception, (path, at.exception)
        found = _problems(at)
        if found:
            problems[path.rsplit("/", 1)[-1]] = found
        markdown, as_is = _shown(at)
        shown += sum("blocked" in s for s in markdown + as_is)
    print(f"shown as text: {len(pages)} pages, {shown} strings holding the payload")
    assert len(pages) >= 8 and shown >= len(pages)  # the walk saw the planted text
    return problems


@pytest.mark.parametrize("email", [COORDINATOR, ADMIN])
def test_every_page_shows_planted_text_as_text(planted_url, monkeypatch, email):
    # In French only: the rule does not depend on the language, and AppTest reads some option
    # lists after the run, in French, which an English walk would trip on.
    monkeypatch.setenv("DATABASE_URL", planted_url)

    problems = _walk_every_page(planted_url, email, "fr")
    assert not problems, "\n".join(f"{page}: {found}" for page, found in problems.items())


def test_the_share_link_page_shows_a_planted_campaign_title_as_text(planted_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", planted_url)
    engine = make_engine(planted_url)
    with engine.connect() as conn:
        token = conn.execute(sa.select(tb.campaign.c.share_token).limit(1)).scalar_one()
    engine.dispose()
    at = AppTest.from_file(APP_ENTRY, default_timeout=60)
    at.query_params["campagne"] = token
    at.run()

    assert not at.exception
    assert at.get("heading") or at.header  # the campaign's title is drawn
    assert _problems(at) == []
