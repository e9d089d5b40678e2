"""ingest_paths keeps the persisted BM25 index in step with the chunk index."""

from __future__ import annotations

from pathlib import Path

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
