"""Builders of tiny test data (not fixtures): chunks, records and loaded documents."""

from __future__ import annotations

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
