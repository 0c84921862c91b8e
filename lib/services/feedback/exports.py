"""Exports of a campaign's responses: one row per response, as CSV or XLSX, under the same
anonymity rule as the results page."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date

import pandas as pd
from sqlalchemy.engine import Engine

from lib.access import Actor
from lib.domain import anonymity, clock
from lib.domain import feedback_analytics as fa
from lib.domain.formats import LANGUAGES
from lib.domain.forms import FormTemplate
from lib.domain.framework import load_framework
from lib.i18n import translate
from lib.services.feedback.campaign_results import check_period, instants, readable_campaign, role_groups
from lib.services.feedback.campaigns import Campaign
from lib.services.feedback.templates import stored_template
from lib.services.unit_of_work import reading
from lib.store import feedback as store


def export_table(
    engine: Engine, actor: Actor | None, campaign_id: int, start: date | None = None, end: date | None = None
) -> tuple[Campaign, FormTemplate, pd.DataFrame]:
    """One row per submitted response, one column per question (see ``responses_wide``)."""
    check_period(campaign_id, start, end)
    with reading(engine) as conn:
        campaign = readable_campaign(conn, actor, campaign_id, clock.today())
        template = stored_template(conn, campaign.template_id)
        since, until = instants(start, end)
        responses = store.submitted_responses(conn, campaign_id, since, until)
        answers = store.submitted_answers(conn, campaign_id, since, until)
        shown = Counter(r["role"] for r in responses)
        groups = role_groups(conn, campaign, shown, since is not None or until is not None)
    return campaign, template, fa.responses_wide(template, responses, answers, groups)


def export_csv(
    engine: Engine,
    actor: Actor | None,
    campaign_id: int,
    start: date | None = None,
    end: date | None = None,
    *,
    lang: str | None = None,
) -> bytes:
    """CSV for spreadsheets set up in French: ``;`` between columns, UTF-8 with a BOM. With
    ``lang``, headers and values are labels in that language; without, ids for scripts."""
    _, template, table = export_table(engine, actor, campaign_id, start, end)
    if lang is not None:
        table = _readable(template, table, lang)
    return table.to_csv(index=False, sep=";").encode("utf-8-sig")


def export_xlsx(
    engine: Engine,
    actor: Actor | None,
    campaign_id: int,
    start: date | None = None,
    end: date | None = None,
    *,
    lang: str | None = None,
) -> bytes:
    """XLSX: the responses with ids (sheet ``reponses``), and a sheet saying what each id means
    in French and English (``codes``). With ``lang``, a first sheet gives them as people read
    them, in that language."""
    _, template, table = export_table(engine, actor, campaign_id, start, end)
    roles = [(r.id, r.label.fr, r.label.en) for r in load_framework().stakeholder_roles]
    if (table["role"] == anonymity.POOLED).any():  # explained like every role, when it is there
        roles.append((anonymity.POOLED, *(translate("feedback.results.pooled", lg) for lg in LANGUAGES)))
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        if lang is not None:
            sheet = translate("feedback.export.sheet", lang)
            _readable(template, table, lang).to_excel(writer, sheet_name=sheet, index=False)
        table.to_excel(writer, sheet_name="reponses", index=False)
        fa.codebook(template, roles).to_excel(writer, sheet_name="codes", index=False)
    return buffer.getvalue()


def _readable(template: FormTemplate, table: pd.DataFrame, lang: str) -> pd.DataFrame:
    headers = {column: translate(f"feedback.export.col.{column}", lang) for column in fa.EXPORT_FIXED_COLUMNS}
    roles = {r.id: r.label(lang) for r in load_framework().stakeholder_roles}
    roles[anonymity.POOLED] = translate("feedback.results.pooled", lang)
    return fa.readable(template, table, lang, headers, roles)
