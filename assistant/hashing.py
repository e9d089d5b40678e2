"""Content hashes of files: model checksums and document versions."""

from __future__ import annotations

import hashlib
import threading
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
    download would not hold the text an answer quoted. Hashed once per file state (size and
    modification time), one remembered state per path, as a page shows the same sources again
    and again."""
    try:
        info = path.stat()
    except OSError:
        return False
    if not version:
        return False
    state = (info.st_size, info.st_mtime_ns)
    with _LOCK:
        known = _STATES.get(str(path))
    if known is None or known[0] != state:
        known = (state, sha256_file(path))
        with _LOCK:
            _STATES[str(path)] = known
    return known[1] != version


# path -> ((size, modification time), SHA-256): one entry per source file shown, so bounded by
# the library's size; shared by every session of the app process
_STATES: dict[str, tuple[tuple[int, int], str]] = {}
_LOCK = threading.Lock()
