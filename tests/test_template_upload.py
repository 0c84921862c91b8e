"""A questionnaire template uploaded as YAML: what is wrong is named by line and key, a good
file is previewed without storing anything, then published as a version (an answered version
is never changed) with its trace in the journal — coordinators only."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from lib.access import Role
from lib.domain.errors import PermissionDenied, ValidationFailed
from lib.domain.framework import load_framework
from lib.domain.template_upload import TemplateProblem, read_template
from lib.services import feedback
from lib.store import tables
from tests.conftest import count_rows
from tests.factories import make_actor, make_campaign, make_response, make_territory

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "forms" / "raconter-la-cooperation.yaml"

GOOD = """\
slug: atelier-mobilites
version: 1
title:
  fr: "Atelier mobilités"
  en: "Mobility workshop"
sections:
  - id: bilan
    title: {fr: "Bilan", en: "Review"}
    questions:
      - id: utile
        type: scale
        min: 1
        max: 5
        min_label: {fr: "Pas du tout", en: "Not at all"}
        max_label: {fr: "Tout à fait", en: "Fully"}
        label: {fr: "Cet atelier vous a-t-il été utile ?", en: "Was this workshop useful to you?"}
      - id: idee
        type: short_text
        label: {fr: "Une idée à retenir", en: "One idea to keep"}
"""


def _problem(text: str) -> TemplateProblem:
    with pytest.raises(TemplateProblem) as raised:
        read_template(text.encode("utf-8"), load_framework())
    return raised.value


def test_the_shipped_templates_read_as_uploads():
    template, document = read_template(SHIPPED.read_bytes(), load_framework())
    assert template.slug == "raconter-la-cooperation" and document["slug"] == template.slug


def test_an_unknown_question_type_is_named_by_its_line_and_key():
    problem = _problem(GOOD.replace("type: short_text", "type: ranking"))
    assert problem.code == "admin.template.error.content.at_key"
    assert (problem.params["line"], problem.params["path"]) == (18, "sections[0].questions[1].type")
    assert "type inconnu 'ranking'" in problem.params["detail"]


def test_a_missing_english_label_is_named_at_the_label_s_line():
    problem = _problem(GOOD.replace(', en: "One idea to keep"', ""))
    assert (problem.params["line"], problem.params["path"]) == (19, "sections[0].questions[1].label")


def test_broken_yaml_is_named_by_its_line():
    problem = _problem(GOOD.replace("    questions:", "    questions: [", 1))
    assert problem.code == "admin.template.error.yaml.at_line"
    assert problem.params["line"] >= 9


def test_a_file_that_is_not_utf8_says_so():
    with pytest.raises(TemplateProblem) as raised:
        read_template(GOOD.encode("utf-16"), load_framework())
    assert raised.value.code == "admin.template.error.encoding"


def _journal(engine) -> list[tuple]:
    with engine.connect() as conn:
        query = sa.select(tables.activity_log.c.action, tables.activity_log.c.details).where(
            tables.activity_log.c.action == "template.published"
        )
        return [(r.action, r.details) for r in conn.execute(query)]


def test_checking_stores_nothing_then_publishing_adds_the_template_and_logs_it(engine):
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    before = count_rows(engine, tables.form_template)

    checked = feedback.check_template_upload(engine, coordinator, GOOD.encode())
    assert (checked.template.slug, str(checked.step), checked.version, checked.first) == (
        "atelier-mobilites",
        "add",
        1,
        True,
    )
    assert count_rows(engine, tables.form_template) == before

    _, version = feedback.publish_template(engine, coordinator, GOOD.encode())
    assert version == 1
    assert "atelier-mobilites" in {c.slug for c in feedback.list_templates(engine, coordinator)}
    assert _journal(engine) == [("template.published", {"slug": "atelier-mobilites", "version": 1})]
    assert str(feedback.check_template_upload(engine, coordinator, GOOD.encode()).step) == "keep"


def test_a_template_someone_answered_gets_a_new_version_and_the_old_one_is_unchanged(engine):
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    template_id, _ = feedback.publish_template(engine, coordinator, GOOD.encode())
    campaign_id, _ = make_campaign(engine, make_territory(engine, "Lens"), template_id=template_id)
    make_response(engine, campaign_id, "elected_official", {"utile": 4})
    reworded = GOOD.replace("Une idée à retenir", "Une idée à garder")

    assert feedback.check_template_upload(engine, coordinator, reworded.encode()).version == 2
    new_id, version = feedback.publish_template(engine, coordinator, reworded.encode())

    assert (version, new_id != template_id) == (2, True)
    with engine.connect() as conn:
        old = conn.execute(
            sa.select(tables.form_template.c.content).where(tables.form_template.c.id == template_id)
        )
        assert old.scalar_one()["sections"][0]["questions"][1]["label"]["fr"] == "Une idée à retenir"


def test_a_wrong_file_is_refused_under_the_file_field(engine):
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    with pytest.raises(ValidationFailed) as refused:
        feedback.publish_template(
            engine, coordinator, GOOD.replace("slug: atelier-mobilites", "slug: A B").encode()
        )
    assert refused.value.errors["file"].code == "admin.template.error.content.at_key"
    assert _journal(engine) == []


@pytest.mark.parametrize("role", [Role.TERRITORY_ADMIN, Role.CONTRIBUTOR])
def test_only_coordinators_check_or_publish_a_template(engine, role):
    actor = make_actor(engine, role, make_territory(engine, "Lens"))
    for call in (feedback.check_template_upload, feedback.publish_template):
        with pytest.raises(PermissionDenied):
            call(engine, actor, GOOD.encode())
    assert _journal(engine) == []
