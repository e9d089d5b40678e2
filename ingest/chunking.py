"""Sections into chunks: structure-aware, bounded in model tokens, small overlap.

Each section (heading path + text) is split on paragraph, line and sentence boundaries with
LangChain's RecursiveCharacterTextSplitter, measuring length in the embedding model's own tokens so
no chunk is silently truncated by the model. Small neighbouring sections under the same parent are
merged so the index is not full of ten-word chunks. A chunk that starts inside a table's body
carries the table's header row above its rows (``ingest.tables``), and one that starts among a
list's items carries the list's lead-in line (``ingest.lists``).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.types import SECTION_SEPARATOR, Chunk, LoadedDocument, Section, embedding_text
from ingest.lists import ListHead, lead_ins_for, list_heads
from ingest.tables import header_for, table_heads

MODEL_LIMIT = 254  # 256 word pieces less [CLS] and [SEP]
MIN_ROWS_TOKENS = 48  # a repeated table header must leave at least this much for rows
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
    pieces: list[tuple[_Run, Section, str]] = []
    for run in _merge_small_sections(doc.sections, count_tokens, options.max_tokens // 3):
        budget = _text_budget(doc.title, run.section.path_text, count_tokens, options.max_tokens)
        text = run.section.text.strip()
        room = _text_budget(doc.title, run.section.path_text, count_tokens, MODEL_LIMIT)
        long = count_tokens(text) > budget
        # a header too wide to leave room for rows under it is not repeated
        heads = [h for h in table_heads(text) if count_tokens(h.header) + 1 + MIN_ROWS_TOKENS
                 <= room] if long else []
        if heads:  # room for a table's header above rows that a split cut off from it
            needed = max(count_tokens(h.header) for h in heads) + 1
            budget = min(budget, room - needed)
        # a list's lead-in above items a split cut off from it (``ingest.lists``), only where
        # it fits the room between the budget and the model's limit: no split moves for it (a
        # variant that shrank the budget instead made 587 more chunks of the 9,034 and moved no
        # figure but by a question either way; docs/retrieval.md)
        lists = [h for h in list_heads(text) if count_tokens(h.lead_in) + 1 <= room - budget] \
            if long else []
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=budget,
            chunk_overlap=min(options.overlap_tokens, budget // 4),
            length_function=count_tokens,
            separators=SEPARATORS,
            keep_separator="end",
            strip_whitespace=True,
        )
        parts = [text] if count_tokens(text) <= budget else splitter.split_text(text)
        lead = len(run.section.text) - len(run.section.text.lstrip())
        spans: list[tuple[int, int]] = []
        cursor = 0
        for part in (p for p in parts if p.strip()):
            at = text.find(part, cursor)
            if at < 0:  # not expected: the splitter keeps the text; cite the whole run
                pieces.append((run, run.section, part))
                continue
            cursor = at + 1
            spans.append((at, at + len(part)))
        for start, end in _absorb_scraps(spans, text, count_tokens, budget):
            header = header_for(heads, start) or _lead_ins(lists, start, count_tokens,
                                                           room - budget)
            body = f"{header}\n{text[start:end]}" if header else text[start:end]
            pieces.append((run, run.label(lead + start, lead + end), body))
    paths = [run.section.heading_path for run, _, _ in pieces]
    kept = [p for i, p in enumerate(pieces) if not (
        _adds_nothing(doc.title, p[0], p[2]) and _carried_on(paths, i))] or pieces
    return [_make_chunk(doc, identity, run.section, label, text, n) for n, (run, label, text) in
            enumerate(kept)]


def _lead_ins(lists: list[ListHead], start: int, count_tokens: Callable[[str], int],
              room: int) -> str:
    """The lead-ins of the lists a piece starts among, outermost first, as many as fit
    ``room`` tokens (the innermost is kept first: it is what the piece's items complete)."""
    chain = lead_ins_for(lists, start)
    while chain and count_tokens("\n".join(chain)) + 1 > room:
        chain = chain[1:]
    return "\n".join(chain)


_WORDS = re.compile(r"\w+")


def _carried_on(paths: list[tuple[str, ...]], i: int) -> bool:
    """Whether piece ``i``'s headings live on without it: it is the title block (no path), or
    a later piece carries its path (its section's text goes on, or "2 Eligibility > 2.1 ..."
    follows). A heading whose section holds nothing else ("Deadline: 31 January" over "31
    January.") is the only place its words are: kept."""
    path = paths[i]
    return not path or any(other[: len(path)] == path for other in paths[i + 1:])


def _adds_nothing(title: str, run: _Run, text: str) -> bool:
    """A piece whose every word is already in the title or the headings of the sections it
    comes from: a title page ("Home Working Allowance / Guidance") or a heading with no text of
    its own ("2 Eligibility", whose subsections carry it in their paths). As a chunk it only
    crowds real passages out."""
    headings = " ".join(h for _, part in run.parts for h in part.heading_path)
    known = set(_WORDS.findall(f"{title} {headings}".lower()))
    return set(_WORDS.findall(text.lower())) <= known


SCRAP_WORDS = 3  # a piece this short ("or", "and", "1.") is joined to a neighbour


def _absorb_scraps(spans: list[tuple[int, int]], text: str, count_tokens: Callable[[str], int],
                   budget: int) -> list[tuple[int, int]]:
    """Join a piece of a few words to the next piece (or the previous one) when that fits the
    budget: a lone "or" between two legal conditions says nothing on its own, and neither
    neighbour would show whether the conditions are alternatives."""
    out = list(spans)
    i = 0
    while i < len(out):
        start, end = out[i]
        if len(text[start:end].split()) >= SCRAP_WORDS or len(out) == 1:
            i += 1
            continue
        if i + 1 < len(out) and count_tokens(text[start:out[i + 1][1]]) <= budget:
            out[i: i + 2] = [(start, out[i + 1][1])]
        elif i > 0 and count_tokens(text[out[i - 1][0]:end]) <= budget:
            out[i - 1: i + 1] = [(out[i - 1][0], end)]
        else:
            i += 1
    return out


def _text_budget(title: str, section: str, count_tokens: Callable[[str], int], cap: int) -> int:
    """Tokens left for text once the title and section path are prefixed (bounded below)."""
    header = count_tokens(embedding_text(title, section, "")) + 2
    return max(48, min(cap, MODEL_LIMIT - header))


@dataclass(frozen=True)
class _Run:
    """Small sibling sections folded into one ``section``; ``parts`` are the originals, each with
    the offset in the joined text where it (with its heading line) begins."""

    section: Section
    parts: tuple[tuple[int, Section], ...]

    def label(self, start: int, end: int) -> Section:
        """Heading path and pages to cite for the text at [start, end) of the joined text.

        A piece mostly (2/3 or more) inside one original section takes that section's path and
        pages, so a chunk about "Taking more leave than the entitlement" is cited so even when that
        section was folded together with its neighbours; a piece spread over two or three names
        them all ("Booking; Cancelling").
        """
        if len(self.parts) == 1:
            return self.section
        bounds = [offset for offset, _ in self.parts[1:]] + [len(self.section.text)]
        overlaps = [(min(end, stop) - max(start, offset), part) for (offset, part), stop
                    in zip(self.parts, bounds, strict=True) if min(end, stop) > max(start, offset)]
        if not overlaps:
            return self.section
        share, best = max(overlaps, key=lambda item: item[0])
        covered = [part for _, part in overlaps]
        if share * 3 >= (end - start) * 2:
            covered = [best]
        path = best.heading_path if len(covered) == 1 else _joint_path(covered)
        starts = [p.page_start for p in covered if p.page_start is not None]
        ends = [p.page_end if p.page_end is not None else p.page_start for p in covered]
        return Section(path or self.section.heading_path, "", min(starts, default=None),
                       max((e for e in ends if e is not None), default=None),
                       part=_one_part(covered))


def _joint_path(parts: list[Section]) -> tuple[str, ...]:
    """The common path of ``parts`` plus their own headings: ("Leave", "Booking; Cancelling").

    Just the common path when one part is that path itself (a parent's own text, or text before
    the first heading) or when more than three headings would be named.
    """
    prefix = functools.reduce(_common_prefix, (p.heading_path for p in parts))
    if any(len(p.heading_path) == len(prefix) for p in parts):
        return prefix
    tails = list(dict.fromkeys(p.heading_path[len(prefix)] for p in parts))
    return (*prefix, "; ".join(tails)) if len(tails) <= 3 and len(parts) <= 3 else prefix


def _merge_small_sections(
    sections: tuple[Section, ...], count_tokens: Callable[[str], int], small: int
) -> list[_Run]:
    """Fold runs of small sibling sections into one, keeping the sub-headings in the text."""
    merged: list[_Run] = []
    sizes: list[int] = []
    for section in sections:
        size = count_tokens(section.text)
        if merged and _can_merge(merged[-1].section, section, sizes[-1], size, small):
            last = merged[-1]
            heading = section.heading_path[-1] if section.heading_path else ""
            path = _common_prefix(last.section.heading_path, section.heading_path) or \
                last.section.heading_path
            base = last.section.text
            if len(last.parts) == 1:  # the first section's own heading leaves the path: keep it
                first = last.parts[0][1]
                first_heading = first.heading_path[-1] if first.heading_path else ""
                if len(first.heading_path) > len(path) and first_heading and \
                        not first.text.lstrip().startswith(first_heading):
                    base = f"{first_heading}\n{first.text}"
                    sizes[-1] += count_tokens(first_heading)
            offset = len(base) + 2
            if heading and not section.text.lstrip().startswith(heading):
                joined = f"{base}\n\n{heading}\n{section.text}"
            else:
                joined = f"{base}\n\n{section.text}"
            merged[-1] = _Run(
                Section(path, joined, last.section.page_start,
                        section.page_end or last.section.page_end,
                        part=_one_part([last.section, section])),
                (*last.parts, (offset, section)),
            )
            sizes[-1] += size + count_tokens(heading)
        else:
            merged.append(_Run(section, ((0, section),)))
            sizes.append(size)
    return merged


def _one_part(sections: list[Section]) -> str:
    """The guide part all ``sections`` are in ("" when they are in different ones)."""
    parts = {s.part for s in sections}
    return parts.pop() if len(parts) == 1 else ""


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
    doc: LoadedDocument, identity: DocumentIdentity, run: Section, label: Section, text: str,
    n: int,
) -> Chunk:
    path = _path_text(doc, run.heading_path)
    cited = _path_text(doc, _with_part(doc, label))
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
        section=cited,
        page_start=label.page_start,
        page_end=label.page_end,
        url=doc.url,
        updated=doc.updated,
        content_hash=content_hash,
        doc_version=identity.version,
        position=n,
        embedded_section=None if cited == path else path,
    )


def _with_part(doc: LoadedDocument, section: Section) -> tuple[str, ...]:
    """The section's heading path with its guide part after the title, when it has one the
    path does not name: cited, never embedded (the embedded path and so the vectors, BM25 and
    content hashes stay as they were)."""
    path = section.heading_path
    if not section.part or section.part in path:
        return path
    if path and path[0].casefold() == doc.title.casefold():
        return (path[0], section.part, *path[1:])
    return (section.part, *path)


def _path_text(doc: LoadedDocument, headings: tuple[str, ...]) -> str:
    if headings and headings[0].casefold() == doc.title.casefold():
        headings = headings[1:]  # the title is shown anyway
    return SECTION_SEPARATOR.join(headings)
