"""New Word documents set up for UK use: A4 pages, British English proofing, and properties
that say when the file was made (python-docx's blank template is US Letter, US English, and
dated 2013)."""

from __future__ import annotations

from datetime import UTC, datetime

from docx import Document
from docx.document import Document as WordDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

A4_WIDTH, A4_HEIGHT = Mm(210), Mm(297)
MARGIN = Mm(25)
LANGUAGE = "en-GB"


def uk_document(title: str = "") -> WordDocument:
    """A blank Word document: A4 with 25 mm margins, en-GB, created and modified now, no author."""
    document = Document()
    for section in document.sections:
        section.page_width, section.page_height = A4_WIDTH, A4_HEIGHT
        section.left_margin = section.right_margin = MARGIN
        section.top_margin = section.bottom_margin = MARGIN
    _set_language(document)
    theme = document.settings.element.find(qn("w:themeFontLang"))
    if theme is not None:
        theme.set(qn("w:val"), LANGUAGE)
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    properties = document.core_properties
    properties.created = properties.modified = now
    printed = properties._element.find(qn("cp:lastPrinted"))  # the template's 2013 date
    if printed is not None:
        properties._element.remove(printed)
    properties.author = properties.last_modified_by = properties.comments = ""
    properties.revision = 1
    properties.title = title
    return document


def _set_language(document: WordDocument) -> None:
    """British English for the document's default run properties (spelling and grammar)."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    properties = run_defaults.find(qn("w:rPr")) if run_defaults is not None else None
    if properties is None:
        return
    language = properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        properties.append(language)
    language.set(qn("w:val"), LANGUAGE)
