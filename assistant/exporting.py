"""A conversation as Markdown or as a Word document, each answer followed by its sources."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from typing import Any

from assistant.conversations import Message
from assistant.markdown_safety import defuse
from assistant.types import Citation

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9 _-]+")
_QUOTE_MARKS = re.compile(r"^(?:>\s?)+")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters Word documents cannot hold (controls, lone surrogates)."""
    return _NOT_XML.sub("", text)


def export_file_name(title: str, suffix: str) -> str:
    """A safe download name from a conversation title, e.g. 'Annual leave carry over.md'."""
    stem = " ".join(_UNSAFE_NAME.sub(" ", title).split())[:60].strip() or "conversation"
    return f"{stem}.{suffix}"


def source_line(c: Citation) -> str:
    """'[n] Title — Section, page 3 (updated 2024-01-02): https://...' as plain text."""
    parts = [f"[{c.n}] {c.title}"]
    if c.section and c.section != c.title:
        parts.append(f" — {c.section}")
    if c.page:
        parts.append(f", page {c.page}")
    if c.updated:
        parts.append(f" (updated {c.updated})")
    if c.url:
        parts.append(f": {c.url}")
    return "".join(parts)


def conversation_to_markdown(title: str, messages: Sequence[Message]) -> str:
    """The conversation as Markdown: questions as headings, answers, then numbered sources."""
    # what a user typed is text: "<b>" in a title or a question is shown, not rendered
    lines = [f"# {defuse(html.escape(' '.join(title.split()), quote=False), set())}", ""]
    for message in messages:
        if message.role == "user":
            asked = html.escape(' '.join(message.content.split()), quote=False)
            lines += [f"## Question: {defuse(asked, set())}", ""]
            continue
        cited = {c.url for c in message.citations if c.url}
        # as in the app: planted images, links and directives become text (a Markdown viewer
        # would otherwise fetch an image as soon as the file is opened)
        lines += [defuse(message.content, cited), ""]
        notes = _notes(message)
        if notes:  # the cautions shown under the answer travel with it
            lines += [f"*{defuse(note, cited)}*" for note in notes] + [""]
        if message.citations:
            lines += ["**Sources**", ""]
            lines += [f"- {defuse(source_line(c), cited)}\n  "
                      f"{defuse('> ' + ' '.join(c.quote.split()), cited)}"
                      for c in message.citations]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _notes(message: Message) -> list[str]:
    """The cautions shown under an answer: the search's spelling note and the warnings (a
    model's answer carries its check's notes in its own text already)."""
    from assistant.answering import spelling_note

    spelling = spelling_note(message.spelling)
    # (not a model's "not covered": its notes, such as the search filter's, are warnings only)
    carried = message.mode == "generative" and message.answered
    warnings = [] if carried else list(message.warnings)
    return [*([spelling] if spelling else []), *warnings]


# **bold** and *italic* in an answer's own text (titles are written *Title*), by Markdown's
# flanking rule: no space just inside the asterisks ("£5 * 2 = £10" is no emphasis)
_INLINE = re.compile(r"(\*\*[^*\s](?:[^*\n]{0,498}[^*\s])?\*\*|\*[^*\s](?:[^*\n]{0,498}[^*\s])?\*)")


def _add_inline(document: Any, text: str, style: str | None = None, *,
                plain: bool = False) -> None:
    """A paragraph of ``text`` with its Markdown bold and italics as Word formatting
    (``plain``: the text as it is, for quoted guidance)."""
    if not text.strip():
        return
    paragraph = document.add_paragraph(style=style)
    if plain:
        paragraph.add_run(xml_safe(text))
        return
    for piece in _INLINE.split(text):
        if piece.startswith("**") and piece.endswith("**") and len(piece) > 4:
            paragraph.add_run(xml_safe(piece[2:-2])).bold = True
        elif piece.startswith("*") and piece.endswith("*") and len(piece) > 2:
            paragraph.add_run(xml_safe(piece[1:-1])).italic = True
        elif piece:
            paragraph.add_run(xml_safe(piece))


def conversation_to_docx(title: str, messages: Sequence[Message]) -> bytes:
    """The conversation as a Word document (.docx bytes)."""
    from assistant.word import uk_document

    document = uk_document(xml_safe(title))
    document.add_heading(xml_safe(title), level=1)
    for message in messages:
        if message.role == "user":
            document.add_heading(xml_safe(f"Question: {' '.join(message.content.split())}"),
                                 level=2)
            continue
        for paragraph in message.content.split("\n\n"):
            # quoted guidance is the document's words: no formatting of its asterisks
            quoted = paragraph.lstrip().startswith(">")
            lines = [_QUOTE_MARKS.sub("", line.strip()) for line in paragraph.split("\n")]
            text: list[str] = []
            for line in (line for line in lines if line):
                if line.startswith(("- ", "* ", "• ")):  # a list item: a bulleted paragraph
                    _add_inline(document, "\n".join(text), plain=quoted)
                    text = []
                    _add_inline(document, line[2:], style="List Bullet", plain=quoted)
                else:
                    text.append(line)
            _add_inline(document, "\n".join(text), plain=quoted)
        for note in _notes(message):
            _add_inline(document, f"*{note}*")
        if message.citations:
            document.add_heading("Sources", level=3)
            for c in message.citations:  # "[1] Title ..." as written: no second list number
                document.add_paragraph(xml_safe(source_line(c)))
                if c.quote:
                    document.add_paragraph(xml_safe(" ".join(c.quote.split())), style="Quote")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
