"""PDF extraction defects found on real leaflets (ingest/loaders/pdf.py, pdf_headings.py).

Each test builds a small PDF with fpdf2 under tmp_path that reproduces one defect: bookmarks that
are file names, bullets set in a symbol font, words split by the extractor, wrong titles, table
cells and lead-ins taken as headings.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from ingest.loaders import load_document
from ingest.loaders.pdf_text import clean_glyphs

FILLER = iter(
    f"Paragraph {n}: you must tell the office within {n + 20} days of any change to your "
    f"income, or an overpayment of up to {n * 100} pounds may have to be paid back."
    for n in range(1000)
)


def _write(pdf: FPDF, text: str, *, size: float = 11, style: str = "") -> None:
    pdf.set_font("helvetica", style=style, size=size)
    pdf.multi_cell(w=0, text=text, new_x="LMARGIN", new_y="NEXT")


def _guide(pdf: FPDF, headings: list[str]) -> None:
    """One page per heading: a 16 pt bold heading and two paragraphs."""
    for heading in headings:
        pdf.add_page()
        _write(pdf, heading, size=16, style="B")
        _write(pdf, next(FILLER))
        _write(pdf, next(FILLER))


def test_bookmarks_named_after_files_give_way_to_typeset_headings(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    _write(pdf, "Carer's Credit guide", size=22, style="B")
    pdf.start_section("CC1_Notes_0410v23.pdf")  # a bookmark left by the tool that merged files
    _write(pdf, next(FILLER))
    _guide(pdf, ["Who can apply", "How to apply"])
    pdf.start_section("CC1_HSCP_0410v17.pdf")
    _guide(pdf, ["What happens next"])
    pdf.output(str(tmp_path / "merged.pdf"))
    paths = {s.path_text for s in load_document(tmp_path / "merged.pdf").sections}
    assert not any(".pdf" in path for path in paths)
    assert {"Who can apply", "How to apply", "What happens next"} <= paths


def test_a_bookmark_repeating_the_title_over_a_long_document_is_dropped(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.set_title("Holders of the indexes")
    pdf.add_page()
    pdf.start_section("Holders of the indexes.")  # one bookmark over 9 pages: the title again
    _write(pdf, "Holders of the indexes", size=22, style="B")
    _guide(pdf, [f"Region {name}" for name in "ABCDEFGH"])
    pdf.output(str(tmp_path / "holders.pdf"))
    doc = load_document(tmp_path / "holders.pdf")
    assert doc.title == "Holders of the indexes"
    assert "Region C" in {s.path_text for s in doc.sections}


def test_bullets_set_in_a_symbol_font_become_bullet_characters(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    for item in ["Bias or discrimination", "Unfair treatment"]:  # "n" in ZapfDingbats is a square
        pdf.set_font("zapfdingbats", size=11)
        pdf.cell(w=6, text="n")
        pdf.set_font("helvetica", size=11)
        pdf.cell(w=0, text=item, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=11)
    pdf.cell(w=30, text="Poor advice")
    pdf.set_font("zapfdingbats", size=11)
    pdf.cell(w=6, text="n")  # an inline bullet: the next item on the same printed line
    pdf.set_font("helvetica", size=11)
    pdf.cell(w=0, text="Delay", new_x="LMARGIN", new_y="NEXT")
    _write(pdf, "9 Coley Avenue, Reading")  # a digit in a text font stays
    pdf.output(str(tmp_path / "bullets.pdf"))
    text = load_document(tmp_path / "bullets.pdf").sections[0].text
    lines = text.split("\n")
    assert lines[:4] == ["• Bias or discrimination", "• Unfair treatment", "Poor advice",
                         "• Delay"]
    assert "9 Coley Avenue, Reading" in lines


def test_private_use_and_control_bullets_and_glyph_names_are_cleaned() -> None:
    bring = "Bring:\n\uf0b7 Passport\n\x81 Payslips"
    assert clean_glyphs(bring) == "Bring:\n• Passport\n• Payslips"
    assert clean_glyphs("it allows us to:\n\x81\npay you") == "it allows us to:\n• pay you"
    assert clean_glyphs("Stamp \x99 here").split() == ["Stamp", "here"]
    assert clean_glyphs("/MT65/MT32/MT103/MT117/MT105/MT100/MT101") == "A guide"


def test_words_split_by_the_extractor_are_joined(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    _write(pdf, "The statutor y rules say the ch ild must apply by 1 De cember.")
    _write(pdf, "Statutory rules protect every child. Tell us if you may be late.")
    _write(pdf, "If you are self-")
    _write(pdf, "employed you must register.")
    pdf.output(str(tmp_path / "split.pdf"))
    text = load_document(tmp_path / "split.pdf").sections[0].text
    assert "The statutory rules say the child must apply by 1 December." in text
    assert "Tell us if you may be late." in text  # two words each: not joined
    assert "If you are self-employed\nyou must register." in text


def _titled(path: Path, *, meta: str | None, page_one: list[tuple[str, float, str]]) -> Path:
    pdf = FPDF()
    if meta:
        pdf.set_title(meta)
    pdf.add_page()
    for text, size, style in page_one:
        _write(pdf, text, size=size, style=style)
    _write(pdf, next(FILLER))
    _write(pdf, next(FILLER))
    pdf.output(str(path))
    return path


def test_a_stale_or_coded_metadata_title_gives_way_to_the_printed_title(tmp_path: Path) -> None:
    heading = [("How to apply for a correction to a birth registration", 18, "B")]
    stale = _titled(tmp_path / "stale.pdf", meta="Paternity Corrections", page_one=heading)
    assert load_document(stale).title == heading[0][0]
    coded = _titled(tmp_path / "coded.pdf", meta="SFE_CB1_1112_CB2", page_one=heading)
    assert load_document(coded).title == heading[0][0]
    kept = _titled(tmp_path / "kept.pdf", meta="Birth registration corrections",
                   page_one=[("Birth registration corrections", 18, "B")])
    assert load_document(kept).title == "Birth registration corrections"


def test_labels_numbered_sections_and_salutations_are_not_titles(tmp_path: Path) -> None:
    cases = {
        "numbered": [("1. About the notice", 14, "B"), ("Guide to the notice of appeal", 14, "B")],
        "salutation": [("Dear", 16, "B"), ("Adoption Contact Register", 14, "B")],
        "label": [("Forename(s):", 18, ""), ("Student Signature Form", 16, "B")],
        "country": [("AUSTRIA", 14, "B"), ("Evidence of income", 14, "B")],
    }
    titles = {name: load_document(_titled(tmp_path / f"{name}.pdf", meta=None, page_one=lines))
              .title for name, lines in cases.items()}
    assert titles == {"numbered": "Guide to the notice of appeal",
                      "salutation": "Adoption Contact Register",
                      "label": "Student Signature Form", "country": "Evidence of income"}
    nothing = _titled(tmp_path / "sfe_form_v2.pdf", meta=None, page_one=[("Key:", 11, "")])
    assert load_document(nothing).title == "sfe form v2"  # the file's name, not "Key:"


def test_table_cells_and_figures_rows_are_not_headings(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    _write(pdf, "Passport fees", size=22, style="B")
    _write(pdf, next(FILLER))
    pdf.set_font("helvetica", style="B", size=11)
    for x, cell in [(10, "NEW"), (70, "FEE"), (130, "DIFFERENCE")]:  # a table's header row
        pdf.set_x(x)
        pdf.cell(w=40, text=cell)
    pdf.ln()
    _write(pdf, "Adult passport 72.50 77.50 5.00")
    _write(pdf, "CARER'S ALLOWANCE", style="B")  # a row label over its figures
    _write(pdf, "53.90 55.55")
    _guide(pdf, ["Frequently asked questions", "How to apply"])
    pdf.output(str(tmp_path / "fees.pdf"))
    paths = {s.path_text for s in load_document(tmp_path / "fees.pdf").sections}
    assert paths == {"", "Frequently asked questions", "How to apply"}


def test_lead_ins_and_a_letterhead_set_with_the_title_are_not_headings(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    _write(pdf, "Guidance Notes", size=14, style="B")
    _write(pdf, "GENERAL REGISTER OFFICE (ENGLAND & WALES)", size=14, style="B")  # letterhead
    _write(pdf, next(FILLER))
    _write(pdf, "The assessor can look at complaints about", style="B")  # a lead-in
    _write(pdf, next(FILLER))
    _guide(pdf, ["Section 1 Your details", "Section 2 Payment"])
    pdf.output(str(tmp_path / "notes.pdf"))
    doc = load_document(tmp_path / "notes.pdf")
    assert doc.title == "Guidance Notes"
    assert {s.path_text for s in doc.sections} == {
        "", "Section 1 Your details", "Section 2 Payment"}


def test_word_pairs_are_not_joined_into_other_words() -> None:
    from ingest.loaders.pdf_text import join_broken_words

    filler = "Statutory rules protect every child and the expiry date is on the form. " * 3
    kept = ["Tick A or B and sign.", "Category C or D licences.", "Our allies at the UN to "
            "ensure it.", "Put a Y in the box.", "Forms A and B are acceptable.", "Go to e and g.",
            "bona vacantia, see www.bonavacantia.gov.uk", "a or b and c", "a way to go"]
    fixed = {"We can al so help.": "We can also help.", "Check the e xpiry date.":
             "Check the expiry date.", "as to t he sale": "as to the sale",
             "The statutor y rules": "The statutory rules",
             # the fragment goes with the next word, though "theca" is a word and "ravan/" no
             # token of its own
             "signal to the ca ravan/trailer": "signal to the caravan/trailer"}
    lines = [*kept, *fixed]
    out = join_broken_words([filler + "\n" + "\n".join(lines)])[0].split("\n")[1:]
    assert out == [*kept, *fixed.values()]


def _pages(path: Path, pages: list[str]) -> Path:
    pdf = FPDF()
    for text in pages:
        pdf.add_page()
        _write(pdf, text)
    pdf.output(str(path))
    return path


def test_a_sentence_cut_by_a_page_break_is_quoted_whole_across_both_pages(tmp_path: Path) -> None:
    path = _pages(tmp_path / "break.pdf", [
        "You can claim a grant. You must tell the office about any change to your",
        "income within 30 days of it. Late reports may lead to an overpayment.",
        "Contact the office on weekdays, between 9am and 5pm.",
        "If you are self-",
        "employed, send your accounts. Keep copies of everything you send.",
    ])
    sections = load_document(path).sections
    first = sections[0]
    assert first.text.endswith("tell the office about any change to your income within 30 days "
                               "of it.")
    assert (first.page_start, first.page_end) == (1, 2)  # cited as "pages 1-2"
    second = sections[1]
    assert second.text == "Late reports may lead to an overpayment."  # the rest stays on page 2
    assert (second.page_start, second.page_end) == (2, 2)
    # a page that ends a sentence is left alone, and a hyphen at the foot joins the word
    assert sections[2].text == "Contact the office on weekdays, between 9am and 5pm."
    assert sections[3].text == "If you are self-employed, send your accounts."
    assert (sections[3].page_start, sections[3].page_end) == (4, 5)
    every = " ".join(s.text for s in sections)
    for sentence in ("You can claim a grant.", "Keep copies of everything you send."):
        assert every.count(sentence) == 1  # nothing lost or doubled


def test_a_page_that_ends_a_sentence_or_a_next_page_in_capitals_is_not_joined(
        tmp_path: Path) -> None:
    path = _pages(tmp_path / "apart.pdf", [
        "Apply by 1 December. The form has three parts",
        "Part one asks for your name. Part two asks for your income.",
        "Send it to the office:",
        "the address is on the letter we sent you.",
        "Total weekly income\n10 11",  # a form's figures, not a sentence
        "and other income you get.",
        "Fill in the form below",
        "section 5 your bank details\nWe pay into this account.",  # a form's next section
    ])
    sections = load_document(path).sections
    assert [(s.page_start, s.page_end) for s in sections] == [(n, n) for n in range(1, 9)]


def test_running_heads_on_a_fifth_of_the_pages_are_dropped_but_prose_and_labels_kept(
        tmp_path: Path) -> None:
    pages = []
    for n in range(15):
        top = {0: "Uninsured Driving in the United Kingdom", 1: "the matter to the",
               2: "Section 2"}.get(n % 3, "")  # each on 5 of 15 pages: a third, under half
        pages.append(f"{top}\n{next(FILLER)}\n{next(FILLER)}".strip())
    text = "\n".join(s.text for s in load_document(_pages(tmp_path / "heads.pdf", pages)).sections)
    assert "Uninsured Driving" not in text  # an alternating running head
    assert text.count("the matter to the") == 5  # running text, not a label
    assert text.count("Section 2") == 5  # the document's own numbered structure


# text as pypdf extracts it from real leaflets whose fonts have no character map
# (../shared/data/guidance/directgov_2012: dg_201517, dg_078480, dg_181023)
UNMAPPED = ["cG4?7Vw’7V’n)4G30 P’P’P’P’P’P’P’S,’ G:’jGmW0VO40’l8)B’WrV’5083P’P’SN "
            "c5'’80r4V’rV2’O4r7VK",
            "ty9or9fencingR Brson9is9against9the9lawR Bnyone9found "
            "guilty9of9setting9fires9on9purpose",
            "NtheNHospiceNmovementTNandNhasNexpandedNoverN theNlastNW1NyearsNtoNincludeNareasNasN"]
READABLE = ["You must tell the office about any change to your income within 30 days (see "
            "www.gov.uk/report-change). It's £12.50 a week, paid from 6 April 2011.",
            "Gallwch ddefnyddio eich cerdyn Talu Syml mewn unrhyw siop sy'n dangos arwydd "
            "PayPoint.",
            "حَبيبي habibi حَبيبي", "本人確認書類を提出してください。",
            "Name ………………………… Date of birth …/…/…… Signature ______ (office use only)",
            # from a code review: forms, ranges and legal references were refused
            "Forename(s) .................................... Company: ____________ • & •",
            "21-25 | £210-£309 | 1.3%-2.3% 26-30 | £310-£409",
            "SI 2006/903 reg. 3(1)(a); s.13(2)(b); para 3(1)(c)-(e); Sch. 3, Pt 1; form SA100"]


def test_text_from_fonts_without_a_character_map_is_not_readable() -> None:
    from ingest.loaders.pdf_text import readable_share

    assert all(readable_share(text) < 0.3 for text in UNMAPPED), \
        [readable_share(text) for text in UNMAPPED]
    assert all(readable_share(text) > 0.75 for text in READABLE), \
        [readable_share(text) for text in READABLE]
    assert readable_share("") == 0.0


def test_a_pdf_whose_text_is_not_words_is_refused_with_what_to_do(tmp_path: Path) -> None:
    from assistant.errors import LoadError

    path = _pages(tmp_path / "arson.pdf", [UNMAPPED[1] + " " + UNMAPPED[2]] * 2)
    with pytest.raises(LoadError, match=r"^unreadable text: only \d+% .* run OCR on it, or "
                                        r"upload a Word, HTML or text copy"):
        load_document(path)
    assert load_document(_pages(tmp_path / "ok.pdf", READABLE[:2])).sections
