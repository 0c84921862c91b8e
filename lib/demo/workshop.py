"""A prepared live workshop on the first demo territory, for the demo personas to run.

Held today, three questions of "Évaluer / délibérer sur la valeur créée", a dozen people
already joined (three of each of the four kinds of actors) and nothing answered yet: a persona
who manages the territory's campaigns opens its room screen and puts the first question.
"""

from __future__ import annotations

from lib.demo.feedback import _TOKEN_ALPHABET, _day_version, _template_ids, _token
from lib.services.feedback.answering import CODE_ALPHABET, CODE_LENGTH
from lib.store import feedback as store
from lib.store import workshop as workshop_store

TERRITORY = "demo-vallee-des-tilleuls"
TEMPLATE = "evaluer-la-valeur-creee"
QUESTIONS = ["effects_vs_expectations", "value_social", "dig_deeper"]
TITLE = "Atelier « La valeur créée » (démo)"
JOINED = ["elected_official", "local_agent", "state_services", "socio_economic"] * 3


def seed_live_workshop(ctx) -> int:
    territory = ctx.territory(TERRITORY)
    template_id, _ = _template_ids(ctx)[TEMPLATE]
    created_by = ctx.members(territory["id"])[0]
    created = ctx.at(ctx.today, 7)
    campaign_id = store.insert_campaign(
        ctx.conn,
        territory_id=territory["id"],
        form_template_id=template_id,
        title=TITLE,
        opens_on=ctx.today,
        closes_on=ctx.today,
        anonymous=True,
        kind="live",
        share_token=_token(ctx, 32, _TOKEN_ALPHABET),
        created_by=created_by,
        created_at=created,
        updated_at=created,
        data_version=_day_version(ctx.today),  # the same day, the same rows (as every demo campaign)
    )
    workshop_store.insert_workshop(
        ctx.conn,
        campaign_id=campaign_id,
        held_on=ctx.today,
        question_ids=QUESTIONS,
        question_open=False,
        reveal_mode=True,
        results_shown=False,
        conclusions={},
        created_at=created,
        updated_at=created,
    )
    for role in JOINED:
        store.insert_response(
            ctx.conn,
            campaign_id=campaign_id,
            respondent_role=role,
            status=store.DRAFT,
            resume_code=_token(ctx, CODE_LENGTH, CODE_ALPHABET),
            document={"answers": {}, "live": True},
            created_at=created,
            updated_at=created,
        )
    ctx.log(
        created,
        "workshop.prepared",
        person_id=created_by,
        territory_id=territory["id"],
        subject_type="campaign",
        subject_id=campaign_id,
        details={"title": TITLE},
    )
    return 2 + len(JOINED)
