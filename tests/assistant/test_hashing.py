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
