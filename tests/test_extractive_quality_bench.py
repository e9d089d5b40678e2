"""The extractive-quality benchmark's scoring helpers (the figures in docs depend on them)."""

from __future__ import annotations

from benchmarks.extractive_quality import _summary, evidence_sentences


def test_evidence_is_split_into_normalised_sentences_of_four_words_or_more() -> None:
    passages = ("<p>You must tell your employer 15 weeks before. Give notice in writing.</p>",
                "<li>having a baby</li>")
    assert evidence_sentences(passages) == [
        "you must tell your employer 15 weeks before", "give notice in writing"]


def test_summary_counts_only_questions_that_can_be_scored() -> None:
    rows = [
        {"answered": True, "words": 40, "ms": 10.0, "evidence": True, "in_sources": True,
         "gold": None},
        {"answered": True, "words": 60, "ms": 30.0, "evidence": False, "in_sources": True,
         "gold": True},
        {"answered": False, "words": 0, "ms": 5.0, "evidence": False, "in_sources": False,
         "gold": None},
        {"answered": True, "words": 80, "ms": 20.0, "evidence": None, "in_sources": None,
         "gold": False},
    ]
    summary = _summary(rows)
    assert summary["answered"] == 0.75
    assert summary["evidence_quoted"] == {"share": 0.333, "n": 3}
    assert summary["evidence_in_sources"] == {"share": 0.667, "n": 3}
    assert summary["gold_answer_quoted"] == {"share": 0.5, "n": 2}
    assert summary["words_p50"] == 60  # abstentions are not counted as short answers
