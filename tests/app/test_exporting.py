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
    assert [(p.style.name, p.text) for p in document.paragraphs] == [
        ("Heading 1", "Leave"),
        ("Heading 2", "Question: How much leave?"),
        ("Normal", "Extracts"),
        ("Normal", "Up to 5 days [1]"),
        ("Heading 3", "Sources"),
        # title, section, page, date and address: enough to find the source again
        # one number per source, the [n] of the answer (no Word list number before it)
        ("Normal",
         "[1] Annual leave — Carry over, page 2 (updated 2024-05-01): https://www.gov.uk/x"),
        ("Quote", "You can carry over up to 5 days."),
    ]
    assert round(document.sections[0].page_width.mm) == 210  # A4, not US Letter
    assert document.core_properties.title == "Leave"


def test_file_names_are_safe() -> None:
    assert export_file_name("../../etc/passwd: leave?", "md") == "etc passwd leave.md"
    assert export_file_name("???", "docx") == "conversation.docx"


def test_control_characters_and_multi_line_quotes_do_not_break_the_word_export() -> None:
    citation = Citation(1, "Overtime\x07", "ot.md", "Rates", "", None, None, "Night\x07 rate.")
    answer = Message(2, "assistant",
                     "**Extracts**\n\n> Night\x07 rate is £12.\n> > Weekends too. [1]", (citation,))
    document = Document(io.BytesIO(conversation_to_docx("Pay\x1b", [
        Message(1, "user", "Night\nrate?"), answer])))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Night rate is £12.\nWeekends too. [1]" in text  # no quote marks left in the text
    assert "Question: Night rate?" in text and "\x07" not in text and ">" not in text


def test_planted_images_and_links_are_text_in_the_markdown_export() -> None:
    citation = Citation(1, "Leave", "leave.md", "Carry over", "", "https://www.gov.uk/leave",
                        None, "Ask HR ![x](https://evil.example/q.png)")
    answer = Message(2, "assistant", "> Up to 5 days [1] ![t](https://evil.example/b.png?case=1)"
                     " [form](https://evil.example/f) [guide](https://www.gov.uk/leave)",
                     (citation,))
    text = conversation_to_markdown("Leave", [Message(1, "user", "How much?"), answer])
    assert "![" not in text and "](https://evil.example" not in text
    assert "[guide](https://www.gov.uk/leave)" in text


def test_exports_keep_the_cautions_and_word_shows_formatting_not_markdown() -> None:
    """From a browser review: Word showed '*Reporting sickness absence*' with its asterisks,
    and neither export kept the out-of-date warning shown under the answer."""
    citation = Citation(1, "Sick pay", "sick.md", "Rates", "", None, "2023-01-01", "£116.75")
    warning = "Amounts quoted may be out of date: source [1] was last updated on 1 January 2023."
    answer = Message(2, "assistant", "From *Sick pay* — Rates:\n\n> It is £116.75.\n> - a week"
                     "\n> - for 28 weeks [1]", (citation,), warnings=(warning,),
                     spelling=(("sik", "sick"),))
    chat = [Message(1, "user", "How much is sik pay?"), answer]
    text = conversation_to_markdown("Pay", chat)
    assert warning in text and 'Also searched for "sick" (typed "sik").' in text
    document = Document(io.BytesIO(conversation_to_docx("Pay", chat)))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Normal", "From Sick pay — Rates:") in paragraphs
    assert ("List Bullet", "a week") in paragraphs
    assert ("List Bullet", "for 28 weeks [1]") in paragraphs
    assert ("Normal", warning) in paragraphs
    [title] = [r for p in document.paragraphs for r in p.runs if r.text == "Sick pay"]
    assert title.italic and "*" not in "".join(p.text for p in document.paragraphs)


def test_word_leaves_quoted_guidance_as_written_and_a_models_notes_are_not_repeated() -> None:
    """From a code review: asterisks inside quoted guidance became emphasis, stray ones
    swallowed text, and a model's answer, which carries its notes in its text, had them twice."""
    answer = Message(2, "assistant", "From *Fees*:\n\n> The fee is £5 * 2 = £10 for *each* "
                     "child. [1]\n\nIt costs £5 * 2 for each *child* and *adult.", (),
                     mode="extractive")
    document = Document(io.BytesIO(conversation_to_docx("Fees", [Message(1, "user", "Fee?"),
                                                                   answer])))
    texts = [p.text for p in document.paragraphs]
    assert "The fee is £5 * 2 = £10 for *each* child. [1]" in texts
    assert "It costs £5 * 2 for each child and *adult." in texts
    note = "*Note: the answer cites no source.*"
    model = Message(2, "assistant", f"It is £5 [1].\n\n{note}", (), mode="generative",
                    warnings=("Note: the answer cites no source.",))
    markdown = conversation_to_markdown("Fees", [Message(1, "user", "Fee?"), model])
    assert markdown.count("cites no source") == 1


def test_a_models_not_covered_keeps_its_filter_note_in_the_export() -> None:
    note = "Only part of the guidance was searched (document types PDF)."
    refused = Message(2, "assistant", "The guidance I can search does not cover this.", (),
                      answered=False, mode="generative", warnings=(note,))
    assert note in conversation_to_markdown("Q", [Message(1, "user", "Q?"), refused])


def test_a_title_or_question_with_markup_is_text_in_the_markdown_export() -> None:
    # from a browser review: a conversation renamed "... <b>test</b>" exported a live tag
    markdown = conversation_to_markdown(
        "Client AB – paternity & tax <b>test</b>",
        [Message(1, "user", "Is <img src=x onerror=alert(1)> ![p](http://e/p.png) allowed?")])
    assert "<b>" not in markdown and "&lt;b&gt;test&lt;/b&gt;" in markdown
    assert "<img" not in markdown and "![p](" not in markdown
    assert markdown.startswith("# Client AB – paternity &amp; tax")
