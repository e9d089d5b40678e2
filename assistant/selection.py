"""Choosing among retrieval candidates: near-duplicates collapsed, results spread over documents.

Used by ``assistant.retrieval.HybridRetriever`` after fusion has given each candidate its key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.bm25 import words_of
from assistant.types import Chunk


@dataclass
class Candidate:
    """A chunk found by the dense search, BM25 or the feedback search, with its ranks there."""

    chunk: Chunk
    cosine: float | None = None
    dense_rank: int | None = None
    sparse_rank: int | None = None
    feedback_rank: int | None = None
    fused: float = 0.0
    key: float = 0.0
    words: frozenset[str] = field(default_factory=frozenset)


def collapse(candidates: dict[str, Candidate], overlap: float, enough: int) -> list[Candidate]:
    """The ``enough`` best candidates, dropping any that duplicate a better one. Of two copies
    (an old and a new edition of a leaflet), the more recently updated one takes the place of
    the better-scored one: an answer should quote the current edition."""
    kept: list[Candidate] = []
    for c in sorted(candidates.values(), key=lambda c: c.key, reverse=True):
        c.words = words_of(c.chunk.text)
        same = next((i for i, k in enumerate(kept)
                     if (c.chunk.content_hash and c.chunk.content_hash == k.chunk.content_hash)
                     or _near(c.words, k.words, overlap)), None)
        if same is not None:
            if _newer(c.chunk, kept[same].chunk):
                c.key, kept[same] = kept[same].key, c
            continue
        kept.append(c)
        if len(kept) >= enough:
            break
    return kept


def _newer(chunk: Chunk, than: Chunk) -> bool:
    """Whether ``chunk`` is from another document updated later (ISO dates compare as text)."""
    return chunk.doc_id != than.doc_id and (chunk.updated or "") > (than.updated or "") > ""


def _near(a: frozenset[str], b: frozenset[str], overlap: float) -> bool:
    """Word-set Jaccard >= overlap (sizes are checked first: most pairs fail that cheaply)."""
    small, large = sorted((len(a), len(b)))
    if not small or small < overlap * large:
        return False
    return len(a & b) >= overlap * len(a | b)


def diversify(ranked: list[Candidate], k: int, diversity: float) -> list[Candidate]:
    """Greedy top-k where each earlier pick from the same document discounts a chunk's key."""
    pool = list(ranked)
    chosen: list[Candidate] = []
    per_doc: dict[str, int] = {}
    while pool and len(chosen) < k:
        best = max(pool, key=lambda c: c.key * (1 - diversity) ** per_doc.get(c.chunk.doc_id, 0))
        pool.remove(best)
        chosen.append(best)
        per_doc[best.chunk.doc_id] = per_doc.get(best.chunk.doc_id, 0) + 1
    return chosen
