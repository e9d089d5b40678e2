"""Exports: Markdown and Word, with each answer's sources."""

from __future__ import annotations

import io

from docx import Document

from assistant.conversations import Message
from assistant.exporting import conversation_to_docx, conversation_to_markdown, export_file_name
from assistant.types import Citation


def messages() -> list[Message]:
    citation = Citation(1, "Annual leave", "leave.docx", "Carry over", "2", "https://www.gov.uk/x",
                        "2024-05-01", "You can carry over\nup to 5 days.")
    return [Message(1, "user", "How much leave?"),
            Message(2, "assistant", "**Extracts**\n\n> Up to 5 days [1]", (citation,))]


def test_markdown_lists_questions_answers_and_sources() -> None:
    text = conversation_to_markdown("Leave", messages())
    assert text.startswith("# Leave\n")
    assert "## Question: How much leave?" in text
    assert ("- [1] Annual leave — Carry over, page 2 (updated 2024-05-01): https://www.gov.uk/x"
            in text)
    assert "> You can carry over up to 5 days." in text


def test_docx_opens_and_holds_the_conversation() -> None:
    document = Document(io.BytesIO(conversation_to_docx("Leave", messages())))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Question: How much leave?" in text and "Up to 5 days [1]" in text
    assert "You can carry over up to 5 days." in text


def test_file_names_are_safe() -> None:
    assert export_file_name("../../etc/passwd: leave?", "md") == "etc passwd leave.md"
    assert export_file_name("???", "docx") == "conversation.docx"
