"""The one chart theme, and chart helpers shared by the pages (Altair)."""

from __future__ import annotations

import altair as alt

# Colour-blind-safe palette (Okabe–Ito), in a fixed order so a role or axis keeps its colour.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
FONT = "sans-serif"


def themed(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Apply Parcours's look to one chart (fonts, palette, no chart border)."""
    return chart.configure(font=FONT).configure_range(category=PALETTE).configure_view(stroke=None)
