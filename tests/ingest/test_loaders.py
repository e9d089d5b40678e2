"""Unit tests for the loaders on tiny documents generated under tmp_path."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from assistant.errors import LoadError
from ingest.loaders import SUPPORTED_TYPES, load_document, sniff_type


def make_pdf(
    path: Path, pages: list[str], *, title: str | None = None, outline: bool = False
) -> Path:
    """A text PDF, one string per page; with ``outline`` each page starts a bookmarked section."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    if title:
        pdf.set_title(title)
    for number, text in enumerate(pages, start=1):
        pdf.add_page()
        if outline:
            pdf.start_section(f"Part {number}")
            pdf.cell(text=f"Part {number}", new_x="LMARGIN", new_y="NEXT")
        pdf.cell(text="Department for Examples - internal guidance", new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(w=0, text=text)
        pdf.cell(text=f"Page {number} of {len(pages)}")
    pdf.output(str(path))
    return path


def encrypt_pdf(source: Path, target: Path, user_password: str) -> Path:
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
    with target.open("wb") as handle:
        writer.write(handle)
    return target


def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.core_properties.title = "Leave policy"
    document.core_properties.modified = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    document.add_heading("Annual leave", level=1)
    document.add_paragraph("Staff get 25 days of annual leave.")
    document.add_heading("Carry over", level=2)
    document.add_paragraph("Up to 5 days may be carried over.")
    document.add_paragraph("Ask your manager", style="List Bullet")
    document.add_paragraph("Record it in the system", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for row, cells in enumerate([("Grade", "Days"), ("AO", "25")]):
        for col, text in enumerate(cells):
            table.cell(row, col).text = text
    document.add_heading("Sick leave", level=1)
    document.add_paragraph("Report sickness by 10am.")
    document.save(str(path))
    return path


PAGES = [
    "Apply for the benefit online.\n\nYou must be over 18.",
    "Payments are made every 4 weeks.",
]


def test_supported_types_cover_every_format() -> None:
    assert set(SUPPORTED_TYPES) == {"pdf", "docx", "html", "markdown", "text", "rtf"}


def test_pdf_keeps_1_based_pages_and_strips_running_lines(tmp_path: Path) -> None:
    pages = [*PAGES, "Appeals go to a tribunal."]
    path = make_pdf(tmp_path / "guide.pdf", pages, title="Benefit guide")
    doc = load_document(path)
    assert doc.doc_type == "pdf" and doc.pages == 3 and doc.title == "Benefit guide"
    assert [(s.page_start, s.page_end) for s in doc.sections] == [(1, 1), (2, 2), (3, 3)]
    assert "every 4 weeks" in doc.sections[1].text
    text = "\n".join(s.text for s in doc.sections)
    assert "internal guidance" not in text and "Page 2 of 3" not in text
    assert doc.updated is not None and len(doc.updated) == 10


def test_pdf_outline_gives_heading_paths(tmp_path: Path) -> None:
    doc = load_document(make_pdf(tmp_path / "o.pdf", PAGES, outline=True))
    assert [s.heading_path for s in doc.sections] == [("Part 1",), ("Part 2",)]
    assert "over 18" in doc.sections[0].text


def test_pdf_encrypted_with_empty_user_password_is_read(tmp_path: Path) -> None:
    plain = make_pdf(tmp_path / "plain.pdf", PAGES)
    doc = load_document(encrypt_pdf(plain, tmp_path / "owner-only.pdf", ""))
    assert "Apply for the benefit" in doc.sections[0].text


def test_pdf_needing_a_password_fails_clearly(tmp_path: Path) -> None:
    plain = make_pdf(tmp_path / "plain.pdf", PAGES)
    with pytest.raises(LoadError, match="^encrypted: needs a password"):
        load_document(encrypt_pdf(plain, tmp_path / "locked.pdf", "secret"))


def test_pdf_without_text_layer_fails_as_scanned(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50, style="F")
    pdf.output(str(tmp_path / "scan.pdf"))
    with pytest.raises(LoadError, match=r"no extractable text \(scanned\?\)"):
        load_document(tmp_path / "scan.pdf")


def test_truncated_pdf_is_reported_as_damaged(tmp_path: Path) -> None:
    good = make_pdf(tmp_path / "good.pdf", PAGES).read_bytes()
    (tmp_path / "cut.pdf").write_bytes(good[: len(good) // 3])
    with pytest.raises(LoadError, match="damaged|no extractable text"):
        load_document(tmp_path / "cut.pdf")


def test_docx_headings_lists_tables_and_properties(tmp_path: Path) -> None:
    doc = load_document(make_docx(tmp_path / "policy.docx"))
    assert doc.doc_type == "docx" and doc.title == "Leave policy"
    paths = [s.heading_path for s in doc.sections]
    assert paths == [("Annual leave",), ("Annual leave", "Carry over"), ("Sick leave",)]
    carry = doc.sections[1].text
    assert "- Ask your manager\n- Record it in the system" in carry
    assert "Grade | Days\nAO | 25" in carry
    assert doc.updated == "2024-05-01"


HTML_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Child Benefit - GOV.UK</title>
<link rel="canonical" href="https://www.gov.uk/child-benefit">
<meta name="govuk:public-updated-at" content="2024-03-05T10:00:00+00:00"></head>
<body><div id="global-cookie-message"><p>Cookies on GOV.UK</p></div>
<a href="#content" class="govuk-skip-link">Skip to main content</a>
<header><nav><a href="/">Home</a></nav></header>
<div class="govuk-breadcrumbs"><ol><li>Home</li><li>Benefits</li></ol></div>
<main id="content"><h1>Child Benefit</h1>
<p>You get Child Benefit if you're responsible for a child.</p>
<h2>What you'll get</h2><ul><li>Eldest child: £25.60</li><li>Others: £16.95
<ul><li>per child</li></ul></li></ul>
<table><tr><th>Who</th><th>Rate</th></tr><tr><td>Eldest</td><td>£25.60</td></tr></table>
<script>var tracking = 1;</script><aside>Related content</aside></main>
<footer><p>© Crown copyright</p></footer></body></html>"""


def test_html_main_content_headings_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "child-benefit.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    doc = load_document(path)
    assert (doc.doc_type, doc.title) == ("html", "Child Benefit")
    assert doc.url == "https://www.gov.uk/child-benefit" and doc.updated == "2024-03-05"
    assert [s.heading_path for s in doc.sections] == [
        ("Child Benefit",),
        ("Child Benefit", "What you'll get"),
    ]
    body = doc.sections[1].text
    assert "- Eldest child: £25.60\n- Others: £16.95\n  - per child" in body
    assert "Who | Rate\nEldest | £25.60" in body
    everything = "\n".join(s.text for s in doc.sections)
    for chrome in ("Cookies", "Skip to", "Crown copyright", "tracking", "Related content", "Home"):
        assert chrome not in everything


MARKDOWN_PAGE = """---
title: "Maternity pay"
url: https://www.gov.uk/maternity-pay
public_updated_at: 2024-05-01 09:00:00+00:00
---
Overview
========

You may get **Statutory Maternity Pay**.

  * 90% of earnings for 6 weeks
  * £184.03 for 33 weeks

## How to claim

| Step | Action |
|------|--------|
| 1 | Tell your employer |

### Deadlines
Tell them 15 weeks before.
"""


def test_markdown_front_matter_headings_lists_and_tables(tmp_path: Path) -> None:
    path = tmp_path / "maternity.md"
    path.write_text(MARKDOWN_PAGE, encoding="utf-8")
    doc = load_document(path)
    assert (doc.title, doc.url, doc.updated) == (
        "Maternity pay",
        "https://www.gov.uk/maternity-pay",
        "2024-05-01",
    )
    assert [s.heading_path for s in doc.sections] == [
        ("Overview",),
        ("Overview", "How to claim"),
        ("Overview", "How to claim", "Deadlines"),
    ]
    assert doc.sections[0].text == (
        "You may get Statutory Maternity Pay.\n\n"
        "- 90% of earnings for 6 weeks\n- £184.03 for 33 weeks"
    )
    assert doc.sections[1].text == "Step | Action\n1 | Tell your employer"


def test_a_table_markdown_cannot_parse_keeps_a_row_per_line(tmp_path: Path) -> None:
    path = tmp_path / "list.md"
    path.write_text("# List\n\nJobs on the list:\n\n| Job | Included in: | | Until |\n"
                    "| --- | --- |\n| | England | Wales | |\n| Bricklayers | Yes | Yes | 2026 |\n",
                    encoding="utf-8")  # a scraped rule row with fewer cells than the header
    assert load_document(path).sections[0].text.split("\n")[-4:] == [
        "| Job | Included in: | | Until |", "| --- | --- |", "| | England | Wales | |",
        "| Bricklayers | Yes | Yes | 2026 |"]


SCRAPED = """---
url: https://www.gov.uk/guidance/example-rules
part_name: Example Rules: part 1
---

Title: Example Rules - Guidance - GOV.UK

URL Source: https://www.gov.uk/guidance/example-rules

Markdown Content:
Example Rules - Guidance - GOV.UK

===============

Cookies on GOV.UK
-----------------

We use some essential cookies to make this website work.

Accept additional cookies Reject additional cookies[View cookies](https://www.gov.uk/help/cookies)

[Skip to main content](https://www.gov.uk/guidance/example-rules#content)

Navigation menu
---------------

### Services and information

*   [Benefits](https://www.gov.uk/browse/benefits)

1.   [Home](https://www.gov.uk/)
2.   [Rules](https://www.gov.uk/rules)

From:[Home Office](https://www.gov.uk/home-office)Published 25 February 2016 Updated: 3 March 2025

Part 1
======

ER 1.1. An applicant must be aged 18 or over.

Print this page

Is this page useful?
--------------------

*   [Maybe](https://www.gov.uk/contact/govuk)

Support links
-------------

[© Crown copyright](https://www.nationalarchives.gov.uk/)
"""


def test_markdown_strips_govuk_chrome_and_reads_updated_line(tmp_path: Path) -> None:
    path = tmp_path / "-example-rules.md"
    path.write_text(SCRAPED, encoding="utf-8")
    doc = load_document(path)
    assert doc.title == "Example Rules: part 1" and doc.updated == "2025-03-03"
    assert [(s.heading_path, s.text) for s in doc.sections] == [
        (("Part 1",), "ER 1.1. An applicant must be aged 18 or over.")
    ]


def test_text_and_rtf(tmp_path: Path) -> None:
    notes = "Opening hours\n\n\nMonday   to Friday\r\n"
    (tmp_path / "notes.txt").write_text(notes, encoding="utf-8")
    doc = load_document(tmp_path / "notes.txt")
    assert (doc.doc_type, doc.title) == ("text", "Opening hours")
    assert doc.sections[0].text == "Opening hours\n\nMonday to Friday"
    rtf = r"{\rtf1\ansi{\info{\title Form A}{\revtim\yr2009\mo8\dy10}}Hello \b claimant\b0.\par}"
    (tmp_path / "form.rtf").write_text(rtf, encoding="ascii")
    doc = load_document(tmp_path / "form.rtf")
    assert (doc.doc_type, doc.title, doc.updated) == ("rtf", "Form A", "2009-08-10")
    assert "Hello claimant." in doc.sections[0].text


def test_surrogate_escapes_become_characters_or_a_replacement_mark(tmp_path: Path) -> None:
    # from a code review: Word and LibreOffice write an emoji in RTF as two UTF-16 surrogate
    # escapes, and a YAML "\uD800" is a lone one; the tokenizer and Chroma refuse such strings
    rtf = r"{\rtf1\ansi\uc1 Staff can ask from day one \u-10179?\u-8704? today.\par}"
    (tmp_path / "emoji.rtf").write_text(rtf, encoding="ascii")
    assert "day one \U0001f600 today." in load_document(tmp_path / "emoji.rtf").sections[0].text
    (tmp_path / "lone.md").write_text('---\ntitle: "Leave guide \\uD800"\n---\nCarry over '
                                      "five days.\n", encoding="utf-8")
    doc = load_document(tmp_path / "lone.md")
    assert doc.title == "Leave guide \ufffd"
    assert all(s.text.encode("utf-8") for s in doc.sections)


def test_sniffing_goes_by_content_not_extension(tmp_path: Path) -> None:
    (tmp_path / "page.pdf").write_text("<!DOCTYPE html><html><body><p>Hi</p></body></html>")
    (tmp_path / "tool.pdf").write_bytes(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" * 50)
    (tmp_path / "real.txt").write_bytes(make_pdf(tmp_path / "x.pdf", PAGES).read_bytes())
    (tmp_path / "notes.markdown").write_text("# Notes\n\nText")
    (tmp_path / "letter.doc").write_text(r"{\rtf1 Hello}")
    assert sniff_type(tmp_path / "page.pdf") == "html"
    assert sniff_type(tmp_path / "tool.pdf") is None
    assert sniff_type(tmp_path / "real.txt") == "pdf"
    assert sniff_type(tmp_path / "notes.markdown") == "markdown"
    assert sniff_type(tmp_path / "letter.doc") == "rtf"
    assert sniff_type(make_docx(tmp_path / "w.docx")) == "docx"
    with pytest.raises(LoadError, match="^unsupported file type"):
        load_document(tmp_path / "tool.pdf")
    # a data file is readable text but not guidance: refused with what to do
    for name in ("manifest.csv", "config.json", "Export.XLSX"):
        (tmp_path / name).write_text("id,title,url\n1,Guide,https://x\n")
        with pytest.raises(LoadError, match=r"^not indexed: \.\w+ is a data file, not guidance"):
            load_document(tmp_path / name)
    # a page that mentions %PDF- is still a page; junk (not markup) before a PDF header is allowed
    (tmp_path / "guide.pdf").write_text("<html><script>x()</script>%PDF-1.7 <p>Hi</p></html>")
    assert sniff_type(tmp_path / "guide.pdf") == "html"
    (tmp_path / "mail.pdf").write_bytes(b"\r\nX-Junk: 1\r\n" + (tmp_path / "real.txt").read_bytes())
    assert sniff_type(tmp_path / "mail.pdf") == "pdf"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "^empty file: export or save it again"),
        ("blank.md", b"  \n\n  ", "^no text"),
        ("blank.txt", b"\n \t\n", "^no text"),
        ("nav.html", b"<html><body><nav>Menu</nav></body></html>", "^no text"),
        ("bad.docx", b"PK\x03\x04 not really a zip", "^unsupported file type"),
    ],
)
def test_empty_and_unreadable_files_raise_specific_reasons(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(LoadError, match=reason):
        load_document(tmp_path / name)


def test_a_list_nested_past_the_parsers_limit_loses_nothing(tmp_path: Path) -> None:
    # from a code review: markdown-it stops at its nesting limit and silently dropped the rest
    # of the document (a list 10 deep lost its last item, the next heading and its text)
    for depth in (10, 60):
        items = "".join("  " * i + f"- item level {i}\n" for i in range(depth))
        (tmp_path / "deep.md").write_text(f"# Guide\n\nIntro.\n\n{items}\n## After\n\n"
                                          "Closing paragraph after the list.\n")
        doc = load_document(tmp_path / "deep.md")
        text = " ".join(s.text for s in doc.sections)
        assert f"item level {depth - 1}" in text, depth
        assert [s.heading_path for s in doc.sections][-1] == ("Guide", "After")
        assert doc.sections[-1].text == "Closing paragraph after the list."


def test_front_matter_with_yaml_aliases_is_not_expanded(tmp_path: Path) -> None:
    # a 2 KB "billion laughs" header cost a worker 9 s and 512 MB before failing
    laughs = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10))
    (tmp_path / "laughs.md").write_text(f"---\n{laughs}title: *a9\n---\n# Leave\n\nText.\n")
    doc = load_document(tmp_path / "laughs.md")  # expanded, the title would be 9^10 words
    assert (doc.title, doc.sections[0].text) == ("Leave", "Text.")


def test_an_overlong_title_or_heading_is_cut_and_its_words_kept_as_text(tmp_path: Path) -> None:
    # from a code review: a 250-word "title" filled the embedder's window in every chunk
    words = " ".join(f"word{i}" for i in range(250))
    (tmp_path / "long.md").write_text(f"# {words}\n\n## Pay\n\nSick pay is paid weekly.\n")
    doc = load_document(tmp_path / "long.md")
    assert len(doc.title) <= 700 and doc.title.endswith("…")
    assert all(len(h) <= 700 for s in doc.sections for h in s.heading_path)
    assert words in " ".join(s.text for s in doc.sections)
    assert doc.sections[-1].text.endswith("\n\nSick pay is paid weekly.")


def test_a_pdf_that_cannot_be_opened_says_so_without_the_librarys_class_names(
        tmp_path: Path) -> None:
    (tmp_path / "cut.pdf").write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\n")
    with pytest.raises(LoadError) as failed:
        load_document(tmp_path / "cut.pdf")
    reason = str(failed.value)
    assert reason.startswith("damaged PDF: it could not be opened (")
    assert "Error:" not in reason and reason.endswith("save or print it as a new PDF, and add that")


def test_html_inline_elements_run_into_the_words_around_them(tmp_path: Path) -> None:
    # from a browser review: "You can renew your passport online ." (a link before a full stop)
    page = ("<html><body><main><h1>Passports</h1>"
            "<p>You can <a href='/renew'>renew your passport online</a>.</p>"
            "<p>An approved driving instructor (<abbr title='x'>ADI</abbr>) can teach.</p>"
            "<p>Line one<br>line two</p>"
            "<ul><li>Fees: <strong>£75</strong>, or <em>£85</em> by post</li></ul>"
            "<table><tr><th>Who</th><td><p>adults</p><p>children</p></td></tr></table>"
            "</main></body></html>")
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    text = "\n".join(s.text for s in load_document(tmp_path / "page.html").sections)
    assert "You can renew your passport online." in text
    assert "An approved driving instructor (ADI) can teach." in text
    assert "Line one line two" in text
    assert "- Fees: £75, or £85 by post" in text
    assert "Who | adults children" in text
