"""The Rapport de réseau set as a PDF: engagement over the period, role coverage, stalled
territories, and the network's trajectory by axis and by peer group (``lib/render/document.py``
for the page, the cover and the compilation; the trajectory is the screen's trajectory chart)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from lib.domain.framework import Framework
from lib.i18n import translate
from lib.render import charts
from lib.render.document import Doc, compile_pdf

_TEXT_WIDTH_PX = 620


def _yes_no(doc: Doc, value: bool) -> str:
    return doc.t("report.yes" if value else "report.no")


def _engagement(doc: Doc, report) -> None:
    overview = report.overview
    doc.heading(1, doc.t("report.network.engagement"))
    doc.table(
        [
            doc.t("report.network.figure"),
            doc.t("report.network.this_period"),
            doc.t("report.network.previous_period"),
            doc.t("report.col.change"),
        ],
        (
            [
                translate(f"steering.figure.{f.code}", doc.lang),
                str(f.value),
                str(f.previous),
                doc.num(f.change, 0, signed=True),
            ]
            for f in overview.figures
        ),
    )
    doc.heading(2, doc.t("report.network.freshness"))
    doc.table(
        [doc.t("report.network.band"), doc.t("report.col.territories")],
        (
            [translate(f"steering.freshness.band.{r.band}", doc.lang), str(r.territories)]
            for r in overview.freshness.itertuples()
        ),
    )
    doc.heading(2, doc.t("report.network.territories"))
    status = overview.territories.sort_values("name", kind="stable")
    doc.table(
        [
            doc.t("report.col.territory"),
            doc.t("report.network.active"),
            doc.t("report.network.last_activity"),
            doc.t("report.network.latest_assessment"),
        ],
        (
            [r.name, _yes_no(doc, r.active), _day(doc, r.last_activity_day), _day(doc, r.latest_assessment)]
            for r in status.itertuples()
        ),
    )


def _day(doc: Doc, value) -> str:
    return doc.t("report.network.never") if value is None or pd.isna(value) else doc.day(value)


def _coverage(doc: Doc, report, fw: Framework) -> None:
    doc.heading(1, doc.t("report.network.coverage"))
    doc.para(doc.t("report.network.coverage_intro"))
    labels = {r.id: r.label(doc.lang) for r in fw.stakeholder_roles}
    answered = report.coverage[report.coverage["responses"] > 0]
    if answered.empty:
        doc.para(doc.t("report.network.coverage_none"))
    else:
        doc.table(
            [
                doc.t("report.col.territory"),
                *(labels[r] for r in report.fantastiques),
                doc.t("report.network.others"),
                doc.t("report.feedback.total"),
            ],
            (
                [
                    r["name"],
                    *(str(int(r[role])) for role in report.fantastiques),
                    str(int(r["others"])),
                    str(int(r["responses"])),
                ]
                for _, r in answered.iterrows()
            ),
            even=True,
        )
    silent = report.coverage[report.coverage["responses"] == 0]
    if not silent.empty:
        doc.para(doc.t("report.network.no_response", names=", ".join(sorted(silent["name"]))))


def _stalled(doc: Doc, report) -> None:
    doc.heading(1, translate("steering.stalled.title", doc.lang))
    stalled = report.overview.stalled
    if stalled.empty:
        doc.para(translate("steering.stalled.none", doc.lang))
        return
    doc.table(
        [
            doc.t("report.col.territory"),
            doc.t("report.network.last_activity"),
            doc.t("report.network.idle_days"),
            doc.t("report.network.latest_assessment"),
            doc.t("report.network.admins"),
        ],
        (
            [
                r.name,
                _day(doc, r.last_activity_day),
                "—" if pd.isna(r.idle_days) else str(int(r.idle_days)),
                _day(doc, r.latest_assessment),
                r.admins or "—",
            ]
            for r in stalled.itertuples()
        ),
        numeric_from=2,
    )


def _trajectory_table(doc: Doc, frame: pd.DataFrame, fw: Framework) -> None:
    medians = frame.pivot_table(index="year", columns="axis_id", values="median", aggfunc="first")
    counts = frame.groupby("year")["territories"].max()
    doc.table(
        [
            doc.t("report.network.year"),
            doc.t("report.col.territories"),
            *(a.label(doc.lang) for a in fw.axes),
        ],
        (
            [
                str(int(year)),
                str(int(counts[year])),
                *(doc.num(medians.loc[year].get(a.id), 2) for a in fw.axes),
            ]
            for year in medians.index
        ),
        numeric_from=1,
        even=True,
    )


def _trajectories(doc: Doc, report, fw: Framework) -> None:
    lang = doc.lang
    doc.heading(1, doc.t("report.network.trajectory"))
    frame = report.trajectory
    if frame.empty:
        doc.para(doc.t("report.standing.trajectories_none"))
    else:
        doc.para(doc.t("report.network.trajectory_intro"))
        # The screen's trajectory chart, one point per year (its middle) at the network's median.
        points = pd.DataFrame(
            {
                "assessed_on": [pd.Timestamp(int(y), 7, 1) for y in frame["year"]],
                "axis": [fw.axis(a).label(lang) for a in frame["axis_id"]],
                "score": frame["median"].astype(float).round(2),
            }
        )
        titles = {key: translate(f"journey.col.{key}", lang) for key in ("axis", "score", "date")}
        chart = charts.history_chart(points, [a.label(lang) for a in fw.axes], titles).properties(height=240)
        doc.figure(
            charts.to_svg(chart, lang, width=_TEXT_WIDTH_PX - 40), doc.t("report.network.trajectory_alt")
        )
        _trajectory_table(doc, frame, fw)
    doc.heading(1, doc.t("report.network.groups"))
    if not report.groups:
        doc.para(doc.t("report.network.groups_none"))
    for item in report.groups:
        doc.heading(2, item.group.name)
        if item.trajectory.empty:
            doc.para(doc.t("report.standing.trajectories_none"))
        else:
            _trajectory_table(doc, item.trajectory, fw)


def _methods(doc: Doc, report) -> None:
    doc.heading(1, doc.t("report.annex.methods"))
    days = report.overview.period.days
    for key, params in (
        ("network.method.period", {"days": days}),
        ("network.method.active", {}),
        ("network.method.coverage", {}),
        ("network.method.trajectory", {}),
    ):
        doc.add(f"- {doc.text(doc.t(f'report.{key}', **params))}")
    doc.add("")


def source(report, fw: Framework, folder: Path, progress: Callable[[float, str], None] | None = None) -> str:
    doc = Doc(report.lang, folder)
    title = doc.t("report.network.title")
    period = report.overview.period
    subject = doc.t("report.network.subject")
    doc.preamble(subject, title)
    doc.cover(
        title,
        subject,
        doc.t("report.period", start=doc.day(period.first_day), end=doc.day(period.today)),
        report.generated_on,
    )
    doc.outline()
    if progress is not None:
        progress(0.6, "report.progress.charts")
    _engagement(doc, report)
    _coverage(doc, report, fw)
    _stalled(doc, report)
    _trajectories(doc, report, fw)
    _methods(doc, report)
    return "\n".join(doc.lines)


def pdf(report, fw: Framework, progress: Callable[[float, str], None] | None = None) -> bytes:
    return compile_pdf(lambda folder: source(report, fw, folder, progress), report.generated_on, progress)
