"""The sections of the Administration page: territories, peer groups, CSV imports, full export.

Each section reads and writes through its service (``lib.services.administration``,
``imports``, ``backup``); a refusal is shown next to its field and what was typed stays.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pandas as pd
import streamlit as st

from components import actions
from components.form_renderer import render_preview
from components.steering import kind_name
from components.ui import (
    date_format,
    engine,
    field_error,
    format_count,
    format_date,
    format_share,
    pager,
    plain,
    service_error,
    t,
    t_text,
)
from lib.access import Actor
from lib.domain import clock
from lib.domain.errors import ServiceError
from lib.services import administration as admin
from lib.services import backup, feedback, imports
from lib.store.tables import TERRITORY_KINDS

ss = st.session_state


# --- territories ------------------------------------------------------------------------------


def _territory_table(rows: list[admin.AdminTerritory]) -> pd.DataFrame:
    # What a coordinator scans first (kind, status, activity) before the codes, which a phone
    # reaches by scrolling sideways.
    return pd.DataFrame(
        {
            t_text("admin.col.name"): [r.name for r in rows],
            t_text("admin.col.kind"): [kind_name(r.kind) for r in rows],
            t_text("admin.col.status"): [
                t_text("admin.archived_on", day=format_date(r.archived_at.date()))
                if r.archived_at
                else t_text("admin.active")
                for r in rows
            ],
            t_text("admin.col.members"): [r.members for r in rows],
            t_text("admin.col.responses"): [r.responses for r in rows],
            t_text("admin.col.region"): [r.region or "" for r in rows],
            t_text("admin.col.population"): [r.population for r in rows],
            t_text("admin.col.slug"): [r.slug for r in rows],
            t_text("admin.col.insee"): [r.insee_code or "" for r in rows],
            t_text("admin.col.siren"): [r.siren or "" for r in rows],
        }
    )


def _population(typed: str) -> int | str | None:
    """What was typed, as a whole number when it is one (spaces between thousands allowed)."""
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", typed or "")
    if not cleaned:
        return None
    return int(cleaned) if re.fullmatch(r"[0-9]{1,12}", cleaned) else typed


def _territory_form(person: Actor, current: admin.AdminTerritory | None) -> None:
    key = f"admin.territory.{current.id if current else 'new'}"
    errors = actions.errors(key)

    def save() -> dict:
        draft = admin.TerritoryDraft(
            name=ss.get(f"{key}.name") or "",
            kind=ss.get(f"{key}.kind"),
            slug=ss.get(f"{key}.slug") or "",
            insee_code=ss.get(f"{key}.insee") or "",
            siren=ss.get(f"{key}.siren") or "",
            region=ss.get(f"{key}.region") or "",
            population=_population(ss.get(f"{key}.population") or ""),
        )
        admin.save_territory(engine(), actions.rights_now(person), draft, current.id if current else None)
        return {"name": draft.name.strip()}

    with st.form(key):
        st.text_input(t("admin.col.name"), current.name if current else "", key=f"{key}.name")
        field_error(errors, "name")
        # Kind and identifier place a territory in the network's comparisons and links: the
        # coordinators' to change (the service keeps them for anyone else).
        network = person.is_coordinator
        st.text_input(
            t("admin.col.slug"),
            current.slug if current else "",
            key=f"{key}.slug",
            help=t("admin.slug_help" if network else "admin.network_field_help"),
            disabled=not network,
        )
        field_error(errors, "slug")
        kinds = list(TERRITORY_KINDS)
        st.selectbox(
            t("admin.col.kind"),
            kinds,
            index=kinds.index(current.kind) if current else 0,
            format_func=kind_name,
            key=f"{key}.kind",
            help=None if network else t("admin.network_field_help"),
            disabled=not network,
        )

        def field(where, column: str, name: str, value: object) -> str:
            """A text box and, under it in the same column, its error (``name``: the service's)."""
            typed = where.text_input(
                t(f"admin.col.{column}"), "" if value is None else str(value), key=f"{key}.{column}"
            )
            with where:
                field_error(errors, name)
            return typed

        # One pair per row, so that a phone stacks them in reading order.
        left, right = st.columns(2)
        field(left, "insee", "insee_code", current.insee_code if current else None)
        field(right, "siren", "siren", current.siren if current else None)
        left, right = st.columns(2)
        field(left, "region", "region", current.region if current else None)
        field(right, "population", "population", current.population if current else None)
        actions.button(
            key,
            t("admin.save"),
            save,
            done=lambda saved: ("admin.territory_saved", saved),
            in_form=True,
            icon=":material/save:",
            type="primary",
        )
    actions.outcome(key)


def territories(person: Actor) -> None:
    rows = admin.territories(engine(), person)
    network = person.is_coordinator  # else: a territory admin, who sees only their territories
    show_archived = network and st.toggle(t("admin.show_archived"), key="admin.show_archived")
    shown = [r for r in rows if show_archived or r.archived_at is None or not network]
    st.dataframe(_territory_table(shown), hide_index=True, use_container_width=True)
    if network:
        with st.expander(t("admin.new_territory"), icon=":material/add_location:"):
            _territory_form(person, None)
    if not rows:
        return
    by_id = {r.id: r for r in rows}
    chosen = st.selectbox(
        t("admin.edit_territory"),
        list(by_id),
        format_func=lambda tid: (
            by_id[tid].name + (f" ({t_text('admin.archived')})" if by_id[tid].archived_at else "")
        ),
        key="admin.territory_chosen",
    )
    current = by_id[chosen]
    st.subheader(plain(current.name), divider="gray")
    _territory_form(person, current)
    if network:
        _archive(person, current)


def _archive(person: Actor, current: admin.AdminTerritory) -> None:
    if current.archived_at:
        st.info(
            t("admin.is_archived", day=format_date(current.archived_at.date())), icon=":material/inventory_2:"
        )
        label, icon, archive = t("admin.unarchive"), ":material/unarchive:", False
    else:
        st.caption(t("admin.archive_help", responses=current.responses, members=current.members))
        label, icon, archive = t("admin.archive"), ":material/archive:", True
    actions.button(
        "admin.archive",
        label,
        lambda: admin.set_archived(engine(), actions.rights_now(person), current.id, archive),
        done="admin.archived_done" if archive else "admin.unarchived_done",
        done_params={"name": current.name},
        key=f"admin.archive.{current.id}",
        icon=icon,
    )
    actions.outcome("admin.archive", fields_shown=False)


# --- peer groups ------------------------------------------------------------------------------


def _group_form(person: Actor, group: admin.PeerGroup | None, names: dict[int, str]) -> None:
    key = f"admin.group.{group.id if group else 'new'}"
    errors = actions.errors(key)

    def save() -> dict:
        name = ss.get(f"{key}.name") or ""
        admin.save_peer_group(
            engine(),
            actions.rights_now(person),
            name=name,
            description=ss.get(f"{key}.description") or "",
            territory_ids=list(ss.get(f"{key}.members") or []),
            group_id=group.id if group else None,
        )
        return {"name": name.strip()}

    with st.form(key):
        st.text_input(t("admin.group_name"), group.name if group else "", key=f"{key}.name")
        field_error(errors, "name")
        st.text_area(
            t("admin.group_description"), (group.description or "") if group else "", key=f"{key}.description"
        )
        st.multiselect(
            t("admin.group_members"),
            list(names),
            default=[tid for tid in (group.territory_ids if group else ()) if tid in names],
            format_func=names.get,
            placeholder=t("ui.choose_several"),
            key=f"{key}.members",
        )
        actions.button(
            key,
            t("admin.save"),
            save,
            done=lambda saved: ("admin.group_saved", saved),
            in_form=True,
            icon=":material/save:",
            type="primary",
        )
    actions.outcome(key)


def peer_groups(person: Actor) -> None:
    names = {r.id: r.name for r in admin.territories(engine(), person)}
    groups = admin.peer_groups(engine(), person)
    st.dataframe(
        pd.DataFrame(
            {
                t_text("admin.group_name"): [g.name for g in groups],
                t_text("admin.col.slug"): [g.slug for g in groups],
                t_text("admin.group_count"): [len(g.territory_ids) for g in groups],
                t_text("admin.group_members"): [
                    ", ".join(names.get(tid, "?") for tid in g.territory_ids) for g in groups
                ],
            }
        ),
        hide_index=True,
        use_container_width=True,
    )
    with st.expander(t("admin.new_group"), icon=":material/group_add:"):
        _group_form(person, None, names)
    if groups:
        by_id = {g.id: g for g in groups}
        chosen = st.selectbox(
            t("admin.edit_group"),
            list(by_id),
            format_func=lambda gid: by_id[gid].name,
            key="admin.group_chosen",
        )
        _group_form(person, by_id[chosen], names)


# --- campaigns --------------------------------------------------------------------------------


def _campaign_table(campaigns: list) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t_text("admin.campaign.col.title"): [c.title for c in campaigns],
            t_text("admin.campaign.col.territory"): [
                c.territory_name or t_text("feedback.campaigns.network") for c in campaigns
            ],
            t_text("admin.campaign.col.opens"): [format_date(c.opens_on) for c in campaigns],
            t_text("admin.campaign.col.closes"): [format_date(c.closes_on) for c in campaigns],
            t_text("admin.campaign.col.state"): [
                t_text(f"feedback.state.{c.state.value}") for c in campaigns
            ],
            t_text("admin.campaign.col.responses"): [c.submitted_count for c in campaigns],
            t_text("admin.campaign.col.target"): [c.response_target for c in campaigns],
        }
    )


_CAMPAIGN_PAGE = "admin.campaign_page"


def _first_page() -> None:
    ss[_CAMPAIGN_PAGE] = 0


def campaigns(person: Actor) -> None:
    # A network holds thousands of campaigns: a page of them at a time, newest first, and a
    # search on their title or territory.
    search = st.text_input(
        t("admin.campaign.search"),
        key="admin.campaign_search",
        placeholder=t_text("admin.campaign.search_placeholder"),
        on_change=_first_page,
    )
    listed = feedback.campaigns_page(engine(), person, search=search, page=ss.get(_CAMPAIGN_PAGE, 0))
    ss[_CAMPAIGN_PAGE] = listed.page
    found = listed.campaigns
    if not found:
        actions.outcome(_CAMPAIGN, fields_shown=False)  # "deleted": the last one is gone
        st.info(t("admin.campaign.no_match" if search.strip() else "admin.campaign.none"))
        return
    st.dataframe(_campaign_table(found), hide_index=True, use_container_width=True)
    pager(
        _CAMPAIGN_PAGE,
        page=listed.page,
        pages=listed.pages,
        shown=len(found),
        per_page=feedback.CAMPAIGNS_PER_PAGE,
        total=listed.total,
        labels="admin.campaign.pages",
    )
    by_id = {c.id: c for c in found}
    chosen = by_id[
        st.selectbox(
            t("admin.campaign.chosen"),
            list(by_id),
            format_func=lambda cid: (
                f"{by_id[cid].title} — {by_id[cid].territory_name or t_text('feedback.campaigns.network')}"
            ),
            key="admin.campaign_chosen",
        )
    ]
    st.caption(
        t(
            "admin.campaign.summary",
            state=t_text(f"feedback.state.{chosen.state.value}"),
            opens=format_date(chosen.opens_on),
            closes=format_date(chosen.closes_on),
            responses=chosen.submitted_count,
        )
    )
    if chosen.progress is not None:
        st.progress(
            min(chosen.progress, 1.0),
            text=t_text(
                "admin.campaign.progress",
                responses=format_count(chosen.submitted_count),
                target=format_count(chosen.response_target),
                share=format_share(chosen.progress),
            ),
        )
    _campaign_actions(person, chosen)
    actions.outcome(_CAMPAIGN, fields_shown=False)
    with st.expander(t("admin.campaign.edit_title"), icon=":material/edit:"):
        _campaign_form(person, chosen)
    with st.expander(t("admin.campaign.preview"), icon=":material/visibility:"):
        st.caption(t("admin.campaign.preview_help"))
        render_preview(feedback.campaign_preview(engine(), person, chosen.id), f"admin.preview.{chosen.id}")


def _campaign_form(person: Actor, chosen) -> None:
    """Title and dates (before the first answer: the service says when it is too late) and the
    response target (at any time). Plain widgets rather than a form, so the target's toggle
    shows or hides its field at once."""
    key = f"admin.campaign.edit.{chosen.id}"
    errors = actions.errors(key)
    st.caption(t("admin.campaign.edit_help"))
    st.text_input(t("admin.campaign.field.title"), chosen.title, key=f"{key}.title")
    field_error(errors, "title")
    left, right = st.columns(2)
    with left:
        st.date_input(
            t("admin.campaign.field.opens"), chosen.opens_on, format=date_format(), key=f"{key}.opens"
        )
        field_error(errors, "opens_on")
    with right:
        st.date_input(
            t("admin.campaign.field.closes"), chosen.closes_on, format=date_format(), key=f"{key}.closes"
        )
        field_error(errors, "closes_on")
    has_target = st.toggle(
        t("admin.campaign.field.has_target"), chosen.response_target is not None, key=f"{key}.has_target"
    )
    if has_target:
        st.number_input(
            t("admin.campaign.field.target"),
            min_value=1,
            max_value=feedback.TARGET_MAX,
            value=chosen.response_target or 30,
            step=1,
            key=f"{key}.target",
        )
        field_error(errors, "response_target")

    def save() -> dict:
        feedback.edit_campaign(
            engine(),
            actions.rights_now(person),
            chosen.id,
            title=ss.get(f"{key}.title"),
            opens_on=ss.get(f"{key}.opens"),
            closes_on=ss.get(f"{key}.closes"),
            response_target=ss.get(f"{key}.target") if ss.get(f"{key}.has_target") else None,
        )
        return {"title": (ss.get(f"{key}.title") or "").strip()}

    actions.button(
        key,
        t("admin.campaign.save"),
        save,
        done=lambda saved: ("admin.campaign.edited", saved),
        icon=":material/save:",
        type="primary",
    )
    actions.outcome(key)


_CAMPAIGN = "admin.campaign"


def _campaign_actions(person: Actor, chosen) -> None:
    title = {"title": chosen.title}
    if chosen.state.value != "closed":
        actions.button(
            _CAMPAIGN,
            t("admin.campaign.close"),
            lambda: feedback.close_campaign(engine(), actions.rights_now(person), chosen.id),
            done="admin.campaign.closed",
            done_params=title,
            key=f"admin.campaign.close.{chosen.id}",
            icon=":material/event_busy:",
        )
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    until_key = f"admin.campaign.until.{chosen.id}"

    def reopen() -> dict:
        until = ss[until_key]
        feedback.reopen_campaign(engine(), actions.rights_now(person), chosen.id, until)
        return {**title, "until": format_date(until)}

    left.date_input(
        t("admin.campaign.until"),
        value=max(chosen.closes_on, clock.today()) + timedelta(days=30),
        format=date_format(),
        key=until_key,
    )
    actions.button(
        _CAMPAIGN,
        t("admin.campaign.reopen"),
        reopen,
        done=lambda reopened: ("admin.campaign.reopened", reopened),
        where=right,
        key=f"admin.campaign.reopen.{chosen.id}",
        icon=":material/event_available:",
    )
    if chosen.submitted_count:
        st.caption(t("admin.campaign.kept", responses=chosen.submitted_count))
        return
    sure = st.checkbox(t("admin.campaign.delete_confirm"), key=f"admin.campaign.sure.{chosen.id}")
    actions.button(
        _CAMPAIGN,
        t("admin.campaign.delete"),
        lambda: feedback.delete_campaign(engine(), actions.rights_now(person), chosen.id),
        done="admin.campaign.deleted",
        done_params=title,
        key=f"admin.campaign.delete.{chosen.id}",
        disabled=not sure,
        icon=":material/delete:",
    )


# --- imports ----------------------------------------------------------------------------------


def _report_table(report: imports.ImportReport) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t_text("import.col.line"): [p.line for p in report.problems],
            t_text("import.col.column"): [p.column or "—" for p in report.problems],
            t_text("import.col.problem"): [t_text(p.code, **p.params) for p in report.problems],
        }
    )


def import_csv(person: Actor) -> None:
    kind = st.radio(
        t("import.kind"),
        imports.KINDS,
        format_func=lambda k: t(f"import.kind.{k}"),
        horizontal=True,
        key="import.kind",
    )
    st.caption(t(f"import.help.{kind}"))
    st.caption(t("import.help.file"))
    st.download_button(
        t("import.model"),
        imports.model_file(kind),
        f"modele-{kind}.csv",
        "text/csv",
        icon=":material/download:",
        on_click="ignore",
        key=f"import.model.{kind}",
    )
    uploaded = st.file_uploader(t("import.file"), type=["csv", "txt"], key=f"import.file.{kind}")
    if not st.button(
        t("import.run"), icon=":material/upload:", type="primary", disabled=uploaded is None, key="import.run"
    ):
        return
    bar = st.progress(0.0, text=t("import.stage.check"))

    def progress(done: float, stage: str) -> None:
        bar.progress(min(max(done, 0.0), 1.0), text=t(f"import.stage.{stage}"))

    try:
        report = imports.import_csv(engine(), person, kind, uploaded.getvalue(), progress=progress)
    except ServiceError as exc:
        bar.empty()
        service_error(exc)
        return
    if report.applied:
        st.success(t(f"import.done.{kind}", rows=report.rows), icon=":material/check_circle:")
        return
    st.error(t("import.refused", rows=report.rows, problems=len(report.problems)), icon=":material/error:")
    st.dataframe(_report_table(report), hide_index=True, use_container_width=True)


# --- full export ------------------------------------------------------------------------------


def export(person: Actor) -> None:
    st.markdown(t("export.intro"))
    if st.button(t("export.prepare"), icon=":material/inventory:", key="export.prepare"):
        bar = st.progress(0.0, text=t("export.progress", table="…"))
        done: list[str] = []
        total = backup.table_count()

        def progress(table: str, rows: int) -> None:
            done.append(table)
            bar.progress(len(done) / total, text=t("export.progress", table=table))

        out = io.BytesIO()
        try:
            manifest = backup.export_archive(engine(), person, out, progress=progress)
        except ServiceError as exc:
            bar.empty()
            service_error(exc)
            return
        bar.empty()
        st.session_state["export.archive"] = (out.getvalue(), manifest.total_rows, manifest.revision)
    ready = st.session_state.get("export.archive")
    if ready:
        data, rows, revision = ready
        st.success(t("export.ready", rows=rows, revision=revision), icon=":material/check_circle:")
        st.download_button(
            t("export.download"),
            data,
            "parcours-reseau.zip",
            "application/zip",
            icon=":material/download:",
            on_click="ignore",
            type="primary",
            key="export.download",
        )
    st.caption(t("export.restore_help"))
