"""What every page needs to be readable by everyone (RGAA 4.1 / WCAG 2.1 AA), whatever route
drew it: the document's language, and the few colours the theme cannot set.

Streamlit greys its captions by drawing the text colour 60 % transparent (#777c77 on our
paper: 4.0:1, below the 4.5:1 of WCAG 1.4.3) and writes ``<html lang="en">`` whatever the
language. Both are set here, once per run, before the page draws anything.
"""

from __future__ import annotations

import json

import streamlit as st

from components.ui import lang

# Measured on the paper (#FAF8F3) and the sidebar (#EEF2EC): 5.8:1 and 5.5:1.
CAPTION_INK = "#5C635E"

_CSS = f"""
<style>
/* Streamlit greys captions by making them 60 % transparent: solid ink instead. */
[data-testid="stCaptionContainer"], [data-testid="stImageCaption"] {{ color: {CAPTION_INK}; opacity: 1; }}
[data-testid="stCaptionContainer"] a {{ color: {CAPTION_INK}; }}
/* The chosen segment or pill: ink on the green tint (the theme's green there was 4.46:1). */
[data-testid="stButtonGroup"] button[aria-checked="true"],
[data-testid="stButtonGroup"] button[aria-checked="true"] * {{ color: #1F2A24 !important; }}
/* A disabled field's label stays readable (its faded grey was 2.3:1). */
[data-testid="stWidgetLabel"][disabled], [data-testid="stWidgetLabel"][disabled] * {{
  color: {CAPTION_INK}; opacity: 1; }}
/* The elements that only carry a script draw nothing and take no room. */
[data-testid="stElementContainer"]:has(.parcours-script) {{ display: none; }}
/* A text field with the focus shows the theme's ring, as buttons do (its 1 px border alone
   was a faint change). */
[data-testid="stTextInputRootElement"]:focus-within, [data-testid="stTextAreaRootElement"]:focus-within,
[data-testid="stNumberInputContainer"]:focus-within {{ box-shadow: 0 0 0 2px #2E6B4F; }}
/* A heading given the focus by a script shows it, as a control would. */
h1:focus-visible, h2:focus-visible, h3:focus-visible {{ outline: 2px solid #2E6B4F; outline-offset: 2px; }}
</style>
"""


def page_setup() -> None:
    st.html(_CSS)  # style only: Streamlit puts it outside the page's layout
    # The script runs again whenever the language changes (its text changes with it).
    st.html(
        f'<span class="parcours-script" hidden></span>'
        f'<script>document.documentElement.lang = "{lang()}";</script>',
        unsafe_allow_javascript=True,
    )


def focus_heading(text: str, moment: str) -> None:
    """Move the keyboard focus to the heading that reads ``text``, once per ``moment`` (a new
    step): Streamlit redraws the page in place and leaves the focus on the button clicked, or
    on the page's body, so a screen reader would not say that a new step began."""
    # JSON is valid JavaScript; "<" escaped so that no text can close the script element.
    wanted = json.dumps(text).replace("<", "\\u003c")
    st.html(
        f'<span class="parcours-script" hidden data-moment="{moment}"></span><script>'
        "setTimeout(() => {"
        f" const wanted = {wanted};"
        " const heading = [...document.querySelectorAll('h1, h2, h3')]"
        "   .find(h => h.textContent.trim() === wanted && !h.closest('[data-stale=true]'));"
        " if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus(); }"
        "}, 50);</script>",
        unsafe_allow_javascript=True,
    )
