"""answer_question: extractive and generative answers, abstention, follow-ups, failures."""

from __future__ import annotations

import pytest

from assistant import prompts
from assistant.answering import (
    answer_question,
    build_messages,
    select_within_budget,
    spelling_note,
    unnamed_amount_warnings,
)
from assistant.config import Settings
from assistant.errors import ModelError
from assistant.testing import FakeChatModel, FakeRetriever
from assistant.types import Answer, ChunkFilter
from tests.assistant.builders import guidance_chunk, scored

MATERNITY = (
    "You can get Maternity Allowance for up to 39 weeks. You could get £184.03 a week. "
    "You must have been self-employed for at least 26 weeks in the 66 weeks before the birth."
)
ADOPTION = "Statutory Adoption Pay is paid by your employer for up to 39 weeks."
SETTINGS = Settings(context_token_budget=3000)


def retriever(top: float = 0.8) -> FakeRetriever:
    return FakeRetriever(
        scored(
            guidance_chunk(MATERNITY, doc="maternity-allowance"),
            guidance_chunk(ADOPTION, doc="adoption-pay"),
            top=top,
        ),
        min_relevance=0.5,
    )


def test_offline_answer_streams_then_stores_the_same_text() -> None:
    stream = answer_question(
        "How much Maternity Allowance a week?", [], retriever=retriever(), llm=None
    )
    pieces = list(stream)
    answer = stream.final
    assert len(pieces) >= 2 and "".join(pieces) == answer.text
    assert answer.mode == "extractive" and answer.answered
    assert "£184.03 a week" in answer.text and "[1]" in answer.text
    assert answer.citations[0].title == "Maternity allowance"
    assert all(part in MATERNITY for part in answer.citations[0].quote.split(" … "))
    assert stream.query == "How much Maternity Allowance a week?"


@pytest.mark.parametrize("relevant", [True, False])
def test_spelling_corrections_reach_the_final_answer(relevant: bool) -> None:
    fake = retriever(0.8 if relevant else 0.1)
    question = "How much Maternity Alowance a week?"
    fake.corrections[question] = [("alowance", "allowance")]
    stream = answer_question(question, [], retriever=fake, llm=None)
    list(stream)
    assert stream.final.answered is relevant
    assert stream.final.spelling == [("alowance", "allowance")]
    plain = answer_question("How much a week?", [], retriever=fake, llm=None)
    list(plain)
    assert plain.final.spelling == []
    assert spelling_note([("alowance", "allowance")]) == \
        'Also searched for "allowance" (typed "alowance").'
    assert spelling_note([]) == ""


def test_only_words_the_user_typed_are_reported_as_corrected() -> None:
    fake = retriever()
    question = "Is the Maternity Allowance program paid weekly?"
    # as if a rewritten follow-up had brought in a word the user never typed
    fake.corrections[question] = [("program", "programme"), ("organization", "organisation")]
    stream = answer_question(question, [], retriever=fake, llm=None)
    list(stream)
    assert stream.final.spelling == [("program", "programme")]


def test_final_before_the_stream_ends_raises() -> None:
    stream = answer_question("How much?", [], retriever=retriever(), llm=None)
    with pytest.raises(RuntimeError, match="not finished"):
        _ = stream.final


def test_filter_and_follow_up_reach_the_retriever() -> None:
    fake = retriever()
    where = ChunkFilter(collections=("guidance",))
    history = [("user", "Can I get Maternity Allowance?"), ("assistant", "Yes [1].")]
    stream = answer_question(
        "and if I am self-employed?", history, retriever=fake, llm=None, where=where
    )
    list(stream)
    assert fake.queries == [("Can I get Maternity Allowance? and if I am self-employed?", 6, where)]
    assert "self-employed" in stream.final.text


@pytest.mark.parametrize("with_model", [False, True])
def test_abstains_and_lists_the_closest_documents(with_model: bool) -> None:
    llm = FakeChatModel() if with_model else None
    stream = answer_question(
        "What is the speed limit on motorways?", [], retriever=retriever(top=0.3), llm=llm
    )
    text = "".join(stream)
    answer = stream.final
    assert not answer.answered and prompts.NOT_COVERED in text
    assert [c.title for c in answer.closest] == ["Maternity allowance", "Adoption pay"]
    assert "https://www.gov.uk/adoption-pay" in text
    assert llm is None or llm.received == []


def test_abstains_when_nothing_is_retrieved() -> None:
    stream = answer_question("Anything?", [], retriever=FakeRetriever([]), llm=None)
    assert prompts.NOT_COVERED in "".join(stream)
    assert stream.final.closest == [] and not stream.final.answered


def test_generative_answer_is_checked_when_it_ends() -> None:
    llm = FakeChatModel()
    llm.enqueue("You can get it for up to 39 weeks [1]. Employers pay adoption pay [2][5].")
    stream = answer_question("How long?", [], retriever=retriever(), llm=llm, settings=SETTINGS)
    streamed = "".join(stream)
    answer = stream.final
    assert "[5]" in streamed and "[5]" not in answer.text.split("*Note:")[0]
    assert answer.text.startswith(
        "You can get it for up to 39 weeks [1]. Employers pay adoption pay [2]."
    )
    assert any("[5]" in w for w in answer.warnings) and "[5]" in answer.text.split("Note:")[1]
    assert [c.n for c in answer.citations] == [1, 2]
    assert answer.citations[0].quote == "You can get Maternity Allowance for up to 39 weeks."
    system, user = llm.received[0]
    assert system[0] == "system" and '<source n="1" title="Maternity allowance"' in user[1]
    assert user[1].rstrip().endswith("citing each claim as [n].")


def _model_answer(question: str, reply: str) -> Answer:
    """The final answer when the fake model replies ``reply`` to ``question``."""
    llm = FakeChatModel()
    llm.enqueue(reply)
    stream = answer_question(question, [], retriever=retriever(), llm=llm, settings=SETTINGS)
    list(stream)
    return stream.final


def test_generative_not_covered_is_an_abstention() -> None:
    llm = FakeChatModel()
    llm.enqueue(prompts.NOT_COVERED)
    stream = answer_question("Speed limits?", [], retriever=retriever(), llm=llm, settings=SETTINGS)
    list(stream)
    assert not stream.final.answered and len(stream.final.closest) == 2


@pytest.mark.parametrize("reply", [
    "I'm sorry, but the sources provided do not contain information about speed limits.",
    "I could not find anything about speed limits in the guidance.",
])
def test_a_not_covered_reply_in_the_models_own_words_is_an_abstention(reply: str) -> None:
    final = _model_answer("Speed limits?", reply)
    assert not final.answered and len(final.closest) == 2


@pytest.mark.parametrize("reply", [
    "If you cannot find your P60, ask payroll for a copy.",
    "Documents you send do not include originals.",
    "The guidance is clear: the employer did not provide notice, so you can claim.",
])
def test_an_uncited_answer_that_merely_uses_such_words_is_kept(reply: str) -> None:
    final = _model_answer("P60?", reply)
    assert final.answered and reply.split(",")[0] in final.text


def test_generative_answer_without_citations_is_flagged() -> None:
    llm = FakeChatModel()
    llm.enqueue("You can get it for 39 weeks.")
    stream = answer_question("How long?", [], retriever=retriever(), llm=llm, settings=SETTINGS)
    list(stream)
    assert stream.final.answered and "cites no source" in stream.final.warnings[0]


def test_a_stream_cut_mid_way_is_never_stored_as_complete() -> None:
    llm = FakeChatModel()
    llm.enqueue("You can get it for up to 39 weeks [1].", fail_after=3)
    stream = answer_question("How long?", [], retriever=retriever(), llm=llm, settings=SETTINGS)
    pieces: list[str] = []
    with pytest.raises(ModelError, match="cut off"):
        pieces.extend(stream)
    assert len(pieces) == 3
    with pytest.raises(ModelError, match="did not finish"):
        _ = stream.final


def test_follow_up_is_rewritten_by_the_model() -> None:
    llm = FakeChatModel()
    llm.enqueue("Can I get Maternity Allowance if I am self-employed?")
    llm.enqueue("Yes, if self-employed for 26 weeks [1].")
    fake = retriever()
    history = [("user", "Can I get Maternity Allowance?"), ("assistant", "Yes [1].")]
    stream = answer_question(
        "and if I am self-employed?", history, retriever=fake, llm=llm, settings=SETTINGS
    )
    list(stream)
    assert stream.query == "Can I get Maternity Allowance if I am self-employed?"
    assert fake.queries[0][0] == stream.query and stream.final.citations[0].n == 1


def test_context_stays_within_the_token_budget() -> None:
    long = [guidance_chunk("word " * 400, doc=f"d{i}") for i in range(5)]
    chosen = select_within_budget(scored(*long), budget_tokens=1200)
    assert 1 <= len(chosen) < 5
    assert sum(len(c.text) + 200 for c in chosen) <= 1200 * 4
    assert len(select_within_budget(scored(guidance_chunk("x " * 5000)), 300)[0].text) < 1200


def test_the_prompt_fences_every_source() -> None:
    chunks = [guidance_chunk(MATERNITY), guidance_chunk(ADOPTION, doc="adoption-pay")]
    user = build_messages("How long?", chunks)[1][1]
    assert user.count("<source ") == 2 and user.count("</source>") == 2
    assert user.index("</source>") < user.index("Question: How long?")


def test_a_model_failure_while_rewriting_is_reported_and_nothing_stored() -> None:
    llm = FakeChatModel()
    llm.enqueue(error=ModelError("The language model service had an error (500)."))
    history = [("user", "Can I get Maternity Allowance?"), ("assistant", "Yes [1].")]
    stream = answer_question(
        "and if I am self-employed?", history, retriever=retriever(), llm=llm, settings=SETTINGS
    )
    with pytest.raises(ModelError, match="500"):
        list(stream)
    with pytest.raises(ModelError, match="did not finish"):
        _ = stream.final


def test_a_documents_own_bracketed_numbers_are_not_citations() -> None:
    from assistant.citations import WORD_JOINER, cited_numbers

    text = "Overtime is paid at time and a half under regulation 4 [5] of the pay agreement [2]."
    fake = FakeRetriever(scored(guidance_chunk(text, doc="overtime")), min_relevance=0.5)
    stream = answer_question("How is overtime paid under the pay agreement?", [],
                             retriever=fake, llm=None)
    list(stream)
    answer = stream.final
    assert answer.answered and f"regulation 4 [{WORD_JOINER}5]" in answer.text
    assert cited_numbers(answer.text) == [1]  # only the answer's own marker cites
    assert not answer.warnings  # no "citation [5] removed" for the document's own text


def test_a_quote_with_an_inert_marker_is_still_found_in_its_source() -> None:
    from assistant.citations import check_answer, inert_markers

    source = "Overtime is paid under regulation 4 [5] of the pay agreement."
    answer = f'The guidance says "{inert_markers("regulation 4 [5] of the pay agreement")}" [1].'
    citation = scored(guidance_chunk(source, doc="overtime"))[0]
    from assistant.citations import build_citation

    checked = check_answer(answer, {1: build_citation(1, citation.chunk, source)}, {1: source})
    assert not any("does not appear" in w for w in checked.warnings)


class TopicRetriever(FakeRetriever):
    """FAKE retriever: the preset results score high only for queries that name ``topic``."""

    def __init__(self, topic: str) -> None:
        super().__init__(scored(guidance_chunk(
            "Employees must give at least 15 weeks' notice of paternity leave. "
            "Self-employed people cannot get Statutory Paternity Pay.", doc="paternity"),
            top=0.8), min_relevance=0.5)
        self.topic = topic

    def retrieve(self, query, k=8, where=None):  # type: ignore[no-untyped-def]
        results = super().retrieve(query, k, where)
        if self.topic in query.lower():
            return results
        return [type(r)(r.chunk, 0.1) for r in results]


def test_an_offline_follow_up_the_heuristic_missed_is_searched_with_its_history() -> None:
    retriever = TopicRetriever("paternity")
    history = [("user", "Can my employee get paternity pay?"), ("assistant", "Extracts [1]")]
    stream = answer_question("How much notice does he need to give before his leave starts?",
                             history, retriever=retriever, llm=None)
    "".join(stream)
    assert stream.final.answered and "15 weeks' notice" in stream.final.text
    assert [q for q, _, _ in retriever.queries][-1].startswith("Can my employee get paternity")
    lone = answer_question("How much notice does he need to give before his leave starts?", [],
                           retriever=TopicRetriever("paternity"), llm=None)
    "".join(lone)
    assert not lone.final.answered  # without a history there is nothing to fall back on


def test_a_new_question_that_stands_alone_is_not_answered_from_the_previous_topic() -> None:
    """From a browser review: 'Who approves a consolatory payment of £300?' asked after a
    paternity question was answered with paternity pay extracts."""
    retriever = TopicRetriever("paternity")
    history = [("user", "Can my employee get paternity pay?"), ("assistant", "Extracts [1]")]
    stream = answer_question("Who approves a consolatory payment of £300?", history,
                             retriever=retriever, llm=None)
    "".join(stream)
    assert not stream.final.answered and "paternity" not in stream.final.text.split("closest")[0]
    assert all("paternity" not in q for q, _, _ in retriever.queries)
    # "there is", "it is paid" point at nothing said earlier (from a code review)
    from assistant.followup import refers_back
    for alone in ("Is there a limit on consolatory payments?",
                  "Who approves a consolatory payment and when is it paid?"):
        assert not refers_back(alone), alone
    for back in ("How much notice does he need to give?", "Can her partner claim?",
                 "and if she is self-employed?", "What happens in this case?",
                 # from a second review: a thing named earlier points back too
                 "Can the employer reclaim it from HMRC?",
                 "What is the maximum amount for a couple under this scheme?"):
        assert refers_back(back), back
    # from a third review: a dummy "it", "IT", "that" as a conjunction, "this year"
    for alone in ("Does IT equipment count as a benefit in kind?",
                  "How long does it take to renew a driving licence?",
                  "Can I check that the parking permit is valid?", "Is it paid this year?"):
        assert not refers_back(alone), alone


@pytest.mark.parametrize("with_model", [False, True])
def test_a_uk_nation_the_sources_do_not_mention_is_answered_with_a_warning(
    with_model: bool,
) -> None:
    llm = FakeChatModel() if with_model else None
    if llm:
        llm.enqueue("You could get £184.03 a week [1].")
    stream = answer_question("I live in Scotland. How much Maternity Allowance a week?", [],
                             retriever=retriever(), llm=llm, settings=SETTINGS)
    list(stream)
    answer = stream.final
    assert answer.answered and "£184.03" in answer.text
    assert any("names Scotland" in w and "check that this guidance applies" in w
               for w in answer.warnings)
    assert not any("Wales" in w for w in answer.warnings)
    # a source that mentions the nation, or a nationality, gives no warning
    covered = FakeRetriever(scored(guidance_chunk(MATERNITY + " The same rates apply in Scotland.",
                                                  doc="maternity-allowance")), min_relevance=0.5)
    for question in ("I live in Scotland. How much Maternity Allowance a week?",
                     "She is Welsh. How much Maternity Allowance a week?"):
        stream = answer_question(question, [], retriever=covered, llm=None)
        list(stream)
        assert not any("names" in w for w in stream.final.warnings), question


@pytest.mark.parametrize("with_model", [False, True])
def test_words_the_guidance_never_uses_bring_a_warning(with_model: bool) -> None:
    question = "How much Maternity Allowance a week for a surrogate?"
    found = retriever()
    found.unknown[question] = ["surrogate"]
    llm = FakeChatModel() if with_model else None
    if llm:
        llm.enqueue("You could get £184.03 a week [1].")
    stream = answer_question(question, [], retriever=found, llm=llm, settings=SETTINGS)
    list(stream)
    assert stream.final.answered
    assert any('never uses the word "surrogate"' in w for w in stream.final.warnings)
    # the words of the case's facts are not judged: only what is asked (a debt adviser's review)
    case = f"She is frightened and does not want to be identified. {question}"
    found.unknown[case] = ["frightened", "surrogate"]
    if llm:
        llm.enqueue("You could get £184.03 a week [1].")
    stream = answer_question(case, [], retriever=found, llm=llm, settings=SETTINGS)
    list(stream)
    assert any('never uses the word "surrogate"' in w for w in stream.final.warnings)
    assert not any("frightened" in w for w in stream.final.warnings)
    # a question naming no topic of its own is read whole: its topic is in the facts
    generic = ("My client has pneumoconiosis from mining and wants to know her options. "
               "Can you help?")
    found.unknown[generic] = ["pneumoconiosis"]
    if llm:
        llm.enqueue("You could get £184.03 a week [1].")
    stream = answer_question(generic, [], retriever=found, llm=llm, settings=SETTINGS)
    list(stream)
    assert any('never uses the word "pneumoconiosis"' in w for w in stream.final.warnings)


PATERNITY = "Statutory Paternity Pay is £187.18 a week or 90% of your average weekly earnings."


@pytest.mark.parametrize("with_model", [False, True])
def test_a_near_twin_of_the_asked_word_in_the_sources_brings_a_warning(with_model: bool) -> None:
    llm = FakeChatModel() if with_model else None
    if llm:
        llm.enqueue("It is £187.18 a week [1].")
    found = FakeRetriever(scored(guidance_chunk(PATERNITY, doc="paternity-pay")),
                          min_relevance=0.5)
    stream = answer_question("How much maternity pay do I get?", [], retriever=found, llm=llm,
                             settings=SETTINGS)
    list(stream)
    assert any('You asked about "maternity", but the passages quoted are about "paternity"' in w
               for w in stream.final.warnings)


def test_no_near_twin_warning_when_the_asked_word_is_quoted() -> None:
    found = FakeRetriever(scored(guidance_chunk(PATERNITY, doc="paternity-pay")),
                          min_relevance=0.5)
    stream = answer_question("How much paternity pay do I get?", [], retriever=found, llm=None)
    list(stream)
    assert stream.final.answered and "£187.18" in stream.final.text
    assert not any("You asked about" in w for w in stream.final.warnings)


def test_near_twins_need_the_asked_word_missing_and_only_the_first_letter_changed() -> None:
    from assistant.answering import confusable_warnings

    assert confusable_warnings("maternity pay", ["pay"], ["Paternity pay"])  # in a heading
    assert confusable_warnings("maternity pay", ["paternity pay is paid for paternity leave"])
    assert not confusable_warnings("maternity pay", ["maternity and paternity pay"])
    assert not confusable_warnings("either of us living", ["the mother is moving"])
    assert not confusable_warnings("my employer", ["employers pay"], ["Employers"])  # a form
    # an ordinary word quoted once is no topic: "bearing in mind" for a "hearing"
    assert not confusable_warnings("When is my tribunal hearing?",
                                   ["Bearing in mind the delays, the tribunal will write."],
                                   ["Tribunals > Dates"])


def test_a_filtered_search_that_finds_nothing_says_what_it_left_out() -> None:
    from assistant.answering import filter_note
    assert filter_note(None) == "" and filter_note(ChunkFilter(doc_ids=("a",))) == ""
    note = filter_note(ChunkFilter(collections=("hr",), doc_types=("pdf", "docx")))
    assert "(collections hr; document types PDF, Word)" in note and "'Search in'" in note
    low = FakeRetriever(scored(guidance_chunk("Parking is free.", doc="parking"), top=0.1),
                        min_relevance=0.5)
    stream = answer_question("Who gets a company car?", [], retriever=low, llm=None,
                             where=ChunkFilter(doc_types=("pdf",)))
    list(stream)
    assert not stream.final.answered and stream.final.warnings == [
        filter_note(ChunkFilter(doc_types=("pdf",)))]


@pytest.mark.parametrize("with_model", [False, True])
def test_a_follow_up_asked_first_says_the_topic_is_missing_not_the_guidance(
        with_model: bool) -> None:
    """From a review: 'and what about for a child?', asked with no earlier question, was told
    only that the guidance does not cover it."""
    low = FakeRetriever(scored(guidance_chunk("Parking is free.", doc="parking"), top=0.1),
                        min_relevance=0.5)
    llm = FakeChatModel() if with_model else None
    stream = answer_question("and what about for a child?", [], retriever=low, llm=llm)
    list(stream)
    assert not stream.final.answered
    assert [w for w in stream.final.warnings if w.startswith(
        "This reads like a follow-up to an earlier question, but there is none")]
    for question, history in (("Who gets a company car?", []),  # stands alone
                              ("So how do I renew my fishing rod licence?", []),  # it names one
                              ("and what about for a child?", [("user", "Who gets SMP?")])):
        stream = answer_question(question, history, retriever=low, llm=None)
        list(stream)
        assert not stream.final.answered and stream.final.warnings == []


def test_a_follow_up_the_quoted_passages_do_not_speak_to_is_flagged() -> None:
    """From a browser review: 'and if she is self-employed?' was answered with the earlier
    question's passages, which say nothing about self-employment, and no caution."""
    from assistant.answering import follow_up_warnings
    quotes = ["Do not pursue overpayments of less than £65 unless the cause is fraud."]
    [warning] = follow_up_warnings("and if she is self-employed?", quotes)
    assert "do not mention 'self-employed'" in warning and "earlier question" in warning
    assert follow_up_warnings("and if the overpayment is fraud?", quotes) == []
    assert follow_up_warnings("and then?", quotes) == []  # nothing added to look for
    # another form of the word is no omission (from a code review)
    assert follow_up_warnings("what if she earns more?",
                              ["Your earnings must be at least £123 a week."]) == []
    # but a word sharing only its first letters is not said ("contractor" / "Contact")
    assert follow_up_warnings("and if she is a contractor?", ["Contact your employer."])
    assert follow_up_warnings("and if she is pregnant?",
                              ["Tell your employer about the pregnancy."]) == []
    fake = retriever()
    history = [("user", "Can I get Maternity Allowance?"), ("assistant", "Yes [1].")]
    stream = answer_question("and if I am a diplomat?", history, retriever=fake, llm=None)
    list(stream)
    assert stream.final.answered
    assert any("do not mention 'diplomat'" in w for w in stream.final.warnings)
    alone = answer_question("Can I get Maternity Allowance?", [], retriever=fake, llm=None)
    list(alone)
    assert not any("earlier question" in w for w in alone.final.warnings)


def test_the_retriever_says_which_chunk_comes_next_so_a_split_table_reads_as_going_on() -> None:
    header = "Category letter | £123 to £175 | Over £967 a week"
    rates = guidance_chunk(f"{header}\n---|---|---\nA | 0% | 13.8%\nB | 0% | 13.8%",
                           doc="ni-rates", n=6, section="Employer rates")
    rest = guidance_chunk(f"{header}\n---|---|---\nM | 0% | 13.8%", doc="ni-rates", n=7,
                          section="Employer rates")
    # the rest of the table is no source of the answer (scored far below), only the next chunk
    fake = FakeRetriever([*scored(rates), *scored(rest, top=0.3)], min_relevance=0.5)
    stream = answer_question("What are the employer rates for category letter A?", [],
                             retriever=fake, llm=None)
    text = "".join(stream)
    assert "B | 0% | 13.8%\n> … [1]" in text and "M | 0%" not in text


WPA = "The maximum Widowed Parent's Allowance (WPA) is £148.40 a week."
BSP = "You may be able to get Bereavement Support Payment if your husband died recently."


@pytest.mark.parametrize("with_model", [False, True])
def test_amounts_for_another_scheme_than_the_one_asked_about_bring_a_warning(
        with_model: bool) -> None:
    # a debt and bereavement adviser's review: no guide gives Bereavement Support Payment's
    # rates, and the answer gave Widowed Parent's Allowance's
    found = FakeRetriever(scored(
        guidance_chunk(WPA, doc="widowed-parents-allowance", section="What you'll get")),
        min_relevance=0.5)
    llm = FakeChatModel() if with_model else None
    if llm:
        llm.enqueue("She could get £148.40 a week [1].")
    question = "Her husband died last month. How much Bereavement Support Payment will she get?"
    stream = answer_question(question, [], retriever=found, llm=llm, settings=SETTINGS)
    list(stream)
    assert stream.final.answered
    assert any('asked about "Bereavement Support Payment", but none of the amounts' in w
               for w in stream.final.warnings)
    # a passage naming it, even without an amount, is no answer about another scheme
    named = FakeRetriever(scored(guidance_chunk(f"{WPA} {BSP}", doc="widowed-parents-allowance",
                                                section="What you'll get")), min_relevance=0.5)
    if llm:
        llm.enqueue("She could get £148.40 a week [1].")
    stream = answer_question(question, [], retriever=named, llm=llm, settings=SETTINGS)
    list(stream)
    assert not any("none of the amounts" in w for w in stream.final.warnings)


def test_amounts_said_to_be_for_the_scheme_asked_about_bring_no_warning() -> None:
    carers = [("You could get £83.30 a week.", "Carer’s Allowance How much you get You could "
               "get £83.30 a week.")]
    # its name typed without the apostrophe, in the plural, or in its title only
    for question in ("How much is carers allowance?", "What rate of Carer's Allowances?"):
        assert unnamed_amount_warnings(question, carers) == [], question
    assert unnamed_amount_warnings("How much Cold Weather Payment?", carers)  # another scheme
    # not asked how much, or no amount quoted: nothing to say
    assert unnamed_amount_warnings("Who can get Cold Weather Payment?", carers) == []
    assert unnamed_amount_warnings("How much Cold Weather Payment?", [
        ("You get it when it is cold.", "Winter Fuel Payment You get it when it is cold.")]) == []


@pytest.mark.parametrize(("message", "kind"), [
    ("hi", "greeting"), ("Good morning!", "greeting"), ("thanks, that's really helpful!", "thanks"),
    ("ok", "thanks"), ("Thank you very much", "thanks"), ("bye", "goodbye")])
def test_a_greeting_or_thanks_gets_a_reply_without_a_search(message: str, kind: str) -> None:
    # from a browser review: "hi" was "not covered" with the History of 10 Downing Street
    from assistant.small_talk import is_reply, reply

    retriever = FakeRetriever(scored(guidance_chunk("Parking is free.", doc="parking")))
    llm = FakeChatModel()  # nothing enqueued: a call would fail the test
    for model in (None, llm):
        stream = answer_question(message, [], retriever=retriever, llm=model)
        assert "".join(stream) == reply(kind) == stream.final.text
        assert not stream.final.answered and not stream.final.closest
        assert is_reply(stream.final.text)
    assert retriever.queries == [] and llm.received == []


@pytest.mark.parametrize("message", [
    "hi, how much is SSP?", "Thanks. What about adoption pay?", "Is that right?", "no",
    "Morning. My client is 67.", "ok thanks but can she claim PIP"])
def test_a_question_with_a_greeting_is_still_a_question(message: str) -> None:
    from assistant.small_talk import small_talk

    assert small_talk(message) is None


@pytest.mark.parametrize("message", ["ok, 16?", "thanks £500", "ok 2024?"])
def test_a_figure_makes_a_short_message_a_question(message: str) -> None:
    # from a code review: "ok, 16?" got the thanks reply
    from assistant.small_talk import small_talk

    assert small_talk(message) is None
