"""The discovery metric of `python -m consult.eval`: one-to-one matching; unmatched themes cost."""

from __future__ import annotations

from consult.analysis import QuestionResult
from consult.eval import _discovery
from consult.importing import build_question
from consult.themes import Theme


def _result(assignments: list[list[str]], theme_ids: list[str]) -> QuestionResult:
    question = build_question("q1", "Do you agree?", [(f"r{i}", f"answer {i} words here")
                                                      for i in range(len(assignments))])
    themes = [Theme(theme_id=t, label=t, description="") for t in theme_ids]
    return QuestionResult(question=question, themes=themes, assignments=assignments,
                          positions=["unclear"] * len(assignments),
                          evidence=[[] for _ in assignments])


def test_discovered_themes_are_matched_one_to_one_to_gold() -> None:
    gold = [{"A"}, {"A"}, {"B"}, {"B"}]
    result = _result([["x"], ["x"], ["y"], ["y"]], ["x", "y"])
    assert _discovery(result, gold) == {"discovery_f1": 1.0, "discovered_themes": 2}


def test_mappings_to_unmatched_discovered_themes_count_as_false_positives() -> None:
    gold = [{"A"}, {"A"}, {"B"}, {"B"}]
    extra = _result([["x", "z"], ["x"], ["y", "z"], ["y"]], ["x", "y", "z"])
    figure = _discovery(extra, gold)
    assert figure["discovered_themes"] == 3
    assert figure["discovery_f1"] == 2 * (4 / 6) * 1.0 / (4 / 6 + 1.0)  # precision 4/6, recall 1
