"""Loader text fixes found on real files: figures kept at page edges, bookmark titles matched as
whole words, ligatures spelt out, junk PDF titles refused, content asides kept."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders import load_document
from ingest.loaders.pdf import _JUNK_TITLE, _Mark, _split_at_marks, _strip_running_lines
from ingest.loaders.sections import normalise_text


def test_figures_and_phone_numbers_at_page_edges_are_content_not_headers() -> None:
    pages = [f"Annual rates 2010 page {n}\nRate table\nBenefit {n} is paid weekly.\n47.80\n"
             f"Tel: 01{n}96 382 250" for n in range(1, 6)]
    cleaned = _strip_running_lines(pages)
    assert all("47.80" in page and "Tel: 01" in page for page in cleaned)
    assert not any("Annual rates 2010 page" in page for page in cleaned)  # a real running head


def test_a_page_number_set_inside_the_page_is_dropped_but_a_lone_score_is_kept() -> None:
    # as in dg_171428.pdf: a heading, a section number, then the printed page number (its
    # index + 1) four lines in, which was quoted as "20 In the 2004/2005 academic year ..."
    topics = ["loans", "grants", "fees", "bursaries", "repayments"]
    body = "\n".join(f"Line {k} of the guidance on this topic." for k in range(12))
    pages = [f"What about {topic}?\nfor part-time students\nStep {n}\n{n + 1}\nIn the "
             f"{2000 + n} academic year loans changed.\n{body}\nCannot lift a carton.\n9\n"
             f"Ask us about {topic}.\nWrite to us about {topic}.\nEnd of {topic}." for n, topic
             in enumerate(topics)]
    cleaned = _strip_running_lines(pages)
    assert all(str(n + 1) not in page.split("\n") and f"In the {2000 + n} academic year" in page
               for n, page in enumerate(cleaned)), cleaned[0]
    assert all("Cannot lift a carton.\n9\n" in page for page in cleaned)  # not a page number


def test_bookmark_titles_are_found_as_whole_words() -> None:
    text = "CBE\nCol Robert Trevor GROVES\nR\nRachel Jones"
    pieces = _split_at_marks(text, [_Mark(0, 1, "CBE"), _Mark(0, 1, "R")])
    assert [(m.title if m else None, body.strip()) for m, body in pieces] == [
        (None, ""), ("CBE", "CBE\nCol Robert Trevor GROVES"), ("R", "R\nRachel Jones")]


def test_ligatures_become_letters() -> None:
    assert normalise_text("How to \ufb01ll in your certi\ufb01cate \ufb02ow") == \
        "How to fill in your certificate flow"


def test_junk_pdf_titles_are_not_used() -> None:
    for junk in ("Walsall Council.xls", "SAMPLE.qxp", "<<field>>", "Insert Title", "Untitled"):
        assert _JUNK_TITLE.match(junk), junk
    assert not _JUNK_TITLE.match("Bill of sale")


def test_headline_figures_in_an_aside_are_kept(tmp_path: Path) -> None:
    page = tmp_path / "stats.html"
    page.write_text("<html><head><title>Stats</title></head><body><main><h1>Stats</h1>"
                    "<aside class='stat-headline'><p><big>£6bn</big> spent</p></aside>"
                    "<p>Body text about spending.</p>"
                    "<aside><a href='/x'>Related content</a></aside></main></body></html>")
    text = " ".join(s.text for s in load_document(page).sections)
    assert "£6bn" in text and "Related content" not in text


def test_numbered_and_outline_level_headings_in_word_are_headings(tmp_path: Path) -> None:
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    numbered = document.add_paragraph("1. Eligibility", style="Heading 1")
    pr = numbered._p.get_or_add_pPr()
    num = OxmlElement("w:numPr")
    num_id = OxmlElement("w:numId")
    num_id.set(qn("w:val"), "1")
    num.append(num_id)
    pr.append(num)  # a heading that carries Word numbering
    document.add_paragraph("You must live in England.")
    custom = document.add_paragraph("How to claim")
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), "1")
    custom._p.get_or_add_pPr().append(outline)  # a heading by outline level, no heading style
    document.add_paragraph("Apply online.")
    path = tmp_path / "guide.docx"
    document.save(path)
    sections = load_document(path).sections
    assert [(s.heading_path, s.text) for s in sections] == [
        (("1. Eligibility",), "You must live in England."),
        (("1. Eligibility", "How to claim"), "Apply online.")]


def test_word_tracked_changes_and_nested_tables_are_read_as_word_shows_them(
        tmp_path: Path) -> None:
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    paragraph = document.add_paragraph("The limit is ")
    paragraph._p.append(parse_xml(
        f'<w:ins {nsdecls("w")} w:id="1" w:author="A"><w:r><w:t>16 hours</w:t></w:r></w:ins>'))
    paragraph._p.append(parse_xml(
        f'<w:del {nsdecls("w")} w:id="2" w:author="A"><w:r><w:delText>20 hours</w:delText>'
        "</w:r></w:del>"))
    paragraph._p.append(parse_xml(
        f'<w:del {nsdecls("w")} w:id="3" w:author="A"><w:r><w:t>old words</w:t></w:r></w:del>'))
    outer = document.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "Band A"
    inner = outer.cell(0, 1).add_table(rows=1, cols=1)
    inner.cell(0, 0).text = "£25.60 a week"
    path = tmp_path / "tracked.docx"
    document.save(path)
    text = "\n".join(s.text for s in load_document(path).sections)
    assert "The limit is 16 hours" in text
    assert "20 hours" not in text and "old words" not in text
    assert "Band A" in text and "£25.60 a week" in text


def test_nested_asides_and_page_footers_with_text_around_the_number(tmp_path: Path) -> None:
    page = tmp_path / "nested.html"
    page.write_text("<html><body><main><h1>Guide</h1><p>Main text here.</p>"
                    "<aside class='sidebar'><aside>inner</aside>links</aside></main></body></html>")
    assert "inner" not in " ".join(s.text for s in load_document(page).sections)
    pages = [f"Body text of page {n} about fees.\nPage {n} of 40 Published for staff on 12 March"
             for n in range(1, 6)]
    assert not any("Published for staff" in p for p in _strip_running_lines(pages))


def test_word_text_boxes_once_and_non_breaking_hyphens(tmp_path: Path) -> None:
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    paragraph = document.add_paragraph("You are self")
    paragraph._p.append(parse_xml(
        f'<w:r {nsdecls("w")}><w:noBreakHyphen/><w:t>employed.</w:t></w:r>'))
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    paragraph._p.append(parse_xml(
        f'<w:r {nsdecls("w")} xmlns:mc="{mc}"><mc:AlternateContent><mc:Choice Requires="wps">'
        "<w:t> Box text.</w:t></mc:Choice><mc:Fallback><w:t> Box text.</w:t></mc:Fallback>"
        "</mc:AlternateContent></w:r>"))
    path = tmp_path / "boxes.docx"
    document.save(path)
    text = " ".join(s.text for s in load_document(path).sections)
    assert "self-employed." in text and text.count("Box text.") == 1


def _numbered_document(tmp_path: Path) -> Path:
    """A Word file with a three-level list definition (1. / (a) / i)), used by two lists (the
    second restarts at 1) and by multi-level heading numbering (1 / 1.1) through the style."""
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {w} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        '<w:lvlText w:val="%1."/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/>'
        '<w:lvlText w:val="(%2)"/></w:lvl>'
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerRoman"/>'
        '<w:lvlText w:val="%3)"/></w:lvl></w:abstractNum>'))
    numbering.insert(1, parse_xml(
        f'<w:abstractNum {w} w:abstractNumId="91">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        '<w:lvlText w:val="%1"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        '<w:lvlText w:val="%1.%2"/></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {w} w:numId="91"><w:abstractNumId w:val="90"/></w:num>'))
    numbering.append(parse_xml(
        f'<w:num {w} w:numId="92"><w:abstractNumId w:val="90"/><w:lvlOverride w:ilvl="0">'
        '<w:startOverride w:val="1"/></w:lvlOverride></w:num>'))
    numbering.append(parse_xml(f'<w:num {w} w:numId="93"><w:abstractNumId w:val="91"/></w:num>'))

    def numbered(element: object, num_id: int, level: int | None) -> None:
        ilvl = f'<w:ilvl w:val="{level}"/>' if level is not None else ""
        element.get_or_add_pPr().append(parse_xml(  # type: ignore[attr-defined]
            f'<w:numPr {w}>{ilvl}<w:numId w:val="{num_id}"/></w:numPr>'))

    for style, level in (("Heading 1", 0), ("Heading 2", 1)):  # numbered headings by style
        numbered(document.styles[style].element, 93, level)
    document.add_heading("Eligibility", 1)
    document.add_heading("Who can apply", 2)
    for text, level in (("You must be 18 or over", 0), ("and live in England", 1),
                        ("or live in Wales", 1), ("unless you are a student", 2),
                        ("You must have a bank account", 0)):
        numbered(document.add_paragraph(text)._p, 91, level)
    document.add_paragraph("Then:")
    for text, level in (("Apply online", 0), ("Wait for a letter", 0), ("Keep it", 1)):
        numbered(document.add_paragraph(text)._p, 92, level)
    document.add_heading("How to claim", 1)
    numbered(document.add_paragraph("Not numbered here")._p, 0, 0)  # numId 0: numbering off
    document.add_heading("Online", 2)
    document.add_paragraph("Use the service.")
    path = tmp_path / "numbered.docx"
    document.save(path)
    return path


def test_word_lists_and_headings_keep_the_numbers_word_shows(tmp_path: Path) -> None:
    sections = load_document(_numbered_document(tmp_path)).sections
    assert [s.heading_path for s in sections] == [
        ("1 Eligibility", "1.1 Who can apply"), ("2 How to claim",),
        ("2 How to claim", "2.1 Online")]
    assert sections[0].text == (
        "1. You must be 18 or over\n  (a) and live in England\n  (b) or live in Wales\n"
        "    i) unless you are a student\n2. You must have a bank account\n\nThen:\n\n"
        "1. Apply online\n2. Wait for a letter\n  (a) Keep it")
    assert sections[1].text == "Not numbered here"


def test_word_number_formats() -> None:
    from ingest.loaders.docx_numbering import format_number

    assert [format_number(n, "lowerLetter") for n in (1, 26, 27)] == ["a", "z", "aa"]
    assert [format_number(n, "upperRoman") for n in (4, 9, 14, 1999)] == \
        ["IV", "IX", "XIV", "MCMXCIX"]
    assert format_number(3, "decimalZero") == "03" and format_number(3, "none") == ""
    assert format_number(7, "ordinalText") == "7"  # unknown formats read as decimal


def test_word_block_content_controls_are_read_in_order(tmp_path: Path) -> None:
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document()
    document.add_heading("Form guidance", 1)
    first = document.add_paragraph("Before the control.")
    first._p.addnext(parse_xml(  # a block-level content control holding a paragraph and a table
        f'<w:sdt {w}><w:sdtPr/><w:sdtContent>'
        '<w:p><w:r><w:t>Inside the control.</w:t></w:r></w:p>'
        '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Cell A</w:t></w:r></w:p></w:tc>'
        '<w:tc><w:p><w:r><w:t>Cell B</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'
        '</w:sdtContent></w:sdt>'))
    document.add_paragraph("After the control.")
    path = tmp_path / "form.docx"
    document.save(path)
    [section] = load_document(path).sections
    assert section.text == ("Before the control.\n\nInside the control.\n\nCell A | Cell B\n\n"
                            "After the control.")
