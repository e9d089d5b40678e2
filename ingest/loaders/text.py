"""Plain text: paragraph breaks kept; lines in capitals standing alone ("2. TIME LIMITS",
"OVERVIEW") are headings, as written."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.errors import LoadError
from assistant.types import LoadedDocument, Section
from ingest.loaders.sections import SectionBuilder, first_line, normalise_text
from ingest.loaders.sniffing import decode_text

MAX_HEADING_WORDS = 10
MIN_HEADING_LETTERS = 4  # "MR" or "UK" alone on a line is an acronym, not a heading
_NUMBER = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)\.?\s+")  # "2. ", "2.1 ", "2.1. "
_NOT_HEADING_END = re.compile(r"[.,;:!]$")  # a shouted sentence or a label ("NOTE:")


def load_text(path: Path) -> LoadedDocument:
    """A text file as sections under its capitalised headings; the title is its first short line
    or the file name."""
    text = decode_text(path.read_bytes())
    if text is None:
        raise LoadError("unsupported file type: the file is not readable text")
    body = normalise_text(text)
    if not body:
        raise LoadError("no text: the file holds only whitespace")
    title = first_line((Section((), body),)) or path.stem
    return LoadedDocument(title=title, doc_type="text", sections=split_at_headings(body))


def split_at_headings(body: str) -> tuple[Section, ...]:
    """Normalised text as sections: a heading is a line in capitals standing alone (a blank
    line or the start of the text before it, a blank line after it, and text to follow). An
    unnumbered one on the first line is the document's title, over all the others."""
    lines = body.split("\n")
    builder = SectionBuilder()
    paragraph: list[str] = []
    for index, line in enumerate(lines):
        alone = (index == 0 or not lines[index - 1]) and (
            index + 1 < len(lines) and not lines[index + 1])
        level = heading_level(line) if alone and index + 2 < len(lines) else None
        if level == 1 and index == 0 and not _NUMBER.match(line):
            level = 0
        if level is not None:
            builder.heading(level, line)
        elif line:
            paragraph.append(line)
        elif paragraph:
            builder.add("\n".join(paragraph))
            paragraph = []
    if paragraph:
        builder.add("\n".join(paragraph))
    return builder.build()


def heading_level(line: str) -> int | None:
    """The level of a heading line in capitals: its number's depth ("2." is 1, "2.1" is 2), or 1
    unnumbered; None for a line of text, an acronym or a sentence."""
    number = _NUMBER.match(line)
    words = line[number.end():] if number else line
    letters = [c for c in words if c.isalpha()]
    if (len(letters) < MIN_HEADING_LETTERS or not all(c.isupper() for c in letters)
            or len(words.split()) > MAX_HEADING_WORDS or _NOT_HEADING_END.search(words)):
        return None
    return number.group(1).count(".") + 1 if number else 1
