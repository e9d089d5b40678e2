"""Export a draft letter to Word (.docx) or plain text, with its sources as a numbered list.

python-docx 1.2 has no footnote API, so citations are superscript numbers in the text and the
sources are listed, numbered, at the end under "Sources" (endnote style). Numbers are renumbered
in order of first use, so sources the caseworker has edited out are not listed. Markers that
point at no source are dropped (the letter checks report them). The machine-drafted notice is
never exported: it belongs to the page and the CLI, not to the letter.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_COLOR_INDEX
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph

from assistant.drafting import Draft
from assistant.exporting import xml_safe
from assistant.templates import format_date
from assistant.types import Citation
from assistant.word import uk_document

SOURCES_HEADING = "Sources"
FONT = "Arial"
_MARKER = re.compile(r"\s?\[(\d{1,3})\]")
# what a reference leaves once its numbers are gone: "(see)", "(see also and)", "()"
_EMPTY_REFERENCE = re.compile(r"\s?\((?:\s|see|also|and|,|;){0,12}\)", re.I)
# (from the start of a run of spaces only: 50,000 pasted spaces took 27 s)
_SPACE_BEFORE_STOP = re.compile(r"(?<![ \t])[ \t]+([.,;:])")


@dataclass(frozen=True)
class _Block:
    heading: str
    paragraphs: list[list[str | int]]  # text pieces and (renumbered) source numbers


def letter_blocks(draft: Draft, *, sources: bool = True) -> tuple[list[_Block], list[Citation]]:
    """The letter's blocks with markers renumbered by first use, and the sources they cite.

    ``sources=False`` is the copy to send: no source numbers and no sources list (guidance
    titles, intranet addresses and file names are for the caseworker checking the letter)."""
    numbers: dict[int, int] = {}
    blocks = []
    for section in draft.sections:
        paragraphs = [_without_numbers(list(_pieces(para.text, draft, numbers)), sources)
                      for para in section.paragraphs]
        blocks.append(_Block(section.heading, [p for p in paragraphs if p]))
    if not sources:
        return blocks, []
    cited = []
    for old, new in numbers.items():
        citation = draft.source(old)
        if citation is not None:
            cited.append(replace(citation, n=new))
    return blocks, cited


def _without_numbers(pieces: list[str | int], keep: bool) -> list[str | int]:
    """``pieces``, or, for the copy to send, their text alone ("[1] You have..." starts with
    "You have...")."""
    if keep:
        return pieces
    text = "".join(p for p in pieces if isinstance(p, str))
    text = _SPACE_BEFORE_STOP.sub(r"\1", _EMPTY_REFERENCE.sub("", text)).strip()
    return [text] if text else []


def _pieces(text: str, draft: Draft, numbers: dict[int, int]) -> Iterator[str | int]:
    position = 0
    for match in _MARKER.finditer(text):
        if match.start() > position:
            yield text[position:match.start()]
        old = int(match.group(1))
        if draft.source(old) is not None:
            yield numbers.setdefault(old, len(numbers) + 1)
        position = match.end()
    if position < len(text):
        yield text[position:]


def describe_source(citation: Citation) -> str:
    """'Title, section, page 3 (updated 2 June 2025). https://...' for the sources list."""
    parts = [citation.title]
    if citation.section and citation.section != citation.title:
        parts.append(citation.section)
    if citation.page:
        parts.append(f"page {citation.page}")
    text = ", ".join(parts)
    if citation.updated:
        text += f" (updated {_date_label(citation.updated)})"
    link = citation.url or (citation.source if citation.source != citation.title else "")
    return f"{text}. {link}".strip()


def _date_label(iso: str) -> str:
    try:
        return format_date(date.fromisoformat(iso))
    except ValueError:
        return iso


def export_text(draft: Draft, *, sources: bool = True) -> str:
    """The letter as plain text: markers as [n], then the numbered sources (neither in the copy
    to send, ``sources=False``)."""
    blocks, cited = letter_blocks(draft, sources=sources)
    out: list[str] = []
    for block in blocks:
        if block.heading:
            out.append(block.heading)
        out += ["".join(f" [{p}]" if isinstance(p, int) else p for p in para)
                for para in block.paragraphs]
    if cited:
        out.append(SOURCES_HEADING)
        out += [f"[{c.n}] {describe_source(c)}" for c in cited]
    return "\n\n".join(out) + "\n"


def export_docx(draft: Draft, *, sources: bool = True) -> bytes:
    """The letter as a Word document: superscript citation numbers and a Sources list (neither
    in the copy to send, ``sources=False``)."""
    document = uk_document(xml_safe(draft.title))
    _set_styles(document)
    blocks, cited = letter_blocks(draft, sources=sources)
    for block in blocks:
        if block.heading:
            document.add_heading(xml_safe(block.heading), level=2)
        for pieces in block.paragraphs:
            _add_paragraph(document, pieces)
    if cited:
        document.add_heading(SOURCES_HEADING, level=2)
        for citation in cited:
            document.add_paragraph(xml_safe(f"{citation.n}. {describe_source(citation)}"))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _add_paragraph(document: WordDocument, pieces: list[str | int]) -> None:
    """Text runs, with each source number superscript after any punctuation that follows it."""
    paragraph = document.add_paragraph()
    pending: list[int] = []
    for piece in pieces:
        if isinstance(piece, int):
            pending.append(piece)
            continue
        stripped = piece.lstrip(".,;:!?")
        if pending and stripped != piece:
            paragraph.add_run(xml_safe(piece[: len(piece) - len(stripped)]))
            piece = stripped
        _flush(paragraph, pending)
        for n, part in enumerate(_TO_FILL.split(piece)):
            if part:  # odd parts are notes and placeholders: highlighted, hard to send unseen
                run = paragraph.add_run(xml_safe(part))
                if n % 2:
                    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    _flush(paragraph, pending)


# what the caseworker must still fill in: "[REWRITE: ...]", "[TO DO: ...]" and "{field}"
_TO_FILL = re.compile(r"(\[(?:REWRITE|TO ?DO|ADD|CHECK)\b[^\]]*\]|\{[a-z][a-z0-9_]*\})",
                      re.IGNORECASE)


def _flush(paragraph: Paragraph, numbers: list[int]) -> None:
    if numbers:
        paragraph.add_run(",".join(str(n) for n in numbers)).font.superscript = True
        numbers.clear()


def _set_styles(document: WordDocument) -> None:
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(12)
    heading = document.styles["Heading 2"]
    if heading.type == WD_STYLE_TYPE.PARAGRAPH:
        heading.font.name = FONT
        heading.font.size = Pt(13)
        heading.font.bold = True
        heading.font.color.rgb = RGBColor(0, 0, 0)
