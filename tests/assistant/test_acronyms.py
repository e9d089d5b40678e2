"""Abbreviations typed in a question are searched for by the names the guidance spells out."""

from __future__ import annotations

from assistant.acronyms import Acronyms
from assistant.bm25 import Bm25Index
from assistant.retrieval import HybridRetriever, RetrievalParams
from assistant.testing import FakeEmbedder, InMemoryChunkIndex
from tests.assistant.test_bm25 import add_document, chunk
from tests.assistant.test_spelling import CountingTexts

GUIDANCE = [
    "You could get a Sure Start Maternity Grant of £500. The Sure Start Maternity Grant is paid "
    "once. Send the form to Freepost DWP SSMG.",
    "Statutory Sick Pay (SSP) is paid by employers. You can get SSP for up to 28 weeks. SSP is "
    "paid at the same rate. Ask your employer about SSP and Statutory Sick Pay.",
    "The Department for Work and Pensions (DWP) pays most benefits. DWP decides claims.",
    "HOW TO APPLY. You may apply online. This Budget changes the rates. This Budget is new.",
    "This is called a subject access request (SAR). Subject access requests are logged. Log "
    "it on the SAR Tracker. Answer a subject access request within a month. Refuse a subject "
    "access request only with advice.",
    "Dr Jones signs the form. A DR application is made by a Dependent Relative. Dependent Relative "
    "rules apply. The DR route.",
]


def test_an_abbreviation_the_guidance_rarely_uses_is_searched_for_by_its_name() -> None:
    texts = CountingTexts(GUIDANCE)
    acronyms = Acronyms(texts)
    # implied: "SSMG" is used once and never defined; the name it spells is used twice
    assert acronyms.expansions("ssmg amount") == [("ssmg", "Sure Start Maternity Grant")]
    assert acronyms.expansions("SSMG how much?") == [("SSMG", "Sure Start Maternity Grant")]
    # defined, connecting words skipped in the initials
    assert acronyms.name_of("DWP") == "Department for Work and Pensions"
    assert acronyms.name_of("ssp") == "Statutory Sick Pay"
    # a definition in lower case; the name is counted however it is written
    assert acronyms.name_of("SAR") == "subject access request"
    assert acronyms.expansions("SAR deadline") == [("SAR", "subject access request")]
    # the map is built once; a name's count is read once, on first need
    calls = texts.calls
    acronyms.expansions("ssmg amount")
    acronyms.expansions("SSMG how much?")
    assert texts.calls == calls


IMMIGRATION = [
    "Section S-ILR: suitability. A person with indefinite leave to remain may travel. Indefinite "
    "leave to remain lapses after 2 years outside the UK. Apply for indefinite leave to remain.",
    "Permission is granted subject to a condition of no recourse to public funds. No recourse "
    "to public funds means you cannot claim most benefits.",
]


def test_caseworker_shorthand_the_guidance_never_defines_comes_from_the_abbreviations_list(
) -> None:
    # from an immigration caseworker's review: "ILR", "NRPF" and "EUSS" found nothing, as the
    # rules spell them out without defining them
    acronyms = Acronyms(CountingTexts(IMMIGRATION))
    assert acronyms.expansions("Has his ILR lapsed?") == [("ILR", "indefinite leave to remain")]
    assert acronyms.expansions("has his ilr lapsed?") == [("ilr", "indefinite leave to remain")]
    # never written by the guidance: only when typed in capitals
    assert acronyms.expansions("NRPF and Child Benefit?") == [
        ("NRPF", "no recourse to public funds")]
    assert acronyms.expansions("nrpf and child benefit?") == []
    # listed, but the guidance never spells the name out: nothing to add
    assert acronyms.expansions("Is an EUSS refusal reviewable?") == []
    # the guidance's own definition wins over the list
    own = Acronyms(CountingTexts([*IMMIGRATION, "The Indefinite Leave Rules (ILR) apply. The "
                                  "Indefinite Leave Rules say so. Read the Indefinite Leave "
                                  "Rules and the Indefinite Leave Rules again."]))
    assert own.expansions("Has his ILR lapsed?") == [("ILR", "Indefinite Leave Rules")]
    # (from a code review) a name already asked for is not added again, apostrophe or not, and
    # an English word typed in capitals for emphasis is no listed abbreviation
    jobs = Acronyms(CountingTexts(["Jobseeker's Allowance is paid fortnightly. Apply for "
                                   "Jobseeker's Allowance online. Jobseeker's Allowance rules."]))
    assert jobs.expansions("Can I get Jobseeker's Allowance (JSA) at 17?") == []
    assert jobs.expansions("Can I get JSA at 17?") == [("JSA", "Jobseeker's Allowance")]
    assert jobs.expansions("Where do I SEND the form?") == []


def test_no_expansion_where_it_would_only_add_noise_or_be_wrong() -> None:
    acronyms = Acronyms(CountingTexts(GUIDANCE))
    # the guidance uses "SSP" more often than its name: searching for "ssp" already finds it
    assert acronyms.expansions("how long is ssp paid") == []
    # the name is already in the question
    assert acronyms.expansions("Is the Sure Start Maternity Grant (SSMG) taxed?") == []
    # words of a heading in capitals are no abbreviations; a sentence's opening words name
    # nothing ("This Budget" does not spell "TB"); a title is not "DR"
    assert acronyms.expansions("how to apply, may I?") == []
    assert acronyms.expansions("tb certificate") == []
    assert acronyms.expansions("Can Dr Jones sign it?") == []


def test_two_letters_and_the_tails_of_names_are_not_guessed() -> None:
    """From a review: 'who is my mp' searched for 'Maternity Pay' (the tail of 'Statutory
    Maternity Pay'), 'after 6 PM' for 'Prime Minister', 'my dr' for 'Dependent Relative'."""
    texts = ["Statutory Maternity Pay is paid for 39 weeks. Statutory Maternity Pay (SMP) starts "
             "on the day. MP and MP again. SMP rates rise.",
             "The Prime Minister (PM) said so. Apply to the Prime Minister. The Prime Minister "
             "decides. The Prime Minister agrees. PM.",
             "A DR application is made by a Dependent Relative. Dependent Relative rules: DR 1.1."]
    acronyms = Acronyms(CountingTexts(texts))
    for question in ("who is my mp", "who is my MP", "Is overtime paid after 6 PM?",
                     "letter from my dr about sick pay"):
        assert acronyms.expansions(question) == [], question
    assert acronyms.expansions("What did the PM say?") == [("PM", "Prime Minister")]


def test_the_retriever_searches_for_the_name_and_says_so() -> None:
    index = InMemoryChunkIndex()
    add_document(index, [chunk("grant.md", 0, GUIDANCE[0])])
    add_document(index, [chunk("sick.md", 0, GUIDANCE[1])])
    add_document(index, [chunk("other.md", 0, "Maternity Allowance amounts are paid weekly.")])
    bm25 = Bm25Index.build(index.get_chunks(), "fp")
    on = HybridRetriever(index, FakeEmbedder(), bm25, RetrievalParams())  # type: ignore[arg-type]
    assert on.spelling_corrections("sure start maternity grant, ssmg") == []  # name said
    assert on.spelling_corrections("ssmg amount") == [("ssmg", "Sure Start Maternity Grant")]
    # only what is asked: an abbreviation among the case's facts is no topic to search for
    assert on.spelling_corrections("She posted it to SSMG. How long until it is paid?") == []
    assert on.spelling_corrections("She is on JSA. How much is the SSMG?") == [
        ("SSMG", "Sure Start Maternity Grant")]
    off = HybridRetriever(index, FakeEmbedder(), bm25,  # type: ignore[arg-type]
                          RetrievalParams(acronyms=False))
    assert off.spelling_corrections("ssmg amount") == []


def test_an_undefined_abbreviation_needs_its_name_beside_it_somewhere() -> None:
    """From a second review: 'IRA', once in a history page, was taken for 'Immigration Rules
    Appendix', which the rules write thousands of times; and a question typed in capitals made
    abbreviations of 'HE' and 'FIT'."""
    texts = ["In 1991 the IRA fired mortar bombs at Downing Street. IRA history.",
             *["Immigration Rules Appendix Finance. Immigration Rules Appendix Student."] * 3,
             "Higher Education (HE) funding. Feed in Tariff (FIT) payments. HE and FIT. "
             "Higher Education. Higher Education. Higher Education. Feed in Tariff."]
    acronyms = Acronyms(CountingTexts(texts))
    assert acronyms.name_of("IRA") is None
    assert acronyms.expansions("DOES HE NEED A FIT NOTE?") == []
    assert acronyms.expansions("Is HE funding paid?") == [("HE", "Higher Education")]


def test_a_lone_abbreviation_in_capitals_is_still_expanded() -> None:
    """From a third review: 'SSMG' alone counted as a question typed in capitals."""
    acronyms = Acronyms(CountingTexts(GUIDANCE))
    assert acronyms.expansions("SSMG") == [("SSMG", "Sure Start Maternity Grant")]
    assert acronyms.expansions("SSMG?") == [("SSMG", "Sure Start Maternity Grant")]


def test_a_name_is_counted_in_the_texts_the_bm25_index_says_use_its_words() -> None:
    index = InMemoryChunkIndex()
    for n, text in enumerate(GUIDANCE):
        add_document(index, [chunk(f"doc{n}.md", 0, text)])
    bm25 = Bm25Index.build(index.get_chunks(), "fp")
    assert bm25.texts_with("sure") == [c.embedding_text for c in index.get_chunks()
                                       if "Sure Start" in c.text]
    assert bm25.texts_with("starts") == bm25.texts_with("start")  # any form of the word
    assert bm25.texts_with("unheardof") == [] and bm25.texts_with("for") is None  # a stopword
    asked: list[str] = []

    def texts_with(word: str) -> list[str] | None:
        asked.append(word)
        return bm25.texts_with(word)

    scanning = CountingTexts([c.embedding_text for c in index.get_chunks()])
    reading = Acronyms(scanning, texts_with)
    everything = Acronyms(CountingTexts([c.embedding_text for c in index.get_chunks()]))
    for name in ("Sure Start Maternity Grant", "Department for Work and Pensions",
                 "subject access request", "Dependent Relative"):
        calls = scanning.calls
        assert reading._spelt_out(name) == everything._spelt_out(name) > 0, name
        assert scanning.calls == calls, name  # no scan of every text
    # the last word may end a longer one ("requests"), so only the others are looked up
    assert "request" not in asked and {"sure", "department", "subject"} <= set(asked)
    # a name of stopwords alone is counted by a scan
    assert reading._spelt_out("For The") == everything._spelt_out("For The")
    assert scanning.calls > calls
