"""La vitrine as one self-contained HTML page (issue 19): for a site that cannot embed the app.

It draws only what ``lib.services.showcase`` returned — the same public data as the live
showcase — and opens without the server: styles inline, the radar as inline SVG, no script,
no image, font or stylesheet fetched from anywhere. Everything typed by someone is escaped.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Mapping
from datetime import date
from html import escape

from lib.domain import formats
from lib.domain.framework import Framework
from lib.domain.sharing import Kind

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2a2e}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{color:#1d5f3f}h2{border-top:2px solid #d5e3d8;padding-top:1rem;margin-top:2rem}
.card{background:#fff;border:1px solid #d8ddd9;border-radius:.5rem;padding:.6rem .9rem;margin:.5rem 0}
.muted{color:#55605c;font-size:.9rem}
.phases{display:flex;flex-wrap:wrap;gap:.4rem}
.phase{flex:1 1 9rem;border:1px solid #d8ddd9;border-radius:.5rem;padding:.4rem;background:#fff}
.phase.off{border-style:dashed;background:#f4f5f3}
table{border-collapse:collapse}td,th{border:1px solid #d8ddd9;padding:.25rem .5rem;text-align:left}
svg text{font-size:10px;fill:#1f2a2e}
"""

Translate = Callable[..., str]


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _radar_svg(framework: Framework, scores: Mapping[str, float | None], lang: str, title: str) -> str:
    """The latest assessment's shape over the four levels' rings, 0 to 4; the axes' names
    wrapped beside their spoke, whole (the table under it says the same in words)."""
    axes = framework.axes
    width, height, scale = 560, 380, 32.0  # 4 levels × 32 px, room for the names on each side
    cx, cy = width / 2, height / 2

    def point(i: int, radius: float) -> tuple[float, float]:
        angle = 2 * math.pi * i / len(axes)
        return cx + radius * scale * math.sin(angle), cy - radius * scale * math.cos(angle)

    parts = [
        f'<svg role="img" aria-label="{_e(title)}" viewBox="0 0 {width} {height}" '
        f'style="max-width:100%;height:auto" width="{width}" height="{height}">'
    ]
    for level in range(1, 5):
        ring = " ".join("{:.1f},{:.1f}".format(*point(i, level)) for i in range(len(axes)))
        parts.append(f'<polygon points="{ring}" fill="none" stroke="#d8ddd9"/>')
    shape = " ".join("{:.1f},{:.1f}".format(*point(i, scores.get(a.id) or 0.0)) for i, a in enumerate(axes))
    parts.append(f'<polygon points="{shape}" fill="#1d5f3f55" stroke="#1d5f3f" stroke-width="2"/>')
    for i, axis in enumerate(axes):
        x, y = point(i, 4.3)
        side = math.sin(2 * math.pi * i / len(axes))
        anchor = "middle" if abs(side) < 0.1 else ("start" if side > 0 else "end")
        lines = textwrap.wrap(axis.label(lang), 24)
        top = (
            y - (len(lines) - 1) * 6
            if anchor != "middle"
            else (y - (len(lines) - 1) * 12 if y < cy else y + 8)
        )
        spans = "".join(
            f'<tspan x="{x:.1f}" y="{top + n * 12:.1f}">{_e(line)}</tspan>' for n, line in enumerate(lines)
        )
        parts.append(f'<text text-anchor="{anchor}">{spans}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _territory(framework: Framework, page, lang: str, t: Translate, anchor: str) -> list[str]:
    territory = page.territory
    phases = {p.id: p.label(lang) for p in framework.phases}
    dimensions = {d.id: d.label(lang) for d in framework.storytelling_dimensions}
    facts = [t(f"peers.territory_kind.{territory.kind}")]
    if territory.region:
        facts.append(territory.region)
    out = [
        f'<section id="{_e(anchor)}"><h2>{_e(territory.name)}</h2>',
        f'<p class="muted">{_e(" · ".join(facts))}</p>',
    ]
    if territory.groups:
        groups = t("showcase.groups", names=", ".join(g.name for g in territory.groups))
        out.append(f'<p class="muted">{_e(groups)}</p>')
    if page.phases is not None:
        out.append(f"<h3>{_e(t('showcase.trajectory'))}</h3><div class='phases'>")
        for step in page.phases:
            when = (
                t("showcase.phase_not_reached")
                if step.first is None
                else t("showcase.phase_since", date=formats.day(step.first, lang), n=step.milestones)
            )
            off = " off" if step.first is None else ""
            out.append(
                f"<div class='phase{off}'><strong>{_e(phases.get(step.phase, step.phase))}</strong><br>"
            )
            out.append(f"<span class='muted'>{_e(when)}</span></div>")
        out.append("</div>")
    if page.latest is not None:
        title = t("showcase.snapshot.assessed", date=formats.day(page.latest.assessed_on, lang))
        out.append(f"<h3>{_e(title)}</h3>")
        out.append(_radar_svg(framework, page.latest.axis_scores, lang, title))
        out.append(
            f"<table><tr><th>{_e(t('showcase.snapshot.axis'))}</th><th>{_e(t('showcase.snapshot.score'))}</th></tr>"
        )
        for axis in framework.axes:
            score = page.latest.axis_scores.get(axis.id)
            shown = "" if score is None else formats.decimal(score, lang, 1)
            out.append(f"<tr><td>{_e(axis.label(lang))}</td><td>{_e(shown)}</td></tr>")
        out.append("</table>")
    if page.milestones is not None:
        out.append(f"<h3>{_e(t('peers.kind.journey'))}</h3>")
        if not page.milestones:
            out.append(f"<p class='muted'>{_e(t('showcase.no_milestone'))}</p>")
        for story in page.milestones:
            facts = [formats.day(story.occurred_on, lang), phases.get(story.phase, story.phase)]
            if story.storytelling_dimension:
                facts.append(dimensions.get(story.storytelling_dimension, story.storytelling_dimension))
            out.append(f"<div class='card'><strong>{_e(story.title)}</strong>")
            out.append(f"<div class='muted'>{_e(' · '.join(facts))}</div>")
            if story.story:
                out.append(f"<p>{_e(story.story)}</p>")
            out.append("</div>")
    if page.feedback is not None:
        out.append(f"<h3>{_e(t('showcase.feedback_title'))}</h3>")
        for h in page.feedback:
            out.append(f"<div class='card'><strong>{_e(h.title_en if lang == 'en' else h.title_fr)}</strong>")
            out.append(f"<div class='muted'>{_e(t('showcase.feedback_responses', n=h.responses))}</div><ul>")
            for q in h.questions:
                line = t(
                    "showcase.feedback_mean",
                    question=q.label_en if lang == "en" else q.label_fr,
                    mean=formats.decimal(q.mean, lang, 1),
                    low=formats.decimal(q.minimum, lang, 0),
                    high=formats.decimal(q.maximum, lang, 0),
                    n=q.answers,
                ).lstrip("- ")
                out.append(f"<li>{_e(line.replace('**', ''))}</li>")
            out.append("</ul></div>")
    out.append(f"<h3>{_e(t('showcase.contact_title'))}</h3>")
    if not page.contacts:
        out.append(f"<p class='muted'>{_e(t('showcase.no_contact'))}</p>")
    for c in page.contacts:
        who = f"{c.name}, {t(f'role.{c.role}')}"
        out.append(f"<p>{_e(who)} — <a href='mailto:{_e(c.email)}'>{_e(c.email)}</a></p>")
    out.append("</section>")
    return out


def render(framework: Framework, pages: list, lang: str, t: Translate, taken_on: date) -> str:
    """The whole snapshot: the list of publishing territories, then each one's public page."""
    title = t("showcase.title")
    out = [
        "<!doctype html>",
        f'<html lang="{_e(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body><main>",
        f"<h1>{_e(title)}</h1>",
        f"<p>{_e(t('showcase.intro'))}</p>",
        f"<p class='muted'>{_e(t('showcase.snapshot.taken', date=formats.day(taken_on, lang)))}</p>",
        "<ul>",
    ]
    for i, page in enumerate(pages):
        kinds = ", ".join(t(f"peers.kind.{k.value}") for k in Kind if k in page.territory.kinds)
        out.append(
            f"<li><a href='#t{i}'>{_e(page.territory.name)}</a> "
            f"<span class='muted'>{_e(t('showcase.publishes', kinds=kinds))}</span></li>"
        )
    out.append("</ul>")
    for i, page in enumerate(pages):
        out.extend(_territory(framework, page, lang, t, f"t{i}"))
    out.append("</main></body></html>")
    return "\n".join(out)
