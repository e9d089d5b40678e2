"""Offline answers rendered: the chosen units grouped into passages, each quoted in Markdown
and cited [n] with its document, section and pages."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from assistant import prompts
from assistant.citations import MARKED_UP_HEADINGS, build_citation, inert_markers
from assistant.types import SECTION_SEPARATOR, Chunk, Citation, ScoredChunk
from assistant.units import Unit, section_depth, text_lines

PAGE_GAP = 2  # chunks of one section this many pages apart or less are quoted as one passage
# a quoted unit that the guidance goes on from: its list or sentence continues after it
_GOES_ON = re.compile(r"(?:[,;:]|\b(?:and|or))\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Extract:
    """An extractive answer: its text, streamed in ``pieces``, and its citations."""

    pieces: tuple[str, ...]
    citations: tuple[Citation, ...]

    @property
    def text(self) -> str:
        """The whole answer as stored."""
        return "".join(self.pieces)


def render(sources: Sequence[ScoredChunk], chosen: Sequence[Unit], order: Sequence[int],
           goes_on: Collection[tuple[int, int]] = ()) -> Extract:
    """The chosen units grouped by source, sources in ``order`` (numbered [1], [2]... so).

    Two chunks of the same document section (a long section split in two) are one passage
    with one number, their units in document order with a gap shown between the chunks."""
    pieces = [prompts.render("extractive_header")]
    citations: list[Citation] = []
    groups: list[list[int]] = []
    for rank in order:
        if any(u.source == rank for u in chosen):
            chunk = sources[rank].chunk
            group = next((g for g in groups if _same_passage(sources[g[0]].chunk, chunk)), None)
            if group is None:
                groups.append([rank])
            else:
                group.append(rank)
    for ranks in groups:
        in_document = sorted(ranks, key=lambda r: sources[r].chunk.position)
        units = [replace(u, position=i * 1_000_000 + u.position)  # a gap between chunks
                 for i, rank in enumerate(in_document)
                 for u in chosen if u.source == rank]
        n = len(citations) + 1
        first = sources[ranks[0]].chunk
        chunk = replace(first, section=_quoted_section(
            first.section, units, first.text, first.doc_type in MARKED_UP_HEADINGS))
        heading = chunk.section.strip().rstrip(":").strip()
        # the document's own "[2]" in a heading is made inert: only our markers cite
        section = f" — {inert_markers(heading)}" if heading and heading != chunk.title else ""
        last = units[-1]
        text = join_units(units, shown=heading.split(SECTION_SEPARATOR)[-1].strip(),
                          goes_on=(last.source, last.position % 1_000_000) in goes_on)
        pieces.append(
            "\n\n"
            + prompts.render(
                "extractive_passage", title=chunk.title, section=section, text=text, n=n
            )
        )
        quote = _quote(units)
        spanning = _spanning([sources[r].chunk for r in ranks])
        citations.append(build_citation(n, replace(spanning, section=chunk.section), quote))
    return Extract(tuple(pieces), tuple(citations))


def _quoted_section(section: str, units: Sequence[Unit], text: str = "",
                    marked_up: bool = True) -> str:
    """The section the quoted units are under, when the chunk spans more than one: a chunk
    labelled with the section holding most of it ("3. Booking leave") or with two or three
    ("2.1 Basic entitlement; 2.2 Part-time staff") may quote only a later one ("4. Carry over").
    Replaced only when every unit is under one heading that is one of the listed sections, or is
    numbered at the same depth as the label (a sibling, not a subsection of it); another heading
    is added after the label, unless it stands above the label's own heading line in the
    chunk's ``text`` (a folded sibling: "9 to 56 weeks after ..." then "How employees should
    give you notice"), which it then replaces; under a label naming several sections it goes
    after the nearest one above it ("Notice period; Parental Bereavement Leave" and "0 to 8
    weeks after ..." under the second: "Parental Bereavement Leave > 0 to 8 weeks after ...").
    Each such line must be once in the text, or which one a unit is under is not known. Units
    under several headings that all lie in one of the listed sections are labelled with it.

    A chunk with no label (ingest names no more than three folded sections, so a chunk of
    "Pay", "Extra pay", "Start date", "Problems and disputes" and "Eligibility" has none) is
    labelled with the headings its quoted units are under, up to three, when every unit is
    under one: "Statutory Adoption Pay is paid for up to 39 weeks" is cited to "Pay", not to
    no section at all. Only when the document's headings are ``marked_up``: a PDF's are
    guessed from short lines ("Date of Birth" on a form) and stay lines above the quote."""
    headings = {u.heading for u in units}
    if not section and marked_up:
        named = list(dict.fromkeys(u.heading.strip() for u in units))
        return "; ".join(named) if all(named) and len(named) <= 3 else section
    if len(headings) > 1 and section:
        return _common_listed(section, headings, text)
    if len(headings) != 1 or not section:
        return section
    heading = headings.pop().strip()
    parent, _, last = section.rpartition(SECTION_SEPARATOR)
    prefix = parent + SECTION_SEPARATOR if parent else ""
    options = [o.strip() for o in last.split(";")]
    if not heading or heading == last.strip():
        return section
    if heading in options or (len(options) == 1
                              and section_depth(heading) == section_depth(options[0]) > 0):
        return prefix + heading
    # a heading in the chunk's text that its label does not name ("Time limits" inside a chunk
    # labelled "Waiving recovery"): named after the label, so the reader finds the quote under it;
    # not a heading the path names already, nor one the label merely writes out more fully
    # ("Waiving recovery" under "Waiving recovery (overpayments)")
    parts = [p.strip().casefold() for p in section.split(SECTION_SEPARATOR)]
    if heading.casefold() in parts or any(p.startswith(heading.casefold()) for p in parts):
        return section
    lines = text_lines(text)
    if lines.count(heading) != 1:
        return f"{section}{SECTION_SEPARATOR}{heading}"
    at = lines.index(heading)
    above = [o for o in options if lines.count(o) == 1 and lines.index(o) < at]
    if len(options) == 1 and lines.count(options[0]) == 1 and not above:
        return prefix + heading
    if len(options) > 1 and above:  # under the nearest listed section above it, not all
        nearest = max(above, key=lines.index)
        return f"{prefix}{nearest}{SECTION_SEPARATOR}{heading}"
    return f"{section}{SECTION_SEPARATOR}{heading}"


def _common_listed(section: str, headings: Collection[str], text: str) -> str:
    """``section`` narrowed to the one section it lists ("Notice period; Parental Bereavement
    Leave") that every heading is, or lies under (the nearest listed line above it, each line
    once in ``text``): nothing under "Notice period" quoted, the label is "Parental Bereavement
    Leave"."""
    parent, _, last = section.rpartition(SECTION_SEPARATOR)
    options = [o.strip() for o in last.split(";")]
    lines = text_lines(text)
    if len(options) < 2 or any(lines.count(o) != 1 for o in options):
        return section
    owners = set()
    for heading in (h.strip() for h in headings):
        if heading in options:
            owners.add(heading)
            continue
        if not heading or lines.count(heading) != 1:
            return section
        above = [o for o in options if lines.index(o) < lines.index(heading)]
        if not above:
            return section
        owners.add(max(above, key=lines.index))
    if len(owners) != 1:
        return section
    return (parent + SECTION_SEPARATOR if parent else "") + owners.pop()


def _same_passage(a: Chunk, b: Chunk) -> bool:
    """Two chunks of one named section, on pages at most PAGE_GAP apart (a PDF with no headings
    has one unnamed section: its pages 3 and 45 are two passages, not one on "pages 3-45")."""
    if a.doc_id != b.doc_id or a.section != b.section:
        return False
    if a.page_start is None or b.page_start is None:
        return bool(a.section) or a.page_start == b.page_start
    a_end = a.page_end if a.page_end is not None else a.page_start
    b_end = b.page_end if b.page_end is not None else b.page_start
    return max(a.page_start, b.page_start) - min(a_end, b_end) <= PAGE_GAP


def _spanning(chunks: Sequence[Chunk]) -> Chunk:
    """The first chunk, its pages widened to every page of ``chunks`` (quoted together): a
    passage quoting pages 12 and 16 of one section cites pages 12-16, not page 12."""
    starts = [c.page_start for c in chunks if c.page_start is not None]
    if not starts:
        return chunks[0]
    ends = [c.page_end if c.page_end is not None else c.page_start
            for c in chunks if c.page_start is not None]
    return replace(chunks[0], page_start=min(starts), page_end=max(ends))


def _quote(units: Sequence[Unit]) -> str:
    """The exact quoted text: adjacent units joined by a space, gaps marked ' … ', and so is a
    heading left out between them (the quote never reads as one run of the source's text
    where the source has a heading in between)."""
    out = units[0].text
    for previous, unit in zip(units, units[1:], strict=False):
        joined = unit.position == previous.position + 1 and unit.heading == previous.heading
        out += (" " if joined else " … ") + unit.text
    return out
HEADING_MARK = "§ "  # a heading line shown inside a quote: a label, not quoted text


def join_units(units: Sequence[Unit], shown: str = "", goes_on: bool = False) -> str:
    """Units as Markdown inside a block quote: items on their own lines, gaps shown as '…'.

    A unit under a heading of its chunk other than the one the passage is labelled with gets
    that heading as a line of its own above it ("§ Outside Greater London"), the first time:
    the condition a figure depends on. HEADING_MARK sets it apart from the quoted words. The
    document's own "[5]" is made inert (``inert_markers``): only our markers cite."""
    out = ""
    last_heading = shown
    for previous, unit in zip([None, *units], units, strict=False):
        gap = previous is not None and unit.position != previous.position + 1
        text = inert_markers(unit.text)
        if unit.heading and unit.heading != last_heading:
            last_heading = unit.heading
            head = HEADING_MARK + inert_markers(unit.heading)
            if previous is None:
                out = head + "\n>\n> "
            else:
                out += ("\n>\n> …" if gap else "\n>") + "\n> " + head + "\n>\n> "
            out += ("- " if unit.is_item else "") + text
            continue
        if unit.is_item and previous is None:
            out = "- " + text
        elif unit.is_item:
            out += ("\n> …" if gap else "") + "\n> - " + text
        elif previous is None:
            out = text
        elif gap:
            out += "\n>\n> … " + text
        else:  # after a list, the next sentence starts a paragraph: nothing is left out
            out += ("\n>\n> " if previous.is_item else " ") + text
    if units and (goes_on or _GOES_ON.search(units[-1].text)):  # the guidance says more
        out += "\n> …" if units[-1].is_item else " …"
    return out
