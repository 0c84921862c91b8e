"""Form templates: the shipped ones load, broken ones are refused naming the key, and answers
are checked the way a respondent will see it (every problem at once, keyed by question)."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.domain import forms
from lib.domain.forms import FormTemplateError, parse_template
from lib.domain.framework import load_framework
from lib.domain.text import clean_text
from tests.factories import SHORT_TEMPLATE

FRAMEWORK = load_framework()


def short():
    return parse_template(copy.deepcopy(SHORT_TEMPLATE), source="essai.yaml")


# --- the shipped templates ------------------------------------------------------------------


def test_both_reflexive_templates_ship_and_link_to_their_storytelling_dimension():
    templates = {tpl.slug: tpl for tpl in forms.load_templates()}
    assert templates["raconter-la-cooperation"].storytelling_dimension == "tell_cooperation"
    assert templates["evaluer-la-valeur-creee"].storytelling_dimension == "evaluate_value"
    for template in templates.values():
        assert template.title.fr and template.title.en
        assert len(template.sections) >= 3
        assert template.questions_of_type(forms.SCALE), "the perception gap needs scale questions"
        assert any(q.required for q in template.questions)


def test_the_value_template_asks_each_sourced_value_dimension_on_a_scale_with_a_comment():
    value = next(tpl for tpl in forms.load_templates() if tpl.slug == "evaluer-la-valeur-creee")
    sourced = {d.id for d in FRAMEWORK.value_dimensions if d.flag}
    scales = {q.value_dimension for q in value.questions_of_type(forms.SCALE)}
    comments = {q.value_dimension for q in value.questions_of_type(forms.SHORT_TEXT)}
    assert sourced <= scales and sourced <= comments
    for q in value.questions_of_type(forms.SCALE):
        if q.value_dimension:
            assert (q.min, q.max) == (-2, 2)  # value destroyed ... value created


def test_the_cooperation_template_asks_who_took_part_and_who_was_missing():
    coop = next(tpl for tpl in forms.load_templates() if tpl.slug == "raconter-la-cooperation")
    took_part = coop.question("took_part")
    assert took_part.type == forms.MULTIPLE_CHOICE
    assert {"elected_official", "local_agent", "state_services", "socio_economic"} <= set(
        took_part.option_ids
    )
    assert coop.question("missing_actors").type == forms.LONG_TEXT


# --- broken templates are refused, naming the key -------------------------------------------


def _broken(change) -> dict:
    doc = copy.deepcopy(SHORT_TEMPLATE)
    change(doc)
    return doc


def _q(doc, section=0, question=0):
    return doc["sections"][section]["questions"][question]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: _q(d)["label"].pop("en"), "sections[0].questions[0].label"),
        (lambda d: _q(d).pop("max_label"), "sections[0].questions[0].max_label"),
        (lambda d: _q(d).update(type="slider"), "sections[0].questions[0].type"),
        (lambda d: _q(d).update(min=5, max=1), "sections[0].questions[0].min"),
        (lambda d: _q(d, 1, 0).update(id="mood"), "mood"),
        (lambda d: _q(d, 0, 1)["options"][1].update(id="energy"), "energy"),
        (lambda d: _q(d, 0, 1).update(options=[{"id": "x", "label": {"fr": "x", "en": "x"}}]), "options"),
        (lambda d: _q(d).update(axis="nowhere"), "sections[0].questions[0].axis"),
        (lambda d: _q(d).update(colour="red"), "sections[0].questions[0].colour"),
        (lambda d: _q(d, 1, 0).update(max_length=0), "sections[1].questions[0].max_length"),
        (lambda d: _q(d, 1, 0).update(options=[]), "sections[1].questions[0].options"),
        (lambda d: _q(d).update(id="Humeur du jour"), "sections[0].questions[0].id"),
        (lambda d: d.pop("sections"), "sections"),
        (lambda d: d.update(slug="Essai Court"), "slug"),
    ],
)
def test_a_broken_template_is_refused_with_the_faulty_key_named(change, named):
    with pytest.raises(FormTemplateError) as caught:
        parse_template(_broken(change), source="essai.yaml", framework=FRAMEWORK)
    assert "essai.yaml" in str(caught.value)
    assert named in str(caught.value)


def test_links_are_checked_against_the_framework_only_when_given():
    doc = _broken(lambda d: _q(d).update(axis="an_axis_since_removed"))
    assert parse_template(doc).question("mood").axis == "an_axis_since_removed"  # a stored version
    with pytest.raises(FormTemplateError):
        parse_template(doc, framework=FRAMEWORK)


# --- answers --------------------------------------------------------------------------------


def test_every_problem_is_reported_at_once_keyed_by_question():
    errors = forms.validate_answers(
        short(),
        {
            "mood": 9,  # out of range
            "topics": ["energy", "housing"],  # a choice not offered
            "story": "x" * 21,  # over the limit of 20
            "partners": 11,  # out of range
            "outcome": "forgotten",  # not offered
        },
    )
    assert {name: e.code for name, e in errors.items()} == {
        "q.mood": forms.OUT_OF_RANGE,
        "q.topics": forms.NOT_OFFERED,
        "q.story": forms.TOO_LONG,
        "q.partners": forms.OUT_OF_RANGE,
        "q.outcome": forms.NOT_OFFERED,
    }
    assert errors["q.story"].params == {"length": 21, "max": 20}
    assert errors["q.mood"].params == {"min": "1", "max": "5"}


def test_required_questions_left_empty_are_reported_and_optional_ones_are_not():
    errors = forms.validate_answers(short(), {"mood": None, "story": "   ", "topics": []})
    assert {name: e.code for name, e in errors.items()} == {
        "q.mood": forms.REQUIRED,
        "q.story": forms.REQUIRED,
    }


def test_a_draft_check_can_skip_required_and_look_at_one_section():
    assert forms.validate_answers(short(), {}, check_required=False) == {}
    assert set(forms.validate_answers(short(), {"story": "x" * 30}, section_id="first")) == {"q.mood"}


def test_numbers_must_be_numbers_and_whole_when_asked():
    errors = forms.validate_answers(short(), {"mood": 2.5, "story": "ok", "partners": "beaucoup"})
    assert errors["q.mood"].code == forms.NOT_INTEGER
    assert errors["q.partners"].code == forms.NOT_A_NUMBER


def test_answer_rows_one_per_answer_and_one_per_chosen_option():
    rows = forms.answer_rows(
        short(),
        {"mood": 4, "topics": ["mobility", "energy"], "story": "  Bien  ", "partners": 3, "outcome": None},
    )
    assert rows == [
        ("mood", 4.0, None),
        ("topics", None, "energy"),  # in the template's order, whatever the order of clicks
        ("topics", None, "mobility"),
        ("story", None, "Bien"),
        ("partners", 3.0, None),
    ]


def test_a_draft_keeps_even_wrong_values_so_nothing_typed_is_lost():
    kept = forms.draft_answers(short(), {"story": "x" * 50, "mood": 42, "unknown": "dropped", "outcome": ""})
    assert kept == {"story": "x" * 50, "mood": 42}


@given(value=st.integers(min_value=-50, max_value=50))
def test_a_scale_accepts_exactly_its_own_points(value):
    errors = forms.validate_answers(short(), {"mood": value, "story": "ok"})
    if 1 <= value <= 5:
        assert errors == {}
        assert forms.answer_rows(short(), {"mood": value, "story": "ok"})[0] == ("mood", float(value), None)
    else:
        assert errors["q.mood"].code == forms.OUT_OF_RANGE


@given(text=st.text(min_size=1, max_size=40))
def test_a_short_text_is_refused_exactly_when_its_trimmed_length_exceeds_the_limit(text):
    errors = forms.validate_answers(short(), {"mood": 3, "story": text})
    stripped = clean_text(text).strip()  # invisible characters no format can carry do not count
    if not stripped:
        assert errors["q.story"].code == forms.REQUIRED
    elif len(stripped) > 20:
        assert errors["q.story"].code == forms.TOO_LONG
    else:
        assert errors == {}
