"""Atomic document writes: whatever point a run is killed at, repair leaves one version."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.testing import FakeEmbedder, InMemoryChunkIndex
from assistant.types import Chunk, DocumentRecord
from ingest.indexing import (
    find_inconsistencies,
    remove_document,
    repair,
    replace_document,
    replace_documents,
)
from tests.helpers import make_chunk, make_record


class Crash(Exception):
    """Raised by CrashingIndex to simulate a kill at a chosen write."""


class CrashingIndex(InMemoryChunkIndex):
    """FAKE: an in-memory index that dies on its n-th write call."""

    def __init__(self, crash_at: int) -> None:
        super().__init__()
        self.writes = 0
        self.crash_at = crash_at

    def _tick(self) -> None:
        self.writes += 1
        if self.writes == self.crash_at:
            raise Crash

    def upsert_chunks(self, chunks, vectors):  # type: ignore[no-untyped-def]
        self._tick()
        super().upsert_chunks(chunks, vectors)

    def delete_chunks(self, where):  # type: ignore[no-untyped-def]
        self._tick()
        super().delete_chunks(where)

    def upsert_documents(self, records):  # type: ignore[no-untyped-def]
        self._tick()
        super().upsert_documents(records)

    def delete_documents(self, doc_ids):  # type: ignore[no-untyped-def]
        self._tick()
        super().delete_documents(doc_ids)


def _version(version: str, n: int) -> list[Chunk]:
    return [make_chunk(i, f"{version} text {i}", version=version) for i in range(n)]


def _write(index: InMemoryChunkIndex, version: str, n: int) -> None:
    embedder = FakeEmbedder()
    chunks = _version(version, n)
    previous = next(iter(index.get_documents()), None)
    replace_document(index, make_record(version=version, chunks=n), chunks,
                     embedder.embed([c.text for c in chunks]), previous)


@pytest.mark.parametrize("crash_at", range(1, 6))
def test_replace_killed_at_any_write_repairs_to_exactly_one_version(crash_at: int) -> None:
    index = CrashingIndex(crash_at=10**6)
    _write(index, "v1", 3)
    index.writes, index.crash_at = 0, crash_at
    with pytest.raises(Crash):
        _write(index, "v2", 2)
    index.crash_at = 10**6
    repair(index)
    assert find_inconsistencies(index) == []
    versions = {c.doc_version for c in index.get_chunks()}
    assert versions in ({"v1"}, {"v2"})
    assert len(index.get_chunks()) == (3 if versions == {"v1"} else 2)


def test_the_same_file_re_chunked_into_fewer_pieces_leaves_no_extra_chunks() -> None:
    index = InMemoryChunkIndex()
    _write(index, "v1", 3)
    _write(index, "v1", 2)  # same file, a new chunker: positions 0-1 rewritten, 2 must go
    assert find_inconsistencies(index) == []
    assert sorted(c.position for c in index.get_chunks()) == [0, 1]
    _write(index, "v1", 4)
    assert find_inconsistencies(index) == [] and len(index.get_chunks()) == 4


@pytest.mark.parametrize("crash_at", range(1, 4))
def test_first_write_killed_leaves_no_orphans(crash_at: int) -> None:
    index = CrashingIndex(crash_at=crash_at)
    with pytest.raises(Crash):
        _write(index, "v1", 2)
    index.crash_at = 10**6
    repair(index)
    assert find_inconsistencies(index) == []


def _doc(doc_id: str, version: str, n: int) -> tuple[DocumentRecord, list[Chunk]]:
    chunks = [make_chunk(i, f"{doc_id} {version} text {i}", doc_id=doc_id, version=version)
              for i in range(n)]
    return make_record(doc_id=doc_id, version=version, chunks=n), chunks


def _batch(index: InMemoryChunkIndex, docs: list[tuple[DocumentRecord, list[Chunk]]]) -> None:
    previous = {r.doc_id: r for r in index.get_documents()}
    embedder = FakeEmbedder()
    replace_documents(index, [(record, chunks, embedder.embed([c.text for c in chunks]),
                               previous.get(record.doc_id)) for record, chunks in docs])


def test_batch_write_is_one_call_per_step_for_new_documents() -> None:
    index = CrashingIndex(crash_at=10**6)
    _batch(index, [_doc(f"c1/{name}.md", "v1", 3) for name in "abcde"])
    assert index.writes == 3  # journal, chunks, commit: not 3 per document
    assert find_inconsistencies(index) == []
    assert len(index.get_chunks()) == 15


@pytest.mark.parametrize("crash_at", range(1, 7))  # 6 writes: see replace_documents
def test_batch_of_new_and_replaced_documents_killed_anywhere_repairs(crash_at: int) -> None:
    index = CrashingIndex(crash_at=10**6)
    _batch(index, [_doc("c1/a.md", "v1", 3), _doc("c1/b.md", "v1", 2)])
    index.writes, index.crash_at = 0, crash_at
    with pytest.raises(Crash):  # a replaces a, b replaced, c new, d new with no chunks
        _batch(index, [_doc("c1/a.md", "v2", 1), _doc("c1/b.md", "v2", 4),
                       _doc("c1/c.md", "v1", 2), _doc("c1/d.md", "v1", 0)])
    index.crash_at = 10**6
    repair(index)
    assert find_inconsistencies(index) == []
    by_doc: dict[str, set[str]] = {}
    for chunk in index.get_chunks():
        by_doc.setdefault(chunk.doc_id, set()).add(chunk.doc_version)
    assert all(len(versions) == 1 for versions in by_doc.values())
    assert {"c1/a.md", "c1/b.md"} <= set(by_doc)  # the earlier versions are never lost


def test_batch_write_completes_every_document() -> None:
    index = CrashingIndex(crash_at=10**6)
    _batch(index, [_doc("c1/a.md", "v1", 3)])
    _batch(index, [_doc("c1/a.md", "v2", 1), _doc("c1/c.md", "v1", 2)])
    assert find_inconsistencies(index) == []
    assert {(r.doc_id, r.version, r.pending_version) for r in index.get_documents()} == {
        ("c1/a.md", "v2", ""), ("c1/c.md", "v1", "")}
    assert sorted((c.doc_id, c.doc_version) for c in index.get_chunks()) == [
        ("c1/a.md", "v2"), ("c1/c.md", "v1"), ("c1/c.md", "v1")]


@pytest.mark.parametrize("crash_at", range(1, 4))
def test_remove_killed_midway_repairs_to_all_or_nothing(crash_at: int) -> None:
    index = CrashingIndex(crash_at=10**6)
    _write(index, "v1", 2)
    index.writes, index.crash_at = 0, crash_at
    with pytest.raises(Crash):
        remove_document(index, index.get_documents()[0])
    index.crash_at = 10**6
    repair(index)
    assert find_inconsistencies(index) == []
    if crash_at == 1:  # killed before the removal was recorded: the document is kept whole
        assert [r.version for r in index.get_documents()] == ["v1"]
        assert len(index.get_chunks()) == 2
    else:  # the removal was recorded: repair finishes it
        assert index.get_documents() == [] and index.get_chunks() == []


@pytest.mark.parametrize("crash_at", range(1, 6))
def test_a_rechunk_into_fewer_pieces_killed_anywhere_repairs_to_its_chunk_count(
        crash_at: int) -> None:
    index = CrashingIndex(crash_at=10**6)
    _write(index, "v1", 5)  # the same file version re-chunked (new settings) into 3 pieces
    previous = index.get_documents()[0]
    chunks = [make_chunk(i, f"v1 rechunked {i}", version="v1") for i in range(3)]
    index.writes, index.crash_at = 0, crash_at
    with suppress(Crash):
        replace_document(index, make_record(version="v1", chunks=3), chunks,
                         FakeEmbedder().embed([c.text for c in chunks]), previous)
    index.crash_at = 10**6
    repair(index)
    [record] = index.get_documents()
    problems = find_inconsistencies(index)
    # before its commit the record still counts 5 chunks (its pipeline id says re-chunk again)
    assert problems == [] and len(index.get_chunks()) == record.chunks


def test_inconsistency_checker_catches_orphans_and_stale_chunks() -> None:
    index = InMemoryChunkIndex()
    _write(index, "v1", 2)
    stale = replace(make_chunk(7, "old", version="v0"), chunk_id="stale")
    orphan = make_chunk(0, "lost", doc_id="c1/gone.md")
    index.upsert_chunks([stale, orphan], FakeEmbedder().embed(["old", "lost"]))
    problems = "\n".join(find_inconsistencies(index))
    assert "stale version" in problems and "orphan chunk" in problems


def test_an_app_starting_repairs_a_killed_write_unless_a_run_holds_the_store(
        tmp_path: Path) -> None:
    from assistant.config import Settings
    from ingest.locking import store_lock
    from ingest.service import repair_if_idle

    settings = Settings(store_dir=tmp_path)
    index = CrashingIndex(crash_at=3)  # a new document killed after its chunks were written
    chunks = _version("v1", 2)
    with pytest.raises(Crash):
        replace_document(index, make_record(version="v1", chunks=2), chunks,
                         FakeEmbedder().embed([c.text for c in chunks]), None)
    index.crash_at = 10**6
    assert len(index.get_chunks()) == 2 and find_inconsistencies(index)  # searchable, pending
    with store_lock(tmp_path):  # another run is ingesting: its pending writes are its own
        assert repair_if_idle(settings, index) is None
    assert find_inconsistencies(index)
    assert repair_if_idle(settings, index) == 1
    assert find_inconsistencies(index) == [] and index.get_chunks() == []


def test_on_a_shared_store_another_hosts_write_in_flight_is_left_alone_until_stale(
        tmp_path: Path) -> None:
    # from a code review: with a Chroma server every run rolled back other hosts' writes in
    # progress, leaving their documents "ok" with no chunks
    from assistant.config import Settings
    from ingest.indexing import SHARED_WRITE_LEASE_S, fix_inconsistencies, in_flight, repair
    from ingest.service import repair_if_idle

    index = CrashingIndex(crash_at=3)  # host A: a new document's chunks written, no commit yet
    chunks = _version("v1", 2)
    with pytest.raises(Crash):
        replace_document(index, make_record(version="v1", chunks=2), chunks,
                         FakeEmbedder().embed([c.text for c in chunks]), None)
    index.crash_at = 10**6
    [record] = index.get_documents()
    assert record.pending_since and in_flight(record, SHARED_WRITE_LEASE_S)
    shared = Settings(store_dir=tmp_path, chroma_host="chroma.internal")
    # host B starts: its run, its app start-up and an admin's Repair leave A's write alone
    assert repair(index, SHARED_WRITE_LEASE_S) == 0
    assert repair_if_idle(shared, index) == 0
    assert fix_inconsistencies(index, SHARED_WRITE_LEASE_S).removed == 0
    assert len(index.get_chunks()) == 2
    # a write that began longer ago than the lease is dead: rolled back as before
    index.upsert_documents([replace(record, pending_since="2026-01-01T00:00:00+00:00")])
    assert repair(index, SHARED_WRITE_LEASE_S) == 1
    assert index.get_chunks() == [] and find_inconsistencies(index) == []


def test_a_committed_write_clears_its_journal_time() -> None:
    index = InMemoryChunkIndex()
    _write(index, "v1", 2)
    _write(index, "v2", 2)
    assert [(r.pending_version, r.pending_since) for r in index.get_documents()] == [("", "")]
