"""Tables in section text, so a chunk that starts inside a table can carry the table's header.

Loaders write a table as one line per row with cells split by " | " (HTML and Word tables) or as
a Markdown pipe table ("| a | b |" with a "| --- | --- |" rule under the header). When a long table
is split between chunks, the rows of later chunks lose their column names: "| 5313 Bricklayers |
Yes | Yes | Yes |" says nothing about which nation each "Yes" is for. The chunker therefore
writes the header row (and its rule) above such rows: the chunk is still the document's own words,
and search, extracts and citations see what each column means. A header with cells merged
across columns, or over a row naming more columns, takes that row with it; a short label line
between rows ("Capital DEL") groups rows and does not end the table, but a row with a rule under
it starts a new one; a row that is mostly figures (years aside) is data, never a header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.units import is_table_row

MAX_GROUP_WORDS = 5
_FIGURE = re.compile(r"[-–+(]?[£$€]?\d[\d,.]*%?\)?|-|–|n/?a", re.IGNORECASE)
_YEAR = re.compile(r"(?:19|20)\d\d(?:[-–/](?:\d\d|\d{4}))?")
_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")


@dataclass(frozen=True)
class TableHead:
    """A table in a text: where it starts, where its body (after the header) starts, and the
    header line(s) to repeat."""

    start: int
    body: int
    end: int
    header: str


def _starts_table(lines: list[str], i: int) -> bool:
    """Line ``i`` is the header of a new Markdown table: a row with a rule under it."""
    return is_table_row(lines[i]) and i + 1 < len(lines) and bool(_RULE.match(lines[i + 1]))


def _group_label(lines: list[str], i: int) -> bool:
    """A short line between two rows of one table, grouping the rows below it ("Capital DEL");
    not a caption above a new table."""
    return (0 < len(lines[i].split()) <= MAX_GROUP_WORDS and i + 1 < len(lines)
            and is_table_row(lines[i + 1]) and not _starts_table(lines, i + 1))


def _mostly_figures(line: str) -> bool:
    """A row whose cells after the first are mostly numbers: data, never a header (years such
    as "2023" or "2016-17" name columns, so they are not figures here)."""
    cells = [c for c in _cells(line)[1:] if c]
    figures = sum(bool(_FIGURE.fullmatch(c)) and not _YEAR.fullmatch(c) for c in cells)
    return bool(cells) and figures * 2 > len(cells)


def _cells(line: str) -> list[str]:
    """A row's cells, without the border bars at either end ("| a | b |", "a | b |")."""
    stripped = line.strip()
    stripped = stripped[1:] if stripped.startswith("|") else stripped
    stripped = stripped[:-1] if stripped.endswith("|") else stripped
    return [cell.strip() for cell in stripped.split("|")]


def _names_more_columns(lines: list[str], first: int, i: int) -> bool:
    """The row at ``i`` completes the header at ``first``: the header has cells merged across
    columns (a blank cell between two named ones, "Included in: | | | | Removal date"), or the
    row names more columns than the header and is not data ("Estimate | Plans" over
    "2016-17 | 2017-18 | 2018-19")."""
    if i >= len(lines) or not is_table_row(lines[i]) or _starts_table(lines, i):
        return False
    header = _cells(lines[first])
    named = [n for n, cell in enumerate(header) if cell]
    merged = any(not cell for cell in header[named[0]:named[-1]]) if named else False
    row = _cells(lines[i])
    below = sum(bool(cell) for cell in row)
    # a header blank over the row labels ("| | Visitor type | Maximum stay |") over a labelled
    # row of no more cells ("| (c) | Transit Visitor | up to 48 hours |") is data; a row naming
    # more columns has more cells ("| | | Forecast" over " | 2015 | 2016 | 2017 | 2018")
    labelled = bool(header) and not header[0] and bool(row) and bool(row[0]) and \
        len(row) <= len(header)
    return merged or (not labelled and below > len(named) and not _mostly_figures(lines[i]))


def table_heads(text: str) -> list[TableHead]:
    """Every table of two or more body rows in ``text``, with its header."""
    heads: list[TableHead] = []
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    i = 0
    while i < len(lines):
        if not is_table_row(lines[i]) or _RULE.match(lines[i]):
            i += 1
            continue
        first = i
        i += 1
        if i < len(lines) and _RULE.match(lines[i]):
            i += 1  # a Markdown table's rule belongs to the header
        if _names_more_columns(lines, first, i):
            i += 1  # the header's second row names its columns ("England | Wales")
        body = i
        while i < len(lines) and not _RULE.match(lines[i]) and not _starts_table(lines, i) and (
                is_table_row(lines[i]) or _group_label(lines, i)):
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
