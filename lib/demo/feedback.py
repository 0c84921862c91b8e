"""Demo seed step: feedback campaigns with responses from all six respondent roles.

Each demo territory gets campaigns on the two shipped templates — a closed "Raconter la
coopération" campaign and an open "Évaluer la valeur créée" one for the territories that
have been on the road for a while — and the coordinators open one network-wide campaign.
Roles answer differently on purpose (elected officials rosier, State services and
inhabitants more critical on some questions) so that the perception-gap view has real
disagreements to show. Everything is drawn from ``ctx.rng`` and dated from ``ctx.today``:
the same day gives the same rows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from lib.access import Role
from lib.demo.texts import demo_file
from lib.domain import forms
from lib.domain.forms import FormTemplate
from lib.services.feedback.answering import CODE_ALPHABET, CODE_LENGTH
from lib.store import feedback as store

if TYPE_CHECKING:
    from lib.demo.seed import SeedContext

COOPERATION = "raconter-la-cooperation"
VALUE = "evaluer-la-valeur-creee"
# How many respondents of each hat a typical campaign gathers (before the random extra).
_ROLE_WEIGHTS = {
    "elected_official": 3,
    "local_agent": 5,
    "state_services": 3,
    "socio_economic": 4,
    "inhabitant": 4,
    "other": 1,
}
# Each role's usual leaning on a scale, in scale points; some questions lean further.
_ROLE_BIAS = {
    "elected_official": 0.7,
    "local_agent": 0.2,
    "state_services": -0.3,
    "socio_economic": 0.0,
    "inhabitant": -0.5,
    "other": 0.0,
}
_QUESTION_BIAS = {
    # The State services feel less heard; inhabitants feel less involved; elected officials
    # see a clearer course than anyone else. These are the disagreements to put to work.
    ("needs_heard", "state_services"): -1.2,
    ("own_involvement", "inhabitant"): -1.3,
    ("course_clarity", "elected_official"): 1.0,
    ("course_clarity", "socio_economic"): -0.8,
    ("value_economic", "socio_economic"): 0.8,
    ("value_environmental", "state_services"): -0.9,
    ("value_debated", "inhabitant"): -1.2,
    ("value_debated", "elected_official"): 0.8,
}
_TIER_LEVEL = {"pioneer": 0.6, "steady": 0.2, "newcomer": -0.2, "stalled": -0.5}


def _template_ids(ctx: SeedContext) -> dict[str, tuple[int, FormTemplate]]:
    """The shipped templates, stored idempotently (reference data outlives ``force``)."""
    stamp = ctx.at(ctx.today - timedelta(days=1200), 9)
    stored = {}
    for template in forms.load_templates():
        template_id, _ = store.store_template(
            ctx.conn, template, framework_version=ctx.framework.version, at=stamp
        )
        stored[template.slug] = (template_id, template)
    return stored


def _token(ctx: SeedContext, length: int, alphabet: str) -> str:
    return "".join(ctx.rng.choice(alphabet) for _ in range(length))


# What ``secrets.token_urlsafe`` draws from: demo share links look like real ones.
_TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _plan(ctx: SeedContext) -> list[dict[str, Any]]:
    """Which campaigns exist, on which dates, for whom."""
    today = ctx.today
    titles = demo_file("feedback")["campaign_titles"]
    plans = []
    for territory in ctx.territories:
        tier = territory["tier"]
        name = territory["short_name"]
        cooperation, value = (titles[k].format(name=name) for k in ("cooperation", "value"))
        if tier == "stalled":
            opens = today - timedelta(days=470)
            plans.append(_campaign(COOPERATION, territory, cooperation, opens, 35, 14))
            continue
        if tier in ("pioneer", "steady"):
            opens = today - timedelta(days=160 + ctx.rng.randint(0, 40))
            plans.append(_campaign(COOPERATION, territory, cooperation, opens, 30, 20))
            opens = today - timedelta(days=18 + ctx.rng.randint(0, 6))
            plans.append(_campaign(VALUE, territory, value, opens, 45, 18))
        else:
            opens = today - timedelta(days=12)
            plans.append(_campaign(COOPERATION, territory, cooperation, opens, 40, 9))
    opens = today - timedelta(days=25)
    plans.append(_campaign(VALUE, None, titles["network"], opens, 50, 24))
    return plans


def _campaign(
    slug: str, territory: dict | None, title: str, opens: date, days: int, responses: int
) -> dict[str, Any]:
    return {
        "slug": slug,
        "territory": territory,
        "title": title,
        "opens_on": opens,
        "closes_on": opens + timedelta(days=days),
        "responses": responses,
    }


def _roles_for(ctx: SeedContext, count: int) -> list[str]:
    """Every hat at least once when the campaign is big enough — three times for the 4
    Fantastiques and inhabitants in a big one, so each counts in the perception gap — then
    by weight."""
    hats = _hats(ctx)
    roles = list(hats) if count >= len(hats) else []
    if count >= 16:
        roles = [r for r in hats for _ in range(1 if r == "other" else 3)]
    pool = [r for r, w in _ROLE_WEIGHTS.items() for _ in range(w)]
    roles += [ctx.rng.choice(pool) for _ in range(count - len(roles))]
    ctx.rng.shuffle(roles)
    return roles


def _hats(ctx: SeedContext) -> list[str]:
    """The respondents' hats, in the framework's order."""
    return [r.id for r in ctx.framework.stakeholder_roles]


def _answers(ctx: SeedContext, template: FormTemplate, role: str, level: float) -> dict[str, Any]:
    said = demo_file("feedback")
    answers: dict[str, Any] = {}
    for q in template.questions:
        if not q.required and ctx.rng.random() < 0.3:
            continue
        if q.type == forms.SCALE:
            middle = (q.min + q.max) / 2
            value = middle + level + _ROLE_BIAS[role] + _QUESTION_BIAS.get((q.id, role), 0.0)
            value += ctx.rng.gauss(0, 0.8)
            answers[q.id] = int(min(q.max, max(q.min, round(value))))
        elif q.type == forms.NUMBER:
            answers[q.id] = ctx.rng.randint(0, 8)
        elif q.type == forms.SINGLE_CHOICE:
            answers[q.id] = ctx.rng.choice(q.option_ids)
        elif q.type == forms.MULTIPLE_CHOICE:
            answers[q.id] = ctx.rng.sample(q.option_ids, ctx.rng.randint(1, min(4, len(q.options))))
        elif q.id in said["texts"] or q.id.endswith("_comment"):
            answers[q.id] = ctx.rng.choice(said["texts"].get(q.id, said["comments"]))
        elif q.required:
            answers[q.id] = said["nothing_to_add"]
    assert not forms.validate_answers(template, answers), "demo answers must be valid"
    return forms.clean_answers(template, answers)


def _moment(ctx: SeedContext, opens: date, closes: date) -> datetime:
    last = min(closes, ctx.today - timedelta(days=1))
    day = opens + timedelta(days=ctx.rng.randint(0, max(0, (last - opens).days)))
    return ctx.at(day, ctx.rng.randint(8, 20), ctx.rng.randint(0, 59))


def _day_version(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def seed_campaigns_and_responses(ctx: SeedContext) -> int:
    templates = _template_ids(ctx)
    rows_written = len(templates)
    for plan in _plan(ctx):
        template_id, template = templates[plan["slug"]]
        territory = plan["territory"]
        territory_id = territory["id"] if territory else None
        admins = (
            ctx.members(territory_id, (Role.TERRITORY_ADMIN,)) if territory else []
        ) or ctx.coordinator_ids
        created = ctx.at(plan["opens_on"] - timedelta(days=3), 10)
        created_by = admins[0]
        campaign_id = store.insert_campaign(
            ctx.conn,
            territory_id=territory_id,
            form_template_id=template_id,
            title=plan["title"],
            opens_on=plan["opens_on"],
            closes_on=plan["closes_on"],
            anonymous=True,
            share_token=_token(ctx, 32, _TOKEN_ALPHABET),
            created_by=created_by,
            created_at=created,
            updated_at=created,
            # The same day gives the same rows, so a version of that day: a reseed on
            # another day never shares a version with results a process cached before.
            data_version=_day_version(ctx.today),
        )
        ctx.log(
            created,
            "campaign.opened",
            person_id=created_by,
            territory_id=territory_id,
            subject_type="campaign",
            subject_id=campaign_id,
        )
        rows_written += 1
        level = _TIER_LEVEL[territory["tier"]] if territory else 0.0
        is_open = plan["opens_on"] <= ctx.today <= plan["closes_on"]
        roles = _roles_for(ctx, plan["responses"])
        # An open campaign has a couple of drafts in progress too, as real ones do.
        drafts = [ctx.rng.choice(_hats(ctx)) for _ in range(2)] if is_open else []
        for index, role in enumerate(roles + drafts):
            submitted_at = _moment(ctx, plan["opens_on"], plan["closes_on"])
            started_at = submitted_at - timedelta(minutes=ctx.rng.randint(6, 40))
            answers = _answers(ctx, template, role, level)
            draft = index >= len(roles)
            document: dict[str, Any] = {"answers": answers}
            if draft:
                document = {"answers": dict(list(answers.items())[:4]), "step": 1}
            else:
                document |= {"template_slug": template.slug, "template_version": template.version}
            response_id = store.insert_response(
                ctx.conn,
                campaign_id=campaign_id,
                respondent_role=role,
                status=store.DRAFT if draft else store.SUBMITTED,
                resume_code=_token(ctx, CODE_LENGTH, CODE_ALPHABET),
                document=document,
                submitted_at=None if draft else submitted_at,
                created_at=started_at,
                updated_at=started_at if draft else submitted_at,
            )
            rows_written += 1
            if draft:
                continue
            rows = forms.answer_rows(template, answers)
            store.replace_answers(ctx.conn, response_id, rows)
            rows_written += len(rows)
            ctx.log(
                submitted_at,
                "response.submitted",
                territory_id=territory_id,
                subject_type="response",
                subject_id=response_id,
                details={"campaign_id": campaign_id, "role": role},
            )
    return rows_written
