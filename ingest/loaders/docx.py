"""Word documents via python-docx: heading styles build the path, tables become cell rows, list
items and numbered headings keep the numbers Word shows (``docx_numbering``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from assistant.errors import LoadError
from assistant.types import LoadedDocument
from ingest.loaders.docx_numbering import ListNumbering
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


def load_docx(path: Path) -> LoadedDocument:
    """A .docx file as sections under its Title and Heading 1..n paragraphs."""
    try:
        document = docx.Document(str(path))
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:  # python-docx raises zip, XML and key errors on damaged files
        raise LoadError(f"damaged Word document: {brief(exc)}; re-save it and retry") from exc
    builder = SectionBuilder()
    numbering = ListNumbering(document)
    title_style_text: str | None = None
    items: list[str] = []  # consecutive list paragraphs, kept as one block
    for block in _blocks(document.element.body, document._body):
        text, label = "", None
        if isinstance(block, Paragraph):
            text = _element_text(block._p)
            label = numbering.label(block._p.pPr, _style_properties(block))
        if isinstance(block, Paragraph) and _is_list_item(block) and text.strip():
            items.append(f"{label or '-'} {text.strip()}")
            continue
        if items:
            builder.add("\n".join(items))
            items = []
        if isinstance(block, Table):
            builder.add(table_text(block, numbering))
            continue
        level = _heading_level(block)
        if level is None:
            builder.add(_numbered(label, text))  # "3.2 Staff must ...", numbered by its style
            continue
        if level == 0 and title_style_text is None:
            title_style_text = one_line(text) or None
        builder.heading(level, _numbered(label, text))  # "2.1 Eligibility", as Word shows it
    if items:
        builder.add("\n".join(items))
    sections = builder.build()
    if not sections:
        raise LoadError("no text: the Word document has no readable text")
    core = document.core_properties
    title = one_line(core.title or "") or title_style_text or first_heading(sections)
    updated = to_iso_date(core.modified) or to_iso_date(core.created)
    return LoadedDocument(
        title=title or first_line(sections) or path.stem,
        doc_type="docx",
        sections=sections,
        updated=updated,
    )


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


def table_text(table: Table, numbering: ListNumbering | None = None) -> str:
    """A table as lines of 'cell | cell': each cell once (merged cells are one ``w:tc``), rows
    and cells inside content controls (repeating sections) included, numbered paragraphs in
    cells with their numbers, nested tables' text inside their cell."""
    lines = []
    for row in _parts(table._tbl, (_ROW,)):
        cells = [one_line(_cell_text(cell, table, numbering)) for cell in _parts(row, (_CELL,))]
        if any(cells):
            lines.append(" | ".join(cells))
    return "\n".join(lines)


_ROW, _CELL = qn("w:tr"), qn("w:tc")


def _cell_text(cell: Any, parent: Any, numbering: ListNumbering | None) -> str:
    """A cell's paragraphs (and nested tables') in order, numbered ones with their number."""
    if numbering is None:
        return _element_text(cell)
    out = []
    for p in cell.iter(_P):
        if _inside(p, cell, {_P, *_SKIPPED}):
            continue  # a text box's paragraphs are read with the paragraph holding it
        paragraph = Paragraph(p, parent)
        text = _element_text(p)
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
# tracked deletions, text moved away, and the copy Word keeps for old readers (mc:Fallback)
_SKIPPED = {qn("w:del"), qn("w:moveFrom"),
            "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}


def _element_text(element: Any) -> str:
    """The text of a paragraph or cell as Word shows it: runs inside tracked insertions,
    hyperlinks and content controls included (python-docx's ``.text`` drops them), tracked
    deletions left out, tabs as spaces and breaks as line breaks."""
    out: list[str] = []
    for node in element.iter():
        if node.tag not in (_TEXT, _HYPHEN, *_TAB, *_BREAKS, _PARAGRAPH):
            continue
        if any(a.tag in _SKIPPED for a in node.iterancestors()):
            continue
        if node.tag == _TEXT:
            out.append(node.text or "")
        elif node.tag == _HYPHEN:
            out.append("-")
        elif node.tag in _TAB:
            out.append(" ")
        elif node.tag in _BREAKS or (node.tag == _PARAGRAPH and out and node is not element):
            out.append("\n")
    return "".join(out)
