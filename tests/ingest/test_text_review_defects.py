"""Plain-text defects an admin review found: headings in capitals, numbered or not, gave no
sections."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders import load_document

PROCEDURE = """MANDATORY RECONSIDERATION PROCEDURE

OVERVIEW

This procedure explains how a decision maker handles a request for
MR
of a benefit decision.

2. TIME LIMITS

2.1 A claimant must ask for an MR within one month.

2.1 LATE REQUESTS

A late request may be accepted up to 13 months after the decision.

MRN

IMPORTANT: READ THIS FIRST.

3. CONSIDERING THE REQUEST

The decision maker must look at the decision again in full.

END
"""


def test_lines_in_capitals_standing_alone_are_headings_as_written(tmp_path: Path) -> None:
    path = tmp_path / "mandatory_reconsideration.txt"
    path.write_text(PROCEDURE, encoding="utf-8")
    doc = load_document(path)
    assert doc.title == "MANDATORY RECONSIDERATION PROCEDURE"
    top = "MANDATORY RECONSIDERATION PROCEDURE"
    assert [(s.heading_path, s.text) for s in doc.sections] == [
        ((top, "OVERVIEW"), "This procedure explains how a decision maker handles a request for"
         "\nMR\nof a benefit decision."),
        ((top, "2. TIME LIMITS"), "2.1 A claimant must ask for an MR within one month."),
        ((top, "2. TIME LIMITS", "2.1 LATE REQUESTS"),
         "A late request may be accepted up to 13 months after the decision.\n\n"
         "MRN\n\nIMPORTANT: READ THIS FIRST."),  # an acronym and a sentence are text
        ((top, "3. CONSIDERING THE REQUEST"),
         "The decision maker must look at the decision again in full.\n\nEND")]


def test_text_without_capital_headings_is_one_section_as_before(tmp_path: Path) -> None:
    path = tmp_path / "rates.txt"
    path.write_text("Travel rates\n\nThe allowance is £8,000.\nUK only.\n", encoding="utf-8")
    doc = load_document(path)
    assert [(s.heading_path, s.text) for s in doc.sections] == [
        ((), "Travel rates\n\nThe allowance is £8,000.\nUK only.")]
