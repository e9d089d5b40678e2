"""Embed each unique answer once, in batches, reporting progress."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from assistant.ports import Embedder, Vectors

Progress = Callable[[int, int], None]  # (done, total)
EMBED_CHARS = 2_000  # the model reads about 256 word pieces; longer text only costs time
_BATCH = 256


def embed_unique(
    texts: Sequence[str], embedder: Embedder, progress: Progress | None = None
) -> Vectors:
    """One unit vector per text; identical texts are embedded once."""
    keys = [t[:EMBED_CHARS] for t in texts]
    unique = list(dict.fromkeys(keys))
    at = {text: row for row, text in enumerate(unique)}
    vectors = np.zeros((len(unique), embedder.dim), dtype=np.float32)
    for start in range(0, len(unique), _BATCH):
        batch = unique[start : start + _BATCH]
        vectors[start : start + len(batch)] = embedder.embed(batch)
        if progress is not None:
            progress(min(start + _BATCH, len(unique)), len(unique))
    if not unique and progress is not None:
        progress(0, 0)
    return np.asarray(vectors[[at[k] for k in keys]], dtype=np.float32)


def normalise_rows(matrix: Vectors) -> Vectors:
    """Scale each row to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    scaled: Vectors = (matrix / np.clip(norms, 1e-12, None)).astype(np.float32)
    return scaled
