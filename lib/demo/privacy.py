"""Demo data the retention purge removes (issue 15 item 2): one named campaign of a pioneer
territory, closed 400 days before the reference day, whose respondents typed their names, and
two drafts on it abandoned 420 days before — both past the default retention (365 days for
names, 90 for drafts), so *Administration › Données personnelles* shows them due and
``python -m lib.cli purge`` removes them.

Drawn after every other step, so the rest of the data set stays the same row for row."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from lib.demo.feedback import _TOKEN_ALPHABET, COOPERATION, _answers, _day_version, _template_ids, _token
from lib.demo.texts import demo_file
from lib.domain import forms
from lib.services.feedback.answering import CODE_ALPHABET, CODE_LENGTH
from lib.store import feedback as store

if TYPE_CHECKING:
    from lib.demo.seed import SeedContext

CLOSED_DAYS_AGO = 400
ABANDONED_DAYS_AGO = 420


def seed_old_personal_data(ctx: SeedContext) -> int:
    territory = next(t for t in ctx.territories if t["tier"] == "pioneer")
    template_id, template = _template_ids(ctx)[COOPERATION]
    closes = ctx.today - timedelta(days=CLOSED_DAYS_AGO)
    opens = closes - timedelta(days=30)
    created_by = (ctx.members(territory["id"]) or ctx.coordinator_ids)[0]
    created = ctx.at(opens - timedelta(days=2), 10)
    campaign_id = store.insert_campaign(
        ctx.conn,
        territory_id=territory["id"],
        form_template_id=template_id,
        title=f"Atelier nominatif — {territory['short_name']}",
        opens_on=opens,
        closes_on=closes,
        anonymous=False,
        share_token=_token(ctx, 32, _TOKEN_ALPHABET),
        created_by=created_by,
        created_at=created,
        updated_at=created,
        data_version=_day_version(ctx.today),  # the same day gives the same rows
    )
    ctx.log(created, "campaign.opened", person_id=created_by, territory_id=territory["id"],
            subject_type="campaign", subject_id=campaign_id)  # fmt: skip
    rows = 1
    roles = ["elected_official", "local_agent", "state_services", "socio_economic", "inhabitant"]
    for index, (name, role) in enumerate(zip(demo_file("feedback")["respondent_names"], roles, strict=True)):
        submitted_at = ctx.at(opens + timedelta(days=2 + index * 5), 11)
        answers = _answers(ctx, template, role, 0.5)
        response_id = store.insert_response(
            ctx.conn,
            campaign_id=campaign_id,
            respondent_role=role,
            status=store.SUBMITTED,
            resume_code=_token(ctx, CODE_LENGTH, CODE_ALPHABET),
            document={
                "answers": answers,
                "respondent_name": name,
                "template_slug": template.slug,
                "template_version": template.version,
            },
            submitted_at=submitted_at,
            created_at=submitted_at - timedelta(minutes=20),
            updated_at=submitted_at,
        )
        store.replace_answers(ctx.conn, response_id, forms.answer_rows(template, answers))
        ctx.log(submitted_at, "response.submitted", territory_id=territory["id"], subject_type="response",
                subject_id=response_id, details={"campaign_id": campaign_id, "role": role})  # fmt: skip
        rows += 1
    abandoned = ctx.at(ctx.today - timedelta(days=ABANDONED_DAYS_AGO), 18)
    for role in ("inhabitant", "other"):
        store.insert_response(
            ctx.conn,
            campaign_id=campaign_id,
            respondent_role=role,
            status=store.DRAFT,
            resume_code=_token(ctx, CODE_LENGTH, CODE_ALPHABET),
            document={"answers": dict(list(_answers(ctx, template, role, 0.0).items())[:2]), "step": 1},
            created_at=abandoned - timedelta(minutes=5),
            updated_at=abandoned,
        )
        rows += 1
    return rows
