"""The one chart theme, and chart helpers shared by the pages (Altair).

The theme lives in ``lib/render/charts.py``, with the journey's charts, so that the printed
report draws exactly what the screen shows. On screen the browser writes the axes and
tooltips: ``themed`` tells it the person's language (decimal comma, French month names), as
``lib/domain/formats`` does for the rest of the page.
"""

from __future__ import annotations

import altair as alt

from components.ui import chart_locale, t_text
from lib.render.charts import FONT, PALETTE
from lib.render.charts import themed as _printed_theme

__all__ = ["FONT", "PALETTE", "about_chart", "themed"]


def about_chart(title: str, item: str | None = None) -> str:
    """A chart's text alternative: its kind and what it shows (its section's title, and the
    axis or question when a section draws one chart each)."""
    if item is None:
        return t_text("charts.about", title=title)
    return t_text("charts.about_of", title=title, item=item)


def themed(chart: alt.TopLevelMixin, about: str) -> alt.TopLevelMixin:
    """Parcours's look, and numbers and dates written in the person's language. ``about`` says
    what the chart shows (``about_chart``): Vega writes it as the chart's accessible name,
    which was "Vega visualization" for every chart (RGAA 1.1)."""
    chart = _printed_theme(chart.properties(description=about))
    chart.config.locale = alt.Locale(**chart_locale())
    return chart
