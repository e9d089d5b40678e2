"""Letter checks: unfilled placeholders, uncited sections, identifiers from another case."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from assistant.drafting import Draft, draft_letter, edit_section
from assistant.letter_checks import Finding, check_draft
from tests.drafting.builders import facts, retriever, template

COVER = "explain the decision"


def _draft(**fields: str) -> Draft:
    return draft_letter(template(), facts(**fields), COVER, retriever=retriever(), llm=None)


def _finished(draft: Draft) -> Draft:
    """The draft with every [REWRITE] note replaced by cited caseworker text."""
    for section in draft.sections:
        if section.kind == "drafted":
            edit_section(draft, section.id, "You can ask us to look again within one month [1].")
    return draft


def _messages(findings: list[Finding], kind: str) -> list[str]:
    return [f.message for f in findings if f.kind == kind]


def test_offline_draft_flags_each_rewrite_note_only() -> None:
    findings = check_draft(_draft(), template())
    assert [f.section_id for f in findings] == ["reasons", "review", "payments"]
    assert all(f.kind == "placeholder" and "[REWRITE: " in f.message for f in findings)


def test_a_finished_letter_with_the_cases_own_identifiers_is_clean() -> None:
    draft = _finished(_draft())
    edit_section(draft, "reasons", "Dear Jane Doe, Ms Doe at LS1 4AP, ref HSA-2025-004512, "
                 "decided on 14 March 2025, see Dear Sir or Madam [1].")
    assert check_draft(draft, template()) == []


def test_unfilled_field_placeholders_are_listed() -> None:
    draft = draft_letter(template(), facts(reference=""), COVER, retriever=retriever(),
                         llm=None, allow_missing=True)
    messages = _messages(check_draft(_finished(draft), template()), "placeholder")
    assert messages == [
        "Letter part 2 (fixed text) still has the placeholder {reference}: fill it in or "
        "remove it."]  # the label the Draft page shows, not the part's id 'fixed_2'


def test_uncited_sections_and_unknown_sources_are_flagged() -> None:
    draft = _finished(_draft())
    edit_section(draft, "review", "You can ask us to look again.")
    edit_section(draft, "payments", "Your award continues [7].")
    findings = check_draft(draft, template())
    assert _messages(findings, "uncited") == [
        "'If you think the decision is wrong' cites no source from the guidance.",
        "'Your payments while we look again' cites no source from the guidance.",
    ]
    assert _messages(findings, "unknown_source") == [
        "'Your payments while we look again' cites [7], which is not in the list of sources."]


def test_identifiers_from_another_case_are_flagged() -> None:
    draft = _finished(_draft())
    edit_section(draft, "reasons", (
        "Dear John Smith, we wrote to Mr Brown at SW1A 2AA about HSA-2024-000001. "
        "His NI number is AB 12 34 56 C and he was born on 2 February 1980 [1]."
    ))
    messages = _messages(check_draft(draft, template()), "identifier")
    assert messages == [
        "The National Insurance number AB 12 34 56 C is not in this case's facts.",
        "The postcode SW1A 2AA is not in this case's facts.",
        "The date of birth 2 February 1980 is not in this case's facts.",
        "The reference HSA-2024-000001 is not in this case's facts.",
        "The name 'Mr Brown' is not one of this case's names.",
        "The name 'Dear John Smith' is not one of this case's names.",
    ]


def test_identifiers_in_the_free_text_facts_are_accepted() -> None:
    draft = draft_letter(template(), facts(text="NI number AB123456C, born 02/02/1980."), COVER,
                         retriever=retriever(), llm=None)
    _finished(draft)
    edit_section(draft, "reasons", "Your NI number AB 12 34 56 C, born on 2 February 1980 [1].")
    assert _messages(check_draft(draft, template()), "identifier") == []


def test_reference_shape_is_learnt_from_the_case() -> None:
    draft = _finished(_draft(reference="CASE 123 456"))
    edit_section(draft, "reasons", "About case 999 111 and CASE 123 456 [1].")
    assert _messages(check_draft(draft, template()), "identifier") == [
        "The reference case 999 111 is not in this case's facts."]


def test_phone_numbers_are_not_taken_for_case_references() -> None:
    draft = _finished(_draft())
    edit_section(draft, "reasons", "Call 08001234567 or +447700900123, or 01632960001 "
                                   "from abroad; your claim 123456789 [1].")
    assert _messages(check_draft(draft, template()), "identifier") == [
        "The reference 123456789 is not in this case's facts."]


def test_names_in_any_latin_script_or_in_capitals_are_checked() -> None:
    draft = _finished(_draft(recipient_name="Zoë Smith"))
    edit_section(draft, "reasons", "Dear Zoë Smith, we wrote to Dr Élodie Brun and to MR JONES. "
                                   "Dear all, thank you [1].")
    messages = _messages(check_draft(draft, template()), "identifier")
    assert messages == ["The name 'Dr Élodie Brun' is not one of this case's names.",
                        "The name 'MR JONES' is not one of this case's names."]


def test_every_drafted_paragraph_must_cite_and_edits_clear_stale_warnings() -> None:
    draft = _finished(_draft())
    section = next(s for s in draft.sections if s.kind == "drafted")
    section.warnings.append("Paragraph 2 cites no source.")  # as drafted by a model
    edit_section(draft, section.id, "You can ask us to look again [1].\n\nA pasted claim.")
    assert section.warnings == []  # about the old text
    messages = _messages(check_draft(draft, template()), "uncited")
    assert messages == [f"Paragraph 2 of '{section.heading}' cites no source from the guidance."]
    edit_section(draft, section.id, "You can ask us to look again [1].\n\nWithin a month [1].")
    assert _messages(check_draft(draft, template()), "uncited") == []


def test_titles_and_names_are_read_in_their_own_case() -> None:
    draft = _finished(_draft())
    edit_section(draft, "reasons", "We wrote to Mr and Mrs Smith, to nationals of DR Congo "
                                   "and to the MS Society. If you miss Jobcentre Plus "
                                   "appointments [1].")
    messages = _messages(check_draft(draft, template()), "identifier")
    assert messages == ["The name 'Mrs Smith' is not one of this case's names."]


def test_editing_keeps_warnings_about_what_the_sources_held() -> None:
    draft = _finished(_draft())
    section = next(s for s in draft.sections if s.kind == "drafted")
    section.warnings += ["Paragraph 2 cites no source.",
                         "The phone number 0800 000 000 appears in no cited source."]
    edit_section(draft, section.id, "You can ask us to look again [1].")
    assert section.warnings == ["The phone number 0800 000 000 appears in no cited source."]


def test_a_contact_no_source_gives_is_a_finding_until_it_is_edited_out() -> None:
    draft = _finished(_draft())
    section = next(s for s in draft.sections if s.kind == "drafted")
    section.warnings.append("The phone number 0800 999 1234 does not appear in any cited source: "
                            "do not rely on it.")
    edit_section(draft, section.id, "Call us on 0800 999 1234 to ask us to look again [1].")
    [finding] = _messages(check_draft(draft), "contact")
    assert "0800 999 1234" in finding and "check it or remove it" in finding
    edit_section(draft, section.id, "You can ask us to look again within one month [1].")
    assert _messages(check_draft(draft), "contact") == []


def test_dates_on_the_wrong_side_of_the_letters_date_are_flagged() -> None:
    # the letter is dated 1 April 2025 (tests.drafting.builders.facts)
    assert _messages(check_draft(_finished(_draft(decision_date="2025-03-14")), template()),
                     "date") == []
    future = _draft(decision_date="2025-05-01")
    assert _messages(check_draft(future, template()), "date") == [
        "Date of the decision is 1 May 2025, after the letter's date (1 April 2025): check it."]
    ack = template("acknowledgement")
    late = draft_letter(ack, facts("acknowledgement", received_date="2025-03-20",
                                   reply_by="2025-03-10"), COVER, retriever=retriever(), llm=None)
    assert _messages(check_draft(late, ack), "date") == [
        "Date the customer can expect a reply is 10 March 2025, before the letter's date "
        "(1 April 2025): check it.",
        "Date the customer can expect a reply (10 March 2025) is before date we received it "
        "(20 March 2025): check them.",
    ]


def test_a_greeting_names_the_person_after_any_title() -> None:
    draft = _finished(_draft(recipient_name="Dr. Siân Evans"))
    edit_section(draft, "reasons", "Dear Dr. Siân Evans, Dear Dr Evans, see [1].")
    assert _messages(check_draft(draft, template()), "identifier") == []
    edit_section(draft, "reasons", "Dear Dr. Jo Bloggs, see [1].")
    assert _messages(check_draft(draft, template()), "identifier") == [
        "The name 'Dr. Jo Bloggs' is not one of this case's names.",
        "The name 'Dear Dr. Jo Bloggs' is not one of this case's names."]


def test_a_complaint_after_the_letter_is_flagged_and_a_draft_keeps_its_date() -> None:
    reply = template("complaint-response")
    late = draft_letter(reply, facts("complaint-response", complaint_date="2027-05-01"), COVER,
                        retriever=retriever(), llm=None)
    assert _messages(check_draft(late, reply), "date") == [
        "Date of the complaint is 1 May 2027, after the letter's date (1 April 2025): check it."]
    undated = replace(facts(), letter_date=None)
    draft = draft_letter(template(), undated, COVER, retriever=retriever(), llm=None)
    assert draft.facts.letter_date == date.today()  # checked later against the printed date
