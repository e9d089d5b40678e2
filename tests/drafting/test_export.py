"""Export: Word and plain text, sources renumbered by use, never the machine-drafted notice."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from assistant.drafting import MACHINE_NOTICE, Draft, draft_letter, edit_section
from assistant.letter_export import describe_source, export_docx, export_text
from assistant.testing import FakeChatModel
from tests.drafting.builders import chunk, facts, retriever, soffice, template

COVER = "explain the decision"


def _generative_draft() -> Draft:
    model = FakeChatModel()
    model.enqueue("You have savings over the limit [1].")
    model.enqueue("You can ask us to look again within one month [2].")
    model.enqueue("Your award continues while we look again [2].")
    fake = retriever(chunk("Savings over £16,000 mean no award.", doc="savings", section="Limit"),
                     chunk("Ask within one month.", n=1))
    return draft_letter(template(), facts(), COVER, retriever=fake, llm=model)


def _read_docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def test_docx_round_trip_has_letter_headings_superscripts_and_sources() -> None:
    document = _read_docx(export_docx(_generative_draft()))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Jane Doe\n1 High Street\nLeeds\nLS1 4AP"
    assert "Why we made this decision" in texts and "Sources" in texts
    assert "You have savings over the limit.1" in texts
    superscripts = [r.text for p in document.paragraphs for r in p.runs if r.font.superscript]
    assert superscripts == ["1", "2", "2"]
    cited = document.paragraphs[texts.index("You have savings over the limit.1")]
    assert [r.text for r in cited.runs] == ["You have savings over the limit", ".", "1"]
    sources = texts[texts.index("Sources") + 1:]
    assert sources[0].startswith("1. Savings, Limit (updated 21 May 2025). https://guidance")
    assert sources[1].startswith("2. Mandatory reconsideration, Time limits")
    assert document.core_properties.title == "Decision letter"
    assert document.styles["Normal"].font.name == "Arial"
    # A4 and British English, made now (python-docx's blank template: US Letter, en-US, 2013)
    assert (round(document.sections[0].page_width.mm), round(document.sections[0].page_height.mm)) \
        == (210, 297)
    language = document.styles.element.find(".//" + qn("w:rPrDefault") + "//" + qn("w:lang"))
    assert language is not None and language.get(qn("w:val")) == "en-GB"
    created = document.core_properties.created
    assert created is not None and created.year >= 2025 and document.core_properties.author == ""


def test_notice_is_never_exported() -> None:
    draft = _generative_draft()
    assert draft.notice == MACHINE_NOTICE
    docx_text = "\n".join(p.text for p in _read_docx(export_docx(draft)).paragraphs)
    for text in (docx_text, export_text(draft)):
        assert "Machine-drafted" not in text and "drafted automatically" not in text


def test_text_export_renumbers_sources_by_first_use() -> None:
    draft = _generative_draft()
    edit_section(draft, "reasons", "We decided you cannot get it.")  # [1] no longer cited
    edit_section(draft, "payments", "Your award continues [2]. See also [9].")
    text = export_text(draft)
    assert "You can ask us to look again within one month [1]." in text
    assert "Your award continues [1]. See also." in text
    assert text.endswith("Sources\n\n[1] Mandatory reconsideration, Time limits (updated 21 May "
                         "2025). https://guidance.dfhs.example/mandatory-reconsideration\n")


def test_describe_source_without_url_uses_the_file() -> None:
    citation = _generative_draft().sources[0]
    bare = citation.__class__(**{**citation.__dict__, "url": None, "updated": None, "page": "3",
                                         "source": "savings.html"})
    assert describe_source(bare) == "Savings, Limit, page 3. savings.html"


@pytest.mark.integration
def test_exported_docx_opens_in_libreoffice(tmp_path: Path) -> None:
    office = soffice()
    draft = draft_letter(template(), facts(), COVER, retriever=retriever(), llm=None)
    edit_section(draft, "reasons", "You have savings over the limit, so we cannot pay you [1].")
    source = tmp_path / "letter.docx"
    source.write_bytes(export_docx(draft))
    subprocess.run(
        [office, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=120,
    )
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "letter.pdf").pages)
    flat = " ".join(text.split())
    assert "Dear Jane Doe," in flat
    assert "You have savings over the limit, so we cannot pay you" in flat
    assert "Why we made this decision" in flat and "Sources" in flat
    assert "1. Mandatory reconsideration, Time limits" in flat
    assert "Machine-drafted" not in flat
    box = PdfReader(tmp_path / "letter.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points


def test_control_characters_in_a_source_do_not_break_the_word_export() -> None:
    model = FakeChatModel()
    model.enqueue("You have savings over the limit\x07 [1].")
    model.enqueue("Ask within one month [1].")
    model.enqueue("Your award continues [1].")
    fake = retriever(chunk("Savings\x0b over £16,000\x1f mean no award.", doc="savings",
                           section="Limit\x07"))
    draft = draft_letter(template(), facts(), COVER, retriever=fake, llm=model)
    texts = [p.text for p in _read_docx(export_docx(draft)).paragraphs]
    assert "You have savings over the limit.1" in texts
    assert not any(ch in t for t in texts for ch in "\x07\x0b\x1f")


def test_notes_and_placeholders_are_highlighted_in_word() -> None:
    draft = draft_letter(template(), facts(), COVER, retriever=retriever(), llm=None)
    edit_section(draft, "payments", "Your award continues, {decision_date} [1].")
    document = _read_docx(export_docx(draft))
    marked = [r.text for p in document.paragraphs for r in p.runs if r.font.highlight_color]
    assert any(t.startswith("[REWRITE: ") for t in marked) and "{decision_date}" in marked
    assert not any("Your award continues" in t for t in marked)


def test_the_copy_to_send_has_no_source_numbers_or_sources() -> None:
    draft = _generative_draft()
    text = export_text(draft, sources=False)
    assert "You have savings over the limit." in text
    assert "[1]" not in text and "[2]" not in text and "Sources" not in text
    document = _read_docx(export_docx(draft, sources=False))
    texts = [p.text for p in document.paragraphs]
    assert "You have savings over the limit." in texts and "Sources" not in texts
    assert not [r.text for p in document.paragraphs for r in p.runs if r.font.superscript]
    assert "[1]" in export_text(draft)  # the copy to check keeps them
    edit_section(draft, "reasons", "[1] You have savings over the limit.")
    assert "\n\nYou have savings over the limit.\n" in export_text(draft, sources=False)


def test_the_copy_to_send_leaves_no_empty_reference_behind() -> None:
    draft = _generative_draft()
    edit_section(draft, "reasons",
                 "You have savings over the limit (see [1]). The limit is set by law [1] , "
                 "as the guidance says (see also [1] and [1]).")
    text = export_text(draft, sources=False)
    assert ("You have savings over the limit. The limit is set by law, as the guidance says."
            in text)
    assert "(see" not in text and "()" not in text
    assert "(see [1])" in export_text(draft)  # the copy to check keeps the reference
    # pasted runs of spaces (from a security review: 50,000 took 27 s) are read in one pass
    edit_section(draft, "reasons", "The limit is set by law" + " " * 5000 + "[1]" + " " * 5000
                 + "x.")
    sent = export_text(draft, sources=False)
    assert "The limit is set by law" + " " * 9990 in sent and " x.\n" in sent
