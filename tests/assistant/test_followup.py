"""Follow-up questions become standalone queries: by heuristic offline, by the model otherwise."""

from __future__ import annotations

import pytest

from assistant.followup import is_follow_up, rewrite_heuristically, standalone_query
from assistant.testing import FakeChatModel

HISTORY = [
    ("user", "Can my wife get Maternity Allowance?"),
    ("assistant", "Extracts from the guidance: You can get Maternity Allowance if ... [1]"),
]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("and if she is self-employed?", True),
        ("What about her partner?", True),
        ("How much is it?", True),
        ("Why?", True),
        ("Can I get Statutory Adoption Pay if I adopt from overseas?", False),
        ("How do I apply for a student loan as a part-time student?", False),
    ],
)
def test_spots_follow_ups(question: str, expected: bool) -> None:
    assert is_follow_up(question) is expected


def test_follow_up_carries_the_earlier_question() -> None:
    query = rewrite_heuristically("and if she is self-employed?", HISTORY)
    assert query == "Can my wife get Maternity Allowance? and if she is self-employed?"


def test_chains_back_through_earlier_follow_ups() -> None:
    history = [*HISTORY, ("user", "and if she is self-employed?"), ("assistant", "...")]
    query = rewrite_heuristically("How much is it?", history)
    assert query.startswith("Can my wife get Maternity Allowance?")
    assert query.endswith("self-employed? How much is it?")


def test_standalone_question_is_left_alone() -> None:
    question = "How do I apply for a Budgeting Loan?"
    assert standalone_query(question, HISTORY) == question


def test_model_rewrites_when_configured() -> None:
    llm = FakeChatModel()
    llm.enqueue("Can my wife get Maternity Allowance if she is self-employed?\n")
    query = standalone_query("and if she is self-employed?", HISTORY, llm)
    assert query == "Can my wife get Maternity Allowance if she is self-employed?"
    sent = llm.received[0]
    assert sent[0][0] == "system" and "Maternity Allowance" in sent[1][1]


def test_empty_model_reply_falls_back_to_the_heuristic() -> None:
    llm = FakeChatModel()
    llm.enqueue("   ")
    query = standalone_query("and if she is self-employed?", HISTORY, llm)
    assert query.startswith("Can my wife get Maternity Allowance?")


def test_first_question_needs_no_model_call() -> None:
    llm = FakeChatModel()
    assert standalone_query("and this?", [], llm) == "and this?"
    assert llm.received == []


def test_a_chatty_rewrite_is_stripped_of_its_lead_in_and_sign_off() -> None:
    llm = FakeChatModel()
    llm.enqueue("Sure! Here is the standalone question you asked for:\n\n"
                "\"Can my wife get Maternity Allowance if she is self-employed?\"\n\n"
                "I hope this helps.")
    query = standalone_query("and if she is self-employed?", HISTORY, llm)
    assert query == "Can my wife get Maternity Allowance if she is self-employed?"


def test_a_rewrite_that_is_no_question_beats_a_sign_off_question_and_labels_go() -> None:
    for reply, expected in [
        ("Annual leave entitlement for part-time staff\n\nWould you like me to rephrase it?",
         "Annual leave entitlement for part-time staff"),
        ("Standalone question: How much notice for paternity leave?",
         "How much notice for paternity leave?"),
        ("OK to carry over annual leave into next year?", "OK to carry over annual leave into "
         "next year?"),
    ]:
        llm = FakeChatModel()
        llm.enqueue(reply)
        assert standalone_query("and for part-timers?", HISTORY, llm) == expected, reply
