"""Query spelling: UK forms, typo fixes against the index's words, and what is left alone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.bm25 import Bm25Index
from assistant.retrieval import HybridRetriever, RetrievalParams
from assistant.spelling import MAX_CORRECTIONS, Speller, english_words, expand, uk_forms
from assistant.testing import FakeEmbedder, InMemoryChunkIndex
from tests.assistant.test_bm25 import add_document, chunk

GUIDANCE = ["Employers must not discriminate against workers. Being discriminated against "
            "because of gender reassignment is unlawful.",
            "Tell your neighbour about the programme. Employers must maintain records.",
            "Discrimination at work: what employers must do to maintain fair treatment."] * 3


@pytest.mark.parametrize(("us", "uk"), [
    ("realize", "realise"), ("organization", "organisation"), ("analyzed", "analysed"),
    ("neighbor", "neighbour"), ("behavior", "behaviour"), ("center", "centre"),
    ("enrollment", "enrolment"), ("enroll", "enrol"), ("traveled", "travelled"),
    ("license", "licence"), ("program", "programme"), ("catalog", "catalogue"),
])
def test_uk_forms_of_us_spellings(us: str, uk: str) -> None:
    assert uk in uk_forms(us)


def test_the_english_word_list_ships_with_the_package() -> None:
    words = english_words()
    assert len(words) > 80_000 and "percent" in words and "descriminated" not in words


class CountingTexts:
    """FAKE: the chunk texts, counting how often the speller asks for them."""

    def __init__(self, texts: list[str]) -> None:
        self.texts, self.calls = texts, 0

    def __call__(self) -> Iterator[str]:
        self.calls += 1
        return iter(self.texts)


def speller(texts: CountingTexts) -> Speller:
    known = {w.lower().strip(".:") for t in texts.texts for w in t.split()}
    return Speller(lambda word: word in known, texts)


def test_typos_become_the_indexes_words_and_the_dictionary_is_built_once() -> None:
    texts = CountingTexts(GUIDANCE)
    spell = speller(texts)
    assert spell.corrections("Employers must maintain records") == []
    assert texts.calls == 0  # no unknown word: the typo dictionary is never built
    assert spell.corrections("Will I be descriminated? Must they mantain records?") == [
        ("descriminated", "discriminated"), ("mantain", "maintain")]
    assert spell.corrections("Can my neighbor join the program?") == [
        ("neighbor", "neighbour"), ("program", "programme")]
    spell.corrections("descriminate again")
    assert texts.calls == 1


def test_english_words_short_words_and_other_first_letters_are_left_alone() -> None:
    spell = speller(CountingTexts(GUIDANCE))
    # "percent" and "nervous" are English words the index does not use: meaning is kept
    assert spell.corrections("What percent of nervous workers") == []
    # one edit away from "maintain" but a different first letter; "wrok" is too short
    assert spell.corrections("naintain wrok") == []
    # a rare index word (seen fewer than 3 times) is not trusted as a correction
    rare = speller(CountingTexts(["Reassignment is covered once."] + GUIDANCE[:1]))
    assert rare.corrections("reasignment") == []


def test_expand_keeps_the_words_as_typed() -> None:
    assert expand("Am I descriminated?", [("descriminated", "discriminated")]) == \
        "Am I descriminated? discriminated"
    assert expand("unchanged", []) == "unchanged"


def retriever(spelling: bool) -> HybridRetriever:
    index = InMemoryChunkIndex()
    for n in range(3):
        add_document(index, [chunk(f"pay-{n}.md", 0, f"Statutory pay part {n} is paid weekly.")])
    for n, text in enumerate(GUIDANCE):
        add_document(index, [chunk(f"doc-{n}.md", 0, text)])
    bm25 = Bm25Index.build(index.get_chunks(), "fp")
    return HybridRetriever(index, FakeEmbedder(), bm25, RetrievalParams(spelling=spelling))


def test_the_retriever_searches_for_the_corrected_word_too() -> None:
    on = retriever(True)
    assert on.spelling_corrections("descriminated") == [("descriminated", "discriminated")]
    found = on.retrieve("descriminated", k=2)
    assert found and "discriminated" in found[0].chunk.text
    bm25 = on._current_bm25()
    assert bm25.search("descriminated", 5) == []  # the word as typed matches nothing
    expanded = expand("descriminated", on.spelling_corrections("descriminated"))
    assert "discriminated" in bm25.search(expanded, 5)[0][0].text
    assert retriever(False).spelling_corrections("descriminated") == []
    assert on.retrieve("statutory pay weekly", k=1)[0].chunk.source.startswith("pay-")
    assert on.spelling_corrections("statutory pay weekly") == []


def test_accented_words_are_left_alone_and_corrections_are_capped() -> None:
    spell = speller(CountingTexts(GUIDANCE))
    assert spell.corrections("Universität Pôle emploi") == []
    words = ["benefits", "allowance", "maternity", "paternity", "statutory", "employer",
             "discriminated"]
    wide = speller(CountingTexts([" ".join(words)] * 3))
    typos = "benefitz allowanse maternaty paternaty statutery employar descriminated"
    assert len(wide.corrections(typos)) == MAX_CORRECTIONS == 5  # of 7 that could be made
    assert len(wide.corrections(" ".join(typos.split()[:4]))) == 4


def test_warm_up_builds_the_spelling_dictionary() -> None:
    ready = retriever(True)
    assert ready._current_bm25().speller._symspell is None
    ready.warm_up()
    assert ready._current_bm25().speller._symspell is not None


def test_english_words_the_guidance_never_uses_are_reported_but_typos_and_us_forms_are_not(
) -> None:
    on = retriever(True)
    # "freedom" and "outages" are English words no chunk uses; "weekly" and "pay" are used;
    # "what" and "must" are stopwords; "descriminated" is a typo, corrected instead
    assert on.unknown_words("What freedom of outages must be paid weekly?") == [
        "freedom", "outages"]
    # the words of asking are not topics, and another form of an indexed word is known
    assert on.unknown_words("Hello, I was wondering whether you could please tell me, thanks") == []
    assert on.unknown_words("Is statutory pay discriminatory?") == []  # as "discriminated"
    assert on.unknown_words("descriminated statutory pay") == []
    assert on.unknown_words("Universität") == []  # other languages and names: not judged
    # the grammar of asking is no topic, even where the index never uses it
    assert on.unknown_words("How much, how many and whose freedom?") == ["freedom"]
    # nor are contractions typed without their apostrophe, and none is "corrected"
    assert on.unknown_words("whats the freedom, i dont know and theyre not") == ["freedom"]
    assert speller(CountingTexts(GUIDANCE)).corrections("whats doesnt shouldnt theyre") == []


def test_a_named_thing_the_guidance_never_mentions_is_reported_but_a_person_or_a_typo_is_not(
) -> None:
    # from an immigration caseworker's review: "the Schengen rule" was answered from the UK's
    # own absence rules with no warning ("Schengen" is in no English word list)
    on = retriever(True)
    assert on.unknown_words("Must employers maintain the Schengen records?") == ["schengen"]
    assert on.unknown_words("Is a Schengen programme unlawful? The Schengen workers.") == [
        "schengen"]
    # a name with no "the", "a" or "an" before it is taken for a person; one only in the
    # case's facts (no question mark) is not judged; a typo of an indexed word is corrected
    assert on.unknown_words("Must Okonkwo maintain records?") == []
    assert on.unknown_words("Must the Okonkwos maintain records?") == []  # a family
    assert on.unknown_words("The Schengen programme. Must employers maintain records?") == []
    assert on.unknown_words("Is the Discriminaton programme unlawful?") == []
