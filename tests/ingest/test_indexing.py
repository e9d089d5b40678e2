"""Atomic document writes: whatever point a run is killed at, repair leaves one version."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.testing import FakeEmbedder, InMemoryChunkIndex
from assistant.types import Chunk
from ingest.indexing import find_inconsistencies, remove_document, repair, replace_document
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


@pytest.mark.parametrize("crash_at", range(1, 4))
def test_first_write_killed_leaves_no_orphans(crash_at: int) -> None:
    index = CrashingIndex(crash_at=crash_at)
    with pytest.raises(Crash):
        _write(index, "v1", 2)
    index.crash_at = 10**6
    repair(index)
    assert find_inconsistencies(index) == []


@pytest.mark.parametrize("crash_at", range(1, 4))
def test_remove_killed_midway_finishes_on_repair(crash_at: int) -> None:
    index = CrashingIndex(crash_at=10**6)
    _write(index, "v1", 2)
    index.writes, index.crash_at = 0, crash_at
    with pytest.raises(Crash):
        remove_document(index, index.get_documents()[0])
    index.crash_at = 10**6
    repair(index)
    assert find_inconsistencies(index) == []
    if index.get_documents():
        assert len(index.get_chunks()) == 2


def test_inconsistency_checker_catches_orphans_and_stale_chunks() -> None:
    index = InMemoryChunkIndex()
    _write(index, "v1", 2)
    stale = replace(make_chunk(7, "old", version="v0"), chunk_id="stale")
    orphan = make_chunk(0, "lost", doc_id="c1/gone.md")
    index.upsert_chunks([stale, orphan], FakeEmbedder().embed(["old", "lost"]))
    problems = "\n".join(find_inconsistencies(index))
    assert "stale version" in problems and "orphan chunk" in problems
