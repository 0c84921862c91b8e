"""The question-type registry: a template naming an unregistered type is refused when it is
loaded, every registered type has its widget and its results section, and number answers are
summarised (count, quartiles, median) by group."""

from __future__ import annotations

import copy

import pytest
import yaml

from components.feedback_results import SUMMARIES
from components.form_renderer import WIDGETS
from lib.domain import feedback_analytics as fa
from lib.domain.anonymity import POOLED
from lib.domain.forms import FormTemplateError, load_templates_from
from lib.domain.question_types import TYPES
from tests.factories import SHORT_TEMPLATE


def test_an_unknown_question_type_in_a_template_file_is_refused_at_load_naming_file_and_question(tmp_path):
    document = copy.deepcopy(SHORT_TEMPLATE)
    document["sections"][1]["questions"][1]["type"] = "ranking"  # the question "partners"
    (tmp_path / "a-classer.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    with pytest.raises(FormTemplateError) as refused:
        load_templates_from(tmp_path)
    message = str(refused.value)
    assert "a-classer.yaml" in message
    assert "« partners »" in message
    assert "'ranking'" in message


def test_every_registered_type_has_a_widget_and_a_results_section():
    assert set(WIDGETS) == set(TYPES)
    assert set(SUMMARIES) == set(TYPES)


def test_number_answers_are_summarised_by_group_then_for_everyone():
    # Worked by hand: elected officials 1, 2, 6; the pooled group 4, 4, 7, 10.
    rows = [
        ("partners", "elected_official", 1.0, 1),
        ("partners", "elected_official", 2.0, 1),
        ("partners", "elected_official", 6.0, 1),
        ("partners", POOLED, 4.0, 2),
        ("partners", POOLED, 7.0, 1),
        ("partners", POOLED, 10.0, 1),
    ]
    summary = fa.number_summary(rows, ["elected_official", "local_agent"])
    figures = {r.role: (r.answers, r.q1, r.median, r.q3) for r in summary.itertuples()}
    assert list(summary["role"]) == ["elected_official", POOLED, fa.EVERYONE]
    assert figures["elected_official"] == (3, 1.5, 2.0, 4.0)
    assert figures[POOLED] == (4, 4.0, 5.5, 7.75)
    assert figures[fa.EVERYONE] == (7, 3.0, 4.0, 6.5)  # 1 2 4 4 6 7 10


def test_a_single_answer_is_its_own_median_and_quartiles():
    summary = fa.number_summary([("partners", "local_agent", 3.0, 1)])
    assert summary.iloc[0][["answers", "q1", "median", "q3"]].tolist() == [1, 3.0, 3.0, 3.0]
