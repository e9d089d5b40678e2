"""Guidance text as units: the sentences and list items an offline answer chooses from.

A chunk's text is split into paragraphs, list items and table rows, under the last heading line
above them. Loaders write headings in different ways (Markdown "#", a short line between
finished sentences, a numbered section heading in Word or PDF text), and a numbered list must not
be taken for headings: the rules are here, apart from how units are scored and quoted
(``assistant.extractive``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass

_ITEM = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_NUMBERED_ITEM = re.compile(r"^(\d{1,2})[.)]\s+")
_SECTION_NUMBER = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3}\.?)\s+(?=[A-Z])")
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"')\]”]))\s+(?=[A-Z0-9\"'(“£])")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "mr.", "mrs.", "dr.", "no.", "st.")
# a rule or paragraph number that opens its sentence ("CHI 1.1.", "3.19.", "SN 1.9.", "(b)")
_RULE_LABEL = re.compile(r"(?:[A-Z]{1,6} ?)?\d+(?:\.\d+)*[A-Za-z]?\.?|\(?[a-z]{1,4}\)")
# lines that are layout, not text: a Markdown table's separator row, a GOV.UK abbreviation line
_LAYOUT = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$|^\*\[[^\]]+\]:")
_ABBREVIATION = re.compile(r"\s*\*\[[A-Za-z0-9&' ]{1,20}\]:.*$")
# a line ending in a word that needs more ("... of", "... and") is no heading
_OPEN_END = re.compile(r"\b(?:and|or|of|the|a|an|to|for|with|by|in|on|about|from)$", re.I)


# a lead-in ends in a colon, or, as the Immigration Rules write it, in a dash: "if at the date
# of application-", "the applicant must -", "as follows:-", "(as applicable)-"
_LEAD_IN_END = re.compile(r"(?::|(?<=[a-z])-|\s[-–—]|(?<=[a-z])[–—]|(?<=[:)])[-–—])\s*$")


def leads_in(text: str) -> bool:
    """Whether ``text`` introduces a list ("You must:", "if at the date of application-")."""
    return bool(_LEAD_IN_END.search(text))


_LABELS = (("sub-clause", re.compile(r"\((?:i{1,3}|iv|vi{0,3}|ix|x)\)\s")),  # "(c) ...:", "(i)"
           ("clause", re.compile(r"\(?[a-z]{1,4}\)\s")),
           ("rule", re.compile(r"(?:[A-Z]{1,6} ?)?\d+(?:\.\d+)*(?:\.[A-Z])?\.?\s")))


def label_kind(text: str) -> str | None:
    """How an item is numbered: "(a)" a clause, "CR 3.3." or "TB4." a rule; None if it is not."""
    return next((kind for kind, label in _LABELS if label.match(text)), None)


@dataclass(frozen=True)
class Unit:
    """A sentence or list item of one source, in that source's order."""

    source: int  # rank of the source, 0 = best
    position: int
    text: str
    is_item: bool
    heading: str = ""  # the last heading line above it in its chunk ("Outside Greater London")
    depth: int = 0  # a list item's indent: an item of a nested list is deeper than its lead-in


def text_lines(text: str) -> list[str]:
    """A chunk's lines as its heading lines are compared: trimmed, Markdown "#" marks dropped."""
    return [line.strip().lstrip("#").strip() for line in text.splitlines()]


def split_units(text: str, source: int = 0, headings: Collection[str] = (),
                folded: Collection[str] = ()) -> list[Unit]:
    """Sentences and list items of ``text`` (headings dropped), keeping their wording.

    ``headings``: lines known to be headings (the chunk's section path), whatever they look like:
    "Who to complain to" ends in a word that needs more, yet heads its section. ``folded``: the
    sibling sections a chunk of several small ones is labelled with ("If you pay your employee;
    If you don't pay your employee"). Ingest leaves out the heading line of one whose first
    sentence repeats its heading, so such a sentence, not under a heading line, starts it."""
    lines = set(text_lines(text))
    unseen = tuple(sorted((h.strip() for h in folded if h.strip() not in lines
                           and len(h.split()) >= 2), key=len, reverse=True))  # longest first
    units: list[Unit] = []
    for block, is_item, heading, depth in _blocks(text, frozenset(h.strip() for h in headings),
                                                  unseen):
        pieces = [block] if is_item else _sentences(block)
        for piece in pieces:
            # a value on its own line under a lead-in ("recorded in this format:" then
            # "SC-242-25-01234") is the lead-in's one item: quoted with it, never dropped as short
            shown = is_item or (len(piece.split()) < 3 and bool(units)
                                and leads_in(units[-1].text) and len(block.split()) < 3)
            units.append(Unit(source, len(units), piece, shown, heading, depth))
    return units


def _blocks(text: str, known: frozenset[str] = frozenset(), unseen: Sequence[str] = ()
            ) -> Iterator[tuple[str, bool, str, int]]:
    paragraph: list[str] = []
    previous = ""
    # the last line with text: a line under a lead-in ("in this format:") is what the lead-in
    # introduces, not a heading
    last_text = ""
    current = ""  # the last heading line seen
    under_heading = False  # no text since the last heading line
    lines = [*text.splitlines(), ""]
    numbered_headings = _numbered_headings(lines)
    item: list[str] = []  # a list item's lines: PDF text wraps an item without an indent
    item_depth = 0
    for number, line in enumerate(lines):
        stripped = line.strip()
        if _LAYOUT.match(stripped):
            continue
        stripped = _ABBREVIATION.sub("", stripped)  # "*[DWP]: Department for..." run on
        # a table row is a line of its own, like a list item: a chosen row brings its table
        is_row = is_table_row(stripped)
        following = lines[number + 1].strip() if number + 1 < len(lines) else ""
        numbered = number in numbered_headings
        is_item = (bool(_ITEM.match(line)) or is_row) and not numbered
        if item and stripped and not is_item and not numbered and wraps(item[-1], stripped):
            item.append(stripped)  # "• if the death occurred in prison or in" "police custody"
            previous = last_text = stripped
            continue
        if item:
            yield " ".join(item), True, current, item_depth
            item = []
        heading = not is_row and (numbered or stripped.startswith("#") or stripped in known or (
            not leads_in(last_text) and _looks_like_heading(stripped, previous, following)))
        callout = not heading and stripped.casefold() in _CALLOUTS
        if (not stripped or is_item or heading or callout) and paragraph:
            yield " ".join(paragraph), False, current, 0
            paragraph = []
        if callout:  # "Example" on its own, never run into the sentence under it
            yield stripped, False, current, 0
            previous = last_text = stripped
            continue
        if heading:
            current = stripped.lstrip("#").strip()
        elif stripped and not paragraph and not is_item and not is_row and not under_heading:
            current = next((h for h in unseen if h != current
                            and stripped.casefold().startswith(h.casefold())), current)
        if stripped:
            under_heading = heading
        if is_row:
            yield stripped, True, current, 0
        elif is_item:
            item, item_depth = [_ITEM.sub("", line).strip()], len(line) - len(line.lstrip())
        elif stripped and not heading:
            paragraph.append(stripped)
        previous = stripped
        last_text = stripped or last_text


# a numbered paragraph's, section's or sub-clause's label starting a line
_LINE_LABEL = re.compile(r"(\d{1,4}(?:\.\d{1,3})*[.)]?|\([a-z]{1,4}\)|[a-z]\))\s+(?=\S)")


def wraps(line: str, following: str) -> bool:
    """Whether ``following`` carries on a list item's ``line``: the item is unfinished (no
    closing punctuation) and the next line starts in lower case, or the item ends in a word
    that needs more ("... in prison or in" then "police custody or"), or the next line
    finishes its sentence ("... additional State" then "Pension. Carer's Credit can ...") or
    is a short tail ("... and ends on 31" then "December 2007;"), or a number carries on a
    word ("... attend an examination every" then "12 months with a consultant")."""
    if not line or line[-1] in ".!?:;":
        return False
    label = _LINE_LABEL.match(following)
    if label and not (label.group(1).isdigit() and following[label.end():][:1].islower()):
        return False  # "329. For so long as ...", "3.19 The ...", "4 How to claim", "(a) ..."
    first = following.split(maxsplit=1)[0]
    return (following[0].islower() or line[-1] in ",-–" or bool(_OPEN_END.search(line))
            or first[-1] in ".;,"  # "State" then "Pension. Carer's Credit can also help"
            or (following[-1] in ".;," and len(following.split()) <= 3)
            or (following[0].isdigit() and line[-1].islower()))  # "every" then "12 months"


def is_table_row(line: str) -> bool:
    """A line that is a table row: a Markdown pipe row, or cells joined by " | " (as loaders
    write HTML and Word tables)."""
    stripped = line.strip()
    return stripped.startswith("|") or " | " in stripped


def _numbered_headings(lines: Sequence[str]) -> set[int]:
    """Lines that are numbered section headings ("4. Carry over", "2.1 Basic entitlement"), as
    Word and PDF text carry them once small sections are folded into one chunk. A candidate
    reads as a heading, is no table row, does not continue a numbered list (its nearest
    non-blank neighbour is not the item numbered one before or after it, blank lines or not:
    "1. Check you're eligible", "2. Apply online"), and another candidate is its sibling or its
    parent or child ("3." beside "4.", "2." above "2.1"): a lone "3. Send it to your manager" at
    the start of a chunk is a list's last item, and "12 Months" is no section."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    candidates: dict[int, tuple[str, ...]] = {}
    for at, i in enumerate(filled):
        line = lines[i].strip()
        found = _SECTION_NUMBER.match(line)
        if not found or is_table_row(line):  # "25 August 2025 | 22 August" is a table's row
            continue
        number = tuple(found.group(1).rstrip(".").split("."))
        previous = lines[filled[at - 1]].strip() if at else ""
        following = lines[filled[at + 1]].strip() if at + 1 < len(filled) else ""
        if _continues_list(number, previous, -1) or _continues_list(number, following, 1):
            continue
        # the line right before: a blank line or another heading ends what came before
        before = lines[i - 1].strip() if i else ""
        before = "" if _SECTION_NUMBER.match(before) else before
        after = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if _looks_like_heading(line[found.end():], before, after):
            candidates[i] = number
    return {i for i, number in candidates.items()
            if any(j != i and _related(number, other) for j, other in candidates.items())}


def _continues_list(number: tuple[str, ...], neighbour: str, step: int) -> bool:
    """Whether ``neighbour`` is the numbered list item before (step -1) or after (+1) an item
    numbered ``number``: "2. Apply online" after "1. Check you're eligible"."""
    found = _NUMBERED_ITEM.match(neighbour)
    return len(number) == 1 and found is not None and \
        int(found.group(1)) == int(number[0]) + step


def _related(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Section numbers of siblings ("3" and "4", "2.1" and "2.2") or of a parent and a child."""
    if a == b:
        return False
    if len(a) == len(b) == 1:  # next to each other: "3." and "4.", not a list's "1." and "3."
        return a[0].isdigit() and b[0].isdigit() and abs(int(a[0]) - int(b[0])) == 1
    if len(a) == len(b):  # "3.2" and "3.4" in one chunk (a subsection between them elsewhere)
        return a[:-1] == b[:-1]
    short, long = sorted((a, b), key=len)
    return long[: len(short)] == short


def section_depth(heading: str) -> int:
    """How many levels a heading's number has ("4." -> 1, "2.2.1" -> 3; 0: no number)."""
    found = _SECTION_NUMBER.match(heading)
    return found.group(1).rstrip(".").count(".") + 1 if found else 0


# a heading that starts with a figure has at least two words of letters, and no amount ("£7,280",
# "65.45"), percentage or run of figures
_FIGURE_HEADING = re.compile(
    r"^(?![^\n]*(?:[£%]|\d[\d,.]*\s+\d|\d\.\d\d\b))(?=(?:.*?\b[A-Za-z]{2,}\b){2})")


# GOV.UK's example boxes start with a line "Example": a label of the box, not a heading of what
# follows it (two reviewers saw the rule after an example quoted under "§ Example")
_CALLOUTS = frozenset({"example", "examples"})


FOLDED_HEADING_WORDS = 20


def _looks_like_heading(line: str, previous: str, following: str) -> bool:
    """A short line with no closing punctuation between finished sentences (PDF and DOCX text
    carry headings as plain lines; a wrapped sentence continues in lower case).

    A line starting with a figure ("9 to 56 weeks after the child's death", "2024 to 2025
    academic year", "245E. Purpose") is a heading only in the shape ingest gives a folded
    section's heading: after a blank line (or first), with its text on the very next line. A
    figure after a finished sentence ("Pay is due." then "12 Months") stays text, and so does a
    line of data (a table row "2 £7,280 £7,460", "100%", a phone number "0800 731 0469": PDF text
    starts chunks and paragraphs with such lines); a numbered line ("3. Send it") is left to the
    list and numbered-heading rules."""
    if not line or line[-1] in ".,;:?!)\"'’”" or _OPEN_END.search(line) \
            or line.casefold() in _CALLOUTS:
        return False
    if line[0].isdigit():
        if previous or not following or _ITEM.match(line) or _SECTION_NUMBER.match(line) \
                or not _FIGURE_HEADING.match(line):
            return False
    elif not line[0].isupper():
        return False
    finished = not previous or previous[-1] in ".?!:"
    starts_new = not following or following[0].isupper() or following[0] in "-*•0123456789"
    # in the shape ingest gives a folded section's heading (after a blank line, its text on
    # the very next line) a heading may be long: "If one or more of your children were born
    # on or after 6 April 2017" (14 words) was run into the sentence before it
    folded = not previous and bool(following) and len(line.split()) <= FOLDED_HEADING_WORDS
    return finished and starts_new and (len(line.split()) <= 10 or folded)


def _sentences(paragraph: str) -> list[str]:
    out: list[str] = []
    for piece in _SENTENCE_END.split(paragraph):
        if out and (out[-1].lower().endswith(_ABBREVIATIONS) or _RULE_LABEL.fullmatch(out[-1])):
            out[-1] = f"{out[-1]} {piece}"
        elif piece.strip():
            out.append(piece.strip())
    return out
