"""The textbook RAG recipe, for comparison in ``python -m assistant.eval --baseline``.

Simple loaders (Markdown as plain text, HTML through BeautifulSoup's ``get_text``),
RecursiveCharacterTextSplitter with 1000 characters and 200 overlap, the same embedder, dense top-k.
The index is built once into ``<store>/baseline`` and reused while its file list is unchanged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from assistant.ports import ChunkIndex, Embedder
from assistant.types import Chunk, ScoredChunk

BASELINE_COLLECTION = "baseline"
SUFFIXES = (".md", ".markdown", ".html", ".htm")
_BATCH = 256


def load_plain_text(path: Path) -> str:
    """A file's text the simple way: Markdown as is, HTML via ``get_text``."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix.lower() in (".html", ".htm"):
        from bs4 import BeautifulSoup

        return BeautifulSoup(raw, "html.parser").get_text("\n")
    return raw


def split_baseline(path: Path, text: str) -> list[Chunk]:
    """Split one file's text 1000/200 characters into chunks named after the file."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    source = path.name
    return [
        Chunk(chunk_id=hashlib.sha256(f"{path}\x00{n}".encode()).hexdigest()[:32], text=part,
              doc_id=f"{BASELINE_COLLECTION}/{source}", collection=BASELINE_COLLECTION,
              title=source, source=source, doc_type=path.suffix.lstrip("."), position=n)
        for n, part in enumerate(splitter.split_text(text))
    ]


def build_baseline(index: ChunkIndex, embedder: Embedder, files: Sequence[Path],
                   marker: Path) -> int:
    """Index ``files`` the textbook way (resuming) unless ``marker`` says done; chunk count."""
    files = sorted(p for p in files if p.suffix.lower() in SUFFIXES)
    key = hashlib.sha256("\n".join(str(p) for p in files).encode()).hexdigest()
    if marker.exists() and json.loads(marker.read_text()).get("key") == key:
        return index.count_chunks()
    done = {c.chunk_id for c in index.get_chunks()}  # resume an interrupted build
    chunks = [c for path in files for c in split_baseline(path, load_plain_text(path))
              if c.chunk_id not in done]
    for start in range(0, len(chunks), _BATCH):
        part = chunks[start : start + _BATCH]
        index.upsert_chunks(part, embedder.embed([c.text for c in part]))
    total = index.count_chunks()
    marker.write_text(json.dumps({"key": key, "chunks": total}))
    return total


class BaselineRetriever:
    """Dense top-k by cosine over the baseline index (no fusion, no calibration)."""

    min_relevance = 0.0

    def __init__(self, index: ChunkIndex, embedder: Embedder) -> None:
        self._index = index
        self._embedder = embedder

    def retrieve(self, query: str, k: int = 8, where: object = None) -> list[ScoredChunk]:
        """The ``k`` nearest chunks to ``query``."""
        return self._index.query(self._embedder.embed([query]), k)

    def warm_up(self) -> None:
        """Load the model session before the first timed question."""
        self.retrieve("warm up the model", k=1)
