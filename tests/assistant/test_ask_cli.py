"""`python -m assistant.ask` against a real index of the bundled sample guidance."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.answering import abstention_text
from assistant.ask import answer_json, format_sources
from assistant.config import Settings
from assistant.types import Answer, Citation
from ingest.service import ingest_paths
from tests.conftest import ROOT

CITATION = Citation(n=1, title="Leave", source="leave.pdf", section="Notice", page="3",
                    url=None, updated="2025-03-14", quote="Give 15 weeks' notice.")


def test_json_shape_and_page_numbers() -> None:
    data = answer_json(Answer("Give notice [1]", "extractive", True, [CITATION]))
    assert set(data) == {"answer", "mode", "answered", "citations", "closest", "spelling",
                         "warnings"}
    assert data["citations"][0]["page"] == 3 and data["citations"][0]["quote"] == CITATION.quote
    assert data["spelling"] == [] and data["warnings"] == []
    warned = Answer("Give notice [1]", "extractive", True, [CITATION], ["Check the dates."])
    assert answer_json(warned)["warnings"] == ["Check the dates."]
    corrected = Answer("Give notice [1]", "extractive", True, [CITATION],
                       spelling=[("notise", "notice")])
    assert answer_json(corrected)["spelling"] == [{"typed": "notise", "searched": "notice"}]
    assert 'Also searched for "notice" (typed "notise").' in format_sources(corrected)


def test_closest_documents_are_listed_once_when_not_answered() -> None:
    not_covered = Answer(abstention_text([CITATION]), "extractive", False, closest=[CITATION])
    assert "*Leave* (leave.pdf) — Notice, page 3 (updated 2025-03-14)" in not_covered.text
    # the answer's own text lists them; what they say follows, labelled as no answer
    printed = format_sources(not_covered)
    assert "*Leave* (leave.pdf)" not in printed
    assert "What the closest documents say (not an answer to your question" in printed
    assert "- Leave (Notice, page 3): \"Give 15 weeks' notice.\"" in printed
    unquoted = replace(CITATION, quote="")
    assert format_sources(Answer(abstention_text([unquoted]), "extractive", False,
                                 closest=[unquoted])) == ""
    data = answer_json(not_covered)
    assert data["citations"] == [] and data["closest"][0]["page"] == 3


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("sample-store")
    ingest_paths(Settings(store_dir=store), [ROOT / "sample_guidance" / "guidance"], "guidance")
    return store


def ask(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GA_SECRETS_FILE": "/nonexistent"}
    return subprocess.run([sys.executable, "-m", "assistant.ask", *args, "--store", str(store)],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=300,
                          check=False)


@pytest.mark.integration
def test_answers_with_citations_from_the_right_document(sample_store: Path) -> None:
    result = ask(sample_store, "How much notice must an employee give for paternity leave?",
                 "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["mode"] == "extractive" and data["answered"] is True
    assert "15 weeks" in data["answer"]
    assert data["citations"][0]["source"] == "paternity-leave-and-pay.pdf"
    assert isinstance(data["citations"][0]["page"], int | str)


@pytest.mark.integration
def test_out_of_scope_question_is_not_covered(sample_store: Path) -> None:
    data = json.loads(ask(sample_store, "What is the capital of Peru?", "--json").stdout)
    assert data["answered"] is False and data["citations"] == []
    assert "does not cover" in data["answer"]


@pytest.mark.integration
def test_empty_store_says_what_to_do(tmp_path: Path) -> None:
    result = ask(tmp_path, "Anything?")
    assert result.returncode == 3 and "python -m ingest" in result.stderr


@pytest.mark.integration
def test_a_collection_or_type_nothing_has_is_named_not_searched(sample_store: Path) -> None:
    # a typo'd filter would search nothing and answer "not covered"
    result = ask(sample_store, "How much notice for paternity leave?", "--collection",
                 "guidence")
    assert result.returncode == 2, result.stdout
    assert "no indexed document has --collection 'guidence'; the index has guidance" \
        in result.stderr
    result = ask(sample_store, "How much notice for paternity leave?", "--doc-type", "rtf")
    assert result.returncode == 2 and "--doc-type 'rtf'; the index has docx, html, markdown, pdf" \
        in result.stderr
    assert ask(sample_store, "How much notice for paternity leave?", "--doc-type",
               "pdf").returncode == 0


def test_failed_records_do_not_count_as_a_known_type_or_collection() -> None:
    """From a code review: a failed file's record (no type) made "--doc-type ''" pass and
    listed an empty type."""
    from assistant.ask import unknown_filters
    from assistant.types import DocumentRecord
    records = [DocumentRecord("hr/a.pdf", "hr", "a.pdf", "A", "pdf", "v1", chunks=3),
               DocumentRecord("hr/b.doc", "hr", "b.doc", "B", "", "", status="failed")]
    assert unknown_filters(records, None, ["pdf"]) == ""
    assert unknown_filters(records, None, [""]) == (
        "no indexed document has --doc-type ''; the index has pdf")


def test_warnings_are_printed_even_without_citations() -> None:
    text = format_sources(Answer("Made up", "generative", True, warnings=["cites no source"]))
    assert "Warning: cites no source" in text and "Sources:" not in text


@pytest.mark.integration
@pytest.mark.parametrize("script", ["extractive_quality.py", "answer_latency.py"])
def test_answer_benchmarks_run_on_a_real_store(sample_store: Path, tmp_path: Path,
                                               script: str) -> None:
    """Smoke test: the benchmark scripts still drive the answer engine end to end."""
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({
        "id": "smoke-2", "question": "How long do I have to answer a subject access request?",
        "scenario": "", "relevant_doc": "subject-access-requests.md", "answers": [],
        "evidences": ["You must respond within one calendar month of receiving the request."],
    }) + "\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GA_SECRETS_FILE": "/nonexistent"}
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--store",
                             str(sample_store), "--questions", str(questions), "--json"],
                            cwd=ROOT, capture_output=True, text=True, env=env, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    if script == "extractive_quality.py":
        assert report["all"]["answered"] == 1.0
        assert report["all"]["evidence_quoted"] == {"share": 1.0, "n": 1}
    else:
        assert report["questions"] == 1 and report["with_embedder"]["answered_share"] == 1.0
