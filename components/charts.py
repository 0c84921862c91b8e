"""The one chart theme, and chart helpers shared by the pages (Altair).

The theme lives in ``lib/render/charts.py``, with the journey's charts, so that the printed
report draws exactly what the screen shows. On screen the browser writes the axes and
tooltips: ``themed`` tells it the person's language (decimal comma, French month names), as
``lib/domain/formats`` does for the rest of the page.
"""

from __future__ import annotations

import altair as alt

from components.ui import chart_locale
from lib.render.charts import FONT, PALETTE
from lib.render.charts import themed as _printed_theme

__all__ = ["FONT", "PALETTE", "themed"]


def themed(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Parcours's look, and numbers and dates written in the person's language."""
    chart = _printed_theme(chart)
    chart.config.locale = alt.Locale(**chart_locale())
    return chart
