"""The store's size on disk, read while a snapshot cleanup or an ingest deletes files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings
from assistant.library import store_size_bytes


class _Listing:
    """What ``os.scandir`` gives: the entries of a folder, as an iterator and context manager."""

    def __init__(self, entries: list[os.DirEntry[str]]) -> None:
        self._entries = iter(entries)

    def __iter__(self) -> Iterator[os.DirEntry[str]]:
        return self

    def __next__(self) -> os.DirEntry[str]:
        return next(self._entries)

    def __enter__(self) -> _Listing:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def close(self) -> None:
        return None


def delete_after_listing(monkeypatch: pytest.MonkeyPatch, folder: Path,
                         doomed: list[Path]) -> None:
    """Whoever lists ``folder`` sees ``doomed`` (files, then empty folders) in it, but they are
    deleted just after, as another process's snapshot cleanup would."""
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        listing = real_scandir(path)
        if isinstance(path, int) or Path(path) != folder:
            return listing
        with listing:
            entries = list(listing)
        for gone in doomed:
            gone.rmdir() if gone.is_dir() else gone.unlink()
        return _Listing(entries)

    monkeypatch.setattr(os, "scandir", scandir)


def test_files_deleted_while_counting_are_skipped(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "store"
    old = store / "bm25" / "snap-old"
    old.mkdir(parents=True)
    (old / "chunks.jsonl").write_bytes(b"x" * 1000)
    (store / "bm25" / "CURRENT.abc").write_text("snap-old")
    (store / "bm25" / "CURRENT").write_text("snap-new")  # 8 bytes, kept
    (store / "chroma.sqlite3").write_bytes(b"y" * 100)  # kept
    delete_after_listing(monkeypatch, store / "bm25",
                         [old / "chunks.jsonl", old, store / "bm25" / "CURRENT.abc"])
    assert store_size_bytes(Settings(store_dir=store)) == 108


def test_a_missing_store_has_no_size(tmp_path: Path) -> None:
    assert store_size_bytes(Settings(store_dir=tmp_path / "none")) == 0
