"""Hybrid retrieval: dense (the chunk index) plus BM25, fused, de-duplicated, diversified, scored.

1. Dense top-N from the ``ChunkIndex`` and BM25 top-N from ``assistant.bm25``, same filter; a
   misspelt or US-spelt query word is searched for in the index's spelling too
   (``assistant.spelling``), and a long query gets a feedback search (``RetrievalParams.prf_*``).
2. Weighted reciprocal-rank fusion; then each chunk gains a share of its document's other strong
   chunks (document-level evidence), so a document matching in several places ranks higher.
3. Near-duplicates (same ``content_hash`` or almost the same words) collapse to the best copy.
4. Greedy selection discounts further chunks of an already chosen document, so results spread
   across documents when scores are close.
5. Each chunk's score is a calibrated relevance in [0, 1]: a logistic function of its dense cosine
   and the query's jurisdiction coverage (0 when the query names a place in
   ``data/jurisdictions.txt`` that none of the best chunks mention: "parental leave in Australia"
   matched to UK pages is a near-miss; an EEA country is covered by chunks about the EEA or EU;
   UK nations never lower it, see ``unmentioned_nations``), fitted on in-scope and out-of-scope
   questions (see ``CALIBRATION``). Scores never increase down the list.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.bm25 import (
    Bm25Index,
    analyse,
    fingerprint,
    holds_in_order,
    load_bm25,
    words_in_order,
    words_of,
)
from assistant.config import Settings
from assistant.errors import StoreError
from assistant.jurisdictions import is_a_place, jurisdiction_coverage
from assistant.names import proper_names, question_sentences
from assistant.ports import ChunkIndex, Embedder, Vectors
from assistant.selection import Candidate, collapse, diversify
from assistant.spelling import expand
from assistant.types import Chunk, ChunkFilter, ScoredChunk

log = logging.getLogger(__name__)

# Logistic calibration (intercept, dense cosine weight, jurisdiction coverage weight) and the
# threshold, fitted on the tuning halves (even ids) of the dev and out-of-scope questions, both
# query forms, by: python -m assistant.eval ../shared/data/eval/govuk_questions_dev.jsonl \
#   --store /tmp/evalstore3 --out-of-scope assistant/data/out_of_scope_questions.jsonl --fit
# Refitted on /tmp/evalstore3 (446 documents, 8,895 chunks) on 27 Nov 2026 after UK nations and
# EEA countries changed what coverage means; see docs/retrieval.md.
CALIBRATION = (-7.297, 7.572, 3.551)
MIN_RELEVANCE = 0.44
COVERAGE_DEPTH = 5  # best chunks searched for the places a query names


@dataclass(frozen=True)
class RetrievalParams:
    """Tunable constants of hybrid retrieval (defaults tuned on the even dev questions).

    Tuned with a grid over rrf_k, sparse_weight, doc_bonus and diversity (docs/retrieval.md).
    """

    dense_n: int = 50
    sparse_n: int = 50
    rrf_k: float = 10.0
    dense_weight: float = 1.0
    sparse_weight: float = 1.5
    doc_bonus: float = 0.3  # share of a document's next two best chunks added to each chunk
    # Rank fusion ignores how far apart cosines are: a short document whose one chunk is far
    # closer to the query than anything else could sink under long documents' bonuses. A dense
    # match whose cosine is more than gap_slack below the best one loses gap_weight x the
    # excess from its key (not below 0). Chunks only BM25 found are not penalised: their
    # evidence is lexical, which the cosine gap says nothing about (penalising them at the
    # dense cut-off or at their own cosine cost question-alone hit@5 0.803 -> 0.774-0.788).
    gap_weight: float = 0.5
    gap_slack: float = 0.1
    diversity: float = 0.1  # fractional discount per chunk already chosen from the same doc
    duplicate_overlap: float = 0.9  # word-set Jaccard at or above which chunks are duplicates
    # Feedback for long queries (a scenario and a question): a second dense search from the query
    # vector plus prf_beta x the mean vector of the prf_chunks best fused chunks, its ranks added
    # with prf_weight. Short queries drifted with it, so it applies from prf_min_words words.
    prf_min_words: int = 25
    prf_chunks: int = 4
    prf_beta: float = 1.0
    prf_weight: float = 1.0
    spelling: bool = True  # also search for the index's spelling of misspelt or US-spelt words
    acronyms: bool = True  # also search for the names abbreviations stand for ("ssmg")
    # A chunk that both searches rank first and that holds this share of the question's words
    # (by IDF) counts as relevant even when its cosine alone is below the threshold: on short
    # internal documents MiniLM's cosines run lower than on GOV.UK guides ("Who approves a height
    # adjustable desk?" scored 0.41 against the chunk that answers it). Above 1 turns it off.
    agreement_coverage: float = 0.9
    lower_case_names: bool = True  # also check schemes named in lower case ("carers allowance")
    calibration: tuple[float, float, float] = CALIBRATION
    min_relevance: float = MIN_RELEVANCE


@dataclass(frozen=True)
class QueryEvidence:
    """Why a query scored as it did: the top chunk's cosine and jurisdiction coverage."""

    cosine: float
    coverage: float


class HybridRetriever:
    """Retriever over a ChunkIndex, an Embedder and a BM25 index kept in step with it."""

    def __init__(self, index: ChunkIndex, embedder: Embedder, bm25: Bm25Index,
                 params: RetrievalParams | None = None, store_dir: Path | None = None,
                 check_every_s: float = 5.0, background: bool = True) -> None:
        self._index = index
        self._embedder = embedder
        self._bm25 = bm25
        self.params = params or RetrievalParams()
        self._store_dir = store_dir
        self._check_every_s = check_every_s
        self._checked_at = time.monotonic()
        self._background = background
        self._refreshing: threading.Thread | None = None
        self._lock = threading.Lock()
        self.last_evidence = QueryEvidence(0.0, 0.0)

    @property
    def min_relevance(self) -> float:
        """Below this best score, the guidance is taken not to cover the query."""
        return self.params.min_relevance

    def retrieve(self, query: str, k: int = 8, where: ChunkFilter | None = None
                 ) -> list[ScoredChunk]:
        """The ``k`` best chunks for ``query``, best first, near-duplicates collapsed."""
        if k <= 0 or not query.strip():
            return []
        bm25 = self._current_bm25()
        candidates = self._candidates(expand(query, self._corrections(query, bm25)), bm25, where,
                                      long_query=len(query.split()) >= self.params.prf_min_words)
        self._fuse(candidates)
        pool = collapse(candidates, self.params.duplicate_overlap, max(3 * k, 20))
        chosen = self._current(pool, k)
        return self._score(query, chosen, candidates)

    def _current(self, pool: list[Candidate], k: int) -> list[Candidate]:
        """The diversified top ``k`` of ``pool``, each in the text the index holds now. The
        candidates may come from the BM25 snapshot, and another process may have replaced or
        deleted a chunk since it was built: a deleted one gives way to the next best, and a
        replaced one is cited in its current text, never the snapshot's."""
        checked: set[str] = set()
        while True:
            chosen = diversify(pool, k, self.params.diversity)
            unchecked = [c.chunk.chunk_id for c in chosen if c.chunk.chunk_id not in checked]
            if not unchecked:
                return chosen
            current = self._index.get_chunks_by_id(unchecked)
            checked.update(unchecked)
            gone = set(unchecked) - set(current)
            for c in chosen:
                c.chunk = current.get(c.chunk.chunk_id, c.chunk)
            if not gone:
                return chosen
            pool = [c for c in pool if c.chunk.chunk_id not in gone]

    def spelling_corrections(self, query: str) -> list[tuple[str, str]]:
        """(word as typed, word also searched for) for the query's misspelt or US-spelt words
        and its abbreviations ("ssmg": "Sure Start Maternity Grant")."""
        return self._corrections(query, self._current_bm25())

    def unknown_words(self, query: str) -> list[str]:
        """English words of ``query`` that no indexed chunk uses (``Speller.unknown_words``),
        less places abroad: "Lagos" or "Perth" in a case's facts is no topic the guidance
        lacks, and a place the question asks about is checked against the sources already
        (``jurisdiction_coverage``). A review saw the warning under 14 of 24 covered answers."""
        return [w for w in self._current_bm25().speller.unknown_words(query)
                if not is_a_place(w)]

    def _corrections(self, query: str, bm25: Bm25Index) -> list[tuple[str, str]]:
        found = bm25.speller.corrections(query) if self.params.spelling else []
        # abbreviations of what is asked, not of the case's facts ("a known ADHD condition")
        asked = question_sentences(query)
        return found + (bm25.acronyms.expansions(asked) if self.params.acronyms else [])

    def next_chunk(self, chunk: Chunk) -> Chunk | None:
        """The chunk after ``chunk`` in its document, from the BM25 snapshot (its text may lag
        the index by a few seconds after a reindex: read for a table's header line only)."""
        return self._current_bm25().following(chunk)

    def warm_up(self) -> None:
        """Load the model, touch the index and build the spelling dictionary (about 0.5 s for
        9,000 chunks) now, so that no user's question pays for them."""
        self.retrieve("warm up", k=1)
        self._current_bm25().prepare_ids()
        if self.params.spelling:
            self._current_bm25().speller.prepare()
        if self.params.acronyms:
            self._current_bm25().acronyms.prepare()

    def _current_bm25(self) -> Bm25Index:
        """The BM25 index, checked against the chunk index every few seconds.

        Another process (the ingest CLI, another app process on the same Chroma server) may
        change the documents. The check (about 40 ms at 450 documents) and any rebuild (seconds
        at 100k chunks) run on a background thread, off the user's question; until the new index
        is ready the old one serves, and ``_candidates`` reads the chunks it alone finds from the
        chunk index itself, so a deleted or replaced chunk is never cited from the old one.
        """
        if self._store_dir is None:
            return self._bm25
        with self._lock:
            due = time.monotonic() - self._checked_at >= self._check_every_s
            busy = self._refreshing is not None and self._refreshing.is_alive()
            if due and not busy:
                self._checked_at = time.monotonic()
                if self._background:
                    # not a daemon: a thread killed inside embedded Chroma at exit crashes
                    # the process; exit waits for the check (or rebuild) to finish instead
                    self._refreshing = threading.Thread(
                        target=self._refresh, name="bm25-refresh", daemon=False)
                    self._refreshing.start()
        if due and not busy and not self._background:
            self._refresh(raise_errors=True)
        return self._bm25

    def _refresh(self, raise_errors: bool = False) -> None:
        """Reload BM25 (and warm its spelling dictionary and abbreviations) if the documents
        changed."""
        assert self._store_dir is not None
        try:
            if fingerprint(self._index) == self._bm25.fingerprint:
                return
            bm25 = load_bm25(self._index, self._store_dir)
            bm25.prepare_ids()  # off the next user's question
            if self.params.spelling:
                bm25.speller.prepare()
            if self.params.acronyms:  # off the next user's question, as the speller
                bm25.acronyms.prepare()
            self._bm25 = bm25
        except Exception:
            if raise_errors:
                raise
            log.warning("Checking the keyword index failed; the current one stays in use",
                        exc_info=True)

    def _candidates(self, query: str, bm25: Bm25Index, where: ChunkFilter | None, *,
                    long_query: bool) -> dict[str, Candidate]:
        """Dense and BM25 candidates. The dense search reads ids and cosines only (reading
        text and metadata is most of a Chroma query's cost); the chunks come from the BM25
        snapshot, or from the index for any it lacks (added since it was built). ``retrieve``
        reads the chosen chunks back from the index, so nothing is cited from the snapshot."""
        vector = self._embedder.embed([query])
        found: dict[str, Candidate] = {}
        dense = _ids_in_order(self._index.query_ids(vector, self.params.dense_n, where))
        chunks = self._chunks_for([cid for cid, _ in dense], bm25)
        for rank, (cid, cosine) in enumerate(dense):
            if cid in chunks:
                found[cid] = Candidate(chunks[cid], cosine, rank)
        sparse = bm25.search(query, self.params.sparse_n, where)
        # BM25 is a snapshot: another process may have deleted a chunk since it was built (a
        # re-indexed document's chunks get new ids). One that fused and collapsed with the rest
        # would push live chunks (its own new twin among them) out, so chunks only BM25 found
        # are checked against the index first (ids only: about 0.6 ms for 40)
        stored = self._index.stored_ids([c.chunk_id for c, _ in sparse
                                         if c.chunk_id not in found])
        for rank, (chunk, _score) in enumerate(sparse):
            if chunk.chunk_id in found:
                found[chunk.chunk_id].sparse_rank = rank
            elif chunk.chunk_id in stored:
                found[chunk.chunk_id] = Candidate(chunk, sparse_rank=rank)
        p = self.params
        if p.prf_beta > 0 and p.prf_chunks > 0 and long_query:
            self._feedback(vector.reshape(-1), found, where, bm25)
        return found

    def _chunks_for(self, chunk_ids: Sequence[str], bm25: Bm25Index) -> dict[str, Chunk]:
        """The chunks of ``chunk_ids``: from the snapshot, else read from the index (an id
        neither has was deleted meanwhile and is left out)."""
        out: dict[str, Chunk] = {}
        for cid in chunk_ids:
            chunk = bm25.chunk(cid)
            if chunk is not None:
                out[cid] = chunk
        missing = [cid for cid in chunk_ids if cid not in out]
        if missing:
            out.update(self._index.get_chunks_by_id(missing))
        return out

    def _feedback(self, vector: Vectors, found: dict[str, Candidate],
                  where: ChunkFilter | None, bm25: Bm25Index) -> None:
        """Pseudo-relevance feedback: search again from the query moved towards its best
        chunks (Rocchio). Chunks found only this way get their cosine to the original query."""
        p = self.params
        self._fuse(found)
        best = sorted(found.values(), key=lambda c: c.key, reverse=True)[: p.prf_chunks]
        if not best:  # nothing matched (an empty index, or a filter nothing passes)
            return
        try:
            best_vectors = self._index.get_vectors([c.chunk.chunk_id for c in best])
        except StoreError:  # a chunk was deleted by another process since it was found
            return
        moved = vector + p.prf_beta * best_vectors.mean(axis=0)
        moved = moved / max(float(np.linalg.norm(moved)), 1e-12)
        hits = _ids_in_order(self._index.query_ids(moved, p.dense_n, where))
        chunks = self._chunks_for([cid for cid, _ in hits if cid not in found], bm25)
        new: list[Candidate] = []
        for rank, (cid, _cosine) in enumerate(hits):
            candidate = found.get(cid)
            if candidate is None:
                if cid not in chunks:
                    continue
                candidate = found[cid] = Candidate(chunks[cid])
            if candidate.cosine is None:
                new.append(candidate)
            candidate.feedback_rank = rank
        if new:
            try:
                cosines = self._index.get_vectors([c.chunk.chunk_id for c in new]) @ vector
            except StoreError:  # deleted meanwhile: they keep the floor cosine
                return
            for candidate, cosine in zip(new, cosines, strict=True):
                candidate.cosine = float(cosine)

    def _fuse(self, candidates: dict[str, Candidate]) -> None:
        p = self.params
        by_doc: dict[str, list[float]] = {}
        for c in candidates.values():
            dense = p.dense_weight / (p.rrf_k + c.dense_rank) if c.dense_rank is not None else 0.0
            sparse = p.sparse_weight / (p.rrf_k + c.sparse_rank) \
                if c.sparse_rank is not None else 0.0
            c.fused = dense + sparse
            by_doc.setdefault(c.chunk.doc_id, []).append(c.fused)
        top3 = {doc: sorted(scores, reverse=True)[:3] for doc, scores in by_doc.items()}
        best_cosine = max((c.cosine for c in candidates.values() if c.cosine is not None),
                          default=None)
        for c in candidates.values():
            best = top3[c.chunk.doc_id]
            others = sum(best) - c.fused if c.fused in best else sum(best[:2])
            c.key = c.fused + p.doc_bonus * others
            if c.feedback_rank is not None:
                c.key += p.prf_weight * p.dense_weight / (p.rrf_k + c.feedback_rank)
            if best_cosine is not None and c.cosine is not None:
                excess = max(0.0, best_cosine - c.cosine - p.gap_slack)
                c.key = max(0.0, c.key - p.gap_weight * excess)

    def _score(self, query: str, chosen: list[Candidate],
               candidates: dict[str, Candidate]) -> list[ScoredChunk]:
        best = [c.chunk for c in chosen[:COVERAGE_DEPTH]]
        coverage = min(jurisdiction_coverage(query, best), self._name_coverage(query, best))
        floor = min((c.cosine for c in candidates.values() if c.cosine is not None), default=0.0)
        out: list[ScoredChunk] = []
        ceiling = 1.0
        for n, c in enumerate(chosen):
            cosine = c.cosine if c.cosine is not None else floor
            score = calibrated(self.params.calibration, cosine, coverage)
            if n == 0:
                self.last_evidence = QueryEvidence(cosine, coverage)
                if coverage >= 1.0 and self._both_agree(query, c):
                    score = max(score, self.params.min_relevance)
            ceiling = min(ceiling, score)
            out.append(ScoredChunk(c.chunk, round(ceiling, 4)))
        return out

    def _name_coverage(self, query: str, best: list[Chunk]) -> float:
        """0.0 when the question names a scheme ("Carer's Allowance") in words the index knows,
        but no chunk of ``best`` has all those words; else 1.0. A name with a word the index has
        never seen is not checked: it may be misspelt ("Alowance"), and retrieval searches such
        words as the guidance spells them."""
        bm25 = self._current_bm25()
        names = [(analyse(name), name[:1].isupper())
                 for name in proper_names(question_sentences(query),
                                          lower_case=self.params.lower_case_names)
                 if all(bm25.knows(w) for w in _LETTERS.findall(_POSSESSIVE.sub("", name.lower())))]
        names = [(n, capitalised) for n, capitalised in names if n]
        if not names:
            return 1.0
        # a capitalised name's words in order, at most one word apart: "Employment and Support
        # Allowance" and "Bereavement payment" hold both words of "Support Payment", not the
        # scheme; "Sure Start Maternity Grant" holds "Start Grant". Words typed in lower case
        # ("a travel grant", "redundancy payment") describe as often as they name: anywhere
        held = [words_in_order(c.embedding_text) for c in best]
        return 0.0 if any(not any(holds_in_order(words, n) if capitalised else set(n) <= set(words)
                                  for words in held) for n, capitalised in names) else 1.0

    def _both_agree(self, query: str, best: Candidate) -> bool:
        """Whether dense and BM25 both rank ``best`` first and it holds at least
        ``agreement_coverage`` of the query's words, weighted by IDF (two words or more)."""
        if best.dense_rank != 0 or best.sparse_rank != 0:
            return False
        asked = sorted(set(analyse(query)))
        if len(asked) < 2:
            return False
        held = words_of(best.chunk.embedding_text)
        weights = self._current_bm25().idf(asked)
        total = sum(weights)
        found = sum(w for word, w in zip(asked, weights, strict=True) if word in held)
        return total > 0 and found / total >= self.params.agreement_coverage


def calibrated(constants: tuple[float, float, float], cosine: float, coverage: float) -> float:
    """The logistic relevance of a chunk with this cosine and query-term coverage."""
    a, b, c = constants
    z = a + b * cosine + c * coverage
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


_LETTERS = re.compile(r"[a-z]+")
_POSSESSIVE = re.compile(r"['’]s\b")


def _ids_in_order(hits: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Dense hits best first, equal cosines in chunk-id order. Two copies of a page have the
    same vector, and Chroma's approximate search returns them in either order from one process
    to the next; without this the copy cited (and so the answer) could change between runs."""
    return sorted(hits, key=lambda h: (-round(h[1], 6), h[0]))


def build_retriever(settings: Settings, index: ChunkIndex, embedder: Embedder,
                    params: RetrievalParams | None = None) -> HybridRetriever:
    """A HybridRetriever with the persisted BM25 index under the store (built if missing)."""
    bm25 = load_bm25(index, settings.store_dir)
    return HybridRetriever(index, embedder, bm25, params, store_dir=settings.store_dir)
