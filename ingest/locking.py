"""One ingestion run at a time per store: a lock file beside the index. And a marker per app
process on an embedded store, so the ingest CLI does not write under a running app (embedded
Chroma serves one process: another process's writes leave the app's search broken or stale)."""

from __future__ import annotations

import atexit
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from filelock import FileLock, Timeout

try:
    import fcntl
except ImportError:  # not POSIX: markers are checked by process id
    fcntl = None  # type: ignore[assignment]

from assistant.errors import StoreError, StoreLockedError, StoreSharedError


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
        raise StoreSharedError(
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


_HELD: dict[str, int] = {}  # this process's markers (name -> open descriptor holding its lock)


def register_app(store_dir: Path) -> None:
    """Mark this process as an app using the embedded store at ``store_dir`` (until it exits).

    The marker is a file this process holds a shared ``flock`` on for as long as it lives: the
    kernel drops the lock when the process ends, however it ends, so another process tells a
    live app from a marker a killed one left by trying to lock it, not by its process id (which
    may be reused, or be 1 in each of two containers sharing the store)."""
    name = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
    marker = _apps_dir(store_dir) / name
    draft = marker.with_name(f".{name}")  # locked before it is visible: never taken as stale
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(draft, os.O_RDWR | os.O_CREAT, 0o644)
        os.write(descriptor, f"{os.getpid()}\n".encode())
        if fcntl is not None:
            fcntl.flock(descriptor, fcntl.LOCK_SH)
        os.replace(draft, marker)
    except OSError:  # a read-only store: nothing can ingest into it anyway
        return
    _HELD[name] = descriptor  # kept open: closing it would release the lock
    atexit.register(lambda: marker.unlink(missing_ok=True))


def running_apps(store_dir: Path) -> list[int]:
    """Process ids of other live app processes using the embedded store (markers of processes
    that have ended are removed)."""
    folder = _apps_dir(store_dir)
    found: list[int] = []
    for marker in sorted(folder.glob("*")) if folder.is_dir() else []:
        if marker.name in _HELD:
            continue
        pid_text, _, tag = marker.name.partition("-")
        if not pid_text.isdigit():
            continue
        if tag and fcntl is not None:
            alive = _held_by_another(marker)
        else:  # a marker of an earlier version, named by process id alone
            if int(pid_text) == os.getpid():
                continue
            try:
                recorded = marker.read_text(encoding="utf-8").strip()
            except OSError:
                continue
            alive = _alive(int(pid_text), recorded)
        if alive:
            found.append(int(pid_text))
        else:
            with suppress(OSError):
                marker.unlink()
    return sorted(found)


def _held_by_another(marker: Path) -> bool:
    """Whether some live process holds ``marker``'s lock (an app that is running)."""
    assert fcntl is not None
    try:
        descriptor = os.open(marker, os.O_RDONLY)
    except OSError:  # removed meanwhile: its app has ended
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:  # a file system without locks: take the marker at its word
        return True
    finally:
        os.close(descriptor)  # also releases the lock just taken
    return False


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
