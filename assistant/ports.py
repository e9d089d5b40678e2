"""The seams: small Protocols for the embedder, the chunk index and the chat model.

Real implementations live in ``assistant/adapters/``; documented fakes in ``assistant/testing.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from assistant.types import Chunk, ChunkFilter, DocumentRecord, ScoredChunk

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors.

    ``model_id`` and ``dim`` name the vector space: caches and collections are keyed on them so
    vectors from two models are never mixed.
    """

    @property
    def model_id(self) -> str:
        """A stable identifier of the model and its weights."""
        ...

    @property
    def dim(self) -> int:
        """Length of each vector."""
        ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Return an array of shape (len(texts), dim), float32, each row of unit length."""
        ...

    def count_tokens(self, text: str) -> int:
        """How many model tokens ``text`` costs (used to bound chunk length)."""
        ...


class ChunkIndex(Protocol):
    """Stores chunks with vectors and document records; answers nearest-neighbour queries.

    Implementations: ``testing.InMemoryChunkIndex`` (fake) and
    ``adapters.chroma_index.ChromaChunkIndex`` (embedded or server). One contract test suite
    (tests/test_index_contract.py) runs against each.
    The atomic replace-a-document protocol is built on these primitives in ``ingest.indexing``.
    """

    def upsert_chunks(self, chunks: Sequence[Chunk], vectors: Vectors) -> None:
        """Insert or overwrite chunks (by ``chunk_id``) with their vectors."""
        ...

    def delete_chunks(self, where: ChunkFilter) -> None:
        """Delete every chunk matching ``where`` (which must name doc_ids or collections)."""
        ...

    def query(self, vector: Vectors, k: int, where: ChunkFilter | None = None) -> list[ScoredChunk]:
        """The ``k`` chunks nearest ``vector`` (cosine similarity as score), best first."""
        ...

    def query_ids(self, vector: Vectors, k: int, where: ChunkFilter | None = None
                  ) -> list[tuple[str, float]]:
        """As ``query``, but only (chunk_id, cosine) pairs: no text or metadata is read, which
        is most of a query's cost in Chroma (about 2 ms rather than 7 ms for 50 hits)."""
        ...

    def get_chunks(self, where: ChunkFilter | None = None) -> list[Chunk]:
        """Every chunk matching ``where`` (no vectors)."""
        ...

    def stored_ids(self, chunk_ids: Sequence[str]) -> set[str]:
        """Which of ``chunk_ids`` the index holds now (no text or metadata is read)."""
        ...

    def get_chunks_by_id(self, chunk_ids: Sequence[str]) -> dict[str, Chunk]:
        """The chunks stored now under ``chunk_ids`` (ids no longer stored are left out)."""
        ...

    def get_vectors(self, chunk_ids: Sequence[str]) -> Vectors:
        """The stored vectors of ``chunk_ids``, one row each, in order (unknown id: StoreError)."""
        ...

    def count_chunks(self) -> int:
        """How many chunks the index holds."""
        ...

    def upsert_documents(self, records: Sequence[DocumentRecord]) -> None:
        """Insert or overwrite document records (by ``doc_id``)."""
        ...

    def get_documents(self) -> list[DocumentRecord]:
        """Every document record."""
        ...

    def delete_documents(self, doc_ids: Sequence[str]) -> None:
        """Delete document records (not their chunks)."""
        ...


class ChatModel(Protocol):
    """A chat model that streams its reply as text pieces.

    ``messages`` are (role, content) pairs, role one of "system", "user", "assistant". Errors are
    raised as ``assistant.errors.ModelError`` with advice for the user.
    """

    def stream(self, messages: Sequence[tuple[str, str]]) -> Iterator[str]:
        """Yield the reply in pieces as they arrive."""
        ...


class Retriever(Protocol):
    """Finds the chunks that answer a query (hybrid dense + BM25 in ``assistant.retrieval``).

    Scores are calibrated relevance in [0, 1]: ``answering`` abstains ("not covered") when the best
    score is below the retriever's ``min_relevance``.
    """

    @property
    def min_relevance(self) -> float:
        """Below this best score, the guidance is taken not to cover the query."""
        ...

    def retrieve(
        self, query: str, k: int = 8, where: ChunkFilter | None = None
    ) -> list[ScoredChunk]:
        """The ``k`` best chunks for ``query``, best first, near-duplicates collapsed."""
        ...

    def spelling_corrections(self, query: str) -> list[tuple[str, str]]:
        """(word as typed, word also searched for) for the query's misspelt or US-spelt words."""
        ...

    def unknown_words(self, query: str) -> list[str]:
        """English words of ``query`` that the indexed guidance never uses."""
        ...

    def next_chunk(self, chunk: Chunk) -> Chunk | None:
        """The chunk right after ``chunk`` in its document, if the index has it (a long table
        split over two chunks goes on in the next one)."""
        ...

    def warm_up(self) -> None:
        """Load what the first question would otherwise wait for (the model session, the
        spelling dictionary, the abbreviations): called once before users, and by benchmarks
        before they time anything."""
        ...
