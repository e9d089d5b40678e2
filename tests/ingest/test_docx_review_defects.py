"""Word defects an admin review found: footnotes lost and their numbers glued to words, template
titles and dates taken as the document's, bold-paragraph headings ignored, nested list items
flattened."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml

from ingest.loaders import load_document

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def add_footnotes(document: Any, notes: dict[int, str], kind: str = "footnote") -> None:
    """Give a document a footnotes (or endnotes) part, which python-docx cannot write: Word's two
    separator notes, then each note's text by id."""
    body = "".join(
        f'<w:{kind} w:id="{note_id}"><w:p><w:r><w:{kind}Ref/></w:r><w:r><w:tab/>'
        f"<w:t>{text}</w:t></w:r></w:p></w:{kind}>" for note_id, text in notes.items())
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{kind}s {W}>'
           f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
           f'</w:{kind}><w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:r>'
           f"<w:continuationSeparator/></w:r></w:p></w:{kind}>{body}</w:{kind}s>")
    content_type = CT.WML_FOOTNOTES if kind == "footnote" else CT.WML_ENDNOTES
    part = Part(PackURI(f"/word/{kind}s.xml"), content_type, xml.encode(), document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES if kind == "footnote" else RT.ENDNOTES)


def cite(paragraph: Any, note_id: int, kind: str = "footnote", custom: str = "") -> None:
    """A note reference at the end of a paragraph, as Word writes it; with its own mark
    ("*") when ``custom`` is given."""
    follows, mark = (' w:customMarkFollows="1"', f"<w:t>{custom}</w:t>") if custom else ("", "")
    paragraph._p.append(parse_xml(
        f'<w:r {W}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
        f'<w:{kind}Reference{follows} w:id="{note_id}"/>{mark}</w:r>'))


def saved(document: Any, path: Path) -> Path:
    document.save(str(path))
    return path


def test_footnotes_follow_the_paragraph_citing_them(tmp_path: Path) -> None:
    document = docx.Document()
    cite(document.add_heading("Transfers in", 1), 7)  # a note on a heading: after it
    cite(document.add_paragraph("A member may transfer in within 12 months of joining."), 2)
    document.add_paragraph("Ask the scheme for a quote.")
    document.add_heading("Transfers out", 1)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Deadline"
    cite(table.cell(0, 1).paragraphs[0], 3)  # a reference before the text: not glued to it
    table.cell(0, 1).paragraphs[0].add_run("Normal pension age")
    add_footnotes(document, {7: "Transfers in are free.",
                             2: "Members who joined before 2015 have 24 months.",
                             3: "Or 12 months before it for a partial transfer."})
    doc = load_document(saved(document, tmp_path / "pension.docx"))
    assert [(s.heading_path, s.text) for s in doc.sections] == [
        (("Transfers in",), "Note 1: Transfers in are free.\n\n"
         "A member may transfer in within 12 months of joining (note 2).\n\n"
         "Note 2: Members who joined before 2015 have 24 months.\n\n"
         "Ask the scheme for a quote."),
        (("Transfers out",), "Deadline | (note 3) Normal pension age\n\n"
         "Note 3: Or 12 months before it for a partial transfer.")]


def test_endnotes_and_notes_with_their_own_mark(tmp_path: Path) -> None:
    document = docx.Document()
    cite(document.add_paragraph("Rates change in April,"), 5, kind="endnote")
    cite(document.add_paragraph("Claims close in May"), 4, custom="*")
    cite(document.add_paragraph("Appeals take a month."), 6)
    add_footnotes(document, {4: "Or June in Scotland.", 6: "Usually."})
    add_footnotes(document, {5: "See the rates table."}, kind="endnote")
    text = load_document(saved(document, tmp_path / "notes.docx")).sections[0].text
    assert text == ("Rates change in April (endnote i),\n\nEndnote i: See the rates table.\n\n"
                    "Claims close in May (note *)\n\nNote *: Or June in Scotland.\n\n"
                    "Appeals take a month (note 1).\n\nNote 1: Usually.")


def test_a_note_number_typed_in_superscript_is_not_glued_to_the_word(tmp_path: Path) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("You get 30 days after five years of continuous service.")
    paragraph.add_run("1").font.superscript = True
    area = document.add_paragraph("The office is 40 m")
    area.add_run("2").font.superscript = True  # a power, not a note
    text = load_document(saved(document, tmp_path / "leave.docx")).sections[0].text
    assert text == ("You get 30 days after five years of continuous service (note 1).\n\n"
                    "The office is 40 m2")


@pytest.mark.parametrize("junk", ["Word Document", "Document", "Document1", "Untitled",
                                  "Microsoft Word - leave policy.docx", "   ", "policy.docx"])
def test_template_and_program_titles_are_not_the_document_title(
        tmp_path: Path, junk: str) -> None:
    document = docx.Document()
    document.core_properties.title = junk
    document.add_heading("Flexible working", 1)
    document.add_paragraph("Staff may vary their hours.")
    assert load_document(saved(document, tmp_path / "flexi.docx")).title == "Flexible working"


@pytest.mark.parametrize("title", ["Flexible Working Hours Scheme",
                                   "Microsoft Word training guide"])
def test_a_real_title_is_kept(tmp_path: Path, title: str) -> None:
    document = docx.Document()
    document.core_properties.title = title
    document.add_paragraph("Staff may vary their hours.")
    assert load_document(saved(document, tmp_path / "flexi.docx")).title == title


def test_properties_under_libreoffices_relationship_are_not_invented(tmp_path: Path) -> None:
    """LibreOffice relates docProps/core.xml by an older type, which python-docx misses: it
    then invents the title "Word Document" and today's date."""
    document = docx.Document()
    document.core_properties.title = ""
    document.add_heading("Pension transfers", 1)
    document.add_paragraph("Transfers must be requested in writing.")
    original = saved(document, tmp_path / "saved.docx")
    path = tmp_path / "libreoffice.docx"
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "_rels/.rels":
                data = data.replace(b"package/2006/relationships/metadata/core-properties",
                                    b"officedocument/2006/relationships/metadata/core-properties")
            target.writestr(item, data)
    doc = load_document(path)
    assert (doc.title, doc.updated) == ("Pension transfers", None)


def test_python_docx_template_dates_are_unknown_and_real_dates_kept(tmp_path: Path) -> None:
    document = docx.Document()  # created and modified 2013-12-23T23:15:00Z, the template's
    document.add_paragraph("Rates for 2025.")
    assert load_document(saved(document, tmp_path / "template.docx")).updated is None
    document.core_properties.created = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
    assert load_document(saved(document, tmp_path / "created.docx")).updated == "2025-03-04"
    document.core_properties.modified = datetime(2025, 6, 7, 10, 0, tzinfo=UTC)
    assert load_document(saved(document, tmp_path / "modified.docx")).updated == "2025-06-07"


def bold(document: Any, text: str) -> None:
    document.add_paragraph().add_run(text).bold = True


def test_short_bold_paragraphs_are_headings_below_heading_styles(tmp_path: Path) -> None:
    document = docx.Document()
    bold(document, "Occupational Sick Pay Procedure")
    document.add_paragraph("Issued by the Employee Relations Team.")
    document.add_heading("Reporting", 1)
    bold(document, "First day")
    document.add_paragraph("Telephone your manager before 10am.")
    bold(document, "You must not text or e-mail instead.")  # a sentence: body text
    bold(document, "You must tell them:")  # a lead-in: body text
    document.add_paragraph("why you are absent", style="List Bullet")
    mixed = document.add_paragraph("Fit notes ")
    mixed.add_run("from day 8").bold = True  # partly bold: body text
    bold(document, "Return to work")
    document.add_paragraph("Your manager holds an interview.")
    bold(document, "Contact HR")  # bold lines one after another: only the last is a heading
    bold(document, "Trigger points")
    document.add_paragraph("8 days of absence in 12 months.")
    bold(document, "Signed: Head of HR")  # nothing follows: body text, not an empty section
    bold(document, "3. Keeping in touch")  # a number of its own is no fact
    bold(document, "The helpline is open 9am to 5pm")  # a fact in bold: body text
    document.add_paragraph("Call it if your manager is away.")
    doc = load_document(saved(document, tmp_path / "sick.docx"))
    assert doc.title == "Occupational Sick Pay Procedure"
    assert [(s.heading_path, s.text) for s in doc.sections] == [
        (("Occupational Sick Pay Procedure",), "Issued by the Employee Relations Team."),
        (("Reporting", "First day"), "Telephone your manager before 10am.\n\n"
         "You must not text or e-mail instead.\n\nYou must tell them:\n\n- why you are absent\n\n"
         "Fit notes from day 8"),
        (("Reporting", "Return to work"), "Your manager holds an interview.\n\nContact HR"),
        (("Reporting", "Trigger points"), "8 days of absence in 12 months.\n\n"
         "Signed: Head of HR"),
        (("Reporting", "3. Keeping in touch"), "The helpline is open 9am to 5pm\n\n"
         "Call it if your manager is away.")]


def test_ordinary_bold_headings_stay_headings(tmp_path: Path) -> None:
    heads = ["Who can apply", "What you need to know", "How we use your data",
             "Your responsibilities", "Section 3 Eligibility", "Covid-19 arrangements",
             "2024 pay award", "Can I carry over leave?", "What is a fit note",
             "What to do if you are ill", "3. Booking leave"]
    document = docx.Document()
    for head in heads:
        bold(document, head)
        document.add_paragraph(f"Body text under {head.lower()} explains the rule in full.")
    doc = load_document(saved(document, tmp_path / "bold.docx"))
    assert [s.heading_path[-1] for s in doc.sections] == heads


@pytest.mark.parametrize("line", ["Call 0300 123 4567", "Helpline 0300 123 4567",
                                  "When the office is closed, call 0300 123 4567",
                                  "Where possible, give 48 hours notice",
                                  "The office is closed on Fridays"])
def test_a_bold_line_with_a_figure_or_a_sentence_stays_text(tmp_path: Path, line: str) -> None:
    document = docx.Document()
    document.add_heading("Contact", 1)
    bold(document, line)
    document.add_paragraph("Our advisers can help with most questions.")
    doc = load_document(saved(document, tmp_path / "contact.docx"))
    assert [s.heading_path for s in doc.sections] == [("Contact",)]
    assert line in doc.sections[0].text


def test_nested_list_items_are_indented_like_markdown(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Managers may refuse leave when:")
    document.add_paragraph("cover is short", style="List Bullet")
    document.add_paragraph("it falls in a peak period:", style="List Bullet")
    document.add_paragraph("January", style="List Bullet 2")
    document.add_paragraph("Budget week", style="List Number 2")
    deeper = document.add_paragraph("the week itself", style="List Bullet")
    deeper._p.get_or_add_pPr().append(parse_xml(  # numbering level 3 of the bullet list
        f'<w:numPr {W}><w:ilvl w:val="2"/><w:numId w:val="1"/></w:numPr>'))
    document.add_paragraph("the officer is on a plan", style="List Bullet")
    text = load_document(saved(document, tmp_path / "leave.docx")).sections[0].text
    assert text == ("Managers may refuse leave when:\n\n- cover is short\n"
                    "- it falls in a peak period:\n  - January\n  1. Budget week\n"
                    "    - the week itself\n- the officer is on a plan")
