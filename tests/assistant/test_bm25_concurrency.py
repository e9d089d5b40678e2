"""The BM25 index shared by threads and snapshots saved by several processes at once."""

from __future__ import annotations

import multiprocessing
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from assistant.bm25 import Bm25Index, read_snapshot, write_snapshot
from assistant.types import ChunkFilter
from tests.assistant.test_bm25 import small_index

SPAWN = multiprocessing.get_context("spawn")  # no fork of a process that may hold threads
OTHER_SAVE_GIVEN_S = 2.0  # how long the other save may run while the first one is paused


class _ClearedByAnotherThread(dict[ChunkFilter, npt.NDArray[np.float32]]):
    """A mask cache that another session's thread empties just after each store (it found
    the cache full): the interleaving that made a shared retriever raise KeyError."""

    def __setitem__(self, key: ChunkFilter, value: npt.NDArray[np.float32]) -> None:
        super().__setitem__(key, value)
        self.clear()


def test_a_filter_mask_cleared_by_another_thread_is_still_used() -> None:
    bm25 = Bm25Index.build(small_index().get_chunks(), "fp")
    bm25._masks = _ClearedByAnotherThread()
    hits = bm25.search("maternity leave", 5, ChunkFilter(collections=("hr",)))
    assert [chunk.source for chunk, _ in hits] == ["leave.md"]


def _save_paused_before_current(store_dir: Path, paused: Any, resume: Any) -> None:
    """In another process: save a snapshot, stopping after its folder is renamed into place and
    before ``CURRENT`` names it (where another process's cleanup used to remove it)."""
    real_replace = os.replace

    def replace_when_resumed(src: Any, dst: Any) -> None:
        if Path(dst).name == "CURRENT":
            paused.set()
            resume.wait(60)
        real_replace(src, dst)

    os.replace = replace_when_resumed  # this child process only
    write_snapshot(Bm25Index.build(small_index().get_chunks(), "paused"), store_dir)


def test_two_processes_saving_at_once_leave_a_readable_snapshot(tmp_path: Path) -> None:
    paused, resume = SPAWN.Event(), SPAWN.Event()
    other = SPAWN.Process(target=_save_paused_before_current, args=(tmp_path, paused, resume))
    other.start()
    try:
        assert paused.wait(60), "the other process never reached its pause"
        mine = threading.Thread(target=write_snapshot,
                                args=(Bm25Index.build(small_index().get_chunks(), "mine"),
                                      tmp_path))
        mine.start()
        mine.join(OTHER_SAVE_GIVEN_S)  # unsafe saves finish (and clean up) now; safe ones wait
        resume.set()
        other.join(60)
        mine.join(60)
    finally:
        resume.set()
        other.join(60)
    assert other.exitcode == 0 and not mine.is_alive()
    loaded = read_snapshot(tmp_path)
    assert loaded is not None and loaded.fingerprint in ("paused", "mine")
