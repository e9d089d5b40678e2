"""Sections into chunks: structure-aware, bounded in model tokens, small overlap.

Each section (heading path + text) is split on paragraph, line and sentence boundaries with
LangChain's RecursiveCharacterTextSplitter, measuring length in the embedding model's own tokens so
no chunk is silently truncated by the model. Small neighbouring sections under the same parent are
merged so the index is not full of ten-word chunks.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.types import SECTION_SEPARATOR, Chunk, LoadedDocument, Section, embedding_text

MODEL_LIMIT = 254  # 256 word pieces less [CLS] and [SEP]
SEPARATORS = ["\n\n", "\n", ". ", "; ", ", ", " ", ""]


@dataclass(frozen=True)
class ChunkingOptions:
    """How long chunks are and how much consecutive pieces of one section overlap, in tokens."""

    max_tokens: int = 200
    overlap_tokens: int = 24


@dataclass(frozen=True)
class DocumentIdentity:
    """Where a document belongs: its id, collection, path within the collection and version."""

    doc_id: str
    collection: str
    source: str
    version: str


def split_into_chunks(
    doc: LoadedDocument,
    identity: DocumentIdentity,
    count_tokens: Callable[[str], int],
    options: ChunkingOptions | None = None,
) -> list[Chunk]:
    """Split a loaded document into chunks carrying everything a citation needs."""
    options = options or ChunkingOptions()
    # The splitter measures each piece at every level it recurses through: count each text once.
    count_tokens = functools.lru_cache(maxsize=4096)(count_tokens)
    pieces: list[tuple[Section, str]] = []
    for section in _merge_small_sections(doc.sections, count_tokens, options.max_tokens // 3):
        budget = _text_budget(doc.title, section.path_text, count_tokens, options.max_tokens)
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=budget,
            chunk_overlap=min(options.overlap_tokens, budget // 4),
            length_function=count_tokens,
            separators=SEPARATORS,
            keep_separator="end",
            strip_whitespace=True,
        )
        text = section.text.strip()
        parts = [text] if count_tokens(text) <= budget else splitter.split_text(text)
        pieces.extend((section, part) for part in parts if part.strip())
    return [_make_chunk(doc, identity, section, text, n) for n, (section, text) in
            enumerate(pieces)]


def _text_budget(title: str, section: str, count_tokens: Callable[[str], int], cap: int) -> int:
    """Tokens left for text once the title and section path are prefixed (bounded below)."""
    header = count_tokens(embedding_text(title, section, "")) + 2
    return max(48, min(cap, MODEL_LIMIT - header))


def _merge_small_sections(
    sections: tuple[Section, ...], count_tokens: Callable[[str], int], small: int
) -> list[Section]:
    """Fold runs of small sibling sections into one, keeping the sub-headings in the text."""
    merged: list[Section] = []
    sizes: list[int] = []
    for section in sections:
        size = count_tokens(section.text)
        if merged and _can_merge(merged[-1], section, sizes[-1], size, small):
            last = merged[-1]
            heading = section.heading_path[-1] if section.heading_path else ""
            if heading and not section.text.lstrip().startswith(heading):
                joined = f"{last.text}\n\n{heading}\n{section.text}"
            else:
                joined = f"{last.text}\n\n{section.text}"
            merged[-1] = Section(
                _common_prefix(last.heading_path, section.heading_path) or last.heading_path,
                joined, last.page_start, section.page_end or last.page_end,
            )
            sizes[-1] += size + count_tokens(heading)
        else:
            merged.append(section)
            sizes.append(size)
    return merged


def _can_merge(last: Section, nxt: Section, last_size: int, size: int, small: int) -> bool:
    same_parent = last.heading_path[:-1] == nxt.heading_path[:-1] or \
        nxt.heading_path[: len(last.heading_path)] == last.heading_path
    return same_parent and (size < small or last_size < small) and last_size + size <= small * 3


def _common_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        out.append(x)
    return tuple(out)


def _make_chunk(
    doc: LoadedDocument, identity: DocumentIdentity, section: Section, text: str, n: int
) -> Chunk:
    headings = section.heading_path
    if headings and headings[0].casefold() == doc.title.casefold():
        headings = headings[1:]  # the title is shown anyway
    path = SECTION_SEPARATOR.join(headings)
    content_hash = hashlib.sha256(embedding_text(doc.title, path, text).encode()).hexdigest()
    chunk_key = f"{identity.doc_id}\x00{identity.version}\x00{n}".encode()
    return Chunk(
        chunk_id=hashlib.sha256(chunk_key).hexdigest()[:32],
        text=text,
        doc_id=identity.doc_id,
        collection=identity.collection,
        title=doc.title,
        source=identity.source,
        doc_type=doc.doc_type,
        section=path,
        page_start=section.page_start,
        page_end=section.page_end,
        url=doc.url,
        updated=doc.updated,
        content_hash=content_hash,
        doc_version=identity.version,
        position=n,
    )
