"""Save and resume a review: a QuestionResult as JSON without vectors, and back again.

``load_result`` re-embeds when given an embedder. A review records each theme's anchors (the
responses its vector is built from), so a resumed review re-maps exactly as it would have.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.ports import Embedder
from consult.analysis import QuestionResult, theme_anchors
from consult.embedding import embed_unique
from consult.errors import ReviewError
from consult.importing import response_for
from consult.mapping import CAP
from consult.positions import POSITIONS, Position
from consult.responses import Consultation, Excluded, Question
from consult.themes import Theme

REVIEW_KIND = "consult-review"  # marks a saved review file


def result_to_json(result: QuestionResult) -> dict[str, Any]:
    """Everything a reviewer needs to carry on later, as JSON-ready data (no vectors)."""
    question = result.question
    return {
        "question": {"question_id": question.question_id, "text": question.text},
        "responses": [
            # the whole answer: loading shortens it for theming again
            [r.response_id, r.original, r.truncated, r.duplicate_of] for r in question.responses
        ],
        "excluded": [[e.response_id, e.text, e.reason] for e in question.excluded],
        "themes": [[t.theme_id, t.label, t.description, t.origin] for t in result.themes],
        "assignments": result.assignments,
        "positions": result.positions,
        "evidence": result.evidence,
        "corrections": result.corrections,
        "position_corrections": result.position_corrections,
        "signed_off": result.signed_off,
        "signed_off_by": result.signed_off_by,
        "reviewed": result.reviewed,
        "margin": result.margin,
        "cap": result.cap,
        "anchors": theme_anchors(result),
    }


def load_result(data: dict[str, Any], embedder: Embedder | None = None) -> QuestionResult:
    """Rebuild a QuestionResult from ``result_to_json`` data; re-embed when given an embedder."""
    try:
        question = Question(
            str(data["question"]["question_id"]),
            str(data["question"]["text"]),
            tuple(response_for(str(a), str(b), None if d is None else str(d))
                  for a, b, _, d in data["responses"]),
            tuple(Excluded(str(a), str(b), c) for a, b, c in data["excluded"]),
        )
        result = QuestionResult(
            question=question,
            themes=[Theme(str(a), str(b), str(c), d) for a, b, c, d in data["themes"]],
            assignments=[[str(i) for i in ids] for ids in data["assignments"]],
            positions=[read_position_value(p) for p in data["positions"]],
            evidence=[list(e) for e in data["evidence"]],
            corrections={str(k): list(v) for k, v in data["corrections"].items()},
            position_corrections={str(k): read_position_value(v) for k, v
                                  in data.get("position_corrections", {}).items()},
            signed_off=bool(data["signed_off"]),
            signed_off_by=str(data["signed_off_by"]),
            reviewed=bool(data.get("reviewed", True)),  # saved before it was kept: assume so
            margin=float(data["margin"]),
            cap=_cap(data.get("cap", CAP)),  # reviews saved before the cap was kept: default
            anchors=_anchors(data.get("anchors")),  # None before they were kept: the mapping
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ReviewError(
            f"The saved review could not be read ({exc}). Start a new review."
        ) from exc
    if embedder is not None:
        result.vectors = embed_unique(result.texts, embedder)
    return result


def review_to_json(results: Sequence[QuestionResult], source: str = "", rows: int = 0) -> str:
    """A review of one or more questions as JSON text, to carry on later (no vectors)."""
    data = {"version": 1, "kind": REVIEW_KIND, "source": source, "rows": rows,
            "questions": [result_to_json(r) for r in results]}
    return json.dumps(data, ensure_ascii=False)


def review_from_json(text: str | bytes, embedder: Embedder | None = None,
                     name: str = "the file") -> tuple[Consultation, list[QuestionResult]]:
    """The consultation and results of a review saved by ``review_to_json``."""
    try:
        data = json.loads(text)
        questions = data["questions"]
        if not isinstance(questions, list) or not questions:
            raise ValueError("no questions in it")
    except (ValueError, KeyError, TypeError) as exc:
        raise ReviewError(f"{name} is not a saved Consult review ({exc}).") from exc
    results = [load_result(q, embedder) for q in questions]
    source = str(data.get("source") or name)
    rows = data.get("rows") if isinstance(data.get("rows"), int) else 0
    consultation = Consultation(source, tuple(r.question for r in results),
                                rows or max(len(r.question.responses) +
                                            len(r.question.excluded) for r in results))
    return consultation, results


def save_review(results: Sequence[QuestionResult], path: Path, source: str = "",
                rows: int = 0) -> None:
    """Save a review of one or more questions to a JSON file, to carry on later."""
    path.write_text(review_to_json(results, source, rows), encoding="utf-8")


def load_review(path: Path, embedder: Embedder | None = None) -> list[QuestionResult]:
    """Load a review saved by ``save_review`` (re-embedding when given an embedder)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReviewError(f"{path.name} could not be read ({exc}).") from exc
    return review_from_json(text, embedder, path.name)[1]


def _cap(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10:
        raise ValueError(f"bad theme cap {value!r}")
    return value


def _anchors(value: Any) -> dict[str, list[str]] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError(f"bad theme anchors {value!r:.40}")
    return {str(k): [str(rid) for rid in v] for k, v in value.items()}


def read_position_value(value: Any) -> Position:
    """``value`` as a Position (from a saved file or a form); ValueError if it is none."""
    if value not in POSITIONS:
        raise ValueError(f"unknown position {value!r}")
    return value  # type: ignore[no-any-return]
