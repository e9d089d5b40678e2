"""PDF via pypdf: text per page (1-based), headings, running headers and footers removed.

Headings come from the outline (bookmarks) when the file has one, otherwise from the typesetting
(:mod:`ingest.loaders.pdf_headings`).
"""

from __future__ import annotations

import math
import re
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, EmptyFileError, FileNotDecryptedError

from assistant.errors import LoadError
from assistant.spelling import english_words
from assistant.types import LoadedDocument, Section
from ingest.loaders.pdf_fonts import fonts_read_once
from ingest.loaders.pdf_headings import (
    MAX_WORDS,
    Heading,
    LineCollector,
    StyledLine,
    find_headings,
    looks_like_file_name,
    reads_like_title,
)
from ingest.loaders.pdf_text import clean_glyphs, join_broken_words, readable_share
from ingest.loaders.sections import (
    EMPTY_FILE,
    RESAVE,
    brief,
    normalise_text,
    one_line,
    to_iso_date,
)

MIN_TEXT_CHARS = 10  # fewer letters and digits than this in the whole file counts as no text
# text less readable than this is a font without a character map, not words (ordinary guidance
# and forms read 0.6-1.0; such fonts 0.02-0.3)
MIN_READABLE_SHARE = 0.5
MAX_OUTLINE_ENTRIES = 5000
MAX_TITLE_SCAN = 5  # lines of the first page searched for a title when nothing is set larger
MOSTLY_PRINTED = 0.75  # a metadata title this much printed stands even if another is set larger
MIN_PAGE_WORDS = 10  # a first page with fewer words cannot confirm or refute a title
MIN_PAGES_PER_MARK = 4  # fewer bookmarks than one per this many pages: too coarse for sections
_PAGE_NUMBER = re.compile(r"^[-–(\[]?\s*(page\s+)?\d{1,4}(\s*(of|/)\s*\d{1,4})?\s*[-–)\]]?$", re.I)
_NUMBERED = re.compile(r"^[^\W\d_]+ #$")  # "Section 8", "Part 2": the form's structure, kept
_RUNNING_TEXT = re.compile(r"^[(\"'‘“]?[a-z]|[.,;:!?]$")  # a line of prose, not a label
_JUNK_TITLE = re.compile(
    r"^(untitled|document\d*|scanned document|microsoft word\b.*|powerpoint presentation"
    r"|insert title|title|<<.*>>|\{.*\}"
    r"|.*\.(docx?|pdf|rtf|indd|qxd|qxp|xlsx?|pptx?|txt))$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Mark:
    """An outline (bookmark) entry: where a heading starts."""

    page: int  # 0-based
    level: int
    title: str


def load_pdf(path: Path) -> LoadedDocument:
    """A PDF as sections: by outline heading when it has bookmarks, else by typeset headings.

    A file with neither has one untitled section per page.
    """
    with warnings.catch_warnings(), fonts_read_once():
        warnings.simplefilter("ignore")
        reader = _open(path)
        pages, styled = _page_texts(reader)
        typeset = find_headings(styled)
        outline = _outline_marks(reader)
        meta_title, updated = _metadata(reader)
    if sum(ch.isalnum() for text in pages for ch in text) < MIN_TEXT_CHARS:
        raise LoadError("no extractable text (scanned?): run OCR on it or upload a text-based copy")
    readable = readable_share("\n".join(pages))
    if readable < MIN_READABLE_SHARE:
        raise LoadError(
            f"unreadable text: only {readable:.0%} of the text extracted reads as words (its fonts "
            "do not say which letters they draw): run OCR on it, or upload a Word, HTML or text "
            "copy")
    pages = join_broken_words(pages)
    title = _title(meta_title, typeset.title, pages, path)
    marks = _marks(outline, typeset.headings, title, len(pages))
    sections = _sections(_strip_running_lines(pages), marks) or _sections(pages, marks)
    sections = join_over_page_breaks(sections)
    return LoadedDocument(
        title=title, doc_type="pdf", sections=sections, updated=updated, pages=len(pages)
    )


def _clean(heading: str) -> str:
    return one_line(normalise_text(heading))


def _title(meta: str | None, typeset: str | None, pages: list[str], path: Path) -> str:
    """The metadata title if it is words printed at the start, else the largest title-like line
    on the first page, else its first title-like line, else the file's name."""
    if meta and reads_like_title(meta.rstrip(".")) and _printed(meta, typeset, pages):
        return meta
    if typeset:
        return _clean(typeset)
    first = next((text for text in pages if text.strip()), "")
    lines = first.split("\n")[:MAX_TITLE_SCAN]
    line = next((ln for ln in lines
                 if 1 < len(ln.split()) <= MAX_WORDS and reads_like_title(ln.rstrip("."))), None)
    return line or " ".join(path.stem.replace("_", " ").split())


def _printed(title: str, typeset: str | None, pages: list[str]) -> bool:
    """Whether a metadata title is printed on the first pages: half its words on one of the first
    two, and most of them or a word of the title set there. A stale template's title is not; a
    page too short or not in English (Welsh, a font without a map) cannot tell."""
    words = set(re.findall(r"[^\W\d_]{3,}", title.lower()))
    english = english_words()
    shares = []
    for text in [text for text in pages if text.strip()][:2]:
        printed = set(re.findall(r"[^\W\d_]{3,}", text.lower()))
        if len(printed) >= MIN_PAGE_WORDS and len(printed & english) >= 0.5 * len(printed):
            shares.append(len(words & printed) / len(words) if words else 1.0)
    if not shares:
        return True
    set_there = set(re.findall(r"[^\W\d_]{3,}", (typeset or "").lower()))
    best = max(shares)
    return best >= 0.5 and (best >= MOSTLY_PRINTED or not set_there or bool(words & set_there))


def _marks(outline: list[_Mark], typeset: list[Heading], title: str, pages: int) -> list[_Mark]:
    """Bookmarks that are headings (not file names, nor the title atop them all); the typeset
    headings when there are none, or too few for a long document and the typesetting has more."""
    kept = [mark for mark in outline
            if not _JUNK_TITLE.match(mark.title) and not looks_like_file_name(mark.title)]
    if kept and _title_key(kept[0].title) == _title_key(title) and all(
            mark.level > kept[0].level for mark in kept[1:]):
        kept = kept[1:]  # the title again, over the whole document
    headings = [_Mark(h.page, h.level, _clean(h.title)) for h in typeset]
    coarse = pages >= MIN_PAGES_PER_MARK * 2 and len(kept) * MIN_PAGES_PER_MARK < pages
    return headings if not kept or (coarse and len(headings) > len(kept)) else kept


def _title_key(title: str) -> str:
    return re.sub(r"[\W_]+$", "", title.casefold()).strip()


def _open(path: Path) -> PdfReader:
    try:
        reader = PdfReader(path)
    except EmptyFileError as exc:
        raise LoadError(EMPTY_FILE) from exc
    except (DependencyError, FileNotDecryptedError) as exc:
        raise LoadError(_encryption_reason(exc)) from exc
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:  # pypdf raises many types on damaged files
        # the library's message without its class name ("PdfReadError: "), which means
        # nothing to an administrator (a browser review)
        detail = brief(exc).removeprefix(f"{type(exc).__name__}: ")
        raise LoadError(f"damaged PDF: it could not be opened ({detail}); {RESAVE}") from exc
    if reader.is_encrypted:
        _decrypt(reader)
    return reader


def _decrypt(reader: PdfReader) -> None:
    try:
        result = reader.decrypt("")
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:
        raise LoadError(_encryption_reason(exc)) from exc
    if result == PasswordType.NOT_DECRYPTED:
        raise LoadError("encrypted: needs a password; upload a copy saved without a password")


def _encryption_reason(exc: Exception) -> str:
    if isinstance(exc, DependencyError) and "cryptography" in str(exc).lower():
        return "encrypted with AES, which needs the 'cryptography' package: ask an administrator"
    return "encrypted: needs a password; upload a copy saved without a password"


def _page_texts(reader: PdfReader) -> tuple[list[str], list[list[StyledLine]]]:
    """Each page's text, and its lines with their printed size and weight (for headings)."""
    try:
        pages = list(reader.pages)
    except FileNotDecryptedError as exc:
        raise LoadError(_encryption_reason(exc)) from exc
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:
        raise LoadError(f"damaged PDF: its page tree is broken ({brief(exc)}); {RESAVE}") from exc
    if not pages:
        raise LoadError("no text: the PDF has no pages")
    texts: list[str] = []
    styled: list[list[StyledLine]] = []
    errors: list[Exception] = []
    for page in pages:
        collector = LineCollector()
        try:
            extracted = page.extract_text(visitor_text=collector)
            texts.append(normalise_text(clean_glyphs(collector.text(extracted))))
        except (MemoryError, RecursionError):
            raise
        except Exception as exc:
            errors.append(exc)
            texts.append("")
        styled.append(collector.lines)
    if len(errors) == len(pages) and isinstance(errors[0], DependencyError):
        raise LoadError(f"could not read its pages: they use an image or font format this "
                        f"server has no decoder for ({brief(errors[0])}); {RESAVE}")
    if len(errors) == len(pages):
        raise LoadError(f"damaged PDF: no page could be read ({brief(errors[0])}); {RESAVE}")
    return texts, styled


def _outline_marks(reader: PdfReader) -> list[_Mark]:
    marks: list[_Mark] = []

    def walk(items: list[object], level: int) -> None:
        for item in items:
            if len(marks) >= MAX_OUTLINE_ENTRIES:
                return
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            title = one_line(str(getattr(item, "title", "") or ""))
            page = reader.get_destination_page_number(item)  # type: ignore[arg-type]
            if title and page is not None and page >= 0:
                marks.append(_Mark(page, level, title))

    try:
        walk(list(reader.outline), 1)
    except MemoryError:
        raise
    except Exception:  # a broken or looping outline is not worth failing the file for
        return []
    return sorted(marks, key=lambda mark: mark.page)  # stable: outline order within a page


def _metadata(reader: PdfReader) -> tuple[str | None, str | None]:
    try:
        info = reader.metadata
    except (MemoryError, RecursionError):
        raise
    except Exception:
        return None, None
    if info is None:
        return None, None
    title = one_line(str(info.get("/Title") or ""))
    title = "" if _JUNK_TITLE.match(title) or sum(c.isalpha() for c in title) < 3 else title
    updated = to_iso_date(str(info.get("/ModDate") or "")) or to_iso_date(
        str(info.get("/CreationDate") or "")
    )
    return title or None, updated


def _strip_running_lines(pages: list[str], edge: int = 3) -> list[str]:
    """Drop page-number lines and lines repeated at the top or bottom of many pages.

    A bare number in the first or last ``edge`` lines is a page number; so is one up to
    NUMBER_EDGE lines in that equals the page's index plus the offset most pages share.

    A line at the edges of half the pages or more is a running header or footer. So is one at
    the edges of a fifth of them (at least 3) that reads like a label, not running text: an
    odd-page title, a chapter's running head, a form's code ("S/DSA1N/V7 2"). Running text
    starts in lower case or ends in punctuation ("the matter to the", "commission."), and a
    numbered label ("Section 8") is the document's structure: both are kept.
    """
    split = [text.split("\n") for text in pages]
    counts: Counter[str] = Counter()
    prose: set[str] = set()
    for lines in split:
        found = {_shape(line): line.strip() for line in _edges(lines, edge)}
        counts.update(found.keys())
        prose.update(key for key, line in found.items() if _RUNNING_TEXT.search(line))
    threshold = max(3, (len(pages) + 1) // 2)
    fifth = max(3, math.ceil(len(pages) / 5))
    running = {key for key, n in counts.items() if key and (
        n >= threshold or (n >= fifth and key not in prose and not _NUMBERED.match(key)))}
    if len(pages) < 3:
        running = set()
    offset = _page_number_offset(split)  # for page numbers a little further in
    cleaned = []
    for page, lines in enumerate(split):
        edges = set(range(min(edge, len(lines))))
        edges |= set(range(max(0, len(lines) - edge), len(lines)))
        near = set(range(min(NUMBER_EDGE, len(lines))))
        near |= set(range(max(0, len(lines) - NUMBER_EDGE), len(lines)))
        kept = [
            line
            for i, line in enumerate(lines)
            if (i not in edges or not (_PAGE_NUMBER.match(line) or _shape(line) in running))
            # a printed page number set a little inside the page ("6" then "20" under a heading)
            and not (offset is not None and i in near and line.strip() == str(page + offset))
        ]
        cleaned.append("\n".join(kept).strip())
    return cleaned


NUMBER_EDGE = 6  # how far inside a page a printed page number is looked for


def _page_number_offset(split: list[list[str]]) -> int | None:
    """The printed page number minus the page's index, when a third of the pages (3 or more)
    have a line near an edge that is just that number; else None. A lone figure that is not
    the page number (a points score, a form box) is content."""
    offsets: Counter[int] = Counter()
    for page, lines in enumerate(split):
        near = lines[:NUMBER_EDGE] + lines[-NUMBER_EDGE:]
        offsets.update({int(line.strip()) - page for line in near
                        if re.fullmatch(r"\d{1,4}", line.strip())})
    if not offsets:
        return None
    offset, n = offsets.most_common(1)[0]
    return offset if n >= max(3, len(split) / 3) else None


def _edges(lines: list[str], edge: int) -> list[str]:
    return lines[:edge] + lines[-edge:]


def _shape(line: str) -> str:
    """A line as a running header would repeat: its page number (a number at either end) as #.

    A line of figures ("6000.00", "47.80") or a number in the middle ("Tel: 01296 382 250") is
    content, not a header: only whole lines that recur, bar a page number at one end, are.
    """
    text = line.strip().lower()
    if len(re.findall(r"[a-z]", text)) < 3:
        return ""
    text = re.sub(r"\bpage\s+\d{1,4}(\s*(of|/)\s*\d{1,4})?", "page #", text)
    return re.sub(r"^\d{1,4}\b|\b\d{1,4}$", "#", text)


def _sections(pages: list[str], marks: list[_Mark]) -> tuple[Section, ...]:
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    by_page: dict[int, list[_Mark]] = {}
    for mark in marks:
        by_page.setdefault(mark.page, []).append(mark)
    for index, text in enumerate(pages):
        for opened, piece in _split_at_marks(text, by_page.get(index, [])):
            if opened is not None:
                while stack and stack[-1][0] >= opened.level:
                    stack.pop()
                stack.append((opened.level, opened.title))
            if piece.strip():
                path = tuple(title for _, title in stack)
                sections.append(Section(path, piece.strip(), index + 1, index + 1))
    return tuple(sections)


# a page that stops mid-sentence: its last word ends in a letter (then perhaps a comma or
# semicolon), or the page ends in a comma, semicolon, dash or opening bracket; never in a number
# ("10 11", a total, a page number) or a sentence end
_UNFINISHED = re.compile(r"(?<![^\W\d_])[^\W\d_]{1,60}[,;]?[ \t]*$|[,;(–-][ \t]*$")
# the next page goes on in lower case, and not with a list marker ("(c) ", "b) ", "iv. "), a
# form's question label ("a Your details", "e2 Is the placement") or a form's section ("section
# 5 your bank details")
_CONTINUES = re.compile(r"^(?![(\[]?(?:[a-z]|[ivx]{1,4})[).\]]\s|[a-z]\d*\s+[A-Z]|"
                        r"(?:section|part|question|step|page)\s+\d)[(\[\"'‘“]?[a-z]")
_SENTENCE_END = re.compile(r"[.!?][)\]\"'’”]*(?=\s|$)")
MAX_CARRIED_CHARS = 400  # at most this much of the next page is carried back to finish a sentence


def join_over_page_breaks(sections: tuple[Section, ...]) -> tuple[Section, ...]:
    """Sections with a sentence cut by a page break made whole again.

    When a page stops mid-sentence and the next page, under the same heading, goes on in lower
    case, the rest of the sentence (up to its full stop, at most ``MAX_CARRIED_CHARS``) moves
    back to the earlier section, which then spans both pages; the quote a citation shows is
    the whole sentence, cited as "pages 4-5".
    """
    out: list[Section] = []
    for section in sections:
        before = out[-1] if out else None
        carried = None
        if before is not None and before.heading_path == section.heading_path \
                and before.page_end is not None and section.page_start == before.page_end + 1 \
                and _UNFINISHED.search(before.text.rsplit("\n", 1)[-1]) \
                and _CONTINUES.match(section.text):
            end = _SENTENCE_END.search(section.text, 0, MAX_CARRIED_CHARS)
            carried = end.end() if end else None
        if before is None or carried is None:
            out.append(section)
            continue
        head, rest = " ".join(section.text[:carried].split()), section.text[carried:].strip()
        # "self-" at the foot of one page and "employed" at the top of the next are one word
        gap = "" if re.search(r"[^\W\d_]-$", before.text) else " "
        out[-1] = Section(before.heading_path, f"{before.text}{gap}{head}",
                          before.page_start, section.page_start)
        if rest:
            out.append(Section(section.heading_path, rest, section.page_start, section.page_end))
    return tuple(out)


def _split_at_marks(text: str, marks: list[_Mark]) -> list[tuple[_Mark | None, str]]:
    """The page text cut where each outline title appears (or at the top when it is not found)."""
    starts: list[tuple[int, _Mark]] = []
    cursor = 0
    for mark in marks:
        words = [re.escape(word) for word in mark.title.split()]
        # whole words only: "R" must not match inside "Robert"
        body = r"\s+".join(words)
        pattern = re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)
        found = pattern.search(text, cursor) if words else None
        cursor = found.start() if found else cursor
        starts.append((cursor, mark))
    pieces: list[tuple[_Mark | None, str]] = [(None, text[: starts[0][0]] if starts else text)]
    for i, (start, mark) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        pieces.append((mark, text[start:end]))
    return pieces
