"""Headings of PDFs without bookmarks, found from the typesetting (ingest/loaders/pdf_headings.py).

The PDFs are generated with fpdf2 under tmp_path: a title, headings and sub-headings set larger
or bold, body text at 11 pt, as a word processor exports them.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from ingest.loaders import load_document
from ingest.loaders.pdf_headings import LineCollector, StyledLine, find_headings

SENTENCES = iter(
    f"Rule {n}: you must tell the office within {n + 20} days of the change. Late reports may "
    f"lead to an overpayment of up to {n * 100} pounds that has to be paid back."
    for n in range(1000)
)


def body() -> str:
    """A different paragraph each time: identical lines on every page would be a running footer."""
    return next(SENTENCES)


def _write(pdf: FPDF, text: str, *, size: float = 11, style: str = "") -> None:
    pdf.set_font("helvetica", style=style, size=size)
    pdf.multi_cell(w=0, text=text, new_x="LMARGIN", new_y="NEXT")


def make_guide(path: Path, *, outline: bool = False, title: str | None = None) -> Path:
    """Three pages: a 22 pt title, 16 pt bold headings, 12 pt bold sub-headings, a page header."""
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    layout = [
        [("Reporting changes of circumstances", 22, "B"), ("Who must report", 16, "B"),
         (body(), 11, ""), ("Couples", 12, "B"), (body(), 11, "")],
        [("How to report", 16, "B"), (body(), 11, ""), ("By telephone", 12, "B"), (body(), 11, "")],
        [("If you report late", 16, "B"), (body(), 11, ""), (body(), 11, "")],
    ]
    for number, blocks in enumerate(layout, start=1):
        pdf.add_page()
        _write(pdf, "Department for Examples", size=14, style="B")  # a running header
        if outline:
            pdf.start_section(f"Part {number}")
        for text, size, style in blocks:
            _write(pdf, text, size=size, style=style)
    pdf.output(str(path))
    return path


def test_typeset_headings_become_section_paths_and_the_title(tmp_path: Path) -> None:
    doc = load_document(make_guide(tmp_path / "guide.pdf"))
    assert doc.title == "Reporting changes of circumstances"
    paths = [(s.page_start, s.heading_path) for s in doc.sections]
    assert paths == [
        (1, ()),
        (1, ("Who must report",)),
        (1, ("Who must report", "Couples")),
        (2, ("How to report",)),
        (2, ("How to report", "By telephone")),
        (3, ("If you report late",)),
    ]
    couples = doc.sections[2]
    assert couples.text.startswith("Couples") and "Rule 1:" in couples.text
    # the running header repeated on every page is not a heading
    assert all("Department for Examples" not in s.path_text for s in doc.sections)


def test_a_metadata_title_wins_and_the_outline_wins_over_typesetting(tmp_path: Path) -> None:
    titled = load_document(make_guide(tmp_path / "titled.pdf", title="Changes guide"))
    assert titled.title == "Changes guide"
    assert ("How to report",) in [s.heading_path for s in titled.sections]
    outlined = load_document(make_guide(tmp_path / "outlined.pdf", outline=True))
    assert {s.heading_path for s in outlined.sections} == {("Part 1",), ("Part 2",), ("Part 3",)}


def test_a_form_full_of_bold_labels_stays_page_based(tmp_path: Path) -> None:
    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        for label in ["Your full name", "Date of birth", "National Insurance number",
                      "Home address", "Postcode", "Telephone number", "Email address",
                      "Signature", "Partner details"]:
            _write(pdf, label, style="B")
            _write(pdf, "Write in capitals")
    pdf.output(str(tmp_path / "form.pdf"))
    doc = load_document(tmp_path / "form.pdf")
    assert all(section.heading_path == () for section in doc.sections)
    assert [s.page_start for s in doc.sections] == [1, 2]


def test_sentences_contents_entries_and_fragments_are_not_headings(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    _write(pdf, "Guide to hardship payments", size=22, style="B")
    _write(pdf, "Contents", size=16, style="B")
    _write(pdf, "Who can apply", style="B")
    _write(pdf, "How much you get", style="B")
    pdf.add_page()
    _write(pdf, "Who can apply", size=16, style="B")
    _write(pdf, "You must read this before you apply.", style="B")  # a sentence
    _write(pdf, body())
    _write(pdf, "This payment is only for people who", style="B")  # a line cut mid-sentence
    _write(pdf, body())
    _write(pdf, "How much you get", size=16, style="B")
    _write(pdf, body())
    pdf.output(str(tmp_path / "hardship.pdf"))
    doc = load_document(tmp_path / "hardship.pdf")
    paths = {s.heading_path for s in doc.sections}
    assert paths == {(), ("Who can apply",), ("How much you get",)}
    assert [s.page_start for s in doc.sections if s.heading_path] == [2, 2]


def test_the_collector_survives_odd_input_and_no_text_means_no_headings() -> None:
    collector = LineCollector()
    collector("Heading", None, None, None, None)  # no matrices: styling skipped, no exception
    collector("Body text\n", [1, 0, 0, 1, 0, 0], [1, 0, 0, 1, 72, 700], {"/BaseFont": "/Arial"}, 11)
    assert [line.text for line in collector.lines] == ["Body text"]
    assert collector.lines[0].size == 11 and not collector.lines[0].bold
    assert find_headings([[]]).headings == []
    assert find_headings([[StyledLine(y=700.0)]]).title is None


def test_numbered_parts_and_headings_repeated_in_each_chapter_are_kept(tmp_path: Path) -> None:
    pdf = FPDF()
    for heading in ["Guide to benefits", "Part 1", "How to apply", "Part 2", "How to apply",
                    "What this means for you", "Part 3"]:
        pdf.add_page()
        _write(pdf, heading, size=16, style="B")
        _write(pdf, body())
    pdf.output(str(tmp_path / "parts.pdf"))
    doc = load_document(tmp_path / "parts.pdf")
    assert [s.path_text for s in doc.sections] == [
        "", "Part 1", "How to apply", "Part 2", "How to apply", "What this means for you",
        "Part 3"]


def test_a_chapter_heading_repeated_atop_each_of_its_pages_opens_one_section(
        tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    _write(pdf, "Guide to benefits", size=22, style="B")
    _write(pdf, body())
    chapters = [("1Introduction", "Who it covers"), ("Introduction", "What changed"),
                ("Introduction", "Where to get help"), ("2Payments", "How much"),
                ("Payments", "When you are paid"), ("3Appeals", "How to appeal"),
                ("Appeals", "Time limits")]
    for chapter, topic in chapters:  # 8 pages: a chapter on 2-3 of them is no running header
        pdf.add_page()
        _write(pdf, chapter, size=16, style="B")
        _write(pdf, topic, size=12, style="B")
        _write(pdf, body())
    pdf.output(str(tmp_path / "chapter.pdf"))
    sections = load_document(tmp_path / "chapter.pdf").sections
    opened = [(s.page_start, s.path_text) for s in sections
              if s.path_text in ("Introduction", "Payments", "Appeals")]
    assert opened == [(2, "Introduction"), (5, "Payments"), (7, "Appeals")]  # "1Introduction"
    # the chapter heading reprinted atop pages 3 and 4 does not reopen it: topics stay under it
    assert [s.path_text for s in sections if s.page_start == 4] == [
        "Introduction > What changed", "Introduction > Where to get help"]
