"""Offline extracts as letter text (assistant/drafting_extracts.py)."""

from __future__ import annotations

import pytest

from assistant.drafting_extracts import passage_lines, strip_metadata


@pytest.mark.parametrize(("text", "kept"), [
    ("Reference DfHS-OPS-207. Owner: Debt Management Operations. You must record the cause.",
     "You must record the cause."),
    ("Guide Reference DfHS-OPS-207. Owner: People Directorate. Staff may", "Staff may"),
    ("Last updated: 2 June 2025. The rate is 15%.", "The rate is 15%."),
    # sentences that merely start with a date or a version are guidance, not metadata
    ("31 January 2026 is the deadline for online tax returns.",
     "31 January 2026 is the deadline for online tax returns."),
    ("Version 2 of the form must be used.", "Version 2 of the form must be used."),
    # a web page's metadata, a line each (a browser review found them quoted in a letter)
    ("Published\n3 February 2023\nLast updated\n9 April 2025\n… What counts as a complaint",
     "What counts as a complaint"),
    # but a date alone on a line is the date a rule starts (from a code review)
    ("6 April 2025\nThe weekly rate rises to £187.18 from this date.",
     "6 April 2025\nThe weekly rate rises to £187.18 from this date."),
])
def test_only_whole_metadata_sentences_are_stripped(text: str, kept: str) -> None:
    assert strip_metadata(text, "Guide") == kept


def test_passage_lines_keep_items_and_mark_gaps() -> None:
    passage = "From *Guide* — Pay:\n\n> You can get:\n> - £10 a week\n>\n> …\n> Ask us. [1]"
    assert passage_lines(passage) == ["You can get:", "- £10 a week", "… Ask us."]


def test_passage_lines_keep_a_heading_line_as_its_words() -> None:
    # the answer marks a heading shown inside a quote with "§ "; a letter keeps its words only
    passage = "From *Guide* — Pay:\n\n> § Aged 19 and over\n>\n> The rate is £11.44. [1]"
    assert passage_lines(passage) == ["Aged 19 and over", "The rate is £11.44."]
