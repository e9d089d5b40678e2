"""ConversationStore: per-user conversations, messages with citations, feedback, persistence."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.conversations import ConversationStore, title_from
from assistant.errors import StoreError
from assistant.types import Answer, Citation


def make_answer(text: str = "Carry over up to 5 days [1].") -> Answer:
    citation = Citation(1, "Annual leave", "leave.docx", "Carry over", "2", None, None,
                        "You can carry over up to 5 days.", "guidance/leave.docx")
    return Answer(text, "extractive", True, [citation], ["a warning"],
                  spelling=[("anual", "annual")])


def answered(store: ConversationStore, question: str, title: str | None = None) -> tuple[str, int]:
    """Alice's conversation with ``question`` answered: (conversation id, answer id)."""
    conversation = store.create("alice", title or question)
    store.add_question("alice", conversation.id, question)
    return conversation.id, store.add_answer("alice", conversation.id, make_answer())


def test_conversation_survives_reopening(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    store = ConversationStore(db)
    conversation_id, answer_id = answered(store, "How much leave can I carry over?")

    reopened = ConversationStore(db)
    [listed] = reopened.list_conversations("alice")
    assert listed.title == "How much leave can I carry over?"
    question, answer = reopened.messages("alice", conversation_id)
    assert (question.role, answer.role, answer.id) == ("user", "assistant", answer_id)
    assert answer.citations[0].quote == "You can carry over up to 5 days."
    assert answer.warnings == ("a warning",) and answer.mode == "extractive"
    assert answer.spelling == (("anual", "annual"),)


def test_users_cannot_see_or_change_each_others_conversations(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "c.sqlite3")
    mine = store.create("alice", "Mine")
    store.add_question("alice", mine.id, "Mine")
    assert store.list_conversations("bob") == []
    assert store.messages("bob", mine.id) == []
    assert store.get("bob", mine.id) is None
    store.rename("bob", mine.id, "Hijacked")
    store.delete("bob", mine.id)
    with pytest.raises(StoreError):
        store.add_question("bob", mine.id, "sneaky")
    assert store.list_conversations("alice")[0].title == "Mine"


def test_rename_and_delete(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "c.sqlite3")
    conversation = store.create("alice", "first")
    store.rename("alice", conversation.id, "  Leave   questions ")
    store.rename("alice", conversation.id, "   ")  # blank: ignored
    assert store.list_conversations("alice")[0].title == "Leave questions"
    answer_id = store.add_answer("alice", conversation.id, make_answer())
    store.record_feedback("alice", answer_id, 1)
    store.delete("alice", conversation.id)
    assert store.list_conversations("alice") == [] and store.all_feedback() == []


def test_feedback_is_stored_with_question_answer_and_sources(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "c.sqlite3")
    conversation_id, answer_id = answered(store, "How much leave?", title="q")
    store.record_feedback("alice", answer_id, 0, "  missing detail ")
    store.record_feedback("alice", answer_id, 1, "better")  # an update, not a second record
    [feedback] = store.all_feedback()
    assert (feedback.score, feedback.comment, feedback.question) == (1, "better", "How much leave?")
    assert feedback.answer.startswith("Carry over") and feedback.sources[0]["n"] == 1
    assert store.messages("alice", conversation_id)[1].feedback == 1
    with pytest.raises(StoreError):
        store.record_feedback("bob", answer_id, 1)


def test_titles_are_one_bounded_line() -> None:
    assert title_from("a\nb") == "a b"
    assert len(title_from("word " * 40)) == 80


def test_unwritable_location_fails_with_advice(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="GA_CONVERSATIONS_DB"):
        ConversationStore(blocker / "c.sqlite3")


def test_feedback_scores_are_checked_and_store_failures_give_advice(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "c.sqlite3"
    store = ConversationStore(db)
    answer_id = answered(store, "How much leave?")[1]
    with pytest.raises(ValueError, match="1 \\(helpful\\) or 0"):
        store.record_feedback("alice", answer_id, 42)
    long = store.record_feedback("alice", answer_id, 1, "x" * 10_000)
    assert len(long.comment) == 4000
    # a store that cannot be written (read-only, locked) reports it with advice, not sqlite's error
    store._db = sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False)
    with pytest.raises(StoreError, match="could not be used"):
        store.create("alice", "Another question")
