"""QR codes for share links, to project in a meeting (segno: pure Python, no image library)."""

from __future__ import annotations

import io
from urllib.parse import urlencode, urlsplit, urlunsplit

import segno
import streamlit as st

from components.ui import t, t_text


# The image of a link is the same for everyone, and only whoever has the link can ask for it:
# safe to share across sessions, and it spares three QR encodings per campaign on every rerun.
@st.cache_data(max_entries=256, show_spinner=False)
def qr_png(data: str, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    # Medium error correction survives a slightly blurry projector photo.
    segno.make(data, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


@st.cache_data(max_entries=256, show_spinner=False)
def qr_svg(data: str, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="svg", scale=scale, border=2, xmldecl=False)
    return buffer.getvalue()


def show_qr(data: str, file_stem: str, key: str) -> None:
    """The code on screen, with PNG and SVG downloads for slides and posters.

    A download changes nothing on the page (``on_click="ignore"``: no rerun). It used to rerun
    the page, and when anything above had appeared or gone meanwhile, the open share panel
    showed another campaign's link and code (issue 7).
    """
    # The image's text alternative says what it is and where it leads (RGAA 1.1).
    st.image(
        qr_png(data), width=240, caption=t("feedback.qr.caption"), alt=t_text("feedback.qr.alt", link=data)
    )
    left, right = st.columns(2)
    left.download_button(
        t("feedback.qr.download_png"),
        qr_png(data, scale=20),
        f"{file_stem}.png",
        "image/png",
        key=f"{key}.png",
        on_click="ignore",
    )
    right.download_button(
        t("feedback.qr.download_svg"),
        qr_svg(data),
        f"{file_stem}.svg",
        "image/svg+xml",
        key=f"{key}.svg",
        on_click="ignore",
    )


def share_link(
    token: str, resume_code: str | None = None, territory: str | None = None, *, param: str = "campagne"
) -> str:
    """The address a respondent opens: the app's root with ``?campagne=TOKEN`` (and, for a
    network-wide campaign, ``&territoire=SLUG``: the territory its answers count for).
    ``param="atelier"``: a live workshop's join link, which opens the participant's phone page."""
    parts = urlsplit(st.context.url or "http://localhost:8501/")
    base_path = str(st.get_option("server.baseUrlPath") or "").strip("/")
    root = urlunsplit((parts.scheme, parts.netloc, f"/{base_path}/" if base_path else "/", "", ""))
    query = {param: token} | ({"territoire": territory} if territory else {})
    query |= {"reprise": resume_code} if resume_code else {}
    return f"{root}?{urlencode(query)}"


def show_resume_link(token: str, code: str, shown_code: str) -> None:
    """Where a respondent finds their way back to a draft: the code, and a link to copy."""
    st.divider()
    st.caption(t("feedback.answer.resume_code", code=shown_code))
    st.code(share_link(token, code), language=None, wrap_lines=True)
