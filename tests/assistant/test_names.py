"""Schemes a question asks about (``assistant.names``)."""

from __future__ import annotations

from assistant.names import case_facts, proper_names, question_sentences


def test_a_scheme_is_a_capitalised_run_ending_in_a_kind_of_scheme() -> None:
    assert proper_names("What is the weekly earnings limit for Carer's Allowance?") == [
        "Carer's Allowance"]
    assert proper_names("Does Employment and Support Allowance cover it?") == [
        "Support Allowance"]
    assert proper_names("How do I apply for the Boiler Upgrade Scheme and the Winter Fuel "
                        "Payment?") == ["Upgrade Scheme", "Fuel Payment"]
    assert proper_names("Regarding Child Benefit, how often is it paid?") == ["Child Benefit"]


def test_people_places_organisations_acronyms_and_capitals_are_no_schemes() -> None:
    # from a review: each of these was refused as "not covered" by the first version
    for text in ("Can John Smith claim Child Benefit?", "the delay in paying Mary Brown's Child "
                 "Benefit", "Can I get Housing Benefit in North Wales?"):
        assert proper_names(text) in (["Child Benefit"], ["Housing Benefit"]), text
    for text in ("Can I claim UC and PIP?", "CAN I GET CHILD BENEFIT FOR MY GRANDCHILD?",
                 "Do I live in Great Britain or the United Kingdom?",
                 "When does the Department for Work and Pensions pay?",
                 "Is the Bank of England base rate used?", "Can my client claim?",
                 # from a second review: kinds too common to name a scheme
                 "Does Tom's Pension count as income?", "Can Mark Pay voluntary contributions?",
                 "What is the Skilled Worker Visa salary threshold?",
                 "Is a Company Pension counted as income?"):
        assert proper_names(text) == [], text


def test_only_the_question_sentences_are_read_when_there_are_any() -> None:
    text = "My client gets Carer's Allowance in Leeds. Can she get Child Benefit?"
    assert question_sentences(text) == "Can she get Child Benefit?"
    assert proper_names(question_sentences(text)) == ["Child Benefit"]
    assert question_sentences("child benefit rates") == "child benefit rates"
    assert case_facts(text) == "My client gets Carer's Allowance in Leeds."
    assert case_facts("child benefit rates") == ""  # no question sentence: nothing is facts
    assert case_facts("Can she claim? She lives in Leeds. Is it weekly?") == "She lives in Leeds."



def test_abbreviations_do_not_end_a_question_sentence() -> None:
    text = "She has twins. Can she claim a grant for e.g. a cot, i.e. nursery items etc. for both?"
    assert question_sentences(text) == (
        "Can she claim a grant for e.g. a cot, i.e. nursery items etc. for both?")
    assert question_sentences("He lives at No. 5. Is form No. 3 needed?") == "Is form No. 3 needed?"
    assert question_sentences("Done. Is it? Yes. Why?") == "Is it? Why?"
    # "etc." ending a sentence still ends it
    assert question_sentences("We need nappies etc. Can I get a grant?") == "Can I get a grant?"


def test_a_scheme_typed_in_lower_case_is_named_only_when_asked_for() -> None:
    asked = "how much is carers allowance per week, and does Child benefit or tax credits count"
    assert proper_names(asked) == []
    assert proper_names(asked, lower_case=True) == [
        "carers allowance", "Child benefit", "tax credits"]
    # the question's own subject is named; a relative clause about someone is a circumstance
    assert proper_names("who gets marriage allowance?", lower_case=True) == ["marriage allowance"]
    assert proper_names("an employee who gets housing benefit, can he take leave?",
                        lower_case=True) == []
    # words of grammar or amount before the kind name no scheme
    for text in ("will any benefit be paid", "is the extra payment taxed", "a weekly grant",
                 "can i claim benefits", "is my loan repaid", "full payment",
                 # a circumstance of the case, not what is asked (from a code review)
                 "Can an employee get holiday pay while on sickness benefit?",
                 "How much is statutory sick pay for a part-time worker on tax credits?",
                 # from a second review: words of timing, and more ways to state a circumstance
                 "How is a late payment of Statutory Sick Pay handled?",
                 "Is a backdated payment possible?",
                 "Can an employee who gets housing benefit take unpaid leave?",
                 "Is the next payment due?"):
        assert proper_names(text, lower_case=True) == [], text

