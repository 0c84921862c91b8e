"""The Rapport de parcours set as a PDF: typst source written here, compiled by ``typst``.

Every text — a section title from the catalogue or a story someone typed — enters the source
as a typst string (``typography.shown``), so nothing anyone typed is ever read as markup.
Charts are the screen's Altair charts (``lib/render/charts.py``) as SVG files beside the
source; typst embeds them as vectors, with its own fonts, offline.

Headings are real headings (``=``): the PDF is tagged, its outline lists them and a screen
reader can jump from one to the next; every chart has an alternative text and is followed by
its figures as a table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from lib.domain import anonymity, formats, forms, sharing
from lib.domain import feedback_analytics as fa
from lib.domain import indicators as indicator_domain
from lib.domain import journey as journey_domain
from lib.domain.framework import Framework
from lib.i18n import translate
from lib.render import charts
from lib.render.document import Doc, compile_pdf
from lib.render.typography import percent

# A4 text width at the margins below, in the SVG's pixels (CSS px: 96 per inch).
_TEXT_WIDTH_PX = 620


# --- Parts of the report -------------------------------------------------------------------


def _period(doc: Doc, report) -> str:
    end = doc.day(report.end)
    if report.start is None:
        return doc.t("report.period_since_start", end=end)
    return doc.t("report.period", start=doc.day(report.start), end=end)


def _axis_labels(fw: Framework, lang: str) -> dict[str, str]:
    return {a.id: a.label(lang) for a in fw.axes}


def _standing(doc: Doc, report, fw: Framework) -> None:
    lang = doc.lang
    doc.heading(1, doc.t("report.section.standing"))
    doc.heading(2, doc.t("report.standing.latest"))
    latest, previous = report.latest, report.previous
    if latest is None:
        doc.para(doc.t("report.standing.none"))
    else:
        if previous is not None:
            doc.para(
                doc.t(
                    "report.standing.compared",
                    latest=doc.day(latest.assessed_on),
                    previous=doc.day(previous.assessed_on),
                )
            )
        else:
            doc.para(doc.t("report.standing.alone", latest=doc.day(latest.assessed_on)))
        names = [translate("journey.series.latest", lang, date=doc.day(latest.assessed_on))]
        series = [(names[0], latest.axis_scores)]
        if previous is not None:
            names.append(translate("journey.series.previous", lang, date=doc.day(previous.assessed_on)))
            series.append((names[1], previous.axis_scores))
        shape = journey_domain.radar_frame(fw, series, lang)
        rings, labels = journey_domain.radar_frame_grid(fw, lang)
        chart = charts.radar_chart(shape, rings, labels, names, _chart_titles(lang))
        doc.figure(charts.to_svg(chart, lang), doc.t("report.standing.radar_alt"), width="78%")
        header = [doc.t("report.col.axis"), doc.t("report.col.latest")]
        if previous is not None:
            header += [doc.t("report.col.previous"), doc.t("report.col.change")]
        rows = []
        for axis in fw.axes:
            now = latest.axis_scores.get(axis.id)
            row = [axis.label(lang), doc.num(now, 2)]
            if previous is not None:
                before = previous.axis_scores.get(axis.id)
                change = None if now is None or before is None else now - before
                row += [doc.num(before, 2), doc.num(change, 2, signed=True)]
            rows.append(row)
        doc.table(header, rows)

    doc.heading(2, doc.t("report.standing.trajectories"))
    if not report.history:
        doc.para(doc.t("report.standing.trajectories_none"))
    else:
        frame = journey_domain.axis_history_frame(fw, report.history, lang)
        order = [a.label(lang) for a in fw.axes]
        chart = charts.history_chart(frame, order, _chart_titles(lang)).properties(height=260)
        doc.figure(
            charts.to_svg(chart, lang, width=_TEXT_WIDTH_PX - 40), doc.t("report.standing.history_alt")
        )
        # Dates down the side, axes across: ten years of assessments stay on the page.
        by_day: dict[date, dict[str, float]] = {}
        for p in report.history:
            by_day.setdefault(p.assessed_on, {})[p.axis_id] = p.score
        doc.table(
            [doc.t("report.col.date"), *order],
            (
                [doc.day(d), *(doc.num(scores.get(a.id), 2) for a in fw.axes)]
                for d, scores in sorted(by_day.items())
            ),
            even=True,
        )

    doc.heading(2, doc.t("report.standing.movers"))
    if latest is None or previous is None:
        doc.para(doc.t("report.standing.movers_need_two"))
    elif not report.movers:
        doc.para(doc.t("report.standing.movers_none"))
    else:
        axes = _axis_labels(fw, lang)
        doc.table(
            [
                doc.t("report.col.criterion"),
                doc.t("report.col.axis"),
                doc.t("report.col.before"),
                doc.t("report.col.after"),
                doc.t("report.col.change"),
            ],
            (
                [
                    fw.criterion(m.criterion_id).label(lang),
                    axes[m.axis_id],
                    str(m.before),
                    str(m.after),
                    doc.num(m.change, 0, signed=True),
                ]
                for m in report.movers
            ),
            numeric_from=2,
        )


def _chart_titles(lang: str) -> dict[str, str]:
    keys = ("series", "axis", "score", "date", "title", "phase", "dimension")
    return {key: translate(f"journey.col.{key}", lang) for key in keys}


def _journey(doc: Doc, report, fw: Framework) -> None:
    lang = doc.lang
    doc.heading(1, doc.t("report.section.journey"))
    doc.heading(2, doc.t("report.journey.timeline"))
    if not report.milestones:
        doc.para(doc.t("report.journey.timeline_none"))
    else:
        frame = journey_domain.milestones_frame(fw, report.milestones, lang)
        phases = [p.label(lang) for p in fw.phases]
        chart = charts.timeline_chart(frame, phases, _chart_titles(lang), named=False)
        doc.figure(
            charts.to_svg(chart, lang, width=_TEXT_WIDTH_PX - 180), doc.t("report.journey.timeline_alt")
        )
        rows = []
        for p in fw.phases:
            mine = [m for m in report.milestones if m.phase == p.id]
            if mine:
                rows.append([p.label(lang), doc.day(min(m.occurred_on for m in mine)), str(len(mine))])
        doc.table(
            [doc.t("report.col.phase"), doc.t("report.col.first"), doc.t("report.col.milestones")], rows
        )

    doc.heading(2, doc.t("report.journey.stories"))
    if not report.stories:
        doc.para(doc.t("report.journey.stories_none"))
    phases = {p.id: p.label(lang) for p in fw.phases}
    dimensions = {d.id: d.label(lang) for d in fw.storytelling_dimensions}
    for m in report.stories:
        doc.heading(3, m.title, outlined=False)
        meta = " · ".join(
            [
                doc.day(m.occurred_on),
                phases.get(m.phase, m.phase),
                dimensions.get(m.storytelling_dimension or "", doc.t("report.journey.no_dimension")),
            ]
        )
        doc.note(meta)
        doc.para(m.story)


def _indicators(doc: Doc, report) -> None:
    """Each indicator's values against the path to its target, as on the Indicateurs page:
    the status, the chart, then the same figures as a table."""
    lang = doc.lang
    doc.heading(1, doc.t("report.section.indicators"))
    if not report.indicators:
        doc.para(doc.t("report.indicators.none"))
        return
    counts: dict[str, int] = {}
    for item in report.indicators:
        counts[item.reading.status.value] = counts.get(item.reading.status.value, 0) + 1
    doc.para(
        doc.t(
            "report.indicators.summary",
            year=report.end.year,
            parts=" · ".join(
                translate(
                    "indicators.count",
                    lang,
                    label=translate(f"indicators.status.{status}", lang),
                    count=count,
                )
                for status, count in counts.items()
            ),
        )
    )
    natures = {n: translate(f"indicators.nature.{n}", lang) for n in ("measured", "estimated")}
    names = {k: translate(f"indicators.series.{k}", lang) for k in ("values", "path", "targets")} | natures
    for item in report.indicators:
        d = item.definition
        unit = indicator_domain.UNITS[d.unit].label(lang)
        doc.heading(2, f"{d.name(lang)} ({unit})")
        reading = item.reading
        line = translate(f"indicators.status.{reading.status.value}", lang)
        if reading.target is not None and reading.latest is not None and reading.latest.gap is not None:
            line += " — " + doc.t(
                "report.indicators.gap",
                year=reading.latest.year,
                gap=doc.num(reading.latest.gap, 1, signed=True),
                target=formats.figure(reading.target.value, lang),
                target_year=reading.target.year,
            )
        doc.note(line)
        if not item.values and not item.targets:
            continue
        values, path, targets = indicator_domain.trajectory_frames(
            [(v.year, v.value, v.nature) for v in item.values],
            reading,
            [indicator_domain.Point(g.year, g.value) for g in item.targets],
            natures,
            lang,
        )
        titles = {
            "year": translate("indicators.col.year", lang),
            "value": f"{translate('indicators.col.value', lang)} ({unit})",
            "nature": translate("indicators.col.nature", lang),
        }
        chart = charts.trajectory_chart(values, path, targets, names, titles)
        doc.figure(
            charts.to_svg(chart, lang, width=_TEXT_WIDTH_PX - 60), doc.t("report.indicators.chart_alt")
        )
        by_year = {v.year: v for v in item.values}
        doc.table(
            [
                titles["year"],
                titles["value"],
                translate("indicators.col.path", lang),
                translate("indicators.col.gap", lang),
                translate("indicators.col.change", lang),
                titles["nature"],
            ],
            [
                [
                    str(r.year),
                    formats.figure(r.value, lang),
                    "" if r.path is None else formats.figure(r.path, lang),
                    "" if r.gap is None else doc.num(r.gap, 1, signed=True),
                    "" if r.change is None else doc.num(r.change, 1, signed=True),
                    natures[by_year[r.year].nature],
                ]
                for r in reading.rows
            ],
        )
        if item.targets:
            doc.note(
                translate(
                    "indicators.targets_line",
                    lang,
                    targets=" · ".join(
                        translate(
                            "indicators.target_item", lang, value=formats.figure(g.value, lang), year=g.year
                        )
                        for g in item.targets
                    ),
                )
            )


def _role_labels(fw: Framework, lang: str) -> dict[str, str]:
    return {r.id: r.label(lang) for r in fw.stakeholder_roles} | {
        anonymity.POOLED: translate("feedback.results.pooled", lang)
    }


def _feedback(doc: Doc, report, fw: Framework) -> None:
    lang = doc.lang
    doc.heading(1, doc.t("report.section.feedback"))
    if not report.campaigns:
        doc.para(doc.t("report.feedback.none"))
        return
    roles = _role_labels(fw, lang)
    for item in report.campaigns:
        c, res = item.campaign, item.results
        doc.heading(2, c.title)
        doc.para(
            doc.t(
                "report.feedback.campaign_meta",
                template=c.template_title(lang),
                opens=doc.day(c.opens_on),
                closes=doc.day(c.closes_on),
                responses=res.submitted,
            )
            + " "
            + doc.t("report.feedback.anonymous" if c.anonymous else "report.feedback.named")
        )
        if res.groups.pooled:
            doc.note(doc.t("report.feedback.pooled", min=anonymity.MIN_GROUP))
        if res.submitted == 0:
            doc.para(doc.t("report.feedback.no_responses"))
            continue
        doc.heading(3, doc.t("report.feedback.counts"), outlined=False)
        by_role = res.counts.groupby("role", sort=False)["responses"].sum()
        order = [r for r in roles if r in by_role.index]
        doc.table(
            [doc.t("report.col.role"), doc.t("report.col.responses")],
            [
                *([roles[r], str(int(by_role[r]))] for r in order),
                [doc.t("report.feedback.total"), str(res.submitted)],
            ],
        )
        _scales(doc, res, roles)
        _gaps(doc, res, roles)
        _texts(doc, res, roles)


def _scales(doc: Doc, res, roles: dict[str, str]) -> None:
    doc.heading(3, doc.t("report.feedback.scales"), outlined=False)
    scales = res.template.questions_of_type(forms.SCALE)
    dist = res.distribution
    if dist.empty or not scales:
        doc.para(doc.t("report.feedback.scales_none"))
        return
    for q in scales:
        mine = dist[dist["question_id"] == q.id]
        if mine.empty:
            continue
        point = _scale_point(q, doc.lang)
        values = [float(v) for v in q.scale_points]
        colours = charts.diverging(len(values))
        legend = " ".join(
            f'#box(width: 7pt, height: 7pt, fill: rgb("{c}")) {doc.text(point(int(v)))}'
            for v, c in zip(values, colours, strict=True)
        )
        # The question stays with its table and legend: never alone at the foot of a page.
        doc.add(
            f"#block(breakable: false)[*{doc.text(q.label(doc.lang))}*",
            "",
            f"#text(size: 8.5pt)[{legend}]",
            "",
        )
        rows, bars = [], []
        for role in [r for r in roles if r in set(mine["role"])]:
            of_role = mine[mine["role"] == role]
            counts = {float(v): int(n) for v, n in zip(of_role["value"], of_role["answers"], strict=True)}
            total = sum(counts.values())
            mean = sum(v * n for v, n in counts.items()) / total
            rows.append([roles[role], *(str(counts.get(v, 0)) for v in values), str(total), doc.num(mean, 2)])
            bars.append(_bar([counts.get(v, 0) / total for v in values], colours))
        doc.table(
            [doc.t("report.col.role"), *(doc.num(v, 0) for v in values), "n", doc.t("report.col.mean")],
            rows,
            bars=bars,
            bar_title=doc.t("report.col.distribution"),
        )
        doc.add("]", "")


def _bar(shares: list[float], colours: list[str]) -> str:
    """The screen's stacked bar of one role's answers (shares, low answers first), drawn by
    typst itself: one per role and scale question, far too many to draw each through a chart
    engine within the report's time (decision 0017)."""
    parts = ", ".join(
        f'box(width: {100 * share:.2f}%, height: 8pt, fill: rgb("{colour}"))'
        for share, colour in zip(shares, colours, strict=True)
        if share > 0
    )
    return f"#box(width: 100%)[#stack(dir: ltr, {parts})]"


def _scale_point(q, lang: str):
    """Each point as a number, both ends with their label, as the form and the screen show them."""

    def point(value: int) -> str:
        text = f"−{abs(value)}" if value < 0 else (f"+{value}" if q.min < 0 < value else str(value))
        if value == q.min and q.min_label is not None:
            return f"{text} · {q.min_label(lang)}"
        if value == q.max and q.max_label is not None:
            return f"{text} · {q.max_label(lang)}"
        return text

    return point


def _gaps(doc: Doc, res, roles: dict[str, str]) -> None:
    doc.heading(3, doc.t("report.feedback.gaps"), outlined=False)
    if res.gaps.empty:
        doc.para(doc.t("report.feedback.gaps_none", min=res.min_answers))
        return
    labels = {q.id: q.label(doc.lang) for q in res.template.questions}
    doc.table(
        [
            doc.t("report.col.question"),
            doc.t("report.col.highest"),
            doc.t("report.col.lowest"),
            doc.t("report.col.gap"),
            doc.t("report.col.gap_share"),
        ],
        (
            [
                labels.get(g.question_id, g.question_id),
                f"{roles.get(g.high_role, g.high_role)} ({doc.num(g.high_mean, 2)})",
                f"{roles.get(g.low_role, g.low_role)} ({doc.num(g.low_mean, 2)})",
                doc.num(g.gap, 2),
                percent(g.gap_share, doc.lang),
            ]
            for g in res.gaps.itertuples()
        ),
        numeric_from=3,
    )


def _texts(doc: Doc, res, roles: dict[str, str]) -> None:
    doc.heading(3, doc.t("report.feedback.texts"), outlined=False)
    if not res.texts:
        doc.para(doc.t("report.feedback.texts_none"))
        return
    for q in res.template.questions_of_type(*forms.TEXT_TYPES):
        if q.id not in res.texts:
            continue
        doc.add(f"*{doc.text(q.label(doc.lang))}*", "")
        for role, texts in res.texts[q.id]:
            doc.add(f"_{doc.text(roles.get(role, role))}_ ({len(texts)})", "")
            # Compact, one item per answer: a long answer wraps and breaks across pages.
            doc.add("#[#set text(size: 9.5pt)", *(f"- {doc.text(text)}" for text in texts), "]", "")


def _peers(doc: Doc, report, fw: Framework) -> None:
    lang = doc.lang
    doc.heading(1, doc.t("report.section.peers"))
    if not report.peer_groups:
        doc.para(doc.t("report.peers.none"))
        return
    for item in report.peer_groups:
        data = item.comparison
        doc.heading(2, item.group.name)
        mine = data.mine
        if data.spread is None:
            doc.para(doc.t("report.peers.too_few", min=sharing.MIN_TERRITORIES))
        else:
            doc.para(
                doc.t(
                    "report.peers.group_size",
                    size=data.scope_size,
                    counted=data.counted,
                    unnamed=data.unnamed,
                )
            )
            doc.heading(3, doc.t("report.peers.spread"), outlined=False)
            spread = data.spread.set_index("axis_id")
            doc.table(
                [
                    doc.t("report.col.axis"),
                    doc.t("report.col.this_territory"),
                    doc.t("report.col.minimum"),
                    doc.t("report.col.q1"),
                    doc.t("report.col.median"),
                    doc.t("report.col.q3"),
                    doc.t("report.col.maximum"),
                ],
                (
                    [
                        a.label(lang),
                        doc.num(mine.get(a.id), 2),
                        *(
                            doc.num(spread.loc[a.id, col], 2) if a.id in spread.index else "—"
                            for col in ("minimum", "q1", "median", "q3", "maximum")
                        ),
                    ]
                    for a in fw.axes
                ),
            )
        doc.heading(3, doc.t("report.peers.named"), outlined=False)
        others = data.latest[~data.latest["is_mine"]]
        if others.empty:
            doc.para(doc.t("report.peers.named_none"))
            continue
        rows = []
        for (_, name), scores in others.groupby(["territory_id", "name"], sort=False):
            by_axis = dict(zip(scores["axis_id"], scores["score"], strict=True))
            rows.append(
                [
                    name,
                    doc.day(scores["assessed_on"].iloc[0]),
                    *(doc.num(by_axis.get(a.id), 2) for a in fw.axes),
                ]
            )
        rows.sort(key=lambda r: r[0])
        doc.table(
            [doc.t("report.col.territory"), doc.t("report.col.date"), *(a.label(lang) for a in fw.axes)],
            rows,
            numeric_from=2,
            even=True,
        )


def _annex(doc: Doc, fw: Framework) -> None:
    lang = doc.lang
    doc.heading(1, doc.t("report.section.annex"))
    doc.heading(2, doc.t("report.annex.framework"))
    doc.para(doc.t("report.annex.framework_version", version=fw.version))
    for axis in fw.axes:
        doc.heading(3, axis.label(lang), outlined=False)
        doc.para(axis.description(lang))
        doc.table(
            [doc.t("report.col.criterion"), doc.t("report.col.description")],
            ([c.label(lang), c.description(lang)] for c in axis.criteria),
            numeric_from=2,
        )
    doc.heading(2, doc.t("report.annex.levels"))
    doc.table(
        [doc.t("report.col.level"), doc.t("report.col.description")],
        ([f"{lv.level} · {lv.label(lang)}", lv.description(lang)] for lv in fw.scale),
        numeric_from=2,
    )
    doc.heading(2, doc.t("report.annex.methods"))
    for key, params in (
        ("axis_score", {}),
        ("radar", {}),
        ("movers", {}),
        ("feedback", {"min": fa.MIN_ANSWERS_PER_ROLE}),
        ("anonymity", {"min": anonymity.MIN_GROUP}),
        ("peers", {"min": sharing.MIN_TERRITORIES}),
    ):
        doc.add(f"- {doc.text(doc.t(f'report.annex.method.{key}', **params))}")
    doc.add("")


# --- The whole -----------------------------------------------------------------------------


def source(report, fw: Framework, folder: Path, progress: Callable[[float, str], None] | None = None) -> str:
    """The typst source of the report; chart images are written into ``folder``."""
    from lib.services.reports import Section

    step = progress or (lambda share, key: None)
    doc = Doc(report.lang, folder)
    title = doc.t("report.title")
    doc.preamble(report.territory.name, title)
    doc.cover(title, report.territory.name, _period(doc, report), report.generated_on)
    if report.is_empty:
        doc.heading(1, doc.t("report.section.empty"))
        doc.para(doc.t("report.empty", name=report.territory.name, end=doc.day(report.end)))
        return "\n".join(doc.lines)
    doc.outline()
    step(0.6, "report.progress.charts")
    parts = {
        Section.STANDING: lambda: _standing(doc, report, fw),
        Section.JOURNEY: lambda: _journey(doc, report, fw),
        Section.INDICATORS: lambda: _indicators(doc, report),
        Section.FEEDBACK: lambda: _feedback(doc, report, fw),
        Section.PEERS: lambda: _peers(doc, report, fw),
        Section.ANNEX: lambda: _annex(doc, fw),
    }
    for section in report.sections:
        parts[section]()
    return "\n".join(doc.lines)


def pdf(report, fw: Framework, progress: Callable[[float, str], None] | None = None) -> bytes:
    """The report as PDF bytes."""
    return compile_pdf(lambda folder: source(report, fw, folder, progress), report.generated_on, progress)
