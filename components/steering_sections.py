"""The sections of *Pilotage du réseau*. Each draws its chart, then the same data as a table in
the reader's language, then that table's CSV and XLSX exports."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import steering_charts as charts
from components.qr import share_link
from components.steering import date_columns, exports, kind_name, month_name, role_names
from components.ui import engine, format_date, format_number, lang, plain, t
from lib.access import Actor
from lib.domain import engagement
from lib.services import steering
from lib.services.steering import Scope


def _limited(names: list[str]) -> list[str]:
    if len(names) > charts.CHART_ROWS:
        st.caption(t("steering.chart_limit", shown=charts.CHART_ROWS, total=len(names)))
    return names[: charts.CHART_ROWS]


def activity(person: Actor, scope: Scope) -> None:
    st.subheader(t("steering.activity.title"))
    st.caption(t("steering.activity.caption"))
    months, grid = steering.activity_map(engine(), person, scope=scope)
    territory, month, events = t("steering.col.territory"), t("steering.col.month"), t("steering.col.events")
    data = pd.DataFrame(
        {territory: grid["name"], month: grid["month"].map(month_name), events: grid["events"]}
    )
    shown = _limited(list(dict.fromkeys(grid["name"])))
    charts.grid(
        data[data[territory].isin(shown)],
        x=month,
        y=territory,
        value=events,
        x_order=[month_name(m) for m in months],
        y_order=shown,
    )
    table = data.pivot_table(index=territory, columns=month, values=events, aggfunc="sum", sort=False)
    table = table.reindex(columns=[month_name(m) for m in months]).reset_index()
    table[t("steering.col.total")] = table.drop(columns=territory).sum(axis=1)
    st.dataframe(table, hide_index=True)
    exports(table, "activite-par-mois", "activity")


_SORTS = {
    "idle": (["idle_days"], [False]),
    "name": (["name"], [True]),
    "region": (["region", "name"], [True, True]),
    "assessment": (["assessment_age_days"], [False]),
}


def stalled(view: steering.Overview) -> None:
    st.subheader(t("steering.stalled.title"))
    st.caption(t("steering.stalled.caption", days=view.period.days))
    frame = view.stalled
    if frame.empty:
        st.success(t("steering.stalled.none"), icon=":material/check_circle:")
        return
    st.write(t("steering.stalled.count", count=len(frame)))
    order = st.columns([2, 3])[0].selectbox(
        t("steering.stalled.sort"),
        list(_SORTS),
        format_func=lambda k: t(f"steering.stalled.sort.{k}"),
        key="steering.sort",
    )
    if order != "idle":  # the service's order already puts the longest silent first, never-active last
        by, ascending = _SORTS[order]
        frame = frame.sort_values(by, ascending=ascending, na_position="first", kind="stable")
    col = {
        k: t(f"steering.col.{k}")
        for k in (
            "territory",
            "slug",
            "kind",
            "region",
            "last_activity",
            "idle_days",
            "admins",
            "emails",
            "latest_assessment",
        )
    }
    table = pd.DataFrame(
        {
            # What to act on first: who, since when, whom to write to.
            col["territory"]: frame["name"],
            col["last_activity"]: frame["last_activity_day"],
            col["idle_days"]: frame["idle_days"],
            col["admins"]: frame["admins"],
            col["emails"]: frame["admin_emails"],
            col["kind"]: frame["kind"].map(kind_name),
            col["region"]: frame["region"],
            col["latest_assessment"]: frame["latest_assessment"],
            col["slug"]: frame["slug"],
        }
    )
    idle = table.dropna(subset=[col["idle_days"]])
    charts.bars(
        idle,
        category=col["territory"],
        value=col["idle_days"],
        order=_limited(list(idle[col["territory"]])),
    )
    st.dataframe(
        table,
        hide_index=True,
        column_config=date_columns(table, col["last_activity"], col["latest_assessment"]),
    )
    exports(table, "territoires-a-l-arret", "stalled")
    emails = sorted({e for cell in frame["admin_emails"] for e in cell.split("; ") if e})
    if emails:
        st.caption(t("steering.stalled.emails"))
        st.code("; ".join(emails), language=None, wrap_lines=True)


def coverage(person: Actor, days: int, scope: Scope) -> None:
    st.subheader(t("steering.coverage.title"))
    st.caption(t("steering.coverage.caption"))
    cov = steering.coverage(engine(), person, days=days, scope=scope)
    names = role_names()
    fantastiques = [r for r in names if r in cov.columns]
    for role in ("elected_official", "state_services"):
        silent = engagement.never_heard(cov, role)
        key = "steering.coverage.signal" if len(silent) else "steering.coverage.signal_none"
        text = t(key, role=names[role], count=len(silent))
        if len(silent):
            text += " : " if lang() == "fr" else ": "
            text += ", ".join(silent["name"])
        st.markdown(f"- {plain(text)}")
    st.caption(t("steering.coverage.no_response", count=int((cov["responses"] == 0).sum())))
    territory, role, responses = (
        t("steering.col.territory"),
        t("steering.col.role"),
        t("steering.col.responses"),
    )
    heard = cov[cov["responses"] > 0]
    shown = _limited(list(heard["name"]))
    long = heard[heard["name"].isin(shown)].melt(
        id_vars="name", value_vars=fantastiques, var_name="role", value_name="n"
    )
    charts.grid(
        pd.DataFrame({territory: long["name"], role: long["role"].map(names), responses: long["n"]}),
        x=role,
        y=territory,
        value=responses,
        x_order=[names[r] for r in fantastiques],
        y_order=shown,
        zero_colour=charts.MISSING_COLOUR,
    )
    table = pd.DataFrame({territory: cov["name"]})
    for r in fantastiques:
        table[names[r]] = cov[r]
    table[t("steering.col.others")] = cov["others"]
    table[responses] = cov["responses"]
    table[t("steering.col.covered")] = cov["covered"].map(lambda n: f"{n}/{len(fantastiques)}")
    table[t("steering.col.missing")] = cov["missing"].map(
        lambda missing: ", ".join(names[r] for r in missing)
    )
    st.dataframe(table, hide_index=True)
    exports(table, "voix-entendues", "coverage")


def freshness(view: steering.Overview) -> None:
    st.subheader(t("steering.freshness.title"))
    st.caption(t("steering.freshness.caption"))
    band, territories = t("steering.col.freshness"), t("steering.col.territories")
    counts = pd.DataFrame(
        {
            band: view.freshness["band"].map(lambda b: t(f"steering.freshness.band.{b}")),
            territories: view.freshness["territories"],
        }
    )
    charts.bars(counts, category=band, value=territories, order=list(counts[band]))
    st.dataframe(counts, hide_index=True)
    frame = view.territories.sort_values(
        "assessment_age_days", ascending=False, na_position="first", kind="stable"
    )
    latest = t("steering.col.latest_assessment")
    table = pd.DataFrame(
        {
            t("steering.col.territory"): frame["name"],
            latest: frame["latest_assessment"],
            t("steering.col.age_days"): frame["assessment_age_days"],
            band: frame["freshness"].map(lambda b: t(f"steering.freshness.band.{b}")),
            t("steering.col.kind"): frame["kind"].map(kind_name),
            t("steering.col.region"): frame["region"],
        }
    )
    st.dataframe(table, hide_index=True, column_config=date_columns(table, latest))
    exports(table, "fraicheur-des-auto-evaluations", "freshness")


def _number(value: float) -> str:
    return format_number(value) or "—"


def network_campaign(person: Actor) -> None:
    st.subheader(t("steering.campaign.title"))
    campaigns = steering.network_campaigns(engine(), person)
    if not campaigns:
        st.info(t("steering.campaign.none"))
        return
    labels = {c.id: f"{c.title} · {format_date(c.opens_on)} – {format_date(c.closes_on)}" for c in campaigns}
    chosen = st.selectbox(
        t("steering.campaign.choose"), list(labels), format_func=labels.get, key="steering.campaign"
    )
    split = steering.campaign_by_territory(engine(), person, chosen)
    names = role_names()
    unsaid = t("steering.campaign.not_attributed")
    territory, role, responses = (
        t("steering.col.territory"),
        t("steering.col.role"),
        t("steering.col.responses"),
    )
    st.markdown(f"**{t('steering.campaign.responses_title')}**")
    if split.responses.empty:
        st.info(t("steering.campaign.no_response"))
    else:
        frame = split.responses.assign(name=split.responses["name"].fillna(unsaid))
        roles = [r for r in names if r in frame.columns]
        long = frame.melt(id_vars="name", value_vars=roles, var_name="role", value_name="n")
        long = long[long["n"] > 0]
        charts.stacked_bars(
            pd.DataFrame({territory: long["name"], role: long["role"].map(names), responses: long["n"]}),
            category=territory,
            part=role,
            value=responses,
            order=_limited(list(frame["name"])),
            parts=[names[r] for r in roles],
        )
        table = frame[["name", *roles, "total"]].rename(
            columns={"name": territory, **names, "total": t("steering.col.total")}
        )
        st.dataframe(table, hide_index=True)
        exports(table, f"questionnaire-reseau-{chosen}-par-territoire", "campaign.responses")
        _means(split, unsaid, list(frame["name"]))
    _links(person, chosen)


def _means(split: steering.CampaignSplit, unsaid: str, order: list[str]) -> None:
    st.markdown(f"**{t('steering.campaign.means_title')}**")
    if split.min_answers > 1:
        st.caption(t("steering.campaign.means_hidden", n=split.min_answers))
    if split.means.empty:
        return
    questions = {q.id: q.label(lang()) for q in split.template.questions}
    territory = t("steering.col.territory")
    frame = split.means.assign(
        name=split.means["name"].fillna(unsaid), question=split.means["question_id"].map(questions)
    )
    table = frame.pivot_table(
        index="name", columns="question", values="mean", aggfunc="first", dropna=False, sort=False
    )
    table = table.reindex(index=[n for n in order if n in table.index])
    table = table.reindex(columns=[q for q in questions.values() if q in set(frame["question"])])
    table = table.rename_axis(territory).reset_index()
    st.dataframe(table.map(lambda v: v if isinstance(v, str) else _number(v)), hide_index=True)
    exports(table.round(2), "questionnaire-reseau-moyennes", "campaign.means")  # numbers stay numbers


def _links(person: Actor, campaign_id: int) -> None:
    with st.expander(t("steering.campaign.links_title"), icon=":material/link:"):
        st.caption(t("steering.campaign.links_help"))
        token, targets = steering.territory_link_targets(engine(), person, campaign_id)
        table = pd.DataFrame(
            {
                t("steering.col.territory"): [name for _, name in targets],
                t("steering.col.link"): [share_link(token, territory=slug) for slug, _ in targets],
            }
        )
        st.dataframe(table, hide_index=True)
        exports(table, f"liens-questionnaire-reseau-{campaign_id}", "campaign.links")
