"""Atomic document writes on top of any ChunkIndex: a document is never half-indexed.

The document record is the commit point. Replacing a document:
  1. journal: write the record with ``pending_version`` = the new version (old ``version`` kept);
  2. write the new chunks (ids derive from doc id, version and position, so a rerun overwrites);
  3. commit: write the record with ``version`` = new version (still pending);
  4. delete the document's chunks of any other version (and, when the same file was re-chunked,
     those beyond its new last position); 5. clear ``pending_version``.
A new document (no earlier record) has nothing to delete, so its commit clears the journal.
Removing: journal ``pending_version = REMOVED``, delete the chunks, delete the record.
``repair`` finishes or rolls back whatever a killed run left: for every record still pending, only
chunks of the committed ``version`` survive, and only the record's ``chunks`` first positions of
them (none if it never committed or was being removed).
Readers may briefly see both versions of a document mid-write; never a mix after ``repair``, with
one exception: the same file re-chunked (new chunk settings, same version) and killed before its
commit keeps the new chunking's first positions and the old one's tail until the next run, which
re-chunks it because its record still names the old pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np

from assistant.ports import ChunkIndex, Vectors
from assistant.types import Chunk, ChunkFilter, DocumentRecord

REMOVED = "__removed__"


Replacement = tuple[DocumentRecord, Sequence[Chunk], Vectors, DocumentRecord | None]
"""(new record, its chunks, their vectors, the previous record or None)."""


def replace_document(
    index: ChunkIndex, record: DocumentRecord, chunks: Sequence[Chunk], vectors: Vectors,
    previous: DocumentRecord | None = None,
) -> None:
    """Make ``record`` (with exactly ``chunks``) the document's committed state."""
    replace_documents(index, [(record, chunks, vectors, previous)])


def replace_documents(index: ChunkIndex, items: Sequence[Replacement]) -> None:
    """``replace_document`` for several documents, each step one index call for all of them.

    Every document goes through the same journal, chunks, commit, clean-up sequence, so a run
    killed between any two calls is repaired exactly as for one document. Fewer, larger calls
    matter: embedded Chroma holds the GIL for the whole of each call, so many small writes stall
    the embedding threads that share the process.
    """
    if not items:
        return
    since = _now()
    index.upsert_documents([
        replace(previous, pending_version=record.version, pending_since=since) if previous else
        replace(record, version="", status="indexing", pending_version=record.version,
                pending_since=since)
        for record, _, _, previous in items])
    with_chunks = [(chunks, vectors) for _, chunks, vectors, _ in items if chunks]
    if with_chunks:
        index.upsert_chunks([c for chunks, _ in with_chunks for c in chunks],
                            np.concatenate([vectors for _, vectors in with_chunks]))
    # A new document has no older chunks: its commit is its last step.
    older = [record for record, _, _, previous in items if previous is not None]
    index.upsert_documents([
        replace(record, pending_version=record.version, pending_since=since)
        if previous is not None else replace(record, pending_version="", pending_since="")
        for record, _, _, previous in items])
    for record in older:
        index.delete_chunks(ChunkFilter(doc_ids=(record.doc_id,), not_doc_version=record.version))
    for record, chunks, _, previous in items:  # the same file re-chunked into fewer pieces
        if previous is not None and previous.version == record.version:
            index.delete_chunks(ChunkFilter(doc_ids=(record.doc_id,), from_position=len(chunks)))
    if older:
        index.upsert_documents([replace(record, pending_version="", pending_since="")
                                for record in older])


def record_failure(index: ChunkIndex, record: DocumentRecord) -> None:
    """Store a failed document's record (no chunks), keeping any earlier version's chunks."""
    index.upsert_documents([replace(record, pending_version="", pending_since="")])


def remove_document(index: ChunkIndex, record: DocumentRecord) -> None:
    """Remove a document and all its chunks."""
    index.upsert_documents([replace(record, pending_version=REMOVED, pending_since=_now())])
    index.delete_chunks(ChunkFilter(doc_ids=(record.doc_id,)))
    index.delete_documents([record.doc_id])


# a write that began this long ago on a shared store is taken to be dead: one batch of
# documents takes seconds to minutes to write
SHARED_WRITE_LEASE_S = 3600.0


def stale_after(shared: bool) -> float | None:
    """How old another writer's pending write must be before it is rolled back: None when
    the store is not shared (the store lock covers every writer), else the lease."""
    return SHARED_WRITE_LEASE_S if shared else None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def in_flight(record: DocumentRecord, stale_after_s: float | None) -> bool:
    """Whether ``record``'s pending write may still be running on another host: it began less
    than ``stale_after_s`` ago. None means no other writer can exist (the store lock covers
    every writer), so no pending write is in flight when a run starts. A journal with no time
    (written before times were kept) counts as stale."""
    if stale_after_s is None or not record.pending_version:
        return False
    try:
        began = datetime.fromisoformat(record.pending_since)
    except ValueError:
        return False
    return (datetime.now(UTC) - began).total_seconds() < stale_after_s


def repair(index: ChunkIndex, stale_after_s: float | None = None) -> int:
    """Finish or roll back interrupted writes; returns how many documents needed it.

    With a store shared by several hosts (a Chroma server), the store lock covers only this
    host, so writes begun less than ``stale_after_s`` ago are left alone: another host may be
    in the middle of them, and rolling its journal back would empty its document."""
    pending = [r for r in index.get_documents()
               if r.pending_version and not in_flight(r, stale_after_s)]
    for record in pending:
        if record.pending_version == REMOVED or not record.version:
            index.delete_chunks(ChunkFilter(doc_ids=(record.doc_id,)))
            index.delete_documents([record.doc_id])
        else:
            index.delete_chunks(
                ChunkFilter(doc_ids=(record.doc_id,), not_doc_version=record.version)
            )
            # a file re-chunked into fewer pieces, killed after its commit: the tail of the
            # old chunking has the same version, so only its positions tell it apart
            index.delete_chunks(
                ChunkFilter(doc_ids=(record.doc_id,), from_position=max(record.chunks, 0))
            )
            index.upsert_documents([replace(record, pending_version="", pending_since="")])
    return len(pending)


def find_inconsistencies(index: ChunkIndex) -> list[str]:
    """Problems a consistent index never has (used by tests and the admin health view)."""
    records = {r.doc_id: r for r in index.get_documents()}
    problems = [f"{r.doc_id}: write still pending" for r in records.values() if r.pending_version]
    seen: dict[str, set[str]] = {}
    for chunk in index.get_chunks():
        record = records.get(chunk.doc_id)
        if record is None:
            problems.append(f"{chunk.chunk_id}: orphan chunk of unknown document {chunk.doc_id}")
        elif chunk.doc_version != record.version:
            problems.append(f"{chunk.chunk_id}: stale version of {chunk.doc_id}")
        seen.setdefault(chunk.doc_id, set()).add(chunk.chunk_id)
    for record in records.values():
        if record.status == "ok" and len(seen.get(record.doc_id, ())) != record.chunks:
            problems.append(f"{record.doc_id}: record says {record.chunks} chunks, index has "
                            f"{len(seen.get(record.doc_id, ()))}")
    return problems


@dataclass(frozen=True)
class Repaired:
    """What ``fix_inconsistencies`` did: stray chunks removed, and the documents that had lost
    chunks, marked so that the next ingestion run (Reindex) reads their files again."""

    removed: int
    to_reread: tuple[str, ...] = ()


def fix_inconsistencies(index: ChunkIndex, stale_after_s: float | None = None) -> Repaired:
    """Repair, then remove every chunk ``find_inconsistencies`` would report: chunks of no
    document, of a version other than the committed one, or beyond a document's chunk count
    (what a store damaged before the checks above, or by a foreign writer, may hold). A document
    with fewer chunks than its record says has its record's pipeline cleared, so the next run
    re-chunks its file instead of counting it unchanged (unchanged chunk texts still come from
    the embedding cache). A full scan: for the Admin page's health check, not every run.
    Documents with a write in flight on another host (``in_flight``) are left alone.
    """
    repair(index, stale_after_s)
    records = {r.doc_id: r for r in index.get_documents()}
    busy = {doc_id for doc_id, r in records.items() if in_flight(r, stale_after_s)}
    records = {doc_id: r for doc_id, r in records.items() if doc_id not in busy}
    doomed: dict[str, list[Chunk]] = {}
    kept: dict[str, int] = {}
    for chunk in index.get_chunks():
        if chunk.doc_id in busy:
            continue
        record = records.get(chunk.doc_id)
        if record is None or chunk.doc_version != record.version or (
                record.status == "ok" and chunk.position >= record.chunks):
            doomed.setdefault(chunk.doc_id, []).append(chunk)
        else:
            kept[chunk.doc_id] = kept.get(chunk.doc_id, 0) + 1
    for doc_id in doomed:
        record = records.get(doc_id)
        if record is None:
            index.delete_chunks(ChunkFilter(doc_ids=(doc_id,)))
            continue
        index.delete_chunks(ChunkFilter(doc_ids=(doc_id,), not_doc_version=record.version))
        if record.status == "ok":
            index.delete_chunks(ChunkFilter(doc_ids=(doc_id,), from_position=record.chunks))
    short = [r for r in records.values()
             if r.status == "ok" and kept.get(r.doc_id, 0) < r.chunks]
    if short:
        index.upsert_documents([replace(r, pipeline="") for r in short])
    return Repaired(sum(len(c) for c in doomed.values()), tuple(r.doc_id for r in short))
