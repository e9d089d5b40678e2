"""Our own dataclasses: these, not LangChain, OpenAI or Chroma types, cross module boundaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

DocType = Literal["pdf", "docx", "html", "markdown", "text", "rtf"]
# what people call each document type (the search filter's labels, and notes about it)
DOC_TYPE_NAMES = {"pdf": "PDF", "docx": "Word", "html": "Web page (HTML)",
                  "markdown": "Markdown", "text": "Text", "rtf": "RTF"}
SECTION_SEPARATOR = " > "


@dataclass(frozen=True)
class Section:
    """A run of text under one heading path, as a loader found it."""

    heading_path: tuple[str, ...]
    text: str
    page_start: int | None = None
    page_end: int | None = None
    # the part (chapter) of a GOV.UK guide the section is in, when its heading path does not
    # name it: the guide writes a part's sections at the part's own heading level. Cited, not
    # embedded ("Eligibility > Statutory Maternity Leave", not the "How to claim" one)
    part: str = ""

    @property
    def path_text(self) -> str:
        """The heading path as shown to users, e.g. 'Benefit cap > Exemptions'."""
        return SECTION_SEPARATOR.join(self.heading_path)


@dataclass(frozen=True)
class LoadedDocument:
    """What a loader returns: a document's text in sections plus what citations need."""

    title: str
    doc_type: DocType
    sections: tuple[Section, ...]
    url: str | None = None
    updated: str | None = None  # ISO date (YYYY-MM-DD) when the source gives one
    pages: int | None = None


@dataclass(frozen=True)
class Chunk:
    """A bounded piece of a document, with everything a citation needs."""

    chunk_id: str
    text: str
    doc_id: str  # "<collection>/<path within collection>"
    collection: str
    title: str
    source: str  # path within the collection
    doc_type: str
    section: str = ""
    page_start: int | None = None
    page_end: int | None = None
    url: str | None = None
    updated: str | None = None
    content_hash: str = ""  # sha256 of the embedded text
    doc_version: str = ""  # sha256 of the source file the chunk came from
    position: int = 0  # order within the document
    # The heading path embedded with the text when it differs from ``section``: a piece of small
    # sections folded together is cited by its own heading but embedded under their common path.
    embedded_section: str | None = None

    @property
    def embedding_text(self) -> str:
        """The text that is embedded: title and section path give the chunk its context."""
        section = self.section if self.embedded_section is None else self.embedded_section
        return embedding_text(self.title, section, self.text)

    @property
    def page_label(self) -> str:
        """'3' or '3-4', or '' when the source has no pages."""
        if self.page_start is None:
            return ""
        if self.page_end is None or self.page_end == self.page_start:
            return str(self.page_start)
        return f"{self.page_start}-{self.page_end}"


def embedding_text(title: str, section: str, text: str) -> str:
    """Title, section path and text, as embedded and hashed."""
    head = f"{title} — {section}" if section and section != title else title
    return f"{head}\n{text}"


@dataclass(frozen=True)
class ScoredChunk:
    """A retrieved chunk and its relevance score (higher is better)."""

    chunk: Chunk
    score: float


@dataclass(frozen=True)
class ChunkFilter:
    """Which chunks an index operation applies to; None means 'any'."""

    collections: tuple[str, ...] | None = None
    doc_types: tuple[str, ...] | None = None
    doc_ids: tuple[str, ...] | None = None
    not_doc_version: str | None = None  # chunks whose doc_version differs from this
    from_position: int | None = None  # chunks at this position in their document or later


def matches(chunk: Chunk, where: ChunkFilter | None) -> bool:
    """Whether ``chunk`` satisfies ``where`` (the reference semantics for every ChunkIndex)."""
    if where is None:
        return True
    if where.collections is not None and chunk.collection not in where.collections:
        return False
    if where.doc_types is not None and chunk.doc_type not in where.doc_types:
        return False
    if where.doc_ids is not None and chunk.doc_id not in where.doc_ids:
        return False
    if where.from_position is not None and chunk.position < where.from_position:
        return False
    return where.not_doc_version is None or chunk.doc_version != where.not_doc_version


DocStatus = Literal["ok", "failed", "indexing"]


@dataclass(frozen=True)
class DocumentRecord:
    """One document's entry in the index: the commit point of atomic reindexing."""

    doc_id: str
    collection: str
    source: str
    title: str
    doc_type: str
    version: str  # sha256 of the source file, "" until first committed
    status: DocStatus = "ok"
    reason: str = ""
    pages: int = 0
    chunks: int = 0
    url: str | None = None
    updated: str | None = None
    indexed_at: str = ""  # ISO timestamp
    pending_version: str = ""  # set while a write is in flight; see ingest.indexing
    pending_since: str = ""  # ISO timestamp (UTC) of the write in flight
    source_path: str = ""  # absolute path of the file on disk when known
    pipeline: str = ""  # what made the chunks (see ingest.pipeline.pipeline_id)


@dataclass(frozen=True)
class Citation:
    """What [n] in an answer points to."""

    n: int
    title: str
    source: str
    section: str
    page: str
    url: str | None
    updated: str | None
    quote: str
    doc_id: str = ""
    suspicious: bool = False  # the passage contains text that reads like instructions
    doc_version: str = ""  # sha256 of the file quoted: a later version means the guidance changed


@dataclass
class Answer:
    """A finished answer: its text, how it was made, and its checked citations."""

    text: str
    mode: Literal["extractive", "generative"]
    answered: bool
    citations: list[Citation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    closest: list[Citation] = field(default_factory=list)
    # (word as typed, word also searched for): spelling corrections made to the query
    spelling: list[tuple[str, str]] = field(default_factory=list)
