"""Word list numbering as Word displays it ("1.", "(a)", "2.1", "iv)"), which python-docx does not
compute: the numbers live in ``numbering.xml`` as level formats and are counted at display time.

A paragraph is numbered by its own ``w:numPr`` or its style's (``List Number`` and numbered
heading styles). Each ``w:num`` points to an abstract definition whose levels give a format
(decimal, letters, roman numerals, bullet, none) and a text pattern such as ``%1.%2``. Counters are
kept per abstract definition, as Word does, so two lists sharing one definition continue each
other's numbers unless a ``w:num`` restarts a level (``w:startOverride``); a level's counter
restarts whenever a shallower level advances. Anything missing or malformed gives no label, and
the loader falls back to a plain bullet: numbering is never a reason to fail a document.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

_VAL = qn("w:val")
_MAX_LEVELS = 9


@dataclass(frozen=True)
class _Level:
    fmt: str
    text: str
    start: int


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _child_val(element: Any, tag: str) -> str | None:
    found = element.find(qn(tag)) if element is not None else None
    value = found.get(_VAL) if found is not None else None
    return str(value) if value is not None else None


def _letters(n: int) -> str:
    # Word repeats the letter past z: a..z, aa..zz, aaa..
    if n < 1:
        return str(n)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _roman(n: int) -> str:
    if not 0 < n < 4000:
        return str(n)
    out = []
    for value, numeral in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"),
                           (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"),
                           (4, "iv"), (1, "i")):
        count, n = divmod(n, value)
        out.append(numeral * count)
    return "".join(out)


def format_number(n: int, fmt: str) -> str:
    """``n`` in one of Word's number formats (unknown formats as decimal)."""
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "none":
        return ""
    return str(n)


class ListNumbering:
    """Labels for numbered paragraphs, in document order (call ``label`` once per paragraph)."""

    def __init__(self, document: Any) -> None:
        self._abstract: dict[str, dict[int, _Level]] = {}
        self._num_abstract: dict[str, str] = {}
        self._overrides: dict[str, dict[int, int]] = {}
        self._counters: dict[str, list[int | None]] = {}
        self._started: set[str] = set()
        try:
            root = document.part.part_related_by(RT.NUMBERING).element
        except (AttributeError, KeyError, ValueError):
            root = None  # no numbering part: nothing is numbered
        if root is None:
            return
        for abstract in root.findall(qn("w:abstractNum")):
            levels: dict[int, _Level] = {}
            for lvl in abstract.findall(qn("w:lvl")):
                ilvl = _int(lvl.get(qn("w:ilvl")), -1)
                if 0 <= ilvl < _MAX_LEVELS:
                    levels[ilvl] = _Level(_child_val(lvl, "w:numFmt") or "decimal",
                                          _child_val(lvl, "w:lvlText") or "",
                                          _int(_child_val(lvl, "w:start"), 1))
            self._abstract[str(abstract.get(qn("w:abstractNumId")))] = levels
        for num in root.findall(qn("w:num")):
            num_id = str(num.get(qn("w:numId")))
            abstract_id = _child_val(num, "w:abstractNumId")
            if abstract_id is None:
                continue
            self._num_abstract[num_id] = abstract_id
            for override in num.findall(qn("w:lvlOverride")):
                start = _child_val(override, "w:startOverride")
                if start is not None:
                    ilvl = _int(override.get(qn("w:ilvl")), 0)
                    self._overrides.setdefault(num_id, {})[ilvl] = _int(start, 1)

    def label(self, paragraph_properties: Any, style_properties: Iterator[Any]) -> str | None:
        """The label of a paragraph ("3.", "(b)", "-" for a bullet), or None if not numbered.

        ``paragraph_properties`` is the paragraph's ``w:pPr``; ``style_properties`` its style
        chain's, nearest first. Advances the counters: call once per paragraph, in order."""
        num_id, ilvl = self._num_pr(paragraph_properties)
        if num_id is None:
            for properties in style_properties:
                num_id, style_ilvl = self._num_pr(properties)
                if num_id is not None:
                    ilvl = ilvl if ilvl is not None else style_ilvl
                    break
        if num_id is None or num_id == "0":  # numId 0 switches numbering off
            return None
        abstract_id = self._num_abstract.get(num_id)
        levels = self._abstract.get(abstract_id) if abstract_id is not None else None
        level_no = min(max(ilvl or 0, 0), _MAX_LEVELS - 1)
        if not levels or level_no not in levels:
            return None
        assert abstract_id is not None
        level = levels[level_no]
        if level.fmt == "bullet":
            return "-"
        counters = self._counters.setdefault(abstract_id, [None] * _MAX_LEVELS)
        override = self._overrides.get(num_id, {})
        restart = num_id not in self._started and level_no in override
        self._started.add(num_id)
        current = counters[level_no]
        if restart or current is None:
            counters[level_no] = override.get(level_no, level.start)
        else:
            counters[level_no] = current + 1
        for deeper in range(level_no + 1, _MAX_LEVELS):
            counters[deeper] = None
        return self._render(level.text, levels, counters).strip() or None

    @staticmethod
    def _num_pr(properties: Any) -> tuple[str | None, int | None]:
        num_pr = properties.find(qn("w:numPr")) if properties is not None else None
        if num_pr is None:
            return None, None
        num_id = _child_val(num_pr, "w:numId")
        ilvl = _child_val(num_pr, "w:ilvl")
        return num_id, (_int(ilvl, 0) if ilvl is not None else None)

    @staticmethod
    def _render(pattern: str, levels: dict[int, _Level], counters: list[int | None]) -> str:
        out = []
        i = 0
        while i < len(pattern):
            char = pattern[i]
            if char == "%" and i + 1 < len(pattern) and pattern[i + 1].isdigit():
                ref = int(pattern[i + 1]) - 1
                value = counters[ref] if 0 <= ref < _MAX_LEVELS else None
                level = levels.get(ref)
                if value is None:  # a shallower level never started: Word shows its start
                    value = level.start if level else 1
                out.append(format_number(value, level.fmt if level else "decimal"))
                i += 2
                continue
            out.append(char)
            i += 1
        return "".join(out)
