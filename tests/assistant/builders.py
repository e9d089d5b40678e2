"""Builders for the answering tests: chunks with citation fields, scored results."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from assistant.types import Chunk, ScoredChunk
from tests.helpers import make_chunk


def guidance_chunk(text: str, *, doc: str = "guide", n: int = 0, **fields: object) -> Chunk:
    """A chunk of document ``doc`` with a title, section, page, url and date to cite."""
    base = make_chunk(n, text, doc_id=f"guidance/{doc}.md")
    defaults: dict[str, object] = {
        "title": doc.replace("-", " ").capitalize(),
        "section": "Eligibility",
        "url": f"https://www.gov.uk/{doc}",
        "updated": "2024-06-01",
    }
    return replace(base, **{**defaults, **fields})


def scored(*chunks: Chunk, top: float = 0.9, step: float = 0.05) -> list[ScoredChunk]:
    """``chunks`` as retrieval results, best first, with falling scores."""
    return [ScoredChunk(c, top - i * step) for i, c in enumerate(chunks)]


def guide_chunks(shared_data: Path, limit_docs: int) -> list[Chunk]:
    """Sections of real GOV.UK guides as chunks (at most ~1,500 characters each)."""
    chunks: list[Chunk] = []
    for path in sorted((shared_data / "guidance" / "govuk_guides").glob("*.md"))[:limit_docs]:
        body = path.read_text(encoding="utf-8").split("---", 2)[-1]
        for i, part in enumerate(p for p in re.split(r"\n(?=## )", body) if p.strip()):
            chunks.append(guidance_chunk(part[:1500], doc=path.stem, n=i))
    return chunks
