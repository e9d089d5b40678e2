"""One ingestion run at a time per store: a lock file beside the index."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from assistant.errors import StoreLockedError


@contextmanager
def store_lock(store_dir: Path, wait_s: float = 0.0) -> Iterator[None]:
    """Hold the store's ingestion lock, or fail at once with a clear message.

    The operating system releases the lock if the holder dies, so a killed run never leaves the
    store locked. With a Chroma server the lock is per machine: run ingestion from one host.
    """
    store_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(store_dir / "ingest.lock"))
    try:
        lock.acquire(timeout=wait_s)
    except Timeout as exc:
        raise StoreLockedError(
            f"Another ingestion run is using the store at {store_dir}. Wait for it to finish "
            "and run this again."
        ) from exc
    try:
        yield
    finally:
        lock.release()
