"""The Indicateurs screen's pieces: the status summary (also on Accueil), an indicator's
trajectory chart with its table, and the forms that follow an indicator and enter its figures.

Forms are not ``st.form``: values typed stay on the server and survive a language switch
(``keep_on_language_switch``); a refused save keeps them and says why under each field.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import actions
from components.charts import about_chart, themed
from components.pickers import acting_on
from components.ui import (
    engine,
    field_error,
    format_date,
    framework,
    keep_on_language_switch,
    lang,
    plain,
    service_error,
    t,
    t_text,
)
from lib.access import Actor
from lib.domain import formats
from lib.domain import indicators as domain
from lib.domain.errors import ServiceError
from lib.domain.indicators import Catalogue, Definition, Point, Status
from lib.domain.sharing import MIN_TERRITORIES
from lib.render import charts as render
from lib.services import indicators as svc
from lib.services import peers

ss = st.session_state

# The order statuses are told in, the good news first.
STATUSES = (Status.ON_TRACK, Status.REACHED, Status.OFF_TRACK, Status.NO_RECENT_VALUE, Status.NO_TARGET)
_ICONS = {
    Status.ON_TRACK: ":material/trending_flat:",
    Status.REACHED: ":material/flag:",
    Status.OFF_TRACK: ":material/warning:",
    Status.NO_RECENT_VALUE: ":material/schedule:",
    Status.NO_TARGET: ":material/help:",
}


def figure(value: float | None) -> str:
    """A value as the page writes it: whole when it is, else with up to two decimals."""
    return "" if value is None else formats.figure(value, lang())


def unit_label(unit: str) -> str:
    return domain.UNITS[unit].label(lang())


def status_label(status: Status) -> str:
    return t(f"indicators.status.{status.value}")


def documents_label(definition: Definition) -> str:
    fw = framework()
    if definition.axis_id:
        return t_text("indicators.documents.axis", name=fw.axis(definition.axis_id).label(lang()))
    if definition.value_dimension:
        names = {d.id: d.label(lang()) for d in fw.value_dimensions}
        return t_text("indicators.documents.value", name=names.get(definition.value_dimension, ""))
    return ""


_BADGES = {
    Status.ON_TRACK: "green",
    Status.REACHED: "blue",
    Status.OFF_TRACK: "orange",
    Status.NO_RECENT_VALUE: "gray",
    Status.NO_TARGET: "gray",
}


def summary_cards(summary: svc.Summary) -> None:
    """How many indicators are on track, off track, without a recent value: one line of badges
    (the words say it, the colour only helps), short enough for a phone."""
    # The three the Accueil always tells; a target reached or missing only when there is one.
    always = (Status.ON_TRACK, Status.OFF_TRACK, Status.NO_RECENT_VALUE)
    shown = [s for s in STATUSES if summary.counts.get(s) or s in always]
    badges = []
    for s in shown:
        text = t_text("indicators.count", label=status_label(s), count=summary.counts.get(s, 0))
        badges.append(f":{_BADGES[s]}-badge[{_ICONS[s]} {text}]")
    st.markdown(" ".join(badges), help=t_text("indicators.summary_help"))


def name_line(indicator: svc.Indicator) -> str:
    d = indicator.definition
    return f"{d.name(lang())} ({unit_label(d.unit)})"


def describe(definition: Definition) -> None:
    """What an indicator is: definition, unit and direction, what it documents, its source."""
    if definition.adapt:
        st.markdown(
            f":orange-badge[:material/edit_note: {t_text('indicators.adapt')}]",
            help=t_text("indicators.adapt_help"),
        )
    if definition.definition(lang()):
        st.markdown(plain(definition.definition(lang())))
    facts = [
        t_text("indicators.fact.unit", unit=unit_label(definition.unit)),
        t_text(f"indicators.direction.{definition.direction.value}"),
    ]
    if documents_label(definition):
        facts.append(documents_label(definition))
    if definition.per_inhabitant:
        facts.append(t_text("indicators.fact.per_inhabitant"))
    st.caption(" · ".join(facts))
    if definition.source is not None:
        st.caption(t("indicators.fact.source", source=definition.source(lang())))


def trajectory(indicator: svc.Indicator) -> None:
    """The chart of values against the path to the target, then the same figures as tables."""
    reading = indicator.reading
    status = reading.status
    st.markdown(f"{_ICONS[status]} **{status_label(status)}**")
    latest = reading.latest
    if reading.target is not None and latest is not None and latest.gap is not None:
        ahead = indicator.definition.better(latest.value, latest.path)
        st.caption(
            t(
                "indicators.gap_line",
                gap=formats.decimal(latest.gap, lang(), 1, signed=True),
                side=t_text("indicators.ahead" if ahead else "indicators.behind"),
                year=latest.year,
                target=figure(reading.target.value),
                target_year=reading.target.year,
            )
        )
    if not indicator.values and not indicator.targets:
        st.info(t("indicators.no_figures"))
        return
    nature = {n: t_text(f"indicators.nature.{n}") for n in ("measured", "estimated")}
    values, path, targets = domain.trajectory_frames(
        [(v.year, v.value, v.nature) for v in indicator.values],
        reading,
        [Point(g.year, g.value) for g in indicator.targets],
        nature,
        lang(),
    )
    names = {key: t_text(f"indicators.series.{key}") for key in ("values", "path", "targets")} | nature
    titles = {
        "year": t_text("indicators.col.year"),
        "value": f"{t_text('indicators.col.value')} ({unit_label(indicator.definition.unit)})",
        "nature": t_text("indicators.col.nature"),
    }
    chart = render.trajectory_chart(values, path, targets, names, titles)
    st.altair_chart(themed(chart, about_chart(indicator.definition.name(lang()))), width="stretch")
    st.caption(t("indicators.marks"))
    by_year = {v.year: v for v in indicator.values}
    rows = [
        {
            t_text("indicators.col.year"): str(r.year),
            titles["value"]: figure(r.value),
            t_text("indicators.col.nature"): nature[by_year[r.year].nature],
            t_text("indicators.col.path"): figure(r.path),
            t_text("indicators.col.gap"): ""
            if r.gap is None
            else formats.decimal(r.gap, lang(), 1, signed=True),
            t_text("indicators.col.change"): ""
            if r.change is None
            else t_text(
                "indicators.change", change=formats.decimal(r.change, lang(), 1, signed=True), since=r.since
            ),
            t_text("indicators.col.source"): by_year[r.year].source,
            t_text("indicators.col.comment"): by_year[r.year].comment,
            t_text("indicators.col.date"): format_date(by_year[r.year].measured_on),
        }
        for r in reading.rows
    ]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True)
    if indicator.targets:
        st.caption(
            t(
                "indicators.targets_line",
                targets=" · ".join(
                    t_text("indicators.target_item", value=figure(g.value), year=g.year)
                    for g in indicator.targets
                ),
            )
        )


# --- Forms -----------------------------------------------------------------------------------


def _clear(prefix: str, *names: str) -> None:
    for name in names:
        ss[f"{prefix}.{name}"] = ""


def _save_value(p: str, actor: Actor, territory_id: int, indicator_id: int) -> None:
    svc.save_value(
        engine(),
        actions.rights_now(actor),
        territory_id,
        indicator_id,
        year=ss.get(f"{p}.year"),
        value=ss.get(f"{p}.value"),
        nature=ss.get(f"{p}.nature"),
        source=ss.get(f"{p}.source"),
        comment=ss.get(f"{p}.comment"),
    )
    _clear(p, "value", "comment")  # reached only when saved: a refusal keeps everything typed


def _year_and_figure(p: str, errors, figure_label: str, year_placeholder: str) -> None:
    """The year and the figure of a value or a target, side by side, each with its message."""
    left, right = st.columns([1, 2])
    with left:
        st.text_input(
            t("indicators.form.year"), key=keep_on_language_switch(f"{p}.year"), placeholder=year_placeholder
        )
        field_error(errors, "year")
    with right:
        st.text_input(
            figure_label,
            key=keep_on_language_switch(f"{p}.value"),
            help=t_text("indicators.form.value_help"),
            placeholder="12 345,6",
        )
        field_error(errors, "value")


def value_form(actor: Actor, territory_id: int, indicator: svc.Indicator) -> None:
    p = f"ind{territory_id}.{indicator.id}.v"
    ss.setdefault(f"{p}.nature", "measured")
    errors = actions.errors(p)
    with st.container(border=True):
        st.markdown(f"**{t('indicators.form.value_title')}**")
        _year_and_figure(
            p, errors, t("indicators.form.value", unit=unit_label(indicator.definition.unit)), "2025"
        )
        st.radio(
            t("indicators.form.nature"),
            ["measured", "estimated"],
            format_func=lambda n: t_text(f"indicators.nature.{n}"),
            horizontal=True,
            key=keep_on_language_switch(f"{p}.nature"),
        )
        field_error(errors, "nature")
        source_help = indicator.definition.source(lang()) if indicator.definition.source else None
        st.text_input(
            t("indicators.form.source"), key=keep_on_language_switch(f"{p}.source"), placeholder=source_help
        )
        field_error(errors, "source")
        st.text_area(t("indicators.form.comment"), key=keep_on_language_switch(f"{p}.comment"), height=80)
        field_error(errors, "comment")
        acting_on()
        actions.button(
            p,
            t("indicators.form.save_value"),
            lambda: _save_value(p, actor, territory_id, indicator.id),
            done="indicators.form.value_saved",
            name="save",
            type="primary",
            icon=":material/save:",
        )
        actions.outcome(p)


def _save_target(p: str, actor: Actor, territory_id: int, indicator_id: int) -> None:
    svc.save_target(
        engine(),
        actions.rights_now(actor),
        territory_id,
        indicator_id,
        year=ss.get(f"{p}.year"),
        value=ss.get(f"{p}.value"),
    )
    _clear(p, "year", "value")


def target_form(actor: Actor, territory_id: int, indicator: svc.Indicator) -> None:
    p = f"ind{territory_id}.{indicator.id}.g"
    errors = actions.errors(p)
    with st.container(border=True):
        st.markdown(f"**{t('indicators.form.target_title')}**")
        st.caption(t(f"indicators.direction.{indicator.definition.direction.value}"))
        _year_and_figure(
            p, errors, t("indicators.form.target", unit=unit_label(indicator.definition.unit)), "2030"
        )
        acting_on()
        actions.button(
            p,
            t("indicators.form.save_target"),
            lambda: _save_target(p, actor, territory_id, indicator.id),
            done="indicators.form.target_saved",
            name="save",
            icon=":material/flag:",
        )
        actions.outcome(p)


def follow_form(actor: Actor, territory_id: int, board: svc.Board) -> None:
    """Pick one of the network's indicators the territory does not follow yet."""
    st.subheader(t("indicators.add.catalogue_title"))
    if not board.not_followed:
        st.info(t("indicators.add.all_followed"))
        return
    by_id = {d.id: d for d in board.not_followed}
    p = f"ind{territory_id}.follow"
    if ss.get(f"{p}.pick") not in by_id:
        ss[f"{p}.pick"] = next(iter(by_id))
    picked = st.selectbox(
        t("indicators.add.pick"),
        list(by_id),
        format_func=lambda i: by_id[i].name(lang()),
        key=keep_on_language_switch(f"{p}.pick"),
    )
    describe(by_id[picked])
    field_error(actions.errors(p), "catalogue_id")
    actions.button(
        p,
        t("indicators.add.follow"),
        lambda: svc.follow(engine(), actions.rights_now(actor), territory_id, ss.get(f"{p}.pick")),
        done="indicators.add.followed",
        name="go",
        type="primary",
        icon=":material/add_chart:",
    )
    actions.outcome(p)


def _add_own(p: str, actor: Actor, territory_id: int) -> None:
    svc.add_own(
        engine(),
        actions.rights_now(actor),
        territory_id,
        name=ss.get(f"{p}.name"),
        unit=ss.get(f"{p}.unit"),
        direction=ss.get(f"{p}.direction"),
        definition=ss.get(f"{p}.definition"),
    )
    _clear(p, "name", "definition")


def own_form(actor: Actor, territory_id: int) -> None:
    st.subheader(t("indicators.add.own_title"))
    st.caption(t("indicators.add.own_caption"))
    p = f"ind{territory_id}.own"
    errors = actions.errors(p)
    with st.container(border=True):
        st.text_input(t("indicators.add.name"), key=keep_on_language_switch(f"{p}.name"))
        field_error(errors, "name")
        left, right = st.columns(2)
        with left:
            st.selectbox(
                t("indicators.add.unit"),
                list(domain.UNITS),
                index=None,
                format_func=unit_label,
                placeholder=t_text("indicators.add.choose"),
                key=keep_on_language_switch(f"{p}.unit"),
            )
            field_error(errors, "unit")
        with right:
            st.radio(
                t("indicators.add.direction"),
                [d.value for d in domain.Direction],
                index=None,
                format_func=lambda d: t_text(f"indicators.direction.{d}"),
                key=keep_on_language_switch(f"{p}.direction"),
            )
            field_error(errors, "direction")
        st.text_area(
            t("indicators.add.definition"), key=keep_on_language_switch(f"{p}.definition"), height=80
        )
        field_error(errors, "definition")
        actions.button(
            p,
            t("indicators.add.add_own"),
            lambda: _add_own(p, actor, territory_id),
            done="indicators.add.own_added",
            name="go",
            icon=":material/add:",
        )
        actions.outcome(p)


def catalogue_table(catalogue: Catalogue) -> None:
    """The network's catalogue as a table, the suggestions to adapt marked on each line."""
    rows = [
        {
            t_text("indicators.col.indicator"): d.name(lang()),
            # Second, where it is seen without scrolling: which lines are suggestions to adapt.
            t_text("indicators.col.adapt"): t_text("indicators.adapt") if d.adapt else "",
            t_text("indicators.col.unit"): unit_label(d.unit),
            t_text("indicators.col.direction"): t_text(f"indicators.direction.{d.direction.value}"),
            t_text("indicators.col.documents"): documents_label(d),
            t_text("indicators.col.per_inhabitant"): t_text("indicators.yes")
            if d.per_inhabitant
            else t_text("indicators.no"),
            t_text("indicators.col.source"): d.source(lang()) if d.source else "",
        }
        for d in catalogue.indicators
    ]
    st.caption(t("indicators.catalogue.caption", version=catalogue.version))
    st.dataframe(pd.DataFrame(rows), hide_index=True)


def import_form(actor: Actor, territory_id: int) -> None:
    """A CSV of values and targets: all of it saved, or nothing and a report line by line."""
    st.caption(t("indicators.import.help"))
    st.download_button(
        t("indicators.import.model"),
        svc.model_file(),
        "modele-indicateurs.csv",
        "text/csv",
        icon=":material/download:",
        on_click="ignore",
        key=f"ind{territory_id}.import.model",
    )
    uploaded = st.file_uploader(
        t("indicators.import.file"), type=["csv", "txt"], key=f"ind{territory_id}.import.file"
    )
    acting_on()
    if not st.button(
        t("indicators.import.run"),
        icon=":material/upload:",
        type="primary",
        disabled=uploaded is None,
        key=f"ind{territory_id}.import.run",
    ):
        return
    bar = st.progress(0.0, text=t("import.stage.check"))

    def progress(done: float, stage: str) -> None:
        bar.progress(min(max(done, 0.0), 1.0), text=t(f"import.stage.{stage}"))

    try:
        report = svc.import_csv(
            engine(), actions.rights_now(actor), territory_id, uploaded.getvalue(), progress=progress
        )
    except ServiceError as exc:
        bar.empty()
        service_error(exc)
        return
    bar.empty()
    if report.applied:
        st.success(t("indicators.import.done", rows=report.rows), icon=":material/check_circle:")
        return
    st.error(
        t("indicators.import.refused", rows=report.rows, problems=len(report.problems)),
        icon=":material/error:",
    )
    st.dataframe(
        pd.DataFrame(
            {
                t_text("import.col.line"): [p.line for p in report.problems],
                t_text("import.col.column"): [p.column or "—" for p in report.problems],
                t_text("import.col.problem"): [t_text(p.code, **p.params) for p in report.problems],
            }
        ),
        hide_index=True,
    )


def among_peers(actor: Actor, territory_id: int, indicator: svc.Indicator) -> None:
    """A catalogue indicator comparable per inhabitant, against the spread of a peer group."""
    definition = indicator.definition
    if indicator.own or not definition.per_inhabitant:
        return
    try:
        groups = peers.comparison_groups(engine(), actor, territory_id)
    except ServiceError:
        return
    if not groups:
        return
    per = domain.PER_INHABITANTS[definition.unit]
    st.subheader(t("indicators.peers.title" if per == 1 else "indicators.peers.title_per", per=figure(per)))
    by_id = {g.id: g for g in groups}
    key = f"ind{territory_id}.peers.group"
    if st.session_state.get(key) not in by_id:
        # The largest group first: the one most likely to hold enough territories for a spread.
        st.session_state[key] = max(groups, key=lambda g: g.members).id
    group_id = st.selectbox(
        t("indicators.peers.group"),
        list(by_id),
        format_func=lambda g: by_id[g].name,
        key=keep_on_language_switch(key),
    )
    try:
        found = svc.among_peers(engine(), actor, territory_id, group_id, definition.id)
    except ServiceError as exc:
        service_error(exc)
        return
    if not found.named and found.spread is None:
        st.info(t("indicators.peers.none"))
        return
    unit = t_text(
        "indicators.peers.unit" if per == 1 else "indicators.peers.unit_per",
        unit=unit_label(definition.unit),
        per=figure(per),
    )
    spread = found.spread
    points = pd.DataFrame(
        [{"name": f.name, "value": f.value, "shown": figure(f.value), "own": f.own} for f in found.named],
        columns=["name", "value", "shown", "own"],
    )
    titles = {
        "value": unit,
        "territory": t_text("indicators.col.territory"),
        "own": t_text("indicators.peers.own"),
        "others": t_text("indicators.peers.others"),
    }
    spread_values = (
        None
        if spread is None
        else {k: getattr(spread, k) for k in ("minimum", "q1", "median", "q3", "maximum")}
    )
    about = about_chart(t_text("indicators.peers.title_about"), definition.name(lang()))
    st.altair_chart(themed(render.peer_spread_chart(spread_values, points, titles), about), width="stretch")
    st.caption(t("indicators.peers.dots"))
    if spread is None:
        st.caption(t("indicators.peers.too_few", minimum=MIN_TERRITORIES))
    else:
        st.caption(
            t(
                "indicators.peers.spread_line",
                counted=found.counted,
                unnamed=found.unnamed,
                minimum=figure(spread.minimum),
                q1=figure(spread.q1),
                median=figure(spread.median),
                q3=figure(spread.q3),
                maximum=figure(spread.maximum),
            )
        )
    if found.named:
        st.dataframe(
            pd.DataFrame(
                {
                    t_text("indicators.col.territory"): [f.name for f in found.named],
                    t_text("indicators.col.year"): [str(f.year) for f in found.named],
                    unit: [figure(f.value) for f in found.named],
                }
            ),
            hide_index=True,
        )


def app_figures(actor: Actor, territory_id: int) -> None:
    """What Parcours itself recorded, year by year, beside the territory's own indicators."""
    st.caption(t("indicators.app.caption"))
    try:
        found = svc.app_figures(engine(), actor, territory_id)
    except ServiceError as exc:
        service_error(exc)
        return
    if not found.years:
        st.info(t("indicators.app.none"))
        return
    year, responses = t_text("indicators.col.year"), t_text("indicators.app.responses_per_campaign")
    milestones, roles = (
        t_text("indicators.app.milestones"),
        t_text("indicators.app.roles", total=found.pivot_roles),
    )
    series = (
        (milestones, [y.milestones for y in found.years]),
        (responses, [y.responses_per_campaign for y in found.years]),
        (roles, [y.roles_covered for y in found.years]),
    )
    for column, (name, values) in zip(st.columns(3), series, strict=True):
        frame = pd.DataFrame(
            [{"year": y.year, "value": v} for y, v in zip(found.years, values, strict=True) if v is not None],
            columns=["year", "value"],
        )
        about = t_text("charts.bars", value=name, category=year.lower())
        column.altair_chart(themed(render.app_figure_chart(frame, name, year), about), width="stretch")
    st.dataframe(
        pd.DataFrame(
            {
                year: [str(y.year) for y in found.years],
                milestones: [y.milestones for y in found.years],
                t_text("indicators.app.campaigns"): [y.campaigns for y in found.years],
                t_text("indicators.app.responses"): [y.responses for y in found.years],
                responses: [figure(y.responses_per_campaign) for y in found.years],
                roles: [y.roles_covered for y in found.years],
            }
        ),
        hide_index=True,
    )


def _remove(p: str, actor: Actor, territory_id: int, indicator_id: int) -> None:
    kind, year = ss.get(f"{p}.pick") or (None, None)
    remove = svc.remove_target if kind == "target" else svc.remove_value
    remove(engine(), actions.rights_now(actor), territory_id, indicator_id, year)
    ss.pop(f"{p}.pick", None)


def remove_form(actor: Actor, territory_id: int, indicator: svc.Indicator) -> None:
    """Take back a value or a target entered by mistake (a wrong year cannot be edited away)."""
    entries = [("value", v.year) for v in indicator.values] + [("target", g.year) for g in indicator.targets]
    if not entries:
        return
    p = f"ind{territory_id}.{indicator.id}.rm"
    with st.expander(t("indicators.remove.title")):
        if ss.get(f"{p}.pick") not in entries:
            ss[f"{p}.pick"] = entries[0]
        st.selectbox(
            t("indicators.remove.pick"),
            entries,
            format_func=lambda e: t_text(f"indicators.remove.{e[0]}", year=e[1]),
            key=keep_on_language_switch(f"{p}.pick"),
        )
        actions.button(
            p,
            t("indicators.remove.go"),
            lambda: _remove(p, actor, territory_id, indicator.id),
            done="indicators.remove.done",
            name="go",
            icon=":material/delete:",
        )
        actions.outcome(p, fields_shown=False)
