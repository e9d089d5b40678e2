"""ingest_paths keeps the persisted BM25 index in step with the chunk index."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.bm25 import fingerprint, read_snapshot
from assistant.config import Settings
from assistant.testing import FakeEmbedder, InMemoryChunkIndex
from ingest.service import ingest_paths


def test_bm25_snapshot_follows_additions_and_removals(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "leave.md").write_text("# Leave\n\nPaternity leave needs fifteen weeks notice.\n")
    (docs / "cap.md").write_text("# Cap\n\nThe benefit cap limits total household income.\n")
    settings = Settings(store_dir=tmp_path / "store", parse_workers=0)
    index, embedder = InMemoryChunkIndex(), FakeEmbedder()
    ingest_paths(settings, [docs], "team", index=index, embedder=embedder)
    snapshot = read_snapshot(settings.store_dir)
    assert snapshot is not None and snapshot.fingerprint == fingerprint(index)
    assert {chunk.source for chunk, _ in snapshot.search("paternity notice", 5)} == {"leave.md"}
    (docs / "leave.md").unlink()
    ingest_paths(settings, [docs], "team", sync=True, index=index, embedder=embedder)
    snapshot = read_snapshot(settings.store_dir)
    assert snapshot is not None and snapshot.fingerprint == fingerprint(index)
    assert snapshot.search("paternity notice", 5) == []


def test_an_unwritable_store_is_a_clear_store_error_not_a_traceback(tmp_path: Path) -> None:
    from assistant.errors import StoreError
    from ingest.locking import store_lock

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    refused = r"Cannot write to the store at .*a-file/store .*writable"
    with pytest.raises(StoreError, match=refused), store_lock(blocker / "store"):
        pass


def test_an_unusable_embedding_cache_costs_speed_not_the_run(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import sqlite3

    from assistant.testing import FakeEmbedder
    from ingest.embedding_cache import EmbeddingCache

    (tmp_path / "cache-dir").mkdir()
    cache = EmbeddingCache(tmp_path / "cache-dir")  # a folder: sqlite cannot open it
    assert "unusable" in caplog.text
    assert cache.embed(FakeEmbedder(), ["a", "b"]).shape == (2, FakeEmbedder().dim)
    EmbeddingCache(tmp_path / "c.db").close()
    cache._db = sqlite3.connect(f"file:{tmp_path / 'c.db'}?mode=ro", uri=True)  # read-only
    vectors = cache.embed(FakeEmbedder(), ["new text"])
    assert vectors.shape == (1, FakeEmbedder().dim) and "Could not save 1 vectors" in caplog.text
