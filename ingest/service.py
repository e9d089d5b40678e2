"""Ingestion from settings: what the CLI and the Admin page call."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from assistant.bm25 import refresh_bm25
from assistant.config import Settings
from assistant.errors import LoadError
from assistant.ports import ChunkIndex, Embedder
from assistant.services import build_embedder, build_index
from assistant.types import LoadedDocument
from ingest.chunking import ChunkingOptions
from ingest.embedding_cache import EmbeddingCache
from ingest.indexing import Repaired
from ingest.locking import store_lock
from ingest.pipeline import IngestReport, Pipeline, Progress, run_ingest


def build_pipeline(settings: Settings, index: ChunkIndex, embedder: Embedder) -> Pipeline:
    """A pipeline over ``index`` with the settings' parser limits and the persistent cache."""
    from ingest.parsing import parse_files

    def parser(paths: Sequence[Path]) -> Iterator[tuple[Path, LoadedDocument | LoadError]]:
        return parse_files(paths, workers=settings.parse_workers,
                           timeout_s=settings.parse_timeout_s, memory_mb=settings.parse_memory_mb)

    settings.store_dir.mkdir(parents=True, exist_ok=True)
    cache = EmbeddingCache(settings.store_dir / "embeddings.sqlite3")
    options = ChunkingOptions(settings.chunk_tokens, settings.chunk_overlap_tokens)
    return Pipeline(index=index, embedder=embedder, cache=cache, parse=parser, chunking=options,
                    shared_store=bool(settings.chroma_host))


def ingest_paths(
    settings: Settings, paths: Sequence[Path], collection: str, *, sync: bool = False,
    progress: Progress | None = None, index: ChunkIndex | None = None,
    embedder: Embedder | None = None,
) -> IngestReport:
    """Index ``paths`` into ``collection`` under the store lock; builds services if not given."""
    with store_lock(settings.store_dir):
        embedder = embedder or build_embedder(settings)
        index = index or build_index(settings, embedder)
        pipeline = build_pipeline(settings, index, embedder)
        try:
            report = run_ingest(pipeline, paths, collection, sync=sync, progress=progress)
        finally:
            pipeline.cache.close()
        refresh_bm25(index, settings.store_dir)  # rebuilt only if the documents changed
        return report


def repair_if_idle(settings: Settings, index: ChunkIndex) -> int | None:
    """Roll back or finish writes a killed ingestion left pending, unless one is running now.

    An app process calls this when it starts, so a document a killed run left half-written is
    not searchable until some later ingestion happens to repair it. Returns how many documents
    needed it, or None when another run holds the store (its pending writes are its own). With
    a Chroma server the lock is a file on this host, so a run on another host may be writing:
    only writes older than ``SHARED_WRITE_LEASE_S`` are rolled back.
    """
    from assistant.errors import StoreLockedError
    from ingest.indexing import repair, stale_after

    try:
        with store_lock(settings.store_dir):
            return repair(index, stale_after(bool(settings.chroma_host)))
    except StoreLockedError:
        return None


def check_store(index: ChunkIndex) -> list[str]:
    """What is inconsistent in the index (empty when consistent); reads every chunk."""
    from ingest.indexing import find_inconsistencies

    return find_inconsistencies(index)


def repair_store(settings: Settings, index: ChunkIndex) -> Repaired:
    """Under the store lock, remove what ``check_store`` reports, mark documents that lost
    chunks to be read again, and refresh BM25. Raises StoreLockedError while an ingestion run
    holds the store."""
    from ingest.indexing import fix_inconsistencies, stale_after

    with store_lock(settings.store_dir):
        removed = fix_inconsistencies(index, stale_after(bool(settings.chroma_host)))
        refresh_bm25(index, settings.store_dir)
        return removed
