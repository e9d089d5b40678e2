"""Retrieval latency with 100k chunks: a synthetic embedded Chroma + BM25 index, real queries.

Embedding 100k real chunks would take over an hour here, so the index is synthetic: random unit
vectors (384 dims, the MiniLM space) and texts of 150 words drawn at random from the real
guidance vocabulary with its real word frequencies, titled after real file names; 20 chunks per
document, 5,000 document records. Queries are the dev questions, embedded by the real MiniLM
model, so query embedding, the Chroma HNSW search, BM25 over 100k chunks, fusion and scoring are
all timed as in the app. The store is kept (``--store``) and reused on later runs.

    python benchmarks/retrieval_scale.py --store /tmp/scalestore [--chunks 100000] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.adapters.chroma_index import ChromaChunkIndex, open_client  # noqa: E402
from assistant.adapters.embedders import MiniLMEmbedder  # noqa: E402
from assistant.bm25 import load_bm25  # noqa: E402
from assistant.eval import load_questions  # noqa: E402
from assistant.retrieval import HybridRetriever  # noqa: E402
from assistant.types import Chunk, DocumentRecord  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
GUIDES = DATA / "guidance" / "govuk_guides"
QUESTIONS = DATA / "eval" / "govuk_questions_dev.jsonl"
PER_DOC = 20
WORDS = 150


def vocabulary() -> tuple[list[str], list[float], list[str]]:
    """Words of the real guides with their frequencies, and real titles."""
    counts: Counter[str] = Counter()
    for path in GUIDES.glob("*.md"):
        counts.update(re.findall(r"[A-Za-z]+", path.read_text(encoding="utf-8")))
    words, freqs = zip(*counts.most_common(20000), strict=True)
    titles = [p.stem.replace("-", " ") for p in sorted(GUIDES.glob("*.md"))]
    return list(words), [float(f) for f in freqs], titles


def synthetic_batch(start: int, size: int, rng: random.Random,
                    vocab: tuple[list[str], list[float], list[str]]) -> list[Chunk]:
    words, freqs, titles = vocab
    out = []
    for i in range(start, start + size):
        doc = i // PER_DOC
        text = " ".join(rng.choices(words, weights=freqs, k=WORDS))
        out.append(Chunk(
            chunk_id=f"syn-{i}", text=text, doc_id=f"synthetic/doc-{doc}.md",
            collection="synthetic", title=f"{titles[doc % len(titles)]} {doc}",
            source=f"doc-{doc}.md", doc_type="markdown", section="Part",
            content_hash=hashlib.sha256(text.encode()).hexdigest(), doc_version="v1",
            position=i % PER_DOC))
    return out


def build_store(index: ChromaChunkIndex, chunks: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    vocab = vocabulary()
    for start in range(index.count_chunks(), chunks, 2000):
        batch = synthetic_batch(start, min(2000, chunks - start), rng, vocab)
        vectors = nprng.standard_normal((len(batch), 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        index.upsert_chunks(batch, vectors)
        print(f"  {start + len(batch)} chunks", file=sys.stderr)
    docs = chunks // PER_DOC
    index.upsert_documents([DocumentRecord(
        doc_id=f"synthetic/doc-{d}.md", collection="synthetic", source=f"doc-{d}.md",
        title=f"doc {d}", doc_type="markdown", version="v1", chunks=PER_DOC)
        for d in range(docs)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="folder for the index")
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    embedder = MiniLMEmbedder()
    index = ChromaChunkIndex(open_client(args.store, None), embedder, "scale")
    started = time.perf_counter()
    build_store(index, args.chunks)
    built = time.perf_counter() - started
    started = time.perf_counter()
    bm25 = load_bm25(index, args.store)
    bm25_s = time.perf_counter() - started
    retriever = HybridRetriever(index, embedder, bm25)
    queries = [q.query("scenario+question") for q in load_questions(QUESTIONS)]
    retriever.warm_up()  # as the app does: model session, spelling dictionary, abbreviations
    latencies, cpu = [], []
    for query in queries:
        t, c = time.perf_counter(), time.process_time()
        retriever.retrieve(query, k=8)
        latencies.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    report = {"chunks": index.count_chunks(), "queries": len(queries),
              "latency_ms_p50": round(float(np.percentile(latencies, 50)), 1),
              "latency_ms_p95": round(float(np.percentile(latencies, 95)), 1),
              "cpu_ms_p50": round(float(np.percentile(cpu, 50)), 1),
              "cpu_ms_p95": round(float(np.percentile(cpu, 95)), 1),
              "load_average_1m": round(os.getloadavg()[0], 1),
              "build_s": round(built, 1), "bm25_load_s": round(bm25_s, 1)}
    print(json.dumps(report) if args.json else "\n".join(f"{k}: {v}" for k, v in report.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
