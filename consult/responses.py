"""The Consult engine's own dataclasses: questions, responses and what import set aside."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ExclusionReason = Literal["empty", "not applicable", "duplicate id"]
NO_REASON = "no reason given"  # an answer kept for its position but not themed


@dataclass(frozen=True)
class Response:
    """One respondent's answer to one question: ``text`` is what is themed, shortened for very
    long answers (``truncated``), whose whole answer is ``full_text``."""

    response_id: str
    text: str
    truncated: bool = False
    duplicate_of: str | None = None  # an earlier response with the same text, when there is one
    full_text: str = ""  # the whole answer, when ``text`` is shortened
    # nothing beyond a scale word, yes/no, "ok" or punctuation: its position counts, but it is
    # set aside from theming (a theme of "agree", "?" and "ok" says nothing)
    no_reason: bool = False

    @property
    def themable(self) -> bool:
        """True when the answer gives something to theme (see ``no_reason``)."""
        return not self.no_reason

    @property
    def original(self) -> str:
        """The answer exactly as the respondent wrote it (for exports and saved reviews)."""
        return self.full_text or self.text


@dataclass(frozen=True)
class Excluded:
    """An answer that is counted and listed but not themed, with the reason."""

    response_id: str
    text: str
    reason: ExclusionReason


@dataclass(frozen=True)
class Question:
    """A question and its answers: those to theme, and those set aside with a reason."""

    question_id: str
    text: str
    responses: tuple[Response, ...]
    excluded: tuple[Excluded, ...] = ()

    def counts(self) -> dict[str, int]:
        """How many answers were themed, set aside (by reason), duplicated or truncated."""
        bare = sum(r.no_reason for r in self.responses)
        out = {"themed": len(self.responses) - bare, NO_REASON: bare}
        for item in self.excluded:
            out[item.reason] = out.get(item.reason, 0) + 1
        out["duplicate text"] = sum(r.duplicate_of is not None for r in self.responses)
        out["truncated"] = sum(r.truncated for r in self.responses)
        return out


@dataclass(frozen=True)
class Consultation:
    """Everything imported from one file or folder."""

    source: str
    questions: tuple[Question, ...]
    rows: int
    notes: tuple[str, ...] = field(default=())
