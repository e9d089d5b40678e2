"""Sandboxed parsing: load_document in reused worker processes with per-file time and memory limits.

A file that loops is killed after ``timeout_s`` and reported "timed out after N s"; a worker may
map only ``memory_mb`` more megabytes of address space than it held after start-up (RLIMIT_AS),
so a decompression bomb fails with "ran out of memory"; a worker that crashes is reported for
that file and replaced. Results are yielded as each file finishes, cheap formats first.
"""

from __future__ import annotations

import logging
import multiprocessing
import resource
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from pebble import ProcessExpired, ProcessPool

from assistant.errors import LoadError
from assistant.types import LoadedDocument
from ingest.loaders import OUT_OF_MEMORY, load_document
from ingest.loaders.sections import brief

Outcome = LoadedDocument | LoadError
STALL_GRACE_S = 30.0  # beyond a file's own time limit, before a silent pool counts as stuck
STALLED = ("was not read: the reader processes stopped or could not start; run the indexing "
           "again, and if it happens again tell whoever runs this app")
log = logging.getLogger(__name__)
_SLOW_SUFFIXES = {".pdf", ".docx"}
_MIB = 1024 * 1024


def parse_files(
    paths: Sequence[Path],
    *,
    workers: int = 2,
    timeout_s: float = 60.0,
    memory_mb: int = 1024,
) -> Iterator[tuple[Path, LoadedDocument | LoadError]]:
    """Yield (path, document or LoadError) for every path, each as soon as it is parsed.

    ``workers=0`` parses in this process, one file at a time, without time or memory limits
    (for tests and debugging).
    """
    ordered = sorted(paths, key=_cost)
    if workers <= 0:
        for path in ordered:
            yield path, load_safely(path)
        return
    yield from _parse_in_pool(ordered, workers, timeout_s, memory_mb)


def load_safely(path: Path) -> Outcome:
    """load_document, with every failure returned as a LoadError instead of raised."""
    try:
        return load_document(path)
    except LoadError as exc:
        return exc
    except MemoryError:
        return LoadError(OUT_OF_MEMORY)
    except Exception as exc:  # load_document converts these; this is the last line of defence
        return LoadError(f"could not be read ({brief(exc)})")


def _cost(path: Path) -> tuple[bool, int]:
    """Cheap text formats first, then PDFs and Word files, smallest first."""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    return path.suffix.lower() in _SLOW_SUFFIXES, size


def _parse_in_pool(
    paths: list[Path], workers: int, timeout_s: float, memory_mb: int
) -> Iterator[tuple[Path, Outcome]]:
    context = multiprocessing.get_context("forkserver")
    pool = ProcessPool(
        max_workers=workers, initializer=_limit_worker, initargs=(memory_mb,), context=context
    )
    try:
        pending: dict[Future[Outcome], Path] = {
            pool.schedule(load_safely, args=(path,), timeout=timeout_s): path for path in paths
        }
        while pending:
            # a running file ends or times out within timeout_s, so a wait this long with
            # nothing done means the pool itself is stuck (workers dying as they start)
            done, _ = wait(pending, timeout=timeout_s + STALL_GRACE_S,
                           return_when=FIRST_COMPLETED)
            if not done:
                log.error("The parser pool stopped responding; %d files left", len(pending))
                for future, path in pending.items():
                    future.cancel()
                    yield path, LoadError(STALLED)
                return
            for future in done:
                path = pending.pop(future)
                yield path, _outcome(future, timeout_s, memory_mb)
        pool.close()  # type: ignore[no-untyped-call]
    finally:
        pool.stop()  # type: ignore[no-untyped-call]
        pool.join()


def _outcome(future: Future[Outcome], timeout_s: float, memory_mb: int) -> Outcome:
    try:
        return future.result()
    except FutureTimeout:
        return LoadError(
            f"timed out after {timeout_s:g} s (the file may be damaged or too complex); "
            "re-save it, or split it into smaller files"
        )
    except ProcessExpired as exc:
        return LoadError(
            f"the reader crashed on this file (exit code {exc.exitcode}; over {memory_mb} MB "
            "of memory or a damaged file?); re-save it and retry"
        )
    except MemoryError:
        return LoadError(OUT_OF_MEMORY)
    except BrokenProcessPool:  # the workers died as they started: nothing to do with the file
        return LoadError(STALLED)
    except Exception as exc:  # e.g. a result that could not be sent back
        return LoadError(f"could not be read ({brief(exc)})")


def _limit_worker(memory_mb: int) -> None:
    """Cap this worker's address space at what it holds now plus ``memory_mb``; quieten pypdf."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    limit = _address_space_bytes() + memory_mb * _MIB
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _address_space_bytes() -> int:
    """This process's current virtual memory size (Linux), or 0 when unknown."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0
