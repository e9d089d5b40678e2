"""Tables in section text, so a chunk that starts inside a table can carry the table's header.

Loaders write a table as one line per row with cells split by " | " (HTML and Word tables) or as
a Markdown pipe table ("| a | b |" with a "| --- | --- |" rule under the header). When a long table
is split between chunks, the rows of later chunks lose their column names: "| 5313 Bricklayers |
Yes | Yes | Yes |" says nothing about which nation each "Yes" is for. The chunker therefore
writes the header row (and its rule) above such rows: the chunk is still the document's own words,
and search, extracts and citations see what each column means. A header row with blank cells
(cells merged across columns in the page) takes the next row with it, which names them; a short
label line between rows ("Capital DEL") groups rows and does not end the table; a row that is
mostly figures is data, never a header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_GROUP_WORDS = 5
_FIGURE = re.compile(r"[-–+(]?[£$€]?\d[\d,.]*%?\)?|-|–|n/?a", re.IGNORECASE)
_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")


@dataclass(frozen=True)
class TableHead:
    """A table in a text: where it starts, where its body (after the header) starts, and the
    header line(s) to repeat."""

    start: int
    body: int
    end: int
    header: str


def is_row(line: str) -> bool:
    """A line that is a table row: a Markdown pipe row, or cells joined by " | "."""
    stripped = line.strip()
    return stripped.startswith("|") or " | " in stripped


def _group_label(lines: list[str], i: int) -> bool:
    """A short line between two rows, as a table groups its rows ("Capital DEL")."""
    return (0 < len(lines[i].split()) <= MAX_GROUP_WORDS and i + 1 < len(lines)
            and is_row(lines[i + 1]))


def _mostly_figures(line: str) -> bool:
    """A row whose cells after the first are mostly numbers: data, never a header."""
    cells = [c for c in _cells(line)[1:] if c]
    return bool(cells) and sum(bool(_FIGURE.fullmatch(c)) for c in cells) * 2 > len(cells)


def _cells(line: str) -> list[str]:
    """A row's cells: "| a | b |" (Markdown) or "a | b", where " | b" has an empty first cell."""
    stripped = line.strip()
    if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
        stripped = stripped[1:-1]
    return [cell.strip() for cell in stripped.split("|")]


def _blank_cells(line: str) -> bool:
    cells = _cells(line)
    return len(cells) > 1 and any(not cell for cell in cells)


def table_heads(text: str) -> list[TableHead]:
    """Every table of two or more body rows in ``text``, with its header."""
    heads: list[TableHead] = []
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    i = 0
    while i < len(lines):
        if not is_row(lines[i]) or _RULE.match(lines[i]):
            i += 1
            continue
        first = i
        i += 1
        if i < len(lines) and _RULE.match(lines[i]):
            i += 1  # a Markdown table's rule belongs to the header
        if _blank_cells(lines[first]) and i < len(lines) and is_row(lines[i]):
            i += 1  # cells merged across columns: the next row names them ("England | Wales")
        body = i
        while i < len(lines) and not _RULE.match(lines[i]) and (
                is_row(lines[i]) or _group_label(lines, i)):
            i += 1
        if i - body >= 2 and not _mostly_figures(lines[first]):
            header = "\n".join(lines[first:body]).strip()
            heads.append(TableHead(offsets[first], offsets[body], offsets[i], header))
    return heads


def header_for(heads: list[TableHead], start: int) -> str:
    """The header to write above a chunk that starts at ``start``: that of the table whose body
    the start lies in, else ""."""
    for head in heads:
        if head.body <= start < head.end:
            return head.header
    return ""
