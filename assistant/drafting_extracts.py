"""Offline letter extracts as text: one line per list item or table row, no leading metadata.

``assistant.extractive`` renders an extract as 'From *title*:' and quoted lines; a letter needs
the quoted lines themselves, without the document's reference, owner and date lines.
"""

from __future__ import annotations

import re

from assistant.passages import HEADING_MARK


def one_line(text: str) -> str:
    """All whitespace collapsed to single spaces (the fallback when no rendered passage fits)."""
    return " ".join(text.split())


def passage_lines(passage: str) -> list[str]:
    """The quoted lines of one rendered extract ('From *title*:\\n\\n> text [n]'): list items
    and table rows keep a line each, and '…' marks text left out. A heading line shown in the
    quote ("§ Outside Greater London") is kept as its words."""
    body = re.sub(r"\s*\[\d+\]\s*$", "", passage.strip().split("\n\n", 1)[-1])
    lines: list[str] = []
    gap = False
    for raw in body.splitlines():
        line = re.sub(r"^>\s?", "", raw).strip().removeprefix(HEADING_MARK)
        if line == "…":
            gap = True
        elif line:
            lines.append(f"… {line}" if gap and not line.startswith("…") else line)
            gap = False
    return lines


_DAY = r"\d{1,2} [A-Z][a-z]+ \d{4}"
# document metadata sentences, each ending in a full stop or the end of the text ("31 January
# 2026 is the deadline" is a sentence, not metadata), a labelled one also at a line break (a web
# page's "Published / 3 February 2023 / Last updated / 9 April 2025" lines), and a gap marker
_METADATA = re.compile(
    rf"^(?:(?:Reference:?\s+[A-Za-z0-9][\w/-]*\d[\w/-]*|Owner:\s[^.\n]{{1,80}}|Version:?\s+\d"
    rf"(?:[\d.]*\d)?|(?:Last updated|Updated|Published|Review date):?\s+{_DAY})"
    # a labelled item may end at a line break (a web page writes them a line each)
    r"(?:\.\s+|\.?\s*$|[ \t]*\n\s*)"
    # a date alone is metadata only as a sentence of its own ("6 April 2025" on a line above
    # "The weekly rate rises..." is the date the rule starts)
    rf"|{_DAY}(?:\.\s+|\.?\s*$)|…\s*)+")


def strip_metadata(text: str, title: str) -> str:
    """``text`` without the document metadata it starts with ('Reference DfHS-OPS-207.',
    'Owner: ... Team.', 'Last updated: 2 June 2025'), nor a title run into them."""
    rest = text.removeprefix(title).lstrip() if title and text.startswith(title) else text
    stripped = _METADATA.sub("", rest, count=1)
    return stripped.strip() if stripped != rest else text.strip()
