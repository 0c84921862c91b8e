"""One rule per language for dates, times and numbers (issue 7 item 15, issue 8 item 5): Babel's
French and British English, everywhere — pages, charts, widgets, mail, the printed report."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

from streamlit.testing.v1 import AppTest

from lib.domain import formats

ROOT = Path(__file__).resolve().parents[1]


def test_dates_times_and_numbers_in_french_and_british_english():
    day = date(2026, 10, 7)
    assert [formats.day(day, lang) for lang in ("fr", "en")] == ["07/10/2026", "07/10/2026"]
    assert [formats.month(day, lang) for lang in ("fr", "en")] == ["oct. 2026", "Oct 2026"]
    # 13:05 UTC is 15:05 in Paris in October, whatever the server's own zone.
    moment = datetime(2026, 10, 7, 13, 5, tzinfo=UTC)
    assert [formats.moment(moment, lang) for lang in ("fr", "en")] == [
        "07/10/2026 15:05",
        "07/10/2026, 15:05",
    ]
    assert [formats.decimal(2.45, lang, 2) for lang in ("fr", "en")] == ["2,45", "2.45"]
    assert [formats.decimal(0.5, lang, signed=True) for lang in ("fr", "en")] == ["+0,5", "+0.5"]
    assert formats.decimal(-0.04, "fr", signed=True) == "0,0"  # a change that rounds to nothing
    assert [formats.integer(12345, lang) for lang in ("fr", "en")] == ["12\u202f345", "12,345"]
    assert [formats.percent(0.256, lang) for lang in ("fr", "en")] == ["26\u00a0%", "26%"]


def _sources() -> dict[str, str]:
    folders = ("lib", "components", "pages")
    paths = [ROOT / "app.py", *(p for f in folders for p in (ROOT / f).rglob("*.py"))]
    return {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8") for p in paths}


def test_one_home_for_the_languages_the_time_zone_and_the_formats():
    sources = _sources()
    homes = {
        "the languages": re.compile(r"^LANGUAGES = ", re.M),
        "the Paris time zone": re.compile(r'ZoneInfo\("Europe/Paris"\)'),
    }
    for what, pattern in homes.items():
        assert len([p for p, s in sources.items() if pattern.search(s)]) == 1, what
    # No hand-written date or number format outside the formats module (the demo data's
    # fixed texts and the store's SQL aside).
    hand_written = re.compile(r'strftime\("%[dmY]|\.replace\("\.", ","\)|else \w+\.isoformat\(\)')
    found = [
        p
        for p, s in sources.items()
        if hand_written.search(s) and not p.startswith(("lib/demo/", "lib/store/"))
    ]
    assert found == []


def _chart_in(lang: str) -> dict:
    def script():
        import altair as alt
        import pandas as pd
        import streamlit as st

        from components.charts import themed

        st.session_state["lang"] = st.session_state.get("wanted")
        st.altair_chart(themed(alt.Chart(pd.DataFrame({"x": [2.5]})).mark_bar().encode(x="x:Q"), "Essai"))

    at = AppTest.from_function(script)
    at.session_state["wanted"] = lang
    at.run()
    assert not at.exception, at.exception
    charts = at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")
    return json.loads(charts[0].proto.spec)


def test_charts_write_numbers_and_months_in_the_person_s_language():
    french, english = _chart_in("fr"), _chart_in("en")

    assert french["config"]["locale"]["number"]["decimal"] == ","
    assert french["config"]["locale"]["time"]["shortMonths"][9] == "oct."
    assert english["config"]["locale"]["number"]["decimal"] == "."
    assert english["config"]["locale"]["time"]["months"][0] == "January"
