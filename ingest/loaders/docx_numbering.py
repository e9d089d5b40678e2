"""Word list numbering as Word displays it ("1.", "(a)", "2.1", "iv)"), which python-docx does not
compute: the numbers live in ``numbering.xml`` as level formats and are counted at display time.

A paragraph is numbered by its own ``w:numPr`` or its style's (``List Number`` and numbered
heading styles). Each ``w:num`` points to an abstract definition whose levels give a format
(decimal, letters, roman numerals, bullet, none) and a text pattern such as ``%1.%2``. Counters are
kept per abstract definition, as Word does, so two lists sharing one definition continue each
other's numbers unless a ``w:num`` restarts a level (``w:startOverride``); a level's counter
restarts whenever a shallower level advances (or as its ``w:lvlRestart`` says). A ``w:num`` may
also replace a level outright (``w:lvlOverride/w:lvl``); a definition that only links to a list
style (``w:numStyleLink``) takes its levels from that style's numbering; a legal-style level
(``w:isLgl``) shows every level's number in Arabic numerals. Anything missing or malformed gives no
label, and the loader falls back to a plain bullet: numbering is never a reason to fail a
document.
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
    legal: bool = False  # w:isLgl: show every level's number in Arabic numerals
    restart: int | None = None  # w:lvlRestart: restart after this level (1-based); 0: never


def _flag(element: Any, tag: str) -> bool:
    found = element.find(qn(tag)) if element is not None else None
    if found is None:
        return False
    return str(found.get(_VAL, "true")).lower() not in ("0", "false", "off")


def _level(lvl: Any) -> _Level:
    restart = _child_val(lvl, "w:lvlRestart")
    return _Level(_child_val(lvl, "w:numFmt") or "decimal", _child_val(lvl, "w:lvlText") or "",
                  _int(_child_val(lvl, "w:start"), 1), _flag(lvl, "w:isLgl"),
                  _int(restart, -1) if restart is not None else None)


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
        self._num_levels: dict[str, dict[int, _Level]] = {}  # w:lvlOverride/w:lvl
        self._overrides: dict[str, dict[int, int]] = {}  # w:lvlOverride/w:startOverride
        self._counters: dict[str, list[int | None]] = {}
        self._started: set[tuple[str, int]] = set()
        try:
            root = document.part.part_related_by(RT.NUMBERING).element
        except (AttributeError, KeyError, ValueError):
            root = None  # no numbering part: nothing is numbered
        if root is None:
            return
        links: dict[str, str] = {}  # abstractNumId -> the list style it takes its levels from
        for abstract in root.findall(qn("w:abstractNum")):
            abstract_id = str(abstract.get(qn("w:abstractNumId")))
            self._abstract[abstract_id] = self._levels(abstract)
            link = _child_val(abstract, "w:numStyleLink")
            if link:
                links[abstract_id] = link
        for num in root.findall(qn("w:num")):
            num_id = str(num.get(qn("w:numId")))
            points_to = _child_val(num, "w:abstractNumId")
            if points_to is None:
                continue
            self._num_abstract[num_id] = points_to
            for override in num.findall(qn("w:lvlOverride")):
                ilvl = _int(override.get(qn("w:ilvl")), 0)
                start = _child_val(override, "w:startOverride")
                if start is not None:
                    self._overrides.setdefault(num_id, {})[ilvl] = _int(start, 1)
                lvl = override.find(qn("w:lvl"))
                if lvl is not None and 0 <= ilvl < _MAX_LEVELS:
                    self._num_levels.setdefault(num_id, {})[ilvl] = _level(lvl)
        for abstract_id, style_id in links.items():
            target = self._linked_abstract(document, style_id)
            if target is not None and target != abstract_id and target in self._abstract:
                self._num_abstract.update(
                    {n: target for n, a in self._num_abstract.items() if a == abstract_id})

    @staticmethod
    def _levels(abstract: Any) -> dict[int, _Level]:
        levels: dict[int, _Level] = {}
        for lvl in abstract.findall(qn("w:lvl")):
            ilvl = _int(lvl.get(qn("w:ilvl")), -1)
            if 0 <= ilvl < _MAX_LEVELS:
                levels[ilvl] = _level(lvl)
        return levels

    def _linked_abstract(self, document: Any, style_id: str) -> str | None:
        """The abstract definition behind a list style (``w:numStyleLink``): the one its
        ``w:num`` points to whose definition names the style in ``w:styleLink``."""
        try:
            styles = document.styles.element
        except (AttributeError, KeyError, ValueError):
            return None
        for style in styles.findall(qn("w:style")):
            if style.get(qn("w:styleId")) != style_id:
                continue
            num_id, _ = self._num_pr(style.find(qn("w:pPr")))
            return self._num_abstract.get(num_id) if num_id is not None else None
        return None

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
        if abstract_id is None:
            return None
        levels = {**self._abstract.get(abstract_id, {}), **self._num_levels.get(num_id, {})}
        level_no = min(max(ilvl or 0, 0), _MAX_LEVELS - 1)
        if level_no not in levels:
            return None
        level = levels[level_no]
        counters = self._counters.setdefault(abstract_id, [None] * _MAX_LEVELS)
        self._restart_deeper(counters, levels, level_no)
        if level.fmt == "bullet":
            return "-"
        override = self._overrides.get(num_id, {})
        first_use = (num_id, level_no) not in self._started
        self._started.add((num_id, level_no))
        current = counters[level_no]
        if first_use and level_no in override:
            counters[level_no] = override[level_no]
        elif current is None:
            counters[level_no] = level.start
        else:
            counters[level_no] = current + 1
        return self._render(level, levels, counters).strip() or None

    @staticmethod
    def _restart_deeper(counters: list[int | None], levels: dict[int, _Level], used: int) -> None:
        """Level ``used`` (0-based) appears: deeper levels start again, unless their
        ``w:lvlRestart`` names a shallower level only (or 0: never)."""
        for deeper in range(used + 1, _MAX_LEVELS):
            restart = levels[deeper].restart if deeper in levels else None
            if restart is None or (restart > 0 and used + 1 <= restart):
                counters[deeper] = None

    @staticmethod
    def _num_pr(properties: Any) -> tuple[str | None, int | None]:
        num_pr = properties.find(qn("w:numPr")) if properties is not None else None
        if num_pr is None:
            return None, None
        num_id = _child_val(num_pr, "w:numId")
        ilvl = _child_val(num_pr, "w:ilvl")
        return num_id, (_int(ilvl, 0) if ilvl is not None else None)

    @staticmethod
    def _render(level: _Level, levels: dict[int, _Level], counters: list[int | None]) -> str:
        out = []
        pattern, i = level.text, 0
        while i < len(pattern):
            char = pattern[i]
            if char == "%" and i + 1 < len(pattern) and pattern[i + 1].isdigit():
                ref = int(pattern[i + 1]) - 1
                value = counters[ref] if 0 <= ref < _MAX_LEVELS else None
                shown = levels.get(ref)
                if value is None:  # a shallower level never started: Word shows its start
                    value = shown.start if shown else 1
                fmt = shown.fmt if shown is not None else "decimal"
                if level.legal and not fmt.startswith("decimal"):
                    fmt = "decimal"  # legal numbering: Arabic numerals (keeping a leading zero)
                out.append(format_number(value, fmt))
                i += 2
                continue
            out.append(char)
            i += 1
        return "".join(out)
