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

import sqlalchemy as sa

from lib.domain import forms
from lib.domain.forms import FormTemplate
from lib.store import feedback as store
from lib.store import tables

if TYPE_CHECKING:
    from lib.demo.seed import SeedContext

COOPERATION = "raconter-la-cooperation"
VALUE = "evaluer-la-valeur-creee"
ROLES = ("elected_official", "local_agent", "state_services", "socio_economic", "inhabitant", "other")
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

_COMMENTS = (
    "Difficile à mesurer, mais on le sent dans les échanges.",
    "Des effets réels, encore fragiles.",
    "Je manque de recul pour en juger.",
    "Plus visible dans certains quartiers que d’autres.",
)
_TEXTS: dict[str, tuple[str, ...]] = {
    "missing_actors": (
        "Les jeunes, encore une fois : les réunions tombent pendant les heures de cours.",
        "Les agriculteurs, qui se sentent visés plutôt qu’invités.",
        "Les commerçants du centre-bourg, faute de temps en journée.",
        "La région, présente au lancement puis absente.",
    ),
    "needs_from_others": (
        "Des élu·es qui tranchent quand le groupe est bloqué.",
        "Que les services de l’État nous disent plus tôt ce qui est possible réglementairement.",
        "Des agent·es disponibles pour nous accompagner dans les dossiers de financement.",
        "Être associés dès le début, pas seulement au moment de la validation.",
        "Un calendrier partagé, pour que chacun sache quand il est attendu.",
    ),
    "disagreement_story": (
        "Le tracé de la piste cyclable a opposé commerçants et habitants ; trois ateliers ont permis "
        "un compromis sur le stationnement.",
        "Désaccord sur la place de la voiture : il n’est pas réglé, mais on en parle enfin ouvertement.",
        "La DDT et la commune ne lisaient pas le PLU de la même façon ; une visite de terrain commune a "
        "débloqué la situation.",
    ),
    "new_cooperations": (
        "L’épicerie solidaire travaille maintenant avec la cantine scolaire.",
        "Un groupement d’achat d’énergie entre trois communes voisines.",
        "Les services techniques et l’association de jardiniers entretiennent ensemble les friches.",
    ),
    "resistances": (
        "La peur de perdre du temps en réunions.",
        "Une méfiance ancienne envers l’intercommunalité.",
        "Mes propres habitudes de travail en silo, je l’avoue.",
    ),
    "where_from": (
        "D’un territoire minier qui se pensait sans avenir.",
        "De projets isolés portés par quelques passionnés.",
        "D’une crise de confiance entre la mairie et les habitants.",
    ),
    "where_going": (
        "Vers un projet de territoire réellement partagé ; prochaine étape : le comité des usagers.",
        "Vers l’autonomie énergétique, en commençant par les bâtiments publics.",
        "Je ne sais pas encore, et c’est bien d’oser le dire.",
    ),
    "useful_effects": (
        "Des habitants qui ne se parlaient pas travaillent désormais ensemble.",
        "Une baisse nette des factures d’énergie des écoles.",
        "Des agent·es plus fiers de leur travail.",
        "Des projets qui aboutissent plus vite grâce au dialogue avec l’État.",
    ),
    "unexpected_effects": (
        "Le jardin partagé est devenu un lieu de rencontre entre générations.",
        "Des entreprises d’autres communes viennent voir ce que nous faisons.",
    ),
    "harmful_effects": (
        "Une fatigue des bénévoles, toujours les mêmes.",
        "Des quartiers qui se sentent oubliés par rapport au centre.",
    ),
    "revealed_beyond_conformity": (
        "Que la confiance compte plus que les indicateurs pour faire avancer un projet.",
        "Que nous mesurions ce qui est facile à mesurer, pas ce qui compte.",
        "Des compétences insoupçonnées chez les habitants.",
    ),
    "agreed": (
        "Poursuivre la rénovation des écoles et associer les parents.",
        "Évaluer ensemble chaque année, pas seulement en fin de mandat.",
    ),
    "under_debate": (
        "La place de la voiture en centre-bourg.",
        "Le partage des coûts entre la commune et l’intercommunalité.",
    ),
}


def _template_ids(ctx: SeedContext) -> dict[str, tuple[int, FormTemplate]]:
    """The shipped templates, stored idempotently (reference data outlives ``force``)."""
    stamp = ctx.at(ctx.today - timedelta(days=1200), 9)
    stored = {}
    for template in forms.load_templates():
        template_id, _ = store.save_template(
            ctx.conn,
            slug=template.slug,
            version=template.version,
            title_fr=template.title.fr,
            title_en=template.title.en,
            content=template.raw,
            framework_version=ctx.framework.version,
            at=stamp,
        )
        stored[template.slug] = (template_id, template)
    return stored


def _token(ctx: SeedContext, length: int, alphabet: str) -> str:
    return "".join(ctx.rng.choice(alphabet) for _ in range(length))


_TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _plan(ctx: SeedContext) -> list[dict[str, Any]]:
    """Which campaigns exist, on which dates, for whom."""
    today = ctx.today
    plans = []
    for territory in ctx.territories:
        tier = territory["tier"]
        name = territory["short_name"]
        if tier == "stalled":
            opens = today - timedelta(days=470)
            plans.append(
                _campaign(COOPERATION, territory, f"Raconter la coopération — {name}", opens, 35, 14)
            )
            continue
        if tier in ("pioneer", "steady"):
            opens = today - timedelta(days=160 + ctx.rng.randint(0, 40))
            plans.append(
                _campaign(COOPERATION, territory, f"Raconter la coopération — {name}", opens, 30, 20)
            )
            opens = today - timedelta(days=18 + ctx.rng.randint(0, 6))
            plans.append(
                _campaign(VALUE, territory, f"Valeur créée — bilan de l’année, {name}", opens, 45, 18)
            )
        else:
            opens = today - timedelta(days=12)
            plans.append(_campaign(COOPERATION, territory, f"Raconter la coopération — {name}", opens, 40, 9))
    opens = today - timedelta(days=25)
    plans.append(_campaign(VALUE, None, "Réseau — la valeur créée par nos coopérations", opens, 50, 24))
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
    roles = list(ROLES) if count >= len(ROLES) else []
    if count >= 16:
        roles = [r for r in ROLES for _ in range(1 if r == "other" else 3)]
    pool = [r for r, w in _ROLE_WEIGHTS.items() for _ in range(w)]
    roles += [ctx.rng.choice(pool) for _ in range(count - len(roles))]
    ctx.rng.shuffle(roles)
    return roles


def _answers(ctx: SeedContext, template: FormTemplate, role: str, level: float) -> dict[str, Any]:
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
        elif q.id in _TEXTS or q.id.endswith("_comment"):
            answers[q.id] = ctx.rng.choice(_TEXTS.get(q.id, _COMMENTS))
        elif q.required:
            answers[q.id] = "Rien à ajouter."
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
        admins = (ctx.members(territory_id, ("territory_admin",)) if territory else []) or ctx.coordinator_ids
        created = ctx.at(plan["opens_on"] - timedelta(days=3), 10)
        created_by = admins[0]
        campaign_id = ctx.conn.execute(
            sa.insert(tables.campaign)
            .values(
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
            .returning(tables.campaign.c.id)
        ).scalar_one()
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
        drafts = [ctx.rng.choice(ROLES) for _ in range(2)] if is_open else []
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
            response_id = ctx.conn.execute(
                sa.insert(tables.response)
                .values(
                    campaign_id=campaign_id,
                    respondent_role=role,
                    status="draft" if draft else "submitted",
                    resume_code=_token(ctx, 12, _CODE_ALPHABET),
                    document=document,
                    submitted_at=None if draft else submitted_at,
                    created_at=started_at,
                    updated_at=started_at if draft else submitted_at,
                )
                .returning(tables.response.c.id)
            ).scalar_one()
            rows_written += 1
            if draft:
                continue
            rows = forms.answer_rows(template, answers)
            ctx.conn.execute(
                sa.insert(tables.answer),
                [
                    {"response_id": response_id, "question_id": q, "numeric_value": n, "text_value": s}
                    for q, n, s in rows
                ],
            )
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
