"""The retrieval evaluation: question loading, metrics, abstention rates, report, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.eval import (
    EvalQuestion,
    document_texts,
    evaluate,
    false_answers,
    format_report,
    load_questions,
    main,
    normalise,
    ranked_docs,
    with_overrides,
)
from assistant.retrieval import RetrievalParams
from assistant.testing import FakeRetriever
from assistant.types import ScoredChunk
from ingest.loaders import load_document
from tests.assistant.test_bm25 import chunk

OUT_OF_SCOPE = Path(__file__).resolve().parents[2] / "assistant" / "data" / \
    "out_of_scope_questions.jsonl"
PROBE = OUT_OF_SCOPE.with_name("probe_questions.jsonl")


def results(*docs: str, score: float = 0.9) -> list[ScoredChunk]:
    return [ScoredChunk(chunk(d, n, f"text of {d} part {n}. Evidence {d}."), score)
            for n, d in enumerate(docs)]


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + "\n")
    return path


def test_normalise_strips_html_case_and_punctuation() -> None:
    assert normalise("<p>You’re   eligible &amp; <b>paid</b>, weekly!</p>") == \
        "you re eligible paid weekly"


def test_load_questions_reads_fields_and_splits_on_even_ids(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "q.jsonl", [
        {"id": "train-4", "question": "Q?", "scenario": "S.", "relevant_doc": "a.md",
         "evidences": ["<p>E</p>"]},
        {"id": "train-7", "question": "Q2?", "relevant_doc": None}])
    first, second = load_questions(path)
    assert (first.tuning, second.tuning) == (True, False)
    assert first.query("scenario+question") == "S. Q?"
    assert first.query("question") == "Q?"
    assert second.relevant_doc is None and second.query("scenario+question") == "Q2?"


def test_ranked_docs_keeps_first_appearance_order() -> None:
    assert ranked_docs(results("b.md", "a.md", "b.md", "c.md")) == ["b.md", "a.md", "c.md"]


def test_evaluate_computes_hits_mrr_and_evidence_recall() -> None:
    found = results("x.md", "a.md")
    questions = [
        EvalQuestion("q-2", "first", relevant_doc="x.md", evidences=("Evidence x.md",)),
        EvalQuestion("q-3", "second", relevant_doc="a.md", evidences=("not in the doc",)),
        EvalQuestion("q-5", "third", relevant_doc="zzz.md"),
    ]
    docs = document_texts([s.chunk for s in found])
    retriever = FakeRetriever(found, min_relevance=0.5)
    report = evaluate(retriever, questions, docs, "question")
    # warmed up as the app is before its first user, so no question pays for loading
    assert retriever.warm_ups == 1 and [q for q, _, _ in retriever.queries] == [
        "first", "second", "third"]
    assert report["n"] == 3
    assert report["hit@1"] == pytest.approx(1 / 3, abs=1e-3)
    assert report["hit@5"] == pytest.approx(2 / 3, abs=1e-3)
    assert report["mrr"] == pytest.approx((1 + 0.5) / 3, abs=1e-3)
    assert report["evidence_counted"] == 1 and report["evidence_recall@5"] == 1.0
    assert report["tuning"]["n"] == 1 and report["held_out"]["n"] == 2
    assert report["false_abstain"] == 0.0
    assert report["latency_ms_p95"] >= report["latency_ms_p50"] >= 0


def test_low_scores_count_as_abstentions_and_false_answers() -> None:
    weak = FakeRetriever(results("a.md", score=0.2), min_relevance=0.5)
    strong = FakeRetriever(results("a.md", score=0.8), min_relevance=0.5)
    questions = [EvalQuestion("oos-1", "q"), EvalQuestion("oos-2", "q")]
    assert evaluate(weak, [EvalQuestion("q-1", "q", relevant_doc="a.md")], {},
                    "question")["false_abstain"] == 1.0
    assert false_answers(weak, questions, "question")["all"]["false_answer"] == 0.0
    strong_report = false_answers(strong, questions, "question")
    assert strong_report["all"]["false_answer"] == 1.0
    assert strong_report["answered_ids"] == ["oos-1", "oos-2"]


def test_misses_list_questions_whose_document_is_not_in_the_top_5() -> None:
    found = results("a.md", "b.md", "c.md", "d.md", "e.md", "f.md")
    questions = [EvalQuestion("q-1", "found", relevant_doc="c.md"),
                 EvalQuestion("q-2", "sixth", relevant_doc="f.md"),
                 EvalQuestion("q-3", "absent", relevant_doc="zzz.md"),
                 EvalQuestion("q-4", "out of scope: no document to miss")]
    retriever = FakeRetriever(found)
    assert "misses" not in evaluate(retriever, questions, {}, "question")
    report = evaluate(retriever, questions, {}, "question", misses=True)
    assert [(m["id"], m["rank"]) for m in report["misses"]] == [("q-2", 6), ("q-3", None)]
    assert report["misses"][0]["top"] == ["a.md", "b.md", "c.md", "d.md", "e.md"]
    text = format_report({"query": "question", "store": "/s", "min_relevance": 0.5, **report})
    assert "document not in the top 5 (2):" in text
    assert "wanted f.md (rank 6)" in text
    assert "wanted zzz.md (not among the documents of the top 20 chunks)" in text


def test_with_overrides_parses_values() -> None:
    params = with_overrides(RetrievalParams(), ["rrf_k=30", "sparse_weight=0.25"])
    assert (params.rrf_k, params.sparse_weight) == (30, 0.25)


def test_format_report_shows_each_half_and_latency() -> None:
    report = evaluate(FakeRetriever(results("a.md")), [EvalQuestion("q-1", "q",
                                                                    relevant_doc="a.md")],
                      {}, "question")
    text = format_report({"query": "question", "store": "/s", "min_relevance": 0.5, **report})
    assert "hybrid all" in text and "hybrid held_out" in text and "p95" in text


def test_out_of_scope_questions_file_is_well_formed() -> None:
    questions = load_questions(OUT_OF_SCOPE)
    assert len(questions) >= 50
    assert len({q.id for q in questions}) == len(questions)
    assert all(q.relevant_doc is None and q.question.endswith("?") for q in questions)
    assert sum(q.tuning for q in questions) >= 25 and sum(not q.tuning for q in questions) >= 25


def test_probe_questions_name_real_pages_and_quote_them(shared_data: Path) -> None:
    """The held-out probe (docs/retrieval.md): each question's page exists in the shared
    guidance and holds its evidence sentences word for word."""
    questions = load_questions(PROBE)
    assert len(questions) == 60 and len({q.id for q in questions}) == 60
    folders = [shared_data / "guidance" / name for name in
               ("govuk_guides", "immigration_rules", "govuk_html_examples")]
    for q in questions:
        [page] = [f / q.relevant_doc for f in folders if (f / q.relevant_doc).is_file()]
        text = normalise(" ".join(s.text for s in load_document(page).sections))
        assert q.evidences and all(normalise(e) in text for e in q.evidences), q.id


@pytest.mark.integration
def test_cli_reports_a_clear_error_for_an_empty_store(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    questions = write_jsonl(tmp_path / "q.jsonl", [{"id": "q-1", "question": "Q?",
                                                    "relevant_doc": "a.md"}])
    assert main([str(questions), "--store", str(tmp_path / "empty"), "--json"]) == 2
    assert "no chunks" in capsys.readouterr().err
