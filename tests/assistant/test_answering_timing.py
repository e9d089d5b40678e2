"""Offline answers are quick: question to final text, with a fake and with the real retriever."""

from __future__ import annotations

import json
import re
import statistics
import time
from pathlib import Path

import pytest

from assistant.adapters.embedders import MiniLMEmbedder
from assistant.answering import answer_question
from assistant.ports import Embedder, Retriever
from assistant.testing import FakeRetriever
from assistant.types import Chunk
from tests.assistant.builders import guidance_chunk, scored


def guide_chunks(shared_data: Path, limit_docs: int) -> list[Chunk]:
    """Sections of real GOV.UK guides as chunks (at most ~1,500 characters each)."""
    chunks: list[Chunk] = []
    for path in sorted((shared_data / "guidance" / "govuk_guides").glob("*.md"))[:limit_docs]:
        body = path.read_text(encoding="utf-8").split("---", 2)[-1]
        for i, part in enumerate(p for p in re.split(r"\n(?=## )", body) if p.strip()):
            chunks.append(guidance_chunk(part[:1500], doc=path.stem, n=i))
    return chunks


def questions(shared_data: Path) -> list[str]:
    lines = (shared_data / "eval" / "govuk_questions_dev.jsonl").read_text().splitlines()
    return [json.loads(line)["question"] for line in lines]


def timed_answers(
    retriever: Retriever, asked: list[str], embedder: Embedder | None = None
) -> list[float]:
    times = []
    for question in asked:
        start = time.perf_counter()
        stream = answer_question(question, [], retriever=retriever, llm=None, embedder=embedder)
        list(stream)
        assert stream.final.text
        times.append(time.perf_counter() - start)
    return times


def percentile(times: list[float], q: int) -> float:
    return statistics.quantiles(times, n=100)[q - 1]


def test_extractive_part_is_cheap(shared_data: Path) -> None:
    chunks = guide_chunks(shared_data, 12)
    asked = questions(shared_data)
    times = []
    for i, question in enumerate(asked):
        retriever = FakeRetriever(scored(*chunks[i % 40 : i % 40 + 6]), min_relevance=0.3)
        times += timed_answers(retriever, [question])
    p50, p95 = percentile(times, 50) * 1000, percentile(times, 95) * 1000
    print(f"extractive part over {len(times)} questions: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    assert p95 <= 50


@pytest.mark.integration
def test_offline_answer_with_real_retrieval_within_300_ms(
    shared_data: Path, minilm: MiniLMEmbedder
) -> None:
    from assistant.bm25 import Bm25Index, fingerprint
    from assistant.retrieval import HybridRetriever
    from assistant.testing import InMemoryChunkIndex

    chunks = guide_chunks(shared_data, 8)
    index = InMemoryChunkIndex()
    index.upsert_chunks(chunks, minilm.embed([c.embedding_text for c in chunks]))
    retriever = HybridRetriever(index, minilm, Bm25Index.build(chunks, fingerprint(index)))
    asked = questions(shared_data)[:60]
    timed_answers(retriever, asked[:3])  # warm up the ONNX session
    times = timed_answers(retriever, asked)
    p50, p95 = percentile(times, 50) * 1000, percentile(times, 95) * 1000
    print(f"offline end to end over {len(times)} questions: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    with_embedder = timed_answers(retriever, asked, embedder=minilm)
    e50, e95 = percentile(with_embedder, 50) * 1000, percentile(with_embedder, 95) * 1000
    print(f"... with MiniLM sentence scoring: p50 {e50:.1f} ms, p95 {e95:.1f} ms")
    assert p95 <= 300 and e95 <= 300
