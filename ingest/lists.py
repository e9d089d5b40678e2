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

from assistant.units import label_kind, leads_in

MAX_LEAD_IN_WORDS = 60  # a longer lead-in is a paragraph, not a line to repeat
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
        first = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), None)
        if first is None or not _is_item(lines[first]):
            continue
        own_kind = label_kind(_unmarked(line) + " ")
        items, j, last = 0, first, first
        while j < len(lines):
            current = lines[j]
            if _is_item(current):
                if items and own_kind is not None and label_kind(_unmarked(current) + " ") \
                        == own_kind:
                    break
                items += 1
                last = j
            elif current.strip() and not current[:1].isspace():
                break
            j += 1
        if items >= 2:
            heads.append(ListHead(offsets[i], offsets[first], offsets[last + 1] - 1, stripped))
    return heads


def lead_in_for(heads: list[ListHead], start: int) -> str:
    """The lead-in to write above a chunk that starts at ``start``: that of the innermost list
    whose items the start lies among, else ""."""
    inside = [h for h in heads if h.body <= start < h.end]
    return max(inside, key=lambda h: h.start).lead_in if inside else ""
