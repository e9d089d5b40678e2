"""Word documents via python-docx: heading styles (or short all-bold paragraphs) build the path,
tables become cell rows, list items and numbered headings keep the numbers Word shows
(``docx_numbering``) and nested items are indented, and each footnote or endnote follows the
paragraph that cites it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.coreprops import CoreProperties
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from assistant.errors import LoadError
from assistant.types import LoadedDocument, Section
from ingest.loaders.docx_numbering import ListNumbering, format_number
from ingest.loaders.sections import (
    SectionBuilder,
    brief,
    first_heading,
    first_line,
    one_line,
    to_iso_date,
)

_HEADING = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_LIST_STYLE = re.compile(r"^list", re.IGNORECASE)
_NESTED_LIST_STYLE = re.compile(r"^list\b.*\s([2-9])$", re.IGNORECASE)  # "List Bullet 2"
BOLD_HEADING_LEVEL = 10  # a short all-bold paragraph: a heading below Word's nine outline levels
MAX_BOLD_HEADING_WORDS = 12
_NOT_HEADING_END = re.compile(r"[.!;,:]$")  # a sentence or a lead-in ("You must:"), not a heading
# titles that name a template, a program or a file rather than the document (as the PDF loader's)
_JUNK_TITLE = re.compile(
    r"^(untitled|document\s*\d*|(new )?(microsoft )?word document|microsoft word - .*"
    r"|insert title|title|<<.*>>|\{.*\}|.*\.(docx?|dotx?|odt|pdf|rtf|txt))$",
    re.IGNORECASE,
)
# a bold line that says something (a figure, a verb of being or duty, an instruction) is
# emphasis, not a heading
_STATES_A_FACT = re.compile(
    r"^(never|always|please|do not|don't|remember|make sure)\b"  # an instruction
    r"|^(when|where|if|while|once|before|after|unless)\b[^,]*,\s*\w"  # "Where possible, give"
    r"|^\S+(\s+\S+){0,3}\s+(is|are|was|were|will|must|should|may|cannot|can't|opens?|"
    r"closes?)\s",  # a subject and its verb: "The helpline is open 9am to 5pm"
    re.IGNORECASE)
# a figure a reader needs, a time, a sum, a percentage or a phone number: never only a heading
_FIGURE = re.compile(r"\d\s*(am|pm)\b|£\s?\d|\d+(\.\d+)?%|\b0\d{2,4}\s?\d{3}\s?\d{3,4}\b",
                     re.IGNORECASE)
_ASKS = re.compile(r"(what|who|how|when|where|why|which)\b", re.IGNORECASE)
_LEADING_NUMBER = re.compile(r"^\s*\d{1,2}(\.\d{1,2})*\.?\s+")  # "3. Booking leave"
TEMPLATE_STAMP = "2013-12-23T23:15:00"  # created and modified in python-docx's default template


def load_docx(path: Path) -> LoadedDocument:
    """A .docx file as sections under its Title and Heading 1..n paragraphs."""
    try:
        document = docx.Document(str(path))
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:  # python-docx raises zip, XML and key errors on damaged files
        raise LoadError(f"damaged Word document: {brief(exc)}; re-save it and retry") from exc
    reader = _BodyReader(document)
    sections = reader.read(list(_blocks(document.element.body, document._body)))
    if not sections:
        raise LoadError("no text: the Word document has no readable text")
    core = _core_properties(document)
    title = (_usable_title(core.title if core else None) or reader.title_style_text
             or first_heading(sections))
    return LoadedDocument(
        title=title or first_line(sections) or path.stem,
        doc_type="docx",
        sections=sections,
        updated=_updated(core),
    )


class _BodyReader:
    """The body's paragraphs and tables, in order, into sections."""

    def __init__(self, document: Any) -> None:
        self.title_style_text: str | None = None
        self._builder = SectionBuilder()
        self._numbering = ListNumbering(document)
        self._notes = _Notes(document)
        self._items: list[tuple[int, str]] = []  # consecutive list paragraphs: (depth, line)
        self._item_notes: list[str] = []

    def read(self, blocks: list[Paragraph | Table]) -> tuple[Section, ...]:
        """All sections of ``blocks``."""
        for index, block in enumerate(blocks):
            if isinstance(block, Table):
                self._end_list()
                self._builder.add(table_text(block, self._numbering, self._notes))
                self._add(self._notes.take())
            else:
                self._paragraph(block, blocks, index)
        self._end_list()
        return self._builder.build()

    def _paragraph(self, paragraph: Paragraph, blocks: list[Paragraph | Table], index: int) -> None:
        text = _element_text(paragraph._p, self._notes)
        notes = self._notes.take()
        label = self._numbering.label(paragraph._p.pPr, _style_properties(paragraph))
        if _is_list_item(paragraph) and text.strip():
            self._items.append((_list_depth(paragraph), f"{label or '-'} {text.strip()}"))
            self._item_notes.extend(notes)
            return
        self._end_list()
        level = _heading_level(paragraph)
        if level is None and _is_bold_heading(paragraph, text) and _body_follows(blocks, index):
            level = BOLD_HEADING_LEVEL
        if level is None:
            self._builder.add(_numbered(label, text))  # "3.2 Staff must ...", numbered by style
        else:
            heading = _element_text(paragraph._p) if notes else text  # no "(note 1)" in a path
            if level == 0 and self.title_style_text is None:
                self.title_style_text = one_line(heading) or None
            self._builder.heading(level, _numbered(label, heading))  # "2.1 Eligibility"
        self._add(notes)

    def _end_list(self) -> None:
        """Add the open list as one block, nested items indented two spaces a level."""
        if self._items:
            top = min(depth for depth, _ in self._items)
            self._builder.add("\n".join("  " * (depth - top) + line for depth, line in self._items))
            self._items = []
        self._add(self._item_notes)
        self._item_notes = []

    def _add(self, paragraphs: list[str]) -> None:
        for paragraph in paragraphs:
            self._builder.add(paragraph)


def _usable_title(title: str | None) -> str | None:
    """A core-properties title, unless it is a template's, a program's or a file's name."""
    text = one_line(title or "")
    if _JUNK_TITLE.match(text) or sum(c.isalpha() for c in text) < 3:
        return None
    return text


def _core_properties(document: Any) -> CoreProperties | None:
    """The file's own core properties, or None. python-docx's ``core_properties`` invents them
    (title "Word Document", modified now) when it finds no part under the current relationship
    type, which LibreOffice does not use."""
    for rel in document.part.package.rels.values():
        if not rel.is_external and rel.reltype.lower().endswith("/metadata/core-properties"):
            found = getattr(rel.target_part, "core_properties", None)
            if isinstance(found, CoreProperties):
                return found
    return None


def _updated(core: CoreProperties | None) -> str | None:
    """The date last modified (or created), unless it is python-docx's template's date."""
    dates = (core.modified, core.created) if core is not None else ()
    real = [d for d in dates if d is not None and d.strftime("%Y-%m-%dT%H:%M:%S") != TEMPLATE_STAMP]
    return next((found for found in map(to_iso_date, real) if found), None)


def _style_name(paragraph: Paragraph) -> str:
    try:
        style = paragraph.style
    except (KeyError, ValueError):
        return ""
    return str(style.name) if style is not None and style.name else ""


_P, _TBL = qn("w:p"), qn("w:tbl")
_WRAPPERS = {qn("w:sdt"): qn("w:sdtContent"), qn("w:customXml"): None,
             qn("w:ins"): None, qn("w:moveTo"): None}


def _blocks(body: Any, parent: Any) -> Iterator[Paragraph | Table]:
    """Paragraphs and tables in document order, including those inside block-level content
    controls (``w:sdt``, common in form-like templates), custom XML and tracked insertions,
    which python-docx's ``iter_inner_content`` skips."""
    for child in _parts(body, (_P, _TBL)):
        yield Paragraph(child, parent) if child.tag == _P else Table(child, parent)


def _parts(element: Any, tags: tuple[str, ...], depth: int = 0) -> Iterator[Any]:
    """Children of ``element`` with one of ``tags``, looking inside content controls, custom
    XML and tracked insertions."""
    for child in element.iterchildren():
        if child.tag in tags:
            yield child
        elif child.tag in _WRAPPERS and depth < 10:
            inner = _WRAPPERS[child.tag]
            holder = child.find(inner) if inner is not None else child
            if holder is not None:
                yield from _parts(holder, tags, depth + 1)


def _style_properties(paragraph: Paragraph) -> Iterator[Any]:
    """The ``w:pPr`` of the paragraph's style and the styles it is based on, nearest first."""
    try:
        style = paragraph.style
        for _ in range(10):  # a based-on loop in a damaged file ends here
            if style is None:
                return
            yield style.element.pPr
            style = style.base_style
    except (KeyError, ValueError, AttributeError):
        return


def _heading_level(paragraph: Paragraph) -> int | None:
    name = _style_name(paragraph)
    if name.lower() == "title":
        return 0
    match = _HEADING.match(name)
    if match:
        return int(match.group(1))
    return _outline_level(paragraph)


def _outline_level(paragraph: Paragraph) -> int | None:
    """A heading made with a custom style or direct formatting: Word's outline level 0-8."""
    holders = [paragraph._p.pPr]
    try:
        style = paragraph.style
        holders.append(style.element.pPr if style is not None else None)
    except (KeyError, ValueError):
        pass
    for properties in holders:
        found = properties.find(qn("w:outlineLvl")) if properties is not None else None
        value = found.get(qn("w:val")) if found is not None else None
        if value is not None and value.isdigit() and int(value) < 9:
            return int(value) + 1
    return None


def _numbered(label: str | None, text: str) -> str:
    """``text`` after its Word number, unless it is a bullet or the text already starts with
    that number as a word of its own (typed by hand as well as numbered)."""
    stripped = text.strip()
    if not label or label == "-" or not stripped:
        return text
    if re.match(rf"{re.escape(label)}(?:\s|$)", stripped):
        return text
    return f"{label} {stripped}"


def _is_list_item(paragraph: Paragraph) -> bool:
    if _heading_level(paragraph) is not None:  # numbered headings ("1. Eligibility") are headings
        return False
    properties = paragraph._p.pPr
    num_pr: Any = properties.numPr if properties is not None else None
    num_id = num_pr.find(qn("w:numId")) if num_pr is not None else None
    if num_id is not None and num_id.get(qn("w:val")) == "0":  # numId 0 switches numbering off
        return False
    return bool(_LIST_STYLE.match(_style_name(paragraph))) or num_pr is not None


def _list_depth(paragraph: Paragraph) -> int:
    """How deeply a list item is nested: its numbering level (``w:ilvl``, its own if it is
    numbered, else its style's) or its style's number ("List Bullet 2" is one level in),
    whichever is deeper."""
    own = paragraph._p.pPr
    if own is not None and own.find(_NUM_PR) is not None:
        level = _ilvl(own) or 0
    else:
        level = next((n for n in map(_ilvl, _style_properties(paragraph)) if n is not None), 0)
    named = _NESTED_LIST_STYLE.match(_style_name(paragraph))
    return max(level, int(named.group(1)) - 1 if named else 0)


def _ilvl(properties: Any) -> int | None:
    found = properties.find(f"{_NUM_PR}/{_ILVL}") if properties is not None else None
    value = found.get(qn("w:val")) if found is not None else None
    return min(int(value), 8) if value is not None and value.isdigit() else None


_NUM_PR, _ILVL, _RUN = qn("w:numPr"), qn("w:ilvl"), qn("w:r")


def _is_bold_heading(paragraph: Paragraph, text: str) -> bool:
    """Whether a paragraph is a heading typed as bold text: short, not a sentence or a lead-in
    (no final full stop or colon), and every run showing text bold."""
    words = text.split()
    if not words or len(words) > MAX_BOLD_HEADING_WORDS or _NOT_HEADING_END.search(text.strip()):
        return False
    line = _LEADING_NUMBER.sub("", text).strip()
    # "What is a fit note" asks; "When the office is closed, call ..." is a sentence
    asks = (line.endswith("?") or _ASKS.match(line) is not None) and not re.search(r"[,:]", line)
    if _FIGURE.search(line) or (not asks and _STATES_A_FACT.search(line)):
        return False  # "Never share ...": emphasis; as a heading its words could not be quoted
    runs = [run for run in paragraph._p.iter(_RUN) if _shows_text(run)]
    return bool(runs) and all(_is_bold(Run(run, paragraph), paragraph) for run in runs)


def _shows_text(run: Any) -> bool:
    if any(a.tag in _SKIPPED for a in run.iterancestors()):
        return False
    return any((t.text or "").strip() for t in run.iter(_TEXT))


def _is_bold(run: Run, paragraph: Paragraph) -> bool:
    """Bold as set on the run, else by its character style, else by the paragraph's style."""
    if run.bold is not None:
        return run.bold
    try:
        styles = [run.style, paragraph.style]
    except (KeyError, ValueError):
        return False
    for style in styles:
        for _ in range(10):  # a based-on loop in a damaged file ends here
            if style is None:
                break
            if style.font.bold is not None:
                return bool(style.font.bold)
            style = style.base_style
    return False


def _body_follows(blocks: list[Paragraph | Table], index: int) -> bool:
    """Whether body text (not a heading, not another bold line, not the end) follows a bold
    paragraph: only then is that paragraph a heading, so no text is left without a section."""
    for block in islice(blocks, index + 1, None):
        if isinstance(block, Table):
            return True
        text = _element_text(block._p)
        if not text.strip():
            continue
        if _heading_level(block) is not None:
            return False
        return _is_list_item(block) or not _is_bold_heading(block, text)
    return False


def table_text(table: Table, numbering: ListNumbering | None = None,
               notes: _Notes | None = None) -> str:
    """A table as lines of 'cell | cell': each cell once (merged cells are one ``w:tc``), rows
    and cells inside content controls (repeating sections) included, numbered paragraphs in
    cells with their numbers, nested tables' text inside their cell."""
    lines = []
    for row in _parts(table._tbl, (_ROW,)):
        cells = [one_line(_cell_text(cell, table, numbering, notes))
                 for cell in _parts(row, (_CELL,))]
        if any(cells):
            lines.append(" | ".join(cells))
    return "\n".join(lines)


_ROW, _CELL = qn("w:tr"), qn("w:tc")


def _cell_text(cell: Any, parent: Any, numbering: ListNumbering | None,
               notes: _Notes | None) -> str:
    """A cell's paragraphs (and nested tables') in order, numbered ones with their number."""
    if numbering is None:
        return _element_text(cell, notes)
    out = []
    for p in cell.iter(_P):
        if _inside(p, cell, {_P, *_SKIPPED}):
            continue  # a text box's paragraphs are read with the paragraph holding it
        paragraph = Paragraph(p, parent)
        text = _element_text(p, notes)
        label = numbering.label(p.pPr, _style_properties(paragraph))
        out.append(_numbered(label, text) if text.strip() else text)
    return "\n".join(out)


def _inside(node: Any, top: Any, tags: set[str]) -> bool:
    """Whether an element between ``node`` and ``top`` (both excluded) has one of ``tags``."""
    parent = node.getparent()
    while parent is not None and parent is not top:
        if parent.tag in tags:
            return True
        parent = parent.getparent()
    return False


_TEXT, _TAB, _BREAKS = qn("w:t"), (qn("w:tab"), qn("w:ptab")), (qn("w:br"), qn("w:cr"))
_PARAGRAPH, _HYPHEN = qn("w:p"), qn("w:noBreakHyphen")
_FOOTNOTE, _ENDNOTE = qn("w:footnoteReference"), qn("w:endnoteReference")
_READ = {_TEXT, _HYPHEN, *_TAB, *_BREAKS, _PARAGRAPH, _FOOTNOTE, _ENDNOTE}
# tracked deletions, text moved away, and the copy Word keeps for old readers (mc:Fallback)
_SKIPPED = {qn("w:del"), qn("w:moveFrom"),
            "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}


def _element_text(element: Any, notes: _Notes | None = None) -> str:
    """The text of a paragraph or cell as Word shows it: runs inside tracked insertions,
    hyperlinks and content controls included (python-docx's ``.text`` drops them), tracked
    deletions left out, tabs as spaces and breaks as line breaks; with ``notes``, footnote and
    endnote references as "(note 1)"."""
    out: list[str] = []
    custom_marks: set[Any] = set()  # a note's own mark ("*"), shown by ``notes.mark`` instead
    after_mark = False
    for node in element.iter():
        if node.tag not in _READ or node in custom_marks:
            continue
        if any(a.tag in _SKIPPED for a in node.iterancestors()):
            continue
        mark = _typed_note_mark(node, out) if node.tag == _TEXT else None
        if notes is not None and node.tag in (_FOOTNOTE, _ENDNOTE):
            mark = notes.mark(node, _custom_mark(node, custom_marks))
        if mark:
            _add_mark(out, mark)
            after_mark = True
        else:  # a word straight after a mark ("(note 1)Staff") is a word of its own
            text = _shown(node, element, bool(out))
            out.append(" " + text if after_mark and text[:1].isalnum() else text)
            after_mark = after_mark and not text
    return "".join(out)


def _shown(node: Any, element: Any, started: bool) -> str:
    """What a node shows: its text, a hyphen, a space for a tab, a line break for a break or
    for a paragraph inside ``element`` (a text box's) once some text has ``started``."""
    if node.tag == _TEXT:
        return str(node.text or "")
    if node.tag == _HYPHEN:
        return "-"
    if node.tag in _TAB:
        return " "
    if node.tag in _BREAKS or (node.tag == _PARAGRAPH and started and node is not element):
        return "\n"
    return ""


def _add_mark(out: list[str], mark: str) -> None:
    """A note's mark after the word it follows but before a full stop or comma there, so that
    it stays in the sentence: "within 12 months of joining (note 1)."."""
    last = out[-1] if out else ""
    if last and last[-1] in ".,;:!?":
        out[-1] = last[:-1] + mark + last[-1]
    else:
        out.append(mark)


_TYPED_MARK = re.compile(r"^\s*(\d{1,3}|[*†‡]{1,3})\s*$")
_AFTER_MARK = re.compile(r"(?:[.,;:!?)\]’”'\"]|[^\W\d_]{3,})$")  # "service.", "service"


def _typed_note_mark(node: Any, out: list[str]) -> str | None:
    """A note number typed in superscript after a word or a full stop ("service.¹"), as
    " (note 1)", so that it is not read as part of the word; not a power ("m²")."""
    match = _TYPED_MARK.match(node.text or "")
    if match is None or not _AFTER_MARK.search("".join(out[-4:])):
        return None
    run = node.getparent()
    align = run.find(f"{qn('w:rPr')}/{qn('w:vertAlign')}") if run is not None else None
    if align is None or align.get(qn("w:val")) != "superscript":
        return None
    return f" (note {match.group(1)})"


def _custom_mark(reference: Any, custom_marks: set[Any]) -> str | None:
    """The mark a note shows instead of its number ("*"): the text after the reference in its
    run, when the reference says one follows (``w:customMarkFollows``)."""
    if reference.get(qn("w:customMarkFollows")) not in ("1", "true", "on"):
        return None
    texts = list(reference.itersiblings(_TEXT))
    custom_marks.update(texts)
    return one_line("".join(t.text or "" for t in texts)) or None


class _Notes:
    """Footnotes and endnotes, which python-docx does not read. Each reference shows as
    "(note 1)", numbered in reading order as Word numbers them, and the note's text is kept for
    a paragraph "Note 1: ..." after the paragraph citing it (``take``)."""

    def __init__(self, document: Any) -> None:
        self._texts = {_FOOTNOTE: _note_texts(document, RT.FOOTNOTES, "w:footnote"),
                       _ENDNOTE: _note_texts(document, RT.ENDNOTES, "w:endnote")}
        self._formats = {_FOOTNOTE: _note_format(document, "w:footnotePr", "decimal"),
                         _ENDNOTE: _note_format(document, "w:endnotePr", "lowerRoman")}
        self._counts = {_FOOTNOTE: 0, _ENDNOTE: 0}
        self._marks: dict[tuple[str, str], str] = {}
        self._pending: list[str] = []

    def mark(self, reference: Any, custom: str | None) -> str:
        """The text standing for a note reference in the paragraph; the note is kept for
        ``take`` the first time it is cited."""
        kind, note_id = reference.tag, str(reference.get(qn("w:id")))
        name = "note" if kind == _FOOTNOTE else "endnote"
        if (kind, note_id) not in self._marks:
            fmt, start = self._formats[kind]
            if custom is None:
                self._counts[kind] += 1
            number = start + self._counts[kind] - 1
            shown = custom or format_number(number, fmt) or str(number)
            self._marks[(kind, note_id)] = shown
            text = self._texts[kind].get(note_id)
            if text:
                self._pending.append(f"{name.capitalize()} {shown}: {text}")
        return f" ({name} {self._marks[(kind, note_id)]})"

    def take(self) -> list[str]:
        """The notes cited since the last call, as paragraphs."""
        taken, self._pending = self._pending, []
        return taken


_SEPARATORS = {"separator", "continuationSeparator", "continuationNotice"}


def _note_texts(document: Any, relationship: str, tag: str) -> dict[str, str]:
    """Each note's text by its id, from ``footnotes.xml`` or ``endnotes.xml``; none when the
    part is missing or damaged (its notes are then lost, not the document)."""
    try:
        root = parse_xml(document.part.part_related_by(relationship).blob)
    except (KeyError, ValueError, SyntaxError):  # lxml's XMLSyntaxError is a SyntaxError
        return {}
    texts = {}
    for note in root.iterchildren(qn(tag)):
        if note.get(qn("w:type")) not in _SEPARATORS:
            texts[str(note.get(qn("w:id")))] = one_line(_element_text(note))
    return texts


def _note_format(document: Any, tag: str, default: str) -> tuple[str, int]:
    """How notes are numbered (Word's number format, first number): the last section's setting,
    else the document's, else Word's default."""
    for holder in (document.element.body.find(qn("w:sectPr")), document.settings.element):
        properties = holder.find(qn(tag)) if holder is not None else None
        if properties is None:
            continue
        fmt = properties.find(qn("w:numFmt"))
        start = properties.find(qn("w:numStart"))
        start_value = start.get(qn("w:val")) if start is not None else None
        return (fmt.get(qn("w:val")) if fmt is not None else default,
                int(start_value) if start_value and start_value.isdigit() else 1)
    return default, 1
