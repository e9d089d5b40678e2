"""What every loader shares: whitespace normalisation, dates, and building heading-path sections."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime

from assistant.types import LoadedDocument, Section
from assistant.words import SURROGATE

_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# zero-width characters, soft hyphens and control characters (which no document means to show,
# and which Word and XML refuse: an export containing one would fail)
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad\x00-\x08\x0e-\x1f\x7f]")
_BLANK_RUNS = re.compile(r"\n{3,}")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_PDF_DATE = re.compile(r"^D:(\d{4})(\d{2})?(\d{2})?")
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3,9})\s+(\d{4})\b")


_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi",
                            "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"})


def valid_unicode(text: str) -> str:
    """``text`` with UTF-16 surrogates paired back into characters and lone ones replaced by
    U+FFFD. RTF writes an emoji as two "\\u" surrogate escapes and a YAML "\\uD800" escape is
    one; a string holding one cannot be tokenised, stored in Chroma or written as UTF-8."""
    if not SURROGATE.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def valid_document(doc: LoadedDocument) -> LoadedDocument:
    """``doc`` with every text field made valid Unicode (``valid_unicode``)."""
    def fix(value: str | None) -> str | None:
        return None if value is None else valid_unicode(value)

    sections = tuple(replace(s, heading_path=tuple(valid_unicode(h) for h in s.heading_path),
                             text=valid_unicode(s.text), part=valid_unicode(s.part))
                     for s in doc.sections)
    return replace(doc, title=valid_unicode(doc.title), sections=sections, url=fix(doc.url),
                   updated=fix(doc.updated))


# a title or heading longer than this is text, not a label (the longest real one seen, an
# Immigration Rules heading, has 620 characters)
MAX_HEADING_CHARS = 700


def bounded_document(doc: LoadedDocument) -> LoadedDocument:
    """``doc`` with its title and headings cut to MAX_HEADING_CHARS, the words cut off kept as
    text: an over-long heading opens the text of the first section under it, an over-long title
    the first section's. Every chunk carries its title and heading path, and the embedder reads
    them before the text: a 250-word "title" left no room for the text of any chunk, and a
    96 KB one was stored once per chunk."""
    if len(doc.title) <= MAX_HEADING_CHARS and all(
            len(h) <= MAX_HEADING_CHARS for s in doc.sections for h in s.heading_path):
        return doc
    sections = []
    kept = set()  # over-long headings already kept as text (in the first section under them)
    for n, section in enumerate(doc.sections):
        opening = [h for h in dict.fromkeys(section.heading_path)
                   if len(h) > MAX_HEADING_CHARS and h not in kept]
        kept.update(opening)
        if n == 0 and len(doc.title) > MAX_HEADING_CHARS and doc.title not in section.text \
                and doc.title not in opening:
            opening.insert(0, doc.title)
        sections.append(replace(
            section, heading_path=tuple(_cut(h) for h in section.heading_path),
            text="\n\n".join([*opening, section.text]) if opening else section.text))
    return replace(doc, title=_cut(doc.title), sections=tuple(sections))


def _cut(text: str) -> str:
    """``text`` cut at a word to at most MAX_HEADING_CHARS, ending in "…" if cut."""
    if len(text) <= MAX_HEADING_CHARS:
        return text
    return text[:MAX_HEADING_CHARS - 1].rsplit(" ", 1)[0].rstrip(" ,;:-") + "…"


def normalise_text(text: str) -> str:
    """Collapse spaces within lines, trim lines and keep single blank lines as paragraph breaks.

    PDF ligatures ("ﬁ" in "Certiﬁcate") become letters, so that search finds the words."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _ZERO_WIDTH.sub("", text).translate(_LIGATURES)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def normalise_block(text: str) -> str:
    """Like normalise_text, but keep leading indentation (nested list items)."""
    text = _ZERO_WIDTH.sub("", unicodedata.normalize("NFC", text)).translate(_LIGATURES)
    lines = []
    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        lines.append(" " * indent + _SPACES.sub(" ", line).strip())
    return _BLANK_RUNS.sub("\n\n", "\n".join(ln.rstrip() for ln in lines)).strip("\n")


def one_line(text: str) -> str:
    """All whitespace, line breaks included, collapsed to single spaces (headings, titles)."""
    return " ".join(_ZERO_WIDTH.sub("", text).translate(_LIGATURES).split())


def to_iso_date(value: object) -> str | None:
    """A date as YYYY-MM-DD from a datetime, an ISO string, a PDF date or '25 November 2025'."""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    pdf = _PDF_DATE.match(text)
    if pdf:
        return _checked(int(pdf.group(1)), int(pdf.group(2) or 1), int(pdf.group(3) or 1))
    iso = _ISO.search(text)
    if iso:
        return _checked(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    dmy = _DAY_MONTH_YEAR.search(text)
    if dmy:
        for fmt in ("%d %B %Y", "%d %b %Y"):
            try:
                return datetime.strptime(" ".join(dmy.groups()), fmt).strftime("%Y-%m-%d")
            except ValueError:
                continue
    return None


def _checked(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


# what a failure reason tells the administrator to do
EMPTY_FILE = "empty file: export or save it again from where it came from, and add that"
RESAVE = "open it and save or print it as a new PDF, and add that"


def brief(exc: BaseException, limit: int = 120) -> str:
    """An exception as 'Type: message', cut to ``limit`` characters."""
    message = one_line(str(exc))
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SectionBuilder:
    """Collects headings and paragraphs in reading order and emits one Section per heading."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []
        self._paragraphs: list[str] = []
        self._sections: list[Section] = []
        self.part = ""  # set by a loader that knows the document's parts

    @property
    def path(self) -> tuple[str, ...]:
        """The current heading path."""
        return tuple(text for _, text in self._stack)

    def heading(self, level: int, text: str) -> None:
        """Start a section under ``text``, closing deeper or equal headings first."""
        text = one_line(text)
        if not text:
            return
        self.flush()
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, text))

    def add(self, paragraph: str) -> None:
        """Add a paragraph (it may span several lines, e.g. a list) to the current section."""
        paragraph = normalise_block(paragraph)
        if paragraph.strip():
            self._paragraphs.append(paragraph)

    def flush(self) -> None:
        """Close the current section if it has any text."""
        if self._paragraphs:
            part = "" if self.part in self.path else self.part
            self._sections.append(Section(self.path, "\n\n".join(self._paragraphs), part=part))
            self._paragraphs = []

    def build(self) -> tuple[Section, ...]:
        """All sections so far, the open one included."""
        self.flush()
        return tuple(self._sections)


def first_heading(sections: Iterable[Section]) -> str | None:
    """The first heading found in the sections, if any."""
    for section in sections:
        if section.heading_path:
            return section.heading_path[0]
    return None


def first_line(sections: Iterable[Section], max_len: int = 150) -> str | None:
    """The first short non-empty line of text, a fallback title."""
    for section in sections:
        for line in section.text.split("\n"):
            line = line.strip().lstrip("-• ").strip()
            if 3 <= len(line) <= max_len:
                return line
    return None
