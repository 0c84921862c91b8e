"""The one chart theme, and chart helpers shared by the pages (Altair).

The theme lives in ``lib/render/charts.py``, with the journey's charts, so that the printed
report draws exactly what the screen shows.
"""

from __future__ import annotations

from lib.render.charts import FONT, PALETTE, themed

__all__ = ["FONT", "PALETTE", "themed"]
