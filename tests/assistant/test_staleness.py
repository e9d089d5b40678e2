"""Amounts quoted from old guidance, and anything quoted from very old guidance, carry a
warning, in both answer modes; undated guidance does not. So does a year asked about that no
source mentions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from assistant.answering import answer_question
from assistant.citations import build_citation
from assistant.config import Settings
from assistant.staleness import (
    has_amount,
    old_source_warnings,
    stale_amount_warnings,
    staleness_warnings,
)
from assistant.testing import FakeChatModel, FakeRetriever
from assistant.types import Citation
from tests.assistant.builders import guidance_chunk, scored

TODAY = date(2026, 11, 27)
RATE = "Statutory Paternity Pay is £187.18 a week or 90% of your average weekly earnings."
RULE = "You must give your employer at least 15 weeks' notice before the baby is due."


def cite(n: int, quote: str, updated: str | None, doc: str = "paternity-pay") -> Citation:
    return build_citation(n, guidance_chunk(quote, doc=doc, updated=updated), quote)


@pytest.mark.parametrize("text", ["£187.18 a week", "£5 million", "90% of earnings",
                                  "25 per cent", "45p a mile", "£ 20"])
def test_sums_of_money_and_percentages_are_amounts(text: str) -> None:
    assert has_amount(text)


@pytest.mark.parametrize("text", ["at least 15 weeks", "in 2024", "aged 16 to 19",
                                  "regulation 4(2)", "paragraph 3.2p", "page 12"])
def test_periods_years_ages_and_references_are_not(text: str) -> None:
    assert not has_amount(text)


def test_an_amount_from_guidance_over_a_year_old_is_flagged_with_its_date() -> None:
    warnings = stale_amount_warnings([cite(1, RATE, "2025-03-14")], today=TODAY)
    assert warnings == [
        "Amounts quoted may be out of date: source [1] was last updated on 14 March 2025, more "
        "than a year ago. Rates and limits change, often each April: check the current figures "
        "before relying on them."]


def test_recent_guidance_and_quotes_without_amounts_are_not_flagged() -> None:
    assert not stale_amount_warnings([cite(1, RATE, "2026-04-06")], today=TODAY)
    assert not stale_amount_warnings([cite(1, RULE, "2009-08-10")], today=TODAY)
    # the limit is the setting's, to the day
    assert not stale_amount_warnings([cite(1, RATE, "2025-11-27")], today=TODAY)
    assert stale_amount_warnings([cite(1, RATE, "2025-11-26")], today=TODAY)
    assert not stale_amount_warnings([cite(1, RATE, "2025-03-14")], today=TODAY,
                                     max_age_days=730)


def test_sources_are_grouped_by_document_and_undated_ones_left_alone() -> None:
    citations = [cite(1, RATE, "2015-01-12", doc="grant"), cite(2, RATE, "2015-01-12", doc="grant"),
                 cite(3, RATE, "2024-11-22", doc="benefit"), cite(4, RULE, "2001-01-01"),
                 cite(5, RATE, None, doc="undated"), cite(6, RATE, "not a date", doc="odd")]
    [warning] = stale_amount_warnings(citations, today=TODAY)
    assert ("sources [1, 2] (12 January 2015) and [3] (22 November 2024) were last updated "
            "more than a year ago. Rates") in warning
    assert "[4]" not in warning  # its quote has no amount
    assert "[5]" not in warning and "[6]" not in warning  # no date known: not flagged
    assert not stale_amount_warnings(citations[4:], today=TODAY)


def test_a_generative_claim_citing_an_old_source_counts_as_taking_its_amount() -> None:
    citation = cite(1, RULE, "2015-01-12")
    assert not stale_amount_warnings([citation], today=TODAY)
    assert stale_amount_warnings([citation], {1: "It is paid at £187.18 a week [1]."},
                                 today=TODAY)


@pytest.mark.parametrize("with_model", [False, True])
def test_both_modes_warn_about_an_old_amount_and_obey_the_setting(with_model: bool) -> None:
    old = guidance_chunk(RATE, doc="paternity-pay", updated="2015-01-12")
    for days, warned in ((365, True), (365 * 100, False)):
        llm = FakeChatModel() if with_model else None
        if llm:
            llm.enqueue("It is £187.18 a week [1].")
        stream = answer_question("How much is Statutory Paternity Pay?", [],
                                 retriever=FakeRetriever(scored(old), min_relevance=0.5),
                                 llm=llm, settings=Settings(stale_after_days=days,
                                                            outdated_after_days=365 * 100))
        list(stream)
        assert stream.final.answered and "£187.18" in stream.final.text
        flagged = [w for w in stream.final.warnings if "12 January 2015" in w]
        assert bool(flagged) is warned, (days, stream.final.warnings)
        if with_model:  # generative notes are part of the stored text
            assert ("12 January 2015" in stream.final.text) is warned


def test_an_undated_source_without_an_amount_brings_no_warning() -> None:
    chunk = replace(guidance_chunk(RULE, doc="notice"), updated=None)
    stream = answer_question("How much notice for paternity leave?", [],
                             retriever=FakeRetriever(scored(chunk), min_relevance=0.5), llm=None)
    list(stream)
    assert stream.final.answered
    assert not any("out of date" in w for w in stream.final.warnings)


def test_anything_quoted_from_guidance_over_three_years_old_is_flagged() -> None:
    # a 2011 leaflet's deadline is as likely to have changed as its rates
    warnings = staleness_warnings([cite(1, RULE, "2011-06-03"), cite(2, RULE, "2025-03-14",
                                                                      doc="current")],
                                  today=TODAY)
    assert warnings == [
        "Old guidance: source [1] was last updated on 3 June 2011, more than 3 years ago. The "
        "rules, amounts and procedures it describes may have changed since: check the current "
        "guidance before relying on it."]
    assert not old_source_warnings([cite(1, RULE, "2023-11-28")], today=TODAY)
    assert old_source_warnings([cite(1, RULE, "2023-11-27")], today=TODAY)


def test_an_old_sources_amounts_are_not_warned_about_twice() -> None:
    citations = [cite(1, RATE, "2011-06-03", doc="leaflet"), cite(2, RATE, "2025-03-14")]
    old, amounts = staleness_warnings(citations, today=TODAY)
    assert old.startswith("Old guidance: source [1] was") and "[2]" not in old
    assert amounts.startswith("Amounts quoted may be out of date: source [2] was")
    assert "[1]" not in amounts
    # only the amount warning when no source is that old
    assert staleness_warnings(citations[1:], today=TODAY) == stale_amount_warnings(
        citations[1:], today=TODAY)


@pytest.mark.parametrize("with_model", [False, True])
def test_both_modes_warn_about_old_guidance_and_obey_the_setting(with_model: bool) -> None:
    old = guidance_chunk(RULE, doc="paternity-leave", updated="2011-06-03")
    for days, warned in ((1095, True), (365 * 100, False)):
        llm = FakeChatModel() if with_model else None
        if llm:
            llm.enqueue("You must give at least 15 weeks' notice [1].")
        stream = answer_question("How much notice for paternity leave?", [],
                                 retriever=FakeRetriever(scored(old), min_relevance=0.5),
                                 llm=llm, settings=Settings(outdated_after_days=days))
        list(stream)
        assert stream.final.answered
        flagged = [w for w in stream.final.warnings if w.startswith("Old guidance")]
        assert bool(flagged) is warned, (days, stream.final.warnings)
        if with_model:
            assert ("3 June 2011" in stream.final.text) is warned


def test_a_year_the_question_asks_about_that_no_source_mentions_is_warned_about() -> None:
    from assistant.answering import year_warnings

    table = guidance_chunk("Statutory Maternity Pay standard rate 124.88 128.73 (2010/11, "
                           "2011/12).", doc="uprating", updated="2010-12-09")
    [warning] = year_warnings("What is the standard rate of SMP for 2013/14?", [table])
    assert warning.startswith("The question asks about 2013/14, which the sources quoted do "
                              "not mention")
    assert year_warnings("What is the standard rate of SMP for 2011/12?", [table]) == []
    assert year_warnings("What is SMP in the 2011 to 2012 tax year?", [table]) == []
    # a year that is a fact of the case, not what is asked about
    assert year_warnings("My baby was born in 2019. What is the standard rate of SMP?",
                         [table]) == []
    assert year_warnings("Was the baby born in 2019 eligible?", [table]) == []
    # from a code review: dates, decades, ranges of years and distances are no year asked about
    for question in ("Off sick from 3 March 2025 - 20 March 2025: what SSP?",
                     "The baby is due on 2025-03-14: what SMP?", "Is SMP paid to 1950s women?",
                     "What if she was born 1961-1965?", "Can I claim mileage for 2000 miles?"):
        assert year_warnings(question, [table]) == [], question
    # a source with another pair of years does not cover the one asked ("2011" is in it)
    [warning] = year_warnings("How much is SMP for 2011/12?", [replace(
        table, text="Standard rate 124.88 (2010/11), paid from 5 April 2011.")])
    assert "2011/12" in warning


@pytest.mark.parametrize("with_model", [False, True])
def test_both_modes_warn_when_the_year_asked_about_is_not_in_the_sources(
        with_model: bool) -> None:
    table = guidance_chunk(RATE, doc="paternity-pay", updated="2026-04-06")
    llm = FakeChatModel() if with_model else None
    if llm:
        llm.enqueue("It is £187.18 a week [1].")
    stream = answer_question("How much is Statutory Paternity Pay for 2013/14?", [],
                             retriever=FakeRetriever(scored(table), min_relevance=0.5), llm=llm)
    list(stream)
    assert stream.final.answered
    assert any(w.startswith("The question asks about 2013/14") for w in stream.final.warnings)


def test_an_undated_source_is_as_old_as_the_latest_year_its_title_names() -> None:
    budget = cite(1, "The government will lower the household benefit cap to £20,000.", None,
                  doc="summer-budget-2015")
    assert budget.title == "Summer budget 2015"
    [warning] = stale_amount_warnings([budget], today=TODAY)
    assert "source [1] is undated, and its title names 2015, more than a year ago" in warning
    rates = cite(2, RATE, None, doc="rates-2023-to-2024")
    [warning] = stale_amount_warnings([budget, rates], today=TODAY)
    assert "sources [1] (undated, titled 2015) and [2] (undated, titled 2024) date from more " \
        "than a year ago" in warning
    assert old_source_warnings([budget], today=TODAY)  # 2015: over three years, whatever is quoted
    # a date wins over the title; a title with no year, a future year or an amount is no date
    assert not stale_amount_warnings([replace(budget, updated="2026-10-01")], today=TODAY)
    for title in ("Child Benefit", "Plans for 2030", "Grants of £2000", "Form 1990A",
                  "Plan 2015 to 2030", "Equality Act 2010: employer guidance", "The 1990’s",
                  "Veterans discharged before 1 July 1997", "Rates and thresholds 2026/27"):
        assert not stale_amount_warnings([replace(budget, title=title)], today=TODAY), title
    # a tax year is in force until its second year: "2023/24" is old by late 2026, "2025-26" not
    assert stale_amount_warnings([replace(budget, title="Rates 2023/24")], today=TODAY)
    assert not stale_amount_warnings([replace(budget, title="Rates 2025-26")], today=TODAY)
