"""Lists in section text, so a chunk that starts inside a list can carry the list's lead-in.

A long list split between chunks leaves its later items without the sentence they complete:
"(d) billing a UK client for their time in the UK ...; or" says nothing about whether it is
allowed until "The Visitor must not receive payment from a UK source ..., except for the
following:" is read with it (an immigration caseworker's review saw exactly this quoted alone).
As with a table's header (``ingest.tables``), the chunker writes the lead-in line above such
items: the chunk is still the document's own words, and search, extracts and citations see what
the items are for.

A lead-in is a line ending in a colon or a dash (``assistant.units.leads_in``) followed by list
items. Its list ends at the first line that is neither an item, a blank line nor an indented
continuation, or at an item numbered as the lead-in itself is ("V 4.7." after "V 4.6. ... the
following:" and its "(a)" to "(g)" is the lead-in's sibling, not one of its items).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.units import label_kind, leads_in, wraps

MAX_LEAD_IN_WORDS = 60  # a longer lead-in is a paragraph, not a line to repeat
MAX_LIST_LINES = 400  # lines a list is followed for
_MARKER = re.compile(r"^\s*(?:[-*•▪●◦]|\d{1,3}[.)])\s+")
_LABELLED = re.compile(r"^\s*\((?:[a-z]{1,4}|[ivx]{1,5}|\d{1,2})\)\s")


@dataclass(frozen=True)
class ListHead:
    """A list in a text: where its lead-in starts, where its items start and end, and the
    lead-in line to repeat."""

    start: int
    body: int
    end: int
    lead_in: str


def _is_item(line: str) -> bool:
    return bool(_MARKER.match(line) or _LABELLED.match(line))


def _unmarked(line: str) -> str:
    """The line without a bullet or Markdown number ("2. V 4.6. ..." -> "V 4.6. ...")."""
    return _MARKER.sub("", line, count=1).strip()


def list_heads(text: str) -> list[ListHead]:
    """Every list of two or more items in ``text`` that a lead-in line introduces."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    heads: list[ListHead] = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or not leads_in(stripped) or len(stripped.split()) > MAX_LEAD_IN_WORDS:
            continue
        first = next((j for j in range(i + 1, min(len(lines), i + 3)) if lines[j].strip()),
                     None)
        if first is None or not _is_item(lines[first]):
            continue
        last, items = _list_end(lines, i, first)
        if items >= 2:
            heads.append(ListHead(offsets[i], offsets[first], offsets[last + 1] - 1, stripped))
    return heads


def _list_end(lines: list[str], lead: int, first: int) -> tuple[int, int]:
    """The last line of the list that ``lines[lead]`` introduces, and how many items it has.

    A lead-in that is itself an item ("- send one of the following:") ends at the next item no
    deeper than it: its sibling ("- pay the fee"), unless loaders wrote the nesting flat and
    the labels tell it apart ("V 4.6. ... the following:" over "(a)", "(b)" at its own indent,
    up to "V 4.7."). Scanned at most MAX_LIST_LINES lines, so a long document costs linear time.
    """
    own_kind = label_kind(_unmarked(lines[lead]) + " ")
    marked, depth = _is_item(lines[lead]), _indent(lines[lead])
    items, last = 0, first
    for j in range(first, min(len(lines), first + MAX_LIST_LINES)):
        current = lines[j]
        if _is_item(current):
            kind = label_kind(_unmarked(current) + " ")
            sibling = kind is not None and kind == own_kind
            if marked and _indent(current) <= depth and (own_kind is None or kind is None):
                sibling = True
            if sibling and items:
                break
            items += 1
            last = j
        elif current.strip() and not current[:1].isspace() \
                and not wraps(lines[j - 1].strip(), current.strip()):
            break  # a line that is no item and does not carry on the one before (PDF text
            # wraps items onto unindented lines: "... in prison or in" / "police custody")
    return last, items


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def lead_ins_for(heads: list[ListHead], start: int) -> list[str]:
    """The lead-ins to write above a chunk that starts at ``start``: those of every list whose
    items the start lies among, outermost first ("To apply you must:", then "- send one of the
    following:" for a chunk that starts among the nested list's items)."""
    inside = sorted((h for h in heads if h.body <= start < h.end), key=lambda h: h.start)
    return [h.lead_in for h in inside]
