"""One home for the languages and for how dates, times and numbers are written in each.

French first, British English second. The locale work is Babel's (CLDR data), not hand-written
rules: a date is ``07/10/2026`` in both languages, a month ``oct. 2026`` / ``Oct 2026``, a
decimal ``2,5`` / ``2.5``, a thousand ``12 345`` / ``12,345``, a share ``26 %`` / ``26%``. Times
are shown in Paris time (``lib.domain.clock.LOCAL_TIMEZONE``), whatever the server's zone.
Charts draw their axes in the browser (d3): ``vega_locale`` gives them the same rule. Widgets
get theirs from ``date_input_format``.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton
from babel.numbers import format_decimal, format_percent

from lib.domain.clock import LOCAL_TIMEZONE

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def _locale(lang: str) -> str:
    return LOCALES.get(lang, LOCALES[DEFAULT_LANGUAGE])


def day(value: date | None, lang: str) -> str:
    """``07/10/2026`` (an empty text for no date)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TIMEZONE).date()
    return format_date(value, "short", locale=_locale(lang))


def month(value: date, lang: str) -> str:
    """``oct. 2026`` / ``Oct 2026``."""
    return format_skeleton("yMMM", value, locale=_locale(lang))


def moment(value: datetime, lang: str) -> str:
    """A time of day in Paris: ``07/10/2026 15:05`` / ``07/10/2026, 15:05``."""
    return format_datetime(value, "short", tzinfo=LOCAL_TIMEZONE, locale=_locale(lang))


def decimal(value: float, lang: str, digits: int = 1, *, signed: bool = False) -> str:
    """``2,5`` / ``2.5`` with ``digits`` decimals; ``signed``: ``+0,5`` for a change (a change
    that rounds to zero reads ``0,0``, never ``+0,0`` or ``-0,0``)."""
    rounded = round(float(value), digits) + 0.0  # + 0.0: no negative zero
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    if signed and rounded != 0:
        pattern = f"+{pattern};-{pattern}"
    return format_decimal(rounded, pattern, locale=_locale(lang))


def figure(value: float, lang: str) -> str:
    """A measured figure as typed back: whole when it is (``12 345``), else with one or two
    decimals, no trailing zero (``12,5``, ``0,25``)."""
    digits = 0 if round(value) == round(value, 6) else (1 if round(value, 1) == round(value, 6) else 2)
    return decimal(value, lang, digits)


def integer(value: int, lang: str) -> str:
    """``12 345`` / ``12,345``."""
    return format_decimal(value, locale=_locale(lang))


def percent(value: float, lang: str) -> str:
    """A share as a whole percentage: ``26 %`` / ``26%``."""
    return format_percent(value, locale=_locale(lang))


# Widgets (moment.js tokens) and charts (d3) format in the browser: the same rule, told to them.
def date_input_format(lang: str) -> str:
    return "DD/MM/YYYY"


@cache
def vega_locale(lang: str) -> dict:
    """Vega's ``config.locale`` for ``lang``: decimal mark, grouping, month and day names."""
    loc = Locale.parse(_locale(lang))
    symbols = loc.number_symbols.get("latn", loc.number_symbols)
    months = [loc.months["format"]["wide"][i] for i in range(1, 13)]
    short_months = [loc.months["format"]["abbreviated"][i] for i in range(1, 13)]
    # CLDR counts days from Monday, d3 from Sunday.
    days = [loc.days["format"]["wide"][(i + 6) % 7] for i in range(7)]
    short_days = [loc.days["format"]["abbreviated"][(i + 6) % 7] for i in range(7)]
    return {
        "number": {
            "decimal": symbols["decimal"],
            "thousands": symbols["group"],
            "grouping": [3],
            "currency": ["", "\u00a0€"] if lang == "fr" else ["£", ""],
            "percent": "\u202f%" if lang == "fr" else "%",
        },
        "time": {
            "dateTime": "%A %e %B %Y à %X" if lang == "fr" else "%a %e %b %X %Y",
            "date": "%d/%m/%Y",
            "time": "%H:%M:%S",
            "periods": ["AM", "PM"],
            "days": days,
            "shortDays": short_days,
            "months": months,
            "shortMonths": short_months,
        },
    }
