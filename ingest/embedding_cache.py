"""Embeddings cached by content hash, so a chunk whose text did not change is never re-embedded.

Keys combine the model id, its dimension and the sha256 of the embedded text: changing the embedder
can never return a vector of another model. The cache is a local SQLite file (safe to delete).
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.ports import Embedder, Vectors

log = logging.getLogger(__name__)


def cache_key(embedder: Embedder, text: str) -> str:
    """The cache key of ``text`` under ``embedder``."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    return f"{embedder.model_id}:{embedder.dim}:{digest}"


class EmbeddingCache:
    """A persistent map from cache key to vector; ``embed`` fills it on a miss."""

    def __init__(self, path: Path | None) -> None:
        try:
            self._db = self._open(":memory:" if path is None else str(path))
        except sqlite3.Error as exc:  # a read-only or damaged cache file only costs speed
            log.warning("Embedding cache %s unusable (%s); using one in memory for this run",
                        path, exc)
            self._db = self._open(":memory:")
        self.hits = 0
        self.misses = 0

    @staticmethod
    def _open(where: str) -> sqlite3.Connection:
        db = sqlite3.connect(where, timeout=30)
        db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB)")
        return db

    def embed(self, embedder: Embedder, texts: Sequence[str]) -> Vectors:
        """Vectors for ``texts``: cached ones looked up, each unique missing text embedded once."""
        keys = [cache_key(embedder, t) for t in texts]
        found = self._lookup(keys)
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if missing:
            text_of = dict(zip(keys, texts, strict=True))
            vectors = embedder.embed([text_of[k] for k in missing])
            new = dict(zip(missing, vectors, strict=True))
            self._store(new)
            found.update(new)
        out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = found[key]
        return out

    def _lookup(self, keys: list[str]) -> dict[str, Vectors]:
        found: dict[str, Vectors] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):
            part = unique[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(
                f"SELECT key, vec FROM vectors WHERE key IN ({marks})", part  # noqa: S608
            )
            found.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        return found

    def _store(self, new: dict[str, Vectors]) -> None:
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                    [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in new.items()],
                )
        except sqlite3.Error as exc:  # read-only or full: the vectors are still returned
            log.warning("Could not save %d vectors to the embedding cache: %s", len(new), exc)

    def close(self) -> None:
        self._db.close()
