"""Content hashes of files: model checksums and document versions."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_changed_since(path: Path, version: str) -> bool:
    """Whether the file at ``path`` is no longer the version (SHA-256) that was indexed: its
    download would not hold the text an answer quoted. Hashed once per file state (path, size,
    modification time), as a page shows the same sources again and again."""
    try:
        info = path.stat()
    except OSError:
        return False
    return bool(version) and _sha256_at(str(path), info.st_size, info.st_mtime_ns) != version


@lru_cache(maxsize=256)
def _sha256_at(path: str, _size: int, _mtime_ns: int) -> str:
    return sha256_file(Path(path))
