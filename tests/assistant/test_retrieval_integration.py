"""Hybrid retrieval and the eval CLI on real embedded Chroma with the real MiniLM model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.eval import main
from assistant.retrieval import build_retriever
from assistant.services import build_embedder, build_index
from assistant.types import DocumentRecord
from tests.assistant.test_bm25 import chunk

pytestmark = pytest.mark.integration

DOCS = {
    "vat-registration.md": "You must register for VAT if your VAT taxable turnover is more than "
                           "the threshold. You can register online with HMRC.",
    "maternity-pay-leave.md": "Statutory Maternity Leave is 52 weeks. Statutory Maternity Pay is "
                              "paid for up to 39 weeks.",
    "cold-weather-payment.md": "You may get a Cold Weather Payment if the temperature is recorded "
                               "as zero degrees or below for 7 consecutive days.",
}


def real_store(store: Path) -> Settings:
    settings = Settings(store_dir=store)
    embedder = build_embedder(settings)
    index = build_index(settings, embedder)
    for doc, text in DOCS.items():
        chunks = [chunk(doc, 0, text)]
        index.upsert_chunks(chunks, embedder.embed([c.embedding_text for c in chunks]))
        index.upsert_documents([DocumentRecord(doc_id=f"guidance/{doc}", collection="guidance",
                                               source=doc, title=doc, doc_type="markdown",
                                               version="v1", chunks=1)])
    return settings


SHORT_NOTE = """---
title: Island posting allowance
---
# Island posting allowance

Staff posted to work on a remote island can claim an island posting allowance, known as the
Zorbington allowance. It is paid monthly with your salary.

## How to claim the island posting allowance

Complete form ZB7 and send it to the islands payroll team within 20 working days of starting
your island posting.
"""


def test_a_short_document_that_answers_best_is_not_buried_by_long_ones(
        tmp_path: Path, minilm: object) -> None:
    from ingest.service import ingest_paths
    from tests.conftest import ROOT

    settings = Settings(store_dir=tmp_path / "store")
    folder = tmp_path / "guidance"
    folder.mkdir()
    for path in (ROOT / "sample_guidance" / "guidance").iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "island-posting-allowance.md").write_text(SHORT_NOTE)
    ingest_paths(settings, [folder], "guidance")
    embedder = build_embedder(settings)
    index = build_index(settings, embedder)
    assert sum(r.chunks for r in index.get_documents()
               if r.source == "island-posting-allowance.md") == 1
    retriever = build_retriever(settings, index, embedder)
    results = retriever.retrieve("How do I claim the island posting allowance?", k=5)
    assert results[0].chunk.source == "island-posting-allowance.md"
    assert results[0].score >= retriever.min_relevance  # answered, not "not covered"


def test_hybrid_retrieval_on_real_chroma_and_minilm(tmp_path: Path, minilm: object) -> None:
    settings = real_store(tmp_path / "store")
    embedder = build_embedder(settings)
    retriever = build_retriever(settings, build_index(settings, embedder), embedder)
    results = retriever.retrieve("How long can I get maternity pay for?", k=3)
    assert results[0].chunk.source == "maternity-pay-leave.md"
    assert results[0].score >= retriever.min_relevance
    assert (tmp_path / "store" / "bm25" / "CURRENT").is_file()


def test_eval_cli_prints_the_json_keys(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    real_store(tmp_path / "store")
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({
        "id": "t-2", "question": "When do I have to register for VAT?", "scenario": "",
        "relevant_doc": "vat-registration.md",
        "evidences": ["<p>You can register online with HMRC.</p>"]}) + "\n")
    assert main([str(questions), "--store", str(tmp_path / "store"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    for key in ("n", "hit@1", "hit@5", "mrr", "evidence_recall@5", "latency_ms_p50",
                "latency_ms_p95"):
        assert key in report
    assert report["n"] == 1 and report["hit@1"] == 1.0 and report["evidence_recall@5"] == 1.0


def test_a_process_exiting_while_the_keyword_check_runs_exits_cleanly(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT

    script = f"""
from pathlib import Path
from assistant.adapters.chroma_index import ChromaChunkIndex, open_client
from assistant.bm25 import Bm25Index
from assistant.retrieval import HybridRetriever
from assistant.testing import FakeEmbedder
store = Path({str(tmp_path / "store4")!r})
embedder = FakeEmbedder()
index = ChromaChunkIndex(open_client(store, None), embedder, "x")
retriever = HybridRetriever(index, embedder, Bm25Index.build([], "stale"), store_dir=store,
                            check_every_s=0.0)
print(len(retriever.retrieve("text 12", k=3)))  # starts the background check, then exits
"""
    for _ in range(3):  # a daemon thread inside embedded Chroma at exit crashed the process
        result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                                text=True, timeout=120, check=False,
                                env={"PYTHONPATH": str(ROOT), "GA_SECRETS_FILE": "/nonexistent",
                                     "PATH": "/usr/bin:/bin"})
        assert result.returncode == 0, result.stderr[-2000:]
