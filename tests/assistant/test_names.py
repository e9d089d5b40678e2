"""Names a question asks about (``assistant.names``)."""

from __future__ import annotations

from assistant.names import proper_names, question_sentences


def test_runs_of_capitalised_words_without_their_openers() -> None:
    assert proper_names("What is the weekly earnings limit for Carer's Allowance?") == [
        "Carer's Allowance"]
    assert proper_names("Does Statutory Sick Pay cover agency staff?") == ["Statutory Sick Pay"]
    assert proper_names("How do I apply for the Boiler Upgrade Scheme and the Winter Fuel "
                        "Payment?") == ["Boiler Upgrade Scheme", "Winter Fuel Payment"]
    assert proper_names("Can Mrs Jones get a Budgeting Loan?") == ["Budgeting Loan"]
    assert proper_names("When does the Department for Work and Pensions pay?") == [
        "Department for Work and Pensions"]
    assert proper_names("Can my client claim? Is it paid weekly?") == []


def test_only_the_question_sentences_are_read_when_there_are_any() -> None:
    text = "My client works for Acme Cleaning Ltd in Leeds. Can she get Child Benefit?"
    assert question_sentences(text) == "Can she get Child Benefit?"
    assert proper_names(question_sentences(text)) == ["Child Benefit"]
    assert question_sentences("child benefit rates") == "child benefit rates"
