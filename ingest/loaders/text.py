"""Plain text: one section, paragraph breaks kept."""

from __future__ import annotations

from pathlib import Path

from assistant.errors import LoadError
from assistant.types import LoadedDocument, Section
from ingest.loaders.sections import first_line, normalise_text
from ingest.loaders.sniffing import decode_text


def load_text(path: Path) -> LoadedDocument:
    """A text file as one section; the title is its first short line or the file name."""
    text = decode_text(path.read_bytes())
    if text is None:
        raise LoadError("unsupported file type: the file is not readable text")
    body = normalise_text(text)
    if not body:
        raise LoadError("no text: the file holds only whitespace")
    sections = (Section((), body),)
    title = first_line(sections) or path.stem
    return LoadedDocument(title=title, doc_type="text", sections=sections)
