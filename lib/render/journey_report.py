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

import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path

from lib.domain import anonymity, forms, sharing
from lib.domain import feedback_analytics as fa
from lib.domain import journey as journey_domain
from lib.domain.framework import Framework
from lib.i18n import translate
from lib.render import charts
from lib.render.typography import day_in_words, literal, number, percent, shown, typeset

# A4 text width at the margins below, in the SVG's pixels (CSS px: 96 per inch).
_TEXT_WIDTH_PX = 620


class _Doc:
    """The typst source being written, in the report's language."""

    def __init__(self, lang: str, folder: Path):
        self.lang = lang
        self.folder = folder
        self.lines: list[str] = []
        self.images = 0

    def t(self, key: str, **params) -> str:
        return translate(key, self.lang, **params)

    def text(self, value: str) -> str:
        return shown(value, self.lang)

    def day(self, value: date) -> str:
        return day_in_words(value, self.lang)

    def num(self, value: float | None, digits: int = 1, *, signed: bool = False) -> str:
        return number(value, self.lang, digits, signed=signed)

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def heading(self, level: int, value: str, *, outlined: bool = True) -> None:
        if outlined:
            self.add("", "=" * level + " " + self.text(value), "")
        else:
            self.add(
                "", f"#heading(level: {level}, outlined: false, {literal(typeset(value, self.lang))})", ""
            )

    def para(self, value: str) -> None:
        """A paragraph; blank lines in ``value`` (a typed story) start new ones."""
        for chunk in (c.strip() for c in value.replace("\r\n", "\n").split("\n\n")):
            if chunk:
                self.add(self.text(chunk), "")

    def note(self, value: str) -> None:
        self.add(f"#text(fill: luma(90), size: 9pt)[{self.text(value)}]", "")

    def table(
        self,
        header: Sequence[str],
        rows: Iterable[Sequence[str]],
        *,
        numeric_from: int = 1,
        even: bool = False,
        bars: list[str] | None = None,
        bar_title: str = "",
    ) -> None:
        """A table whose first row is a real header; columns from ``numeric_from`` align right.
        Text columns share the width, figures take what they need — or, ``even``, share it too
        (figures under long headers, such as the axes' names)."""
        n = len(header)
        align = ", ".join(["left"] * numeric_from + ["right"] * (n - numeric_from))
        texts, figures = ("2fr", "1fr") if even else ("1fr", "auto")
        widths = ", ".join([texts] * numeric_from + [figures] * (n - numeric_from))
        rows = [list(row) for row in rows]
        cells = [f"[{self.text(v)}]" for row in rows for v in row]
        heads = ", ".join(f"[#text(size: 8.5pt)[*{self.text(h)}*]]" for h in header)
        if bars is not None:  # a last column of drawings, one per row
            n += 1
            align += ", horizon"
            widths += ", 1.4fr"
            heads += f", [#text(size: 8.5pt)[*{self.text(bar_title)}*]]"
            per_row = len(header)
            cells = [
                cell
                for i in range(len(rows))
                for cell in (*cells[i * per_row : (i + 1) * per_row], f"[{bars[i]}]")
            ]
        self.add(
            "#table(",
            f"  columns: ({widths},), align: ({align},), stroke: 0.4pt + luma(180), inset: 4pt,",
            f"  table.header({heads}),",
            *(f"  {c}," for c in cells),
            ")",
            "",
        )

    def figure(self, svg: str, alt: str, *, width: str = "100%") -> None:
        self.images += 1
        name = f"chart-{self.images}.svg"
        (self.folder / name).write_text(svg, encoding="utf-8")
        self.add(f"#figure(image({literal(name)}, width: {width}, alt: {literal(alt)}))", "")


# --- Parts of the report -------------------------------------------------------------------


def _preamble(doc: _Doc, report, title: str) -> None:
    name = report.territory.name
    doc.add(
        f"#set document(title: {literal(title + ' · ' + name)}, author: {literal(doc.t('report.network'))})",
        f'#set text(lang: "{doc.lang}", font: "Libertinus Serif", size: 10.5pt)',
        "#set par(justify: true, leading: 0.62em)",
        "#set table(fill: (_, y) => if y == 0 { luma(235) })",
        "#show table: set par(justify: false)",
        '#set heading(numbering: "1.1")',
        '#show heading: set text(fill: rgb("#1F4E3D"))',
        "#show heading.where(level: 1): it => { pagebreak(weak: true); v(0.4em); it; v(0.3em) }",
        '#set page(paper: "a4", margin: (x: 2.2cm, top: 2.2cm, bottom: 2.4cm), numbering: "1 / 1",',
        f"  header: context {{ if counter(page).get().first() > 1 [#set text(size: 8.5pt, fill: luma(110)); "
        f"{shown(name, doc.lang)} #h(1fr) {shown(title, doc.lang)}] }})",
        "",
    )


def _period(doc: _Doc, report) -> str:
    end = doc.day(report.end)
    if report.start is None:
        return doc.t("report.period_since_start", end=end)
    return doc.t("report.period", start=doc.day(report.start), end=end)


def _cover(doc: _Doc, report, title: str) -> None:
    doc.add(
        "#page(numbering: none, header: none)[",
        "#v(3cm)",
        f"#text(size: 11pt, fill: luma(90))[{doc.text(doc.t('report.network'))}]",
        "#v(1.2cm)",
        f'#text(size: 26pt, weight: "bold", fill: rgb("#1F4E3D"))[{doc.text(title)}]',
        "#v(0.4cm)",
        f"#text(size: 20pt)[{doc.text(report.territory.name)}]",
        "#v(1cm)",
        f"#text(size: 12pt)[{doc.text(_period(doc, report))}]",
        "",
        f"#text(size: 12pt)[{doc.text(doc.t('report.generated_on', date=doc.day(report.generated_on)))}]",
        "#v(1fr)",
        f"#text(size: 9pt, fill: luma(90))[{doc.text(doc.t('report.cover_note'))}]",
        "]",
        "",
    )


def _outline(doc: _Doc) -> None:
    doc.add(f"#outline(title: {literal(doc.t('report.contents'))}, depth: 2)", "")


def _axis_labels(fw: Framework, lang: str) -> dict[str, str]:
    return {a.id: a.label(lang) for a in fw.axes}


def _standing(doc: _Doc, report, fw: Framework) -> None:
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


def _journey(doc: _Doc, report, fw: Framework) -> None:
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


def _role_labels(fw: Framework, lang: str) -> dict[str, str]:
    return {r.id: r.label(lang) for r in fw.stakeholder_roles} | {
        anonymity.POOLED: translate("feedback.results.pooled", lang)
    }


def _feedback(doc: _Doc, report, fw: Framework) -> None:
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


def _scales(doc: _Doc, res, roles: dict[str, str]) -> None:
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
    engine within the report's time (decision 0014)."""
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


def _gaps(doc: _Doc, res, roles: dict[str, str]) -> None:
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


def _texts(doc: _Doc, res, roles: dict[str, str]) -> None:
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


def _peers(doc: _Doc, report, fw: Framework) -> None:
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


def _annex(doc: _Doc, fw: Framework) -> None:
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
    doc = _Doc(report.lang, folder)
    title = doc.t("report.title")
    _preamble(doc, report, title)
    _cover(doc, report, title)
    if report.is_empty:
        doc.heading(1, doc.t("report.section.empty"))
        doc.para(doc.t("report.empty", name=report.territory.name, end=doc.day(report.end)))
        return "\n".join(doc.lines)
    _outline(doc)
    step(0.6, "report.progress.charts")
    parts = {
        Section.STANDING: lambda: _standing(doc, report, fw),
        Section.JOURNEY: lambda: _journey(doc, report, fw),
        Section.FEEDBACK: lambda: _feedback(doc, report, fw),
        Section.PEERS: lambda: _peers(doc, report, fw),
        Section.ANNEX: lambda: _annex(doc, fw),
    }
    for section in report.sections:
        parts[section]()
    return "\n".join(doc.lines)


def pdf(report, fw: Framework, progress: Callable[[float, str], None] | None = None) -> bytes:
    """The report as PDF bytes. Only typst's own fonts are used, so the document looks the same
    on every machine (and the sample under ``docs/`` does not change with the fonts installed)."""
    import typst

    with tempfile.TemporaryDirectory(prefix="parcours-report-") as tmp:
        folder = Path(tmp)
        main = folder / "report.typ"
        main.write_text(source(report, fw, folder, progress), encoding="utf-8")
        if progress is not None:
            progress(0.9, "report.progress.typeset")
        return typst.compile(str(main), root=str(folder), ignore_system_fonts=True)
