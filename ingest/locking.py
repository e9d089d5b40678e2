"""One ingestion run at a time per store: a lock file beside the index. And a marker per app
process on an embedded store, so the ingest CLI does not write under a running app (embedded
Chroma serves one process: another process's writes leave the app's search broken or stale)."""

from __future__ import annotations

import atexit
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from filelock import FileLock, Timeout

from assistant.errors import StoreError, StoreLockedError


@contextmanager
def store_lock(store_dir: Path, wait_s: float = 0.0) -> Iterator[None]:
    """Hold the store's ingestion lock, or fail at once with a clear message.

    The operating system releases the lock if the holder dies, so a killed run never leaves the
    store locked. With a Chroma server the lock is per machine: run ingestion from one host.
    Refused too while another app process uses the embedded store (``running_apps``): its
    embedded Chroma would not see the change (a second app on one store, from a code review).
    """
    apps = running_apps(store_dir)
    if apps:
        raise StoreLockedError(
            f"Another Guidance Assistant app (process {', '.join(map(str, apps))}) is using the "
            f"embedded store at {store_dir}, and a change made here would leave its search out "
            "of date. Run one app process per embedded store (stop the other one), or run Chroma "
            "as a server for several (GA_CHROMA_HOST)."
        )
    lock = FileLock(str(store_dir / "ingest.lock"))
    try:
        store_dir.mkdir(parents=True, exist_ok=True)
        lock.acquire(timeout=wait_s)
    except Timeout as exc:
        raise StoreLockedError(
            f"Another ingestion run is using the store at {store_dir}. Wait for it to finish "
            "and run this again."
        ) from exc
    except OSError as exc:  # a read-only mount, no permission, a full disk
        raise StoreError(
            f"Cannot write to the store at {store_dir} ({exc.strerror or exc}). Check that the "
            "folder is writable by this user and the disk is not full or mounted read-only "
            "(GA_STORE_DIR)."
        ) from exc
    try:
        yield
    finally:
        lock.release()


def _apps_dir(store_dir: Path) -> Path:
    return store_dir / "apps"


def register_app(store_dir: Path) -> None:
    """Mark this process as an app using the embedded store at ``store_dir`` (until it exits).

    The marker holds the process's start time, so a marker left by a killed app is not mistaken
    for a live one when its process id is reused."""
    marker = _apps_dir(store_dir) / str(os.getpid())
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(f"{_started(os.getpid()) or ''}\n", encoding="utf-8")
    except OSError:  # a read-only store: nothing can ingest into it anyway
        return
    atexit.register(lambda: marker.unlink(missing_ok=True))


def running_apps(store_dir: Path) -> list[int]:
    """Process ids of other live app processes using the embedded store (markers of processes
    that have ended, or whose id now belongs to another process, are removed)."""
    folder = _apps_dir(store_dir)
    found: list[int] = []
    for marker in folder.glob("*") if folder.is_dir() else []:
        if not marker.name.isdigit() or int(marker.name) == os.getpid():
            continue
        pid = int(marker.name)
        try:
            recorded = marker.read_text(encoding="utf-8").strip()
        except OSError:
            continue
        if _alive(pid, recorded):
            found.append(pid)
        else:
            with suppress(OSError):
                marker.unlink()
    return sorted(found)


def _started(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), or None if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()  # the name in brackets may hold spaces
    return fields[19] if len(fields) > 19 else None


def _alive(pid: int, recorded: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process with that id
        pass
    started = _started(pid)
    if started is None or not recorded:  # no /proc (not Linux), or no start time noted
        return True
    return started == recorded
