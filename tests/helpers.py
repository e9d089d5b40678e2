"""Builders of tiny test data (not fixtures): chunks, records and loaded documents; and a real
second app process on a store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from assistant.types import Chunk, DocumentRecord, LoadedDocument, Section


def make_chunk(n: int, text: str, *, doc_id: str = "c1/a.md", version: str = "v1",
               doc_type: str = "markdown") -> Chunk:
    collection, source = doc_id.split("/", 1)
    return Chunk(chunk_id=f"{doc_id}#{version}#{n}", text=text, doc_id=doc_id,
                 collection=collection, title=source.title(), source=source, doc_type=doc_type,
                 section="Part > Sub", page_start=n + 1, page_end=None, url=None,
                 updated="2025-01-02", content_hash=f"h{n}", doc_version=version, position=n)


def make_record(doc_id: str = "c1/a.md", version: str = "v1", chunks: int = 1) -> DocumentRecord:
    collection, source = doc_id.split("/", 1)
    return DocumentRecord(doc_id=doc_id, collection=collection, source=source, title=source,
                          doc_type="markdown", version=version, chunks=chunks)


def make_document(title: str = "Leave policy", *paragraphs: str) -> LoadedDocument:
    sections = tuple(Section(("Leave policy", f"Part {i}"), p, i + 1, i + 1)
                     for i, p in enumerate(paragraphs))
    return LoadedDocument(title=title, doc_type="markdown", sections=sections, pages=len(sections))


# A real second process that registers as an app on a store (``ingest.locking.register_app``),
# says "ready", then waits to be killed.
APP_PROCESS = ("import sys, time; from pathlib import Path; from ingest.locking import "
               "register_app; register_app(Path(sys.argv[1])); print('ready', flush=True); "
               "time.sleep(120)")


def start_process(code: str, store: Path) -> subprocess.Popen[str]:
    """Run ``code`` with the store's path as its argument, once it has printed "ready"."""
    root = Path(__file__).resolve().parents[1]
    process = subprocess.Popen([sys.executable, "-c", code, str(store)], cwd=root, text=True,
                               stdout=subprocess.PIPE,
                               env={**os.environ, "PYTHONPATH": str(root)})
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    return process


def stop_process(process: subprocess.Popen[str]) -> None:
    """SIGKILL ``process`` (no atexit: an app's marker stays behind) and close its pipe."""
    process.kill()
    process.wait(timeout=15)
    assert process.stdout is not None
    process.stdout.close()
