"""Chunking: bounded in model tokens, section paths kept, small sections merged."""

from __future__ import annotations

from assistant.types import Chunk, LoadedDocument, Section
from ingest.chunking import (
    MODEL_LIMIT,
    ChunkingOptions,
    DocumentIdentity,
    _merge_small_sections,
    split_into_chunks,
)


def words(text: str) -> int:
    return len(text.split())


IDENTITY = DocumentIdentity("c/leave.md", "c", "leave.md", "v1")


def section_chunks(title: str, heading: str, text: str,
                   options: ChunkingOptions | None = None) -> list[Chunk]:
    """The chunks of a Markdown document ``title`` of one section under ``heading``."""
    doc = LoadedDocument(title, "markdown", (Section((heading,), text),))
    return split_into_chunks(doc, IDENTITY, words, options)


def test_long_section_is_split_within_budget_with_overlap() -> None:
    sentences = " ".join(f"Sentence number {i} says something useful." for i in range(200))
    doc = LoadedDocument("Leave", "markdown", (Section(("Leave", "Paternity"), sentences, 2, 3),))
    chunks = split_into_chunks(doc, IDENTITY, words, ChunkingOptions(max_tokens=60,
                                                                      overlap_tokens=10))
    assert len(chunks) > 5
    assert all(words(c.embedding_text) <= 60 + words("Leave — Leave > Paternity") for c in chunks)
    assert all(c.section == "Paternity" and c.page_start == 2 for c in chunks)
    first, second = chunks[0].text.split(), chunks[1].text.split()
    assert set(first[-5:]) & set(second[:15]), "consecutive pieces should overlap a little"


def test_every_chunk_carries_citation_metadata() -> None:
    doc = LoadedDocument("Leave", "pdf", (Section(("A",), "Text one."),), url="https://x",
                         updated="2025-02-03", pages=1)
    chunk = split_into_chunks(doc, IDENTITY, words)[0]
    assert (chunk.doc_id, chunk.collection, chunk.source, chunk.title) == \
        ("c/leave.md", "c", "leave.md", "Leave")
    assert (chunk.url, chunk.updated, chunk.doc_version) == ("https://x", "2025-02-03", "v1")
    assert len(chunk.content_hash) == 64
    assert chunk.embedding_text.startswith("Leave — A\n")


def test_small_sibling_sections_are_merged_keeping_headings() -> None:
    sections = tuple(Section(("Guide", f"Step {i}"), f"Do thing {i}.") for i in range(4))
    doc = LoadedDocument("Guide", "markdown", sections)
    chunks = split_into_chunks(doc, IDENTITY, words, ChunkingOptions(max_tokens=120))
    assert len(chunks) == 1
    assert "Step 2\nDo thing 2." in chunks[0].text
    # the first section's heading too: it is not in the run's common path ("Guide")
    assert chunks[0].text.startswith("Step 0\nDo thing 0.")


def test_a_folded_first_section_keeps_its_heading_and_its_conditions() -> None:
    sections = (Section(("Apprentice pay", "Aged 16 to 18"), "The rate is £7.55 an hour."),
                Section(("Apprentice pay", "Aged 19 and over"), "The rate is £12.21 an hour."))
    (run,) = _merge_small_sections(sections, words, small=20)
    assert run.section.text == ("Aged 16 to 18\nThe rate is £7.55 an hour.\n\n"
                                "Aged 19 and over\nThe rate is £12.21 an hour.")
    first = run.label(0, run.section.text.index("\n\n"))
    assert first.heading_path == ("Apprentice pay", "Aged 16 to 18")
    parent = (Section(("Pay",), "Rates change in April."), Section(("Pay", "Adults"), "£12.21."))
    (run,) = _merge_small_sections(parent, words, small=20)
    assert run.section.text.startswith("Rates change in April.")  # its heading is the path


def test_chunk_ids_are_stable_and_hashes_follow_text() -> None:
    doc = LoadedDocument("T", "text", (Section((), "Alpha beta."),))
    again = split_into_chunks(doc, IDENTITY, words)
    assert split_into_chunks(doc, IDENTITY, words) == again
    other = DocumentIdentity("c/leave.md", "c", "leave.md", "v2")
    moved = split_into_chunks(doc, other, words)[0]
    assert moved.chunk_id != again[0].chunk_id and moved.content_hash == again[0].content_hash


def test_a_leading_heading_equal_to_the_title_is_not_repeated_in_the_path() -> None:
    doc = LoadedDocument("Leave", "pdf", (Section(("Leave", "Notice"), "Give notice."),))
    assert split_into_chunks(doc, IDENTITY, words)[0].section == "Notice"


def test_pieces_of_folded_sections_cite_their_own_heading_and_pages() -> None:
    sections = tuple(Section(("Guide", name), f"Rules for {name.lower()} apply here.", page, page)
                     for page, name in enumerate(("Booking", "Cancelling", "Refunds"), start=3))
    (run,) = _merge_small_sections(sections, words, small=20)
    text = run.section.text
    assert "\n\nCancelling\nRules for cancelling" in text  # later headings stay in the text
    start, end = text.index("Cancelling\n"), text.index("Refunds\n")
    inside = run.label(start, end)  # a piece that is all "Cancelling"
    assert (inside.heading_path, inside.page_start, inside.page_end) == \
        (("Guide", "Cancelling"), 4, 4)
    mostly = run.label(start - 3, end)  # 2/3 or more in one section: its path and pages
    assert (mostly.heading_path, mostly.page_start, mostly.page_end) == \
        (("Guide", "Cancelling"), 4, 4)
    spread = run.label(0, len(text))
    assert spread.heading_path == ("Guide", "Booking; Cancelling; Refunds")
    assert (spread.page_start, spread.page_end) == (3, 5)


def test_a_folded_chunk_is_cited_by_its_headings_but_embedded_as_before() -> None:
    sections = tuple(Section(("Guide", f"Step {i}"), f"Do thing {i}.", i, i) for i in range(3))
    doc = LoadedDocument("Guide", "pdf", sections)
    (chunk,) = split_into_chunks(doc, IDENTITY, words, ChunkingOptions(max_tokens=120))
    assert chunk.section == "Step 0; Step 1; Step 2"
    assert (chunk.page_start, chunk.page_end) == (0, 2)
    # the vector and BM25 see the folded run's common path (here none), as before
    assert chunk.embedded_section == ""
    assert chunk.embedding_text == "Guide\n" + chunk.text
    single = split_into_chunks(LoadedDocument("Guide", "pdf", sections[:1]), IDENTITY, words)[0]
    assert single.section == "Step 0" and single.embedded_section is None


def test_a_piece_over_a_parent_and_its_child_is_cited_by_the_parent() -> None:
    sections = (Section(("Guide", "Leave"), "Leave rules in short."),
                Section(("Guide", "Leave", "Booking"), "Book two weeks ahead."))
    (run,) = _merge_small_sections(sections, words, small=20)
    assert run.label(0, len(run.section.text)).heading_path == ("Guide", "Leave")


def test_control_characters_never_reach_a_chunk() -> None:
    from ingest.loaders.sections import normalise_block, normalise_text

    assert normalise_text("Night\x07 rate\x00 is £12\x1b.") == "Night rate is £12."
    assert normalise_block("  - item\x07") == "  - item"


def test_a_lone_conjunction_is_joined_to_its_neighbour() -> None:
    from ingest.chunking import _absorb_scraps

    text = "You must be a relevant EEA citizen; or\n\nor\n\nyou must hold a valid family permit."
    first = text.index("or\n\nor") + 4
    spans = [(0, first - 2), (first, first + 2), (first + 4, len(text))]
    merged = _absorb_scraps(spans, text, words, budget=50)
    assert [text[a:b] for a, b in merged] == [
        "You must be a relevant EEA citizen; or",
        "or\n\nyou must hold a valid family permit."]
    # no room after: joined to the piece before; no room either side: left alone
    assert len(_absorb_scraps(spans, text, words, budget=8)) == 2
    assert len(_absorb_scraps(spans, text, words, budget=3)) == 3


def salary_table(markdown: bool) -> str:
    rows = [f"{5300 + n} Trade {n} – all jobs | Yes | Yes | No | 31 December 2026"
            for n in range(60)]
    if markdown:
        return "\n".join(["| Occupation | England | Scotland | Wales | Expires |",
                          "| --- | --- | --- | --- | --- |", *(f"| {r} |" for r in rows)])
    return "\n".join(["Occupation | England | Scotland | Wales | Expires", *rows])


def test_rows_split_from_their_table_carry_its_header_within_the_model_limit() -> None:
    for markdown, cap in ((True, 80), (False, 80), (True, 250), (False, 250)):
        text = f"The list says where each job qualifies.\n\n{salary_table(markdown)}"
        doc = LoadedDocument("Salary list", "markdown", (Section(("Salary list",), text),))
        chunks = split_into_chunks(doc, IDENTITY, words, ChunkingOptions(max_tokens=cap,
                                                                          overlap_tokens=8))
        assert len(chunks) > 1
        header = text.split("\n")[2]  # the first line of the table
        assert chunks[0].text.startswith("The list says")  # the table's own header is in it
        for chunk in chunks[1:]:
            assert chunk.text.startswith(header), chunk.text[:80]
            # the header may go over the cap into the model's slack, never over the model's limit
            assert words(chunk.embedding_text) <= MODEL_LIMIT
            rows = chunk.text.split("\n")[2 if markdown else 1:]
            assert words("\n".join(rows)) <= cap
        if markdown:
            assert all(c.text.split("\n")[1].startswith("| --- |") for c in chunks[1:])
        rows = [line for c in chunks for line in c.text.split("\n") if "Trade" in line]
        assert len(set(rows)) == 60  # every row kept


def test_a_header_too_wide_for_rows_under_it_is_not_repeated() -> None:
    columns = [f"Column heading number {n} of the spending table" for n in range(30)]
    rows = [" | ".join(f"{n}.{c}" for c in range(30)) for n in range(40)]
    text = "\n".join([" | ".join(columns), *rows])
    doc = LoadedDocument("Spending", "markdown", (Section(("Spending",), text),))
    chunks = split_into_chunks(doc, IDENTITY, words)
    assert len(chunks) > 2
    assert all(words(c.embedding_text) <= MODEL_LIMIT for c in chunks)
    assert not any(c.text.startswith("Column heading") for c in chunks[1:])


def test_a_short_table_or_prose_gets_no_header_added() -> None:
    short = "Rate | Amount\nWeekly | £187.18\nMonthly | £811"
    assert [c.text for c in section_chunks("Pay", "Pay", short)] == [short]
    prose = " ".join(f"Sentence {i} is prose." for i in range(100))
    chunks = section_chunks("Pay", "Pay", prose, ChunkingOptions(max_tokens=40))
    assert "".join(c.text for c in chunks).count("|") == 0


def clause(n: int) -> str:
    """The clause label of item ``n``: "a" to "z", then "aa", "ab"..."""
    return chr(97 + n) if n < 26 else "a" + chr(97 + n - 26)


def visitor_rules(items: int) -> str:
    return "\n".join([
        "1. V 4.5. Permitted activities must not amount to employment.",
        "2. V 4.6. The Visitor must not receive payment from a UK source, except for the "
        "following:",
        *(f"{n + 1}. ({clause(n)}) permitted payment number {n} for travel costs and subsistence "
          f"allowed under rule {n}; or" for n in range(items)),
        "3. V 4.7. A Visitor must not study for more than 30 days.",
    ])


def test_items_split_from_their_list_carry_its_lead_in_and_its_sibling_does_not() -> None:
    # from an immigration caseworker's review: "(d) billing a UK client ..." was quoted without
    # the "must not receive payment ... except for the following:" it completes
    lead_in = "2. V 4.6. The Visitor must not receive payment from a UK source, except for the " \
        "following:"
    for cap in (60, 120):
        chunks = section_chunks("Visitor", "Payment", visitor_rules(30),
                                ChunkingOptions(max_tokens=cap, overlap_tokens=8))
        assert len(chunks) > 2
        among_items = [c for c in chunks if c.text.split("\n")[0] != lead_in and
                       "permitted payment number" in c.text and "V 4.5." not in c.text]
        assert not among_items, among_items[0].text[:120]
        assert all(words(c.embedding_text) <= MODEL_LIMIT for c in chunks)
        items = {line for c in chunks for line in c.text.split("\n") if "payment number" in line}
        assert len(items) == 30  # every item kept
        # the last chunk holds V 4.7 after the last items: its items still carry the lead-in,
        # and V 4.7, a sibling of V 4.6 (same kind of number), is no item of it
        last = chunks[-1]
        assert "V 4.7." in last.text
    from ingest.lists import lead_ins_for, list_heads
    heads = list_heads(visitor_rules(30))
    assert [h.lead_in for h in heads] == [lead_in]
    after = visitor_rules(30).index("3. V 4.7.")
    assert lead_ins_for(heads, after) == []


def test_a_nested_list_ends_at_its_outer_lists_next_item() -> None:
    """From a code review: "- send one of the following:" and its indented items ran on to the
    end of the outer list, so a chunk among the outer items ("- pay the fee") got it as its
    lead-in, turning required items into a choice."""
    from ingest.lists import lead_ins_for, list_heads

    outer = [f"- condition number {n} that applies to every application" for n in range(30)]
    text = "\n".join(["To apply you must:", *outer[:5], "- send one of the following:",
                      "  - a passport", "  - a bank statement", "- pay the fee of 50 pounds",
                      *outer[5:]])
    heads = list_heads(text)
    assert [h.lead_in for h in heads] == ["To apply you must:", "- send one of the following:"]
    assert lead_ins_for(heads, text.index("- pay the fee")) == ["To apply you must:"]
    assert lead_ins_for(heads, text.index("  - a bank statement")) == [
        "To apply you must:", "- send one of the following:"]
    chunks = section_chunks("Apply", "Apply", text,
                            ChunkingOptions(max_tokens=60, overlap_tokens=8))
    # the nested list's lead-in never stands alone over the outer list's items
    assert all(c.text.startswith("To apply you must:") for c in chunks
               if "pay the fee" in c.text and "send one of the following" in c.text)
    assert all(words(c.embedding_text) <= MODEL_LIMIT for c in chunks)
    # a run of bullet lines that each end in a colon introduces nothing: each is its
    # neighbour's sibling (and each is looked at once, not to the end of the run)
    assert list_heads("\n".join(f"- step {n}:" for n in range(2000))) == []


def test_a_list_item_wrapped_onto_an_unindented_line_does_not_end_its_list() -> None:
    """From a code review: PDF text wraps bullet items onto unindented lines, which ended the
    list, so a wrapped PDF list got no lead-in."""
    from ingest.lists import lead_ins_for, list_heads

    text = ("You must contact the enquiry line straight away if:\n"
            "• the person died in prison or in\npolice custody\n"
            "• the death was caused by an accident at work\n"
            "• the person was detained under the Mental Health Act\n"
            "Other deaths are reported to the coroner's office.")
    heads = list_heads(text)
    assert [h.lead_in for h in heads] == [
        "You must contact the enquiry line straight away if:"]
    assert lead_ins_for(heads, text.index("• the person was detained")) == [heads[0].lead_in]
    assert lead_ins_for(heads, text.index("Other deaths")) == []  # the list has ended


def test_a_lead_in_is_repeated_only_in_the_room_the_model_leaves_so_no_split_moves() -> None:
    roomy = section_chunks("Visitor", "Payment", visitor_rules(60), ChunkingOptions(max_tokens=200))
    assert any(c.text.startswith("2. V 4.6.") for c in roomy[1:])
    # a budget at the model's limit leaves no room for it: the chunks are as they would be
    # without lists, not more of them
    tight = section_chunks("Visitor", "Payment", visitor_rules(60),
                           ChunkingOptions(max_tokens=MODEL_LIMIT))
    assert not any(c.text.startswith("2. V 4.6.") for c in tight[1:])
    assert len(tight) >= 2 and all(words(c.embedding_text) <= MODEL_LIMIT for c in tight)
    assert " ".join(c.text for c in tight).count("The Visitor must not receive payment") == 1


def test_a_short_list_a_lead_in_without_items_or_a_lead_in_in_the_chunk_adds_nothing() -> None:
    short = visitor_rules(3)
    assert [c.text for c in section_chunks("Visitor", "Payment", short)] == [short]
    prose = " ".join(f"Sentence {i} is prose, and it goes on:" for i in range(60))
    chunks = section_chunks("Pay", "Pay", prose, ChunkingOptions(max_tokens=40))
    assert "".join(c.text for c in chunks).count("Sentence 0 ") == 1


def test_a_title_page_or_a_heading_with_no_text_of_its_own_is_no_chunk() -> None:
    body = " ".join(f"Only staff whose contract names their home may claim item {i}."
                    for i in range(40))
    doc = LoadedDocument("Home Working Allowance Guidance", "pdf", (
        Section((), "Home Working Allowance\nGuidance", 1, 1),
        Section(("2 Eligibility",), "2 Eligibility", 1, 1),
        Section(("2 Eligibility", "2.1 Contractual home workers"),
                f"2.1 Contractual home workers\n{body}", 1, 2),
    ))
    chunks = split_into_chunks(doc, IDENTITY, words, ChunkingOptions(max_tokens=200))
    assert chunks and all("Only staff" in c.text for c in chunks)
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert chunks[0].section == "2 Eligibility > 2.1 Contractual home workers"
    # a document that is nothing but its title keeps that chunk rather than none
    alone = LoadedDocument("Lone working", "docx", (Section((), "Lone working"),))
    assert [c.text for c in split_into_chunks(alone, IDENTITY, words)] == ["Lone working"]


def test_a_heading_whose_words_are_the_fact_is_kept() -> None:
    overview = " ".join(f"You must send tax return {i} if you are self-employed." for i in
                        range(12))
    doc = LoadedDocument("Self Assessment", "docx", (
        Section(("Overview",), overview),
        Section(("Deadline: 31 January",), "31 January."),
    ))
    chunks = split_into_chunks(doc, IDENTITY, words, ChunkingOptions(max_tokens=60))
    assert any(c.text == "31 January." and c.section == "Deadline: 31 January" for c in chunks)
