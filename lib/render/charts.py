"""The journey's Altair charts, built once for the screen and the printed report.

``components/journey_charts.py`` draws these on the page; ``lib/render/journey_report.py``
turns the very same charts into vector images (SVG) through ``vl-convert``, without a browser
or network access. Texts come in already translated: nothing here knows the language.

The radar is drawn as lines in polar coordinates computed by ``lib.domain.journey``
(Vega-Lite has no radial line mark): rings for levels 1–4, one spoke per axis, then one
closed line per assessment.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

# Colour-blind-safe palette (Okabe–Ito), in a fixed order so a role or axis keeps its colour.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
FONT = "sans-serif"

_UNIT = 52  # pixels per level on the radar, the same both ways so rings stay regular
_X_SPAN, _Y_SPAN = 7.5, 5.6


# Text on charts in the page's ink: Vega's default greys (#888 for labels) are 3.3:1 on the
# paper, below the 4.5:1 of WCAG 1.4.3; this one is 7:1.
LABEL_INK = "#4F5752"
TITLE_INK = "#1F2A24"


def themed(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Apply Parcours's look to one chart (fonts, palette, readable text, no chart border)."""
    return (
        chart.configure(font=FONT)
        .configure_range(category=PALETTE)
        .configure_view(stroke=None)
        .configure_axis(labelColor=LABEL_INK, titleColor=TITLE_INK)
        .configure_legend(labelColor=LABEL_INK, titleColor=TITLE_INK)
        .configure_title(color=TITLE_INK)
    )


def radar_chart(
    shape: pd.DataFrame, rings: pd.DataFrame, labels: pd.DataFrame, names: list[str], titles: dict[str, str]
) -> alt.LayerChart:
    """The radar: ``shape``, ``rings`` and ``labels`` from ``lib.domain.journey``; ``names`` the
    series in order (latest first); ``titles`` the tooltip titles (series, axis, score)."""
    x_scale = alt.Scale(domain=[-_X_SPAN, _X_SPAN], nice=False, zero=False)
    y_scale = alt.Scale(domain=[-_Y_SPAN, _Y_SPAN], nice=False, zero=False)
    x = alt.X("x:Q", scale=x_scale, axis=None)
    y = alt.Y("y:Q", scale=y_scale, axis=None)
    grey = "#B8C2BC"
    web = (
        alt.Chart(rings).mark_line(color=grey, strokeWidth=1).encode(x, y, detail="level:N", order="order:Q")
    )
    spokes = (
        alt.Chart(labels)
        .mark_rule(color=grey)
        .encode(
            x=alt.X("x0:Q", scale=x_scale, axis=None),
            y=alt.Y("y0:Q", scale=y_scale, axis=None),
            x2="x1",
            y2="y1",
        )
    )
    ticks = pd.DataFrame({"x": [0.12] * 4, "y": [1.0, 2.0, 3.0, 4.0], "label": ["1", "2", "3", "4"]})
    tick_text = alt.Chart(ticks).mark_text(align="left", baseline="bottom", color=LABEL_INK, fontSize=10)
    layers = [web, spokes, tick_text.encode(x, y, text="label:N")]
    placement = {
        "top": {"align": "center", "baseline": "bottom", "dy": -4},
        "bottom": {"align": "center", "baseline": "top", "dy": 4},
        "right": {"align": "left", "baseline": "middle", "dx": 6},
        "left": {"align": "right", "baseline": "middle", "dx": -6},
    }
    for anchor, props in placement.items():
        layers.append(
            alt.Chart(labels[labels.anchor == anchor])
            .mark_text(lineBreak="\n", fontSize=12, fontWeight="bold", color="#1F2A24", **props)
            .encode(x, y, text="axis:N")
        )
    # One legend shared by every layer (a legend switched off in one layer hides it in all):
    # a short line sample per series, solid for the latest, dashed for the previous.
    legend = alt.Legend(
        title=None,
        orient="bottom",
        labelFontSize=13,
        labelLimit=400,
        symbolType="stroke",
        symbolStrokeWidth=3,
    )
    colour = alt.Color("series:N", scale=alt.Scale(domain=names, range=PALETTE[: len(names)]), legend=legend)
    dash = alt.StrokeDash(
        "series:N", scale=alt.Scale(domain=names, range=[[1, 0], [6, 4]][: len(names)]), legend=legend
    )
    tooltip = [
        alt.Tooltip("series:N", title=titles["series"]),
        alt.Tooltip("axis:N", title=titles["axis"]),
        alt.Tooltip("score:Q", title=titles["score"], format=".2f"),
    ]
    layers.append(alt.Chart(shape).mark_line(strokeWidth=2.5).encode(x, y, colour, dash, order="order:Q"))
    layers.append(alt.Chart(shape).mark_circle(size=80, opacity=1).encode(x, y, colour, tooltip=tooltip))
    return alt.layer(*layers).properties(width=int(2 * _X_SPAN * _UNIT), height=int(2 * _Y_SPAN * _UNIT))


def history_chart(frame: pd.DataFrame, order: list[str], titles: dict[str, str]) -> alt.Chart:
    """Each axis's score over time: ``frame`` from ``lib.domain.journey.axis_history_frame``."""
    return (
        alt.Chart(frame)
        .mark_line(point=alt.OverlayMarkDef(size=60, filled=True), strokeWidth=2.5)
        .encode(
            x=alt.X("assessed_on:T", title=titles["date"], axis=alt.Axis(format="%m/%Y", tickCount=8)),
            y=alt.Y("score:Q", title=titles["score"], scale=alt.Scale(domain=[0, 4])),
            color=alt.Color(
                "axis:N",
                sort=order,
                title=None,
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=420),
            ),
            tooltip=[
                alt.Tooltip("assessed_on:T", title=titles["date"], format="%d/%m/%Y"),
                alt.Tooltip("axis:N", title=titles["axis"]),
                alt.Tooltip("score:Q", title=titles["score"], format=".2f"),
            ],
        )
        .properties(height=320)
    )


def trajectory_chart(
    values: pd.DataFrame,
    path: pd.DataFrame,
    targets: pd.DataFrame,
    names: dict[str, str],
    titles: dict[str, str],
) -> alt.LayerChart:
    """An indicator's values against the path to its targets (indicators, issue 18).

    ``values``: year, value, nature (translated), shown (the value as the page writes it);
    ``path``: year, value (the path's corners: baseline then targets); ``targets``: year, value,
    shown. ``names``: the legend's names of ``values``, ``path`` and ``targets``, and of the
    ``measured`` and ``estimated`` natures (filled circle, hollow-looking triangle); ``titles``:
    ``year``, ``value`` (with its unit) and ``nature``. Figures in tooltips come already written
    in the person's language.
    """
    order = [names["values"], names["path"], names["targets"]]
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=order, range=[PALETTE[0], "#6B7A71", PALETTE[5]]),
        legend=alt.Legend(title=None, orient="bottom", columns=2, labelLimit=300),
    )
    x = alt.X(
        "year:Q", title=titles["year"], axis=alt.Axis(format="d", tickMinStep=1), scale=alt.Scale(zero=False)
    )
    y = alt.Y("value:Q", title=titles["value"], scale=alt.Scale(zero=False))
    layers = []
    if not path.empty:
        layers.append(
            alt.Chart(path.assign(series=names["path"]))
            .mark_line(strokeDash=[6, 4], strokeWidth=2)
            .encode(x, y, colour)
        )
    if not values.empty:
        tooltip = [
            alt.Tooltip("year:Q", title=titles["year"], format="d"),
            alt.Tooltip("shown:N", title=titles["value"]),
            alt.Tooltip("nature:N", title=titles["nature"]),
        ]
        data = values.assign(series=names["values"])
        layers.append(alt.Chart(data).mark_line(strokeWidth=2.5).encode(x, y, colour))
        layers.append(
            alt.Chart(data)
            .mark_point(size=90, filled=True, opacity=1)
            .encode(
                x,
                y,
                colour,
                alt.Shape(
                    "nature:N",
                    title=titles["nature"],
                    scale=alt.Scale(
                        domain=[names["measured"], names["estimated"]], range=["circle", "triangle-up"]
                    ),
                    legend=None,  # said under the chart: a second legend is cut on a phone
                ),
                tooltip=tooltip,
            )
        )
    if not targets.empty:
        data = targets.assign(series=names["targets"])
        layers.append(
            alt.Chart(data)
            .mark_point(shape="diamond", size=160, filled=True, opacity=1)
            .encode(
                x,
                y,
                colour,
                tooltip=[
                    alt.Tooltip("year:Q", title=titles["year"], format="d"),
                    alt.Tooltip("shown:N", title=names["targets"]),
                ],
            )
        )
    return alt.layer(*layers).properties(height=320)


def peer_spread_chart(spread: dict | None, points: pd.DataFrame, titles: dict[str, str]) -> alt.LayerChart:
    """One indicator per inhabitant across a peer group: the whole range as a thin line, the
    middle half as a bar, the median as a tick, and each territory the reader may name as a
    dot (the reader's own in its own colour). ``spread``: minimum, q1, median, q3, maximum (None:
    too few territories for one); ``points``: name, value, shown, own (bool); ``titles``:
    ``value`` (with its unit), ``territory``, ``own`` and ``others`` (the two kinds of dot)."""
    x_title = titles["value"]
    layers = []
    if spread is not None:
        frame = pd.DataFrame([spread])
        layers += [
            alt.Chart(frame)
            .mark_rule(color="#6B7A71", strokeWidth=2)
            .encode(x=alt.X("minimum:Q", title=x_title, scale=alt.Scale(zero=False)), x2="maximum:Q"),
            alt.Chart(frame).mark_bar(color="#B8C2BC", height=22).encode(x="q1:Q", x2="q3:Q"),
            alt.Chart(frame).mark_tick(color="#1F2A24", thickness=3, size=30).encode(x="median:Q"),
        ]
    if not points.empty:
        names = [titles["own"], titles["others"]]
        data = points.assign(who=[names[0] if own else names[1] for own in points.own])
        layers.append(
            alt.Chart(data)
            .mark_point(size=110, filled=True, opacity=1)
            .encode(
                x=alt.X("value:Q", title=x_title, scale=alt.Scale(zero=False)),
                color=alt.Color(
                    "who:N",
                    scale=alt.Scale(domain=names, range=[PALETTE[5], PALETTE[0]]),
                    legend=None,  # said in the caption under the chart: a legend here would be cut
                ),
                tooltip=[
                    alt.Tooltip("name:N", title=titles["territory"]),
                    alt.Tooltip("shown:N", title=x_title),
                ],
            )
        )
    return alt.layer(*layers).properties(height=90)


def app_figure_chart(frame: pd.DataFrame, title: str, year_title: str) -> alt.Chart:
    """One figure the app recorded, per year (``frame``: year, value), as bars. The figures
    count different things: each gets its own small chart and scale, side by side on a wide
    screen, one under the other on a phone."""
    return (
        alt.Chart(frame, title=alt.Title(title, fontSize=13))
        .mark_bar(color=PALETTE[0])
        .encode(
            x=alt.X("year:O", title=year_title, axis=alt.Axis(labelAngle=0, labelOverlap=True)),
            y=alt.Y("value:Q", title=None, axis=alt.Axis(tickMinStep=1)),
            tooltip=[
                alt.Tooltip("year:O", title=year_title),
                alt.Tooltip("value:Q", title=title, format=".3~r"),
            ],
        )
        .properties(height=220)
    )


def timeline_chart(
    frame: pd.DataFrame,
    phases: list[str],
    titles: dict[str, str],
    *,
    named: bool = True,
    numbered: bool = False,
) -> alt.LayerChart:
    """The journey's phases as lanes, each milestone a dot at its date on its phase's lane:
    ``frame`` from ``lib.domain.journey.milestones_frame``, ``phases`` the lanes in order.
    ``named``: each dot's title above it (on paper, where no tooltip can untangle titles that
    overlap, the stories that follow give them instead). ``numbered``: each dot's number in
    date order instead (the table under the chart gives the titles): titles of milestones a
    few weeks apart overlapped until nobody could read them; numbers are short, and every
    other one is written under its dot, so neighbours never touch."""
    y = alt.Y(
        "phase:N", title=None, sort=phases, scale=alt.Scale(domain=phases), axis=alt.Axis(labelLimit=260)
    )
    x = alt.X(
        "occurred_on:T",
        title=titles["date"],
        scale=alt.Scale(padding=24),  # dots at either end stay whole
        axis=alt.Axis(format="%m/%Y", tickCount=8),
    )
    colour = alt.Color("phase:N", sort=phases, legend=None)
    span = (
        alt.Chart(frame)
        .mark_rule(strokeWidth=6, opacity=0.35)
        .encode(y=y, x=alt.X("min(occurred_on):T", scale=alt.Scale(padding=24)), x2="max(occurred_on):T")
        .encode(color=colour)
    )
    dots = (
        alt.Chart(frame)
        .mark_circle(size=140, opacity=1)
        .encode(
            x=x,
            y=y,
            color=colour,
            tooltip=[
                alt.Tooltip("occurred_on:T", title=titles["date"], format="%d/%m/%Y"),
                alt.Tooltip("title:N", title=titles["title"]),
                alt.Tooltip("phase:N", title=titles["phase"]),
                alt.Tooltip("dimension:N", title=titles["dimension"]),
            ],
        )
    )
    names = (
        alt.Chart(frame)
        .mark_text(align="center", baseline="bottom", dy=-10, fontSize=11, limit=170, color="#1F2A24")
        .encode(x=x, y=y, text="title:N")
    )
    layers = [span, dots]
    if named:
        layers.append(names)
    if numbered:
        marks = frame.assign(number=range(1, len(frame) + 1))
        for parity, (baseline, dy) in enumerate((("bottom", -9), ("top", 9))):
            layers.append(
                alt.Chart(marks[marks["number"] % 2 == (1 - parity)])
                .mark_text(baseline=baseline, dy=dy, fontSize=11, fontWeight="bold", color="#1F2A24")
                .encode(x=x, y=y, text="number:N")
            )
    return alt.layer(*layers).properties(height=70 + 56 * len(phases))


def diverging(count: int) -> list[str]:
    """Low answers orange, the middle grey, high answers blue (colour-blind-safe ends, and a
    middle that stays visible on the page's off-white, unlike Vega's diverging schemes)."""
    stops = [(0xD5, 0x5E, 0x00), (0x9A, 0xA3, 0x9E), (0x00, 0x72, 0xB2)]
    colours = []
    for i in range(count):
        x = 2 * i / (count - 1) if count > 1 else 1.0
        low, high = (stops[0], stops[1]) if x <= 1 else (stops[1], stops[2])
        f = x if x <= 1 else x - 1
        colours.append("#" + "".join(f"{round(a + (b - a) * f):02X}" for a, b in zip(low, high, strict=True)))
    return colours


def distribution_chart(
    data: pd.DataFrame, points: list[str], roles: list[str], titles: dict[str, str], *, compact: bool = False
) -> alt.Chart:
    """One bar per role, split by answer (shares): ``data`` has role_label, point (the answer as
    shown), value and answers; ``points`` and ``roles`` give the orders; ``titles`` the share,
    role, answer and responses titles. ``compact``: shorter role labels and a legend on two
    columns, for charts that must fit a phone's width (or a printed page's)."""
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("sum(answers):Q", stack="normalize", title=titles["share"], axis=alt.Axis(format="%")),
            y=alt.Y(
                "role_label:N", title=None, sort=roles, axis=alt.Axis(labelLimit=150 if compact else 260)
            ),
            color=alt.Color(
                "point:O",
                title=None,
                sort=points,
                scale=alt.Scale(domain=points, range=diverging(len(points))),
                legend=alt.Legend(orient="bottom", labelLimit=220, columns=2 if compact else alt.Undefined),
            ),
            order=alt.Order("value:Q"),
            tooltip=[
                alt.Tooltip("role_label:N", title=titles["role"]),
                alt.Tooltip("point:O", title=titles["answer"]),
                alt.Tooltip("answers:Q", title=titles["responses"]),
            ],
        )
    )


# --- Vector images for print ---------------------------------------------------------------

_LOCALES = {"fr": "fr-FR", "en": "en-US"}


def to_svg(chart: alt.TopLevelMixin, lang: str, *, width: int | None = None) -> str:
    """The chart as an SVG document, with numbers and dates in ``lang`` (decimal comma in
    French). ``width`` fixes a chart drawn ``stretch`` on screen, which has no width of its own."""
    import vl_convert

    if width is not None:
        chart = chart.properties(width=width)
    spec = themed(chart).to_dict()
    locale = _LOCALES.get(lang, "fr-FR")
    return vl_convert.vegalite_to_svg(spec, format_locale=locale, time_format_locale=locale)
