"""Documented fakes for unit tests: drop-in, typed stand-ins for the real services.

- ``FakeEmbedder``: a deterministic bag-of-words hashing embedder. Texts sharing words get similar
  vectors, so retrieval tests behave sensibly, but it is not a language model.
- ``InMemoryChunkIndex``: a ChunkIndex in a dict with brute-force cosine search. It passes the same
  contract tests as the Chroma adapter.
- ``FakeChatModel``: replays queued replies (``enqueue``) as a stream of pieces, records the
  messages it was sent, and can be told to fail with a ``ModelError`` part-way.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from assistant.errors import ModelError, StoreError
from assistant.ports import Vectors
from assistant.types import Chunk, ChunkFilter, DocumentRecord, ScoredChunk, matches

_WORD = re.compile(r"[a-z0-9]+")


class FakeEmbedder:
    """FAKE embedder: hashes lower-cased words into ``dim`` buckets, then L2-normalises."""

    def __init__(self, dim: int = 64) -> None:
        self._dim = dim
        self.calls: list[int] = []  # how many texts each embed() call received

    @property
    def model_id(self) -> str:
        return f"fake-hash-{self._dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                bucket = int(hashlib.md5(word.encode(), usedforsecurity=False).hexdigest(), 16)
                out[row, bucket % self._dim] += 1.0
            norm = float(np.linalg.norm(out[row]))
            out[row] = out[row] / norm if norm else out[row]
        return out


@dataclass
class InMemoryChunkIndex:
    """FAKE ChunkIndex: dicts and brute-force cosine similarity; no persistence."""

    chunks: dict[str, Chunk] = field(default_factory=dict)
    vectors: dict[str, Vectors] = field(default_factory=dict)
    documents: dict[str, DocumentRecord] = field(default_factory=dict)

    def upsert_chunks(self, chunks: Sequence[Chunk], vectors: Vectors) -> None:
        for chunk, vector in zip(chunks, vectors, strict=True):
            self.chunks[chunk.chunk_id] = chunk
            self.vectors[chunk.chunk_id] = np.asarray(vector, dtype=np.float32)

    def delete_chunks(self, where: ChunkFilter) -> None:
        for chunk_id in [c.chunk_id for c in self.chunks.values() if matches(c, where)]:
            del self.chunks[chunk_id]
            del self.vectors[chunk_id]

    def query(self, vector: Vectors, k: int, where: ChunkFilter | None = None) -> list[ScoredChunk]:
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        scored = [
            ScoredChunk(chunk, float(self.vectors[cid] @ query))
            for cid, chunk in self.chunks.items()
            if matches(chunk, where)
        ]
        scored.sort(key=lambda s: s.score, reverse=True)
        return scored[:k]

    def query_ids(self, vector: Vectors, k: int, where: ChunkFilter | None = None
                  ) -> list[tuple[str, float]]:
        return [(hit.chunk.chunk_id, hit.score) for hit in self.query(vector, k, where)]

    def get_chunks(self, where: ChunkFilter | None = None) -> list[Chunk]:
        return [c for c in self.chunks.values() if matches(c, where)]

    def get_chunks_by_id(self, chunk_ids: Sequence[str]) -> dict[str, Chunk]:
        return {cid: self.chunks[cid] for cid in chunk_ids if cid in self.chunks}

    def stored_ids(self, chunk_ids: Sequence[str]) -> set[str]:
        return {cid for cid in chunk_ids if cid in self.chunks}

    def get_vectors(self, chunk_ids: Sequence[str]) -> Vectors:
        missing = [cid for cid in chunk_ids if cid not in self.vectors]
        if missing:
            raise StoreError(f"No stored vector for chunk {missing[0]}.")
        if not chunk_ids:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self.vectors[cid] for cid in chunk_ids]).astype(np.float32)

    def count_chunks(self) -> int:
        return len(self.chunks)

    def upsert_documents(self, records: Sequence[DocumentRecord]) -> None:
        for record in records:
            self.documents[record.doc_id] = replace(record)

    def get_documents(self) -> list[DocumentRecord]:
        return list(self.documents.values())

    def delete_documents(self, doc_ids: Sequence[str]) -> None:
        for doc_id in doc_ids:
            self.documents.pop(doc_id, None)


class FakeChatModel:
    """FAKE ChatModel: streams queued replies word by word; records what it was sent.

    ``enqueue("text")`` queues a reply; ``enqueue("text", fail_after=3)`` streams three pieces and
    then raises ``ModelError`` (a stream cut mid-way); ``enqueue(error=ModelError(...))`` fails at
    once.
    """

    def __init__(self) -> None:
        self._replies: list[tuple[str, int | None, ModelError | None]] = []
        self.received: list[list[tuple[str, str]]] = []

    def enqueue(
        self, text: str = "", *, fail_after: int | None = None, error: ModelError | None = None
    ) -> None:
        self._replies.append((text, fail_after, error))

    def stream(self, messages: Sequence[tuple[str, str]]) -> Iterator[str]:
        self.received.append(list(messages))
        if not self._replies:
            raise AssertionError("FakeChatModel.stream called with no reply enqueued")
        text, fail_after, error = self._replies.pop(0)
        if error is not None:
            raise error
        for count, piece in enumerate(re.findall(r"\S+\s*", text)):
            if fail_after is not None and count >= fail_after:
                raise ModelError("The model's reply was cut off part-way. Try again.")
            yield piece


class FakeRetriever:
    """FAKE Retriever: returns preset ScoredChunks (best first) and records each query.

    ``FakeRetriever([ScoredChunk(...), ...], min_relevance=0.3)`` answers every query with the
    preset list, cut to ``k`` and filtered by ``where``; ``queries`` records (query, k, where).
    ``corrections[query]`` presets the spelling corrections reported for a query (default none),
    ``unknown[query]`` the words reported as never used by the guidance (default none).
    ``warm_ups`` counts calls of ``warm_up`` (which retrieves nothing).
    """

    def __init__(self, results: Sequence[ScoredChunk] = (), min_relevance: float = 0.3) -> None:
        self.results = list(results)
        self._min_relevance = min_relevance
        self.queries: list[tuple[str, int, ChunkFilter | None]] = []
        self.corrections: dict[str, list[tuple[str, str]]] = {}  # preset, by query
        self.unknown: dict[str, list[str]] = {}  # preset, by query
        self.warm_ups = 0

    @property
    def min_relevance(self) -> float:
        return self._min_relevance

    def retrieve(
        self, query: str, k: int = 8, where: ChunkFilter | None = None
    ) -> list[ScoredChunk]:
        self.queries.append((query, k, where))
        return [s for s in self.results if matches(s.chunk, where)][:k]

    def spelling_corrections(self, query: str) -> list[tuple[str, str]]:
        return list(self.corrections.get(query, ()))

    def unknown_words(self, query: str) -> list[str]:
        return list(self.unknown.get(query, ()))

    def next_chunk(self, chunk: Chunk) -> Chunk | None:
        """The preset result's chunk right after ``chunk`` in its document, if any."""
        return next((s.chunk for s in self.results if s.chunk.doc_id == chunk.doc_id
                     and s.chunk.doc_version == chunk.doc_version
                     and s.chunk.position == chunk.position + 1), None)

    def warm_up(self) -> None:
        self.warm_ups += 1
