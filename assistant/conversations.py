"""Conversations per user in SQLite: messages with their citations (as JSON) and feedback.

Every read and write names the user, so one user can never see or change another's
conversations. One connection, guarded by a lock, is shared by every session thread of the app:
reopening per operation would checkpoint the write-ahead log on every close (~30 ms a write).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from assistant.errors import StoreError
from assistant.types import Answer, Citation

TITLE_CHARS = 80
Role = Literal["user", "assistant"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL, title TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS conversations_user ON conversations (user_id, updated_at);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    role TEXT NOT NULL, content TEXT NOT NULL, details TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS messages_conversation ON messages (conversation_id, id);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, message_id INTEGER NOT NULL UNIQUE,
    user_id TEXT NOT NULL, score INTEGER NOT NULL, comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL, answer TEXT NOT NULL, sources TEXT NOT NULL,
    created_at TEXT NOT NULL);
"""


MAX_COMMENT_CHARS = 4000  # a feedback comment is kept to this length


@dataclass(frozen=True)
class Conversation:
    """A conversation's summary, as listed in the sidebar."""

    id: str
    title: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Message:
    """One turn: a question (``user``) or an answer (``assistant``) with its citations."""

    id: int
    role: Role
    content: str
    citations: tuple[Citation, ...] = ()
    closest: tuple[Citation, ...] = ()
    answered: bool = True
    mode: str = ""
    warnings: tuple[str, ...] = ()
    spelling: tuple[tuple[str, str], ...] = ()  # (typed, also searched for)
    feedback: int | None = None  # 1 thumbs up, 0 thumbs down, None not given
    comment: str = ""


@dataclass(frozen=True)
class Feedback:
    """Feedback on one answer, stored with the question, the answer and its sources."""

    message_id: int
    user_id: str
    score: int
    comment: str
    question: str
    answer: str
    sources: list[dict[str, Any]] = field(default_factory=list)


def title_from(question: str) -> str:
    """A conversation title from its first question: one line, at most TITLE_CHARS."""
    line = " ".join(question.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class ConversationStore:
    """Conversations, messages and feedback in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=10, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA foreign_keys = ON")
            # With WAL, NORMAL stays consistent after a crash; a power cut may lose the last
            # few messages. It saves an fsync per write.
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"Could not open the conversations database at {path} ({exc}). Check that the "
                "folder exists and is writable, or set GA_CONVERSATIONS_DB."
            ) from exc

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            with self._lock, self._db:  # one operation at a time; commits, or rolls back on error
                yield self._db
        except sqlite3.OperationalError as exc:  # locked by another program, disk full, ...
            raise StoreError(f"The conversation store could not be used ({exc}). Try again in a "
                             "moment; if it keeps happening, tell the support team.") from exc
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"The conversation store is damaged ({exc}). Ask the support team "
                             "to restore it from a backup.") from exc

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def create(self, user_id: str, first_question: str) -> Conversation:
        """Start a conversation titled after its first question."""
        now = _now()
        conversation = Conversation(uuid.uuid4().hex, title_from(first_question) or "New", now,
                                    now)
        with self._connect() as db:
            db.execute("INSERT INTO conversations VALUES (?, ?, ?, ?, ?)",
                       (conversation.id, user_id, conversation.title, now, now))
        return conversation

    def list_conversations(self, user_id: str) -> list[Conversation]:
        """The user's conversations, most recently active first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, title, created_at, updated_at FROM conversations WHERE user_id = ? "
                "ORDER BY updated_at DESC, created_at DESC", (user_id,)).fetchall()
        return [Conversation(*row) for row in rows]

    def get(self, user_id: str, conversation_id: str) -> Conversation | None:
        """The user's conversation, or None (also when it belongs to someone else)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT id, title, created_at, updated_at FROM conversations "
                "WHERE id = ? AND user_id = ?", (conversation_id, user_id)).fetchone()
        return Conversation(*row) if row else None

    def rename(self, user_id: str, conversation_id: str, title: str) -> None:
        """Give the user's conversation a new title (blank titles are ignored)."""
        title = title_from(title)
        if not title:
            return
        with self._connect() as db:
            db.execute("UPDATE conversations SET title = ? WHERE id = ? AND user_id = ?",
                       (title, conversation_id, user_id))

    def delete(self, user_id: str, conversation_id: str) -> None:
        """Delete the user's conversation with its messages and their feedback."""
        with self._connect() as db:
            db.execute("DELETE FROM feedback WHERE message_id IN (SELECT m.id FROM messages m "
                       "JOIN conversations c ON c.id = m.conversation_id "
                       "WHERE c.id = ? AND c.user_id = ?)", (conversation_id, user_id))
            db.execute("DELETE FROM conversations WHERE id = ? AND user_id = ?",
                       (conversation_id, user_id))

    def add_question(self, user_id: str, conversation_id: str, text: str) -> int:
        """Append the user's question; returns its message id."""
        return self._add(user_id, conversation_id, "user", text, {})

    def add_answer(self, user_id: str, conversation_id: str, answer: Answer) -> int:
        """Append an answer with its citations, closest documents and warnings."""
        details = {"citations": [asdict(c) for c in answer.citations],
                   "closest": [asdict(c) for c in answer.closest], "answered": answer.answered,
                   "mode": answer.mode, "warnings": list(answer.warnings),
                   "spelling": [list(pair) for pair in answer.spelling]}
        return self._add(user_id, conversation_id, "assistant", answer.text, details)

    def _add(self, user_id: str, conversation_id: str, role: Role, content: str,
             details: dict[str, Any]) -> int:
        now = _now()
        with self._connect() as db:
            owned = db.execute("UPDATE conversations SET updated_at = ? WHERE id = ? AND "
                               "user_id = ?", (now, conversation_id, user_id)).rowcount
            if not owned:
                raise StoreError("That conversation no longer exists. Start a new one.")
            cursor = db.execute(
                "INSERT INTO messages (conversation_id, role, content, details, created_at) "
                "VALUES (?, ?, ?, ?, ?)", (conversation_id, role, content, json.dumps(details),
                                            now))
        return int(cursor.lastrowid or 0)

    def messages(self, user_id: str, conversation_id: str) -> list[Message]:
        """The conversation's messages in order, with any feedback given on answers."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT m.id, m.role, m.content, m.details, f.score, f.comment FROM messages m "
                "JOIN conversations c ON c.id = m.conversation_id "
                "LEFT JOIN feedback f ON f.message_id = m.id "
                "WHERE c.id = ? AND c.user_id = ? ORDER BY m.id", (conversation_id, user_id)
            ).fetchall()
        return [_message(*row) for row in rows]

    def record_feedback(self, user_id: str, message_id: int, score: int,
                        comment: str = "") -> Feedback:
        """Store (or update) feedback on one of the user's answers, with its question."""
        if score not in (0, 1):
            raise ValueError("Feedback is 1 (helpful) or 0 (not helpful).")
        comment = comment[:MAX_COMMENT_CHARS]
        found = self._answer_and_question(user_id, message_id)
        if found is None:
            raise StoreError("That answer no longer exists, so feedback could not be saved.")
        answer, question = found
        sources = [asdict(c) for c in answer.citations]
        with self._connect() as db:
            db.execute(
                "INSERT INTO feedback (message_id, user_id, score, comment, question, answer, "
                "sources, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (message_id) DO UPDATE SET score = excluded.score, "
                "comment = excluded.comment, created_at = excluded.created_at",
                (message_id, user_id, score, comment.strip(), question, answer.content,
                 json.dumps(sources), _now()))
        return Feedback(message_id, user_id, score, comment.strip(), question, answer.content,
                        sources)

    def _answer_and_question(self, user_id: str, message_id: int) -> tuple[Message, str] | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT m.conversation_id FROM messages m JOIN conversations c "
                "ON c.id = m.conversation_id WHERE m.id = ? AND c.user_id = ? "
                "AND m.role = 'assistant'", (message_id, user_id)).fetchone()
        if row is None:
            return None
        question = ""
        for message in self.messages(user_id, row[0]):
            if message.id == message_id:
                return message, question
            if message.role == "user":
                question = message.content
        return None

    def all_feedback(self) -> list[Feedback]:
        """Every feedback record (for administrators' review and export)."""
        with self._connect() as db:
            rows = db.execute("SELECT message_id, user_id, score, comment, question, answer, "
                              "sources FROM feedback ORDER BY id").fetchall()
        return [Feedback(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]))
                for row in rows]


def _citations(items: Sequence[dict[str, Any]]) -> tuple[Citation, ...]:
    return tuple(Citation(**item) for item in items)


def _message(message_id: int, role: Role, content: str, details: str, score: int | None,
             comment: str | None) -> Message:
    data = json.loads(details or "{}")
    return Message(
        id=message_id, role=role, content=content,
        citations=_citations(data.get("citations", ())),
        closest=_citations(data.get("closest", ())), answered=bool(data.get("answered", True)),
        mode=str(data.get("mode", "")), warnings=tuple(data.get("warnings", ())),
        spelling=tuple((str(a), str(b)) for a, b in data.get("spelling", ())),
        feedback=score, comment=comment or "")
