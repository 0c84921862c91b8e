"""KPI cards: a row of figures with their change, readable at a glance."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    delta: str | None = None
    help: str | None = None
    steady: bool = False  # no change: shown grey, without an arrow that would suggest progress


def kpi_cards(kpis: list[Kpi], columns: int = 4) -> None:
    """Cards whose labels wrap instead of being cut: long French labels stay readable."""
    for start in range(0, len(kpis), columns):
        for col, kpi in zip(st.columns(columns), kpis[start : start + columns], strict=False):
            with col.container(border=True, height="stretch"):
                st.markdown(f"**{kpi.label}**", help=kpi.help)
                st.metric(
                    kpi.label,
                    kpi.value,
                    delta=kpi.delta,
                    label_visibility="collapsed",
                    delta_color="off" if kpi.steady else "normal",
                    delta_arrow="off" if kpi.steady else "auto",
                )
