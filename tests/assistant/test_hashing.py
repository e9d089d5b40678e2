"""File hashes: document versions, and whether a file changed since it was indexed."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from assistant.hashing import file_changed_since, sha256_file


def test_a_file_is_changed_when_its_bytes_no_longer_hash_to_the_indexed_version(
        tmp_path: Path) -> None:
    path = tmp_path / "travel.docx"
    path.write_bytes(b"55 pence per mile")
    version = sha256_file(path)
    assert version == hashlib.sha256(b"55 pence per mile").hexdigest()
    assert not file_changed_since(path, version)
    path.write_bytes(b"66 pence per mile")  # same size: the modification time tells them apart
    stamp = path.stat().st_mtime_ns + 1_000_000
    os.utime(path, ns=(stamp, stamp))
    assert file_changed_since(path, version)
    # nothing to compare with: not called changed
    assert not file_changed_since(tmp_path / "gone.docx", version)
    assert not file_changed_since(path, "")


def test_each_file_state_is_hashed_once_however_many_files_are_shown(
        tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """From a code review: a 256-entry cache shared by every session hashed whole files again
    on every rerun once more than 256 sources were on show."""
    import assistant.hashing as hashing

    hashed: list[Path] = []
    real = hashing.sha256_file

    def counting(path: Path) -> str:
        hashed.append(path)
        return real(path)

    monkeypatch.setattr(hashing, "sha256_file", counting)
    files = []
    for n in range(300):
        path = tmp_path / f"doc{n}.md"
        path.write_bytes(f"document {n}".encode())
        files.append((path, real(path)))
    for _ in range(2):  # a page shown twice
        assert not any(file_changed_since(path, version) for path, version in files)
    assert len(hashed) == 300

