"""Human review of one question's themes: actions a page or a REPL applies to a QuestionResult.

Every action validates first and changes nothing when it fails (``ReviewError``). Moving a response
records a correction; ``remap`` then re-maps the other responses, learning from the corrections.
State is saved to JSON (``result_to_json``) without vectors; ``load_result`` re-embeds.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sklearn.cluster import KMeans

from assistant.ports import Embedder
from consult.analysis import QuestionResult, remap
from consult.discovery import distinctive_words
from consult.embedding import embed_unique
from consult.errors import ReviewError
from consult.importing import response_for
from consult.mapping import CAP
from consult.positions import POSITIONS, Position
from consult.responses import Consultation, Excluded, Question
from consult.themes import Framework, Theme

REVIEW_KIND = "consult-review"  # marks a saved review file


def _require(result: QuestionResult, theme_id: str) -> Theme:
    if not theme_id:
        raise ReviewError("Choose a theme first.")
    theme = result.theme(theme_id)
    if theme is None:
        raise ReviewError(
            f"There is no theme '{theme_id}'. Refresh the list of themes and try again."
        )
    return theme


def _new_id(result: QuestionResult, prefix: str = "R") -> str:
    taken = {t.theme_id for t in result.themes}
    return next(f"{prefix}{n}" for n in range(1, len(taken) + 2) if f"{prefix}{n}" not in taken)


def _unsign(result: QuestionResult) -> None:
    """A reviewer changed the themes: the sign-off no longer holds."""
    result.signed_off, result.signed_off_by = False, ""
    result.reviewed = True


def rename_theme(
    result: QuestionResult, theme_id: str, label: str, description: str | None = None
) -> None:
    """Give a theme a new label (and optionally description)."""
    theme = _require(result, theme_id)
    if not label.strip():
        raise ReviewError("A theme needs a label. Type a short name for it.")
    _label_free(result, label, {theme_id})
    new = Theme(
        theme_id,
        label.strip(),
        theme.description if description is None else description,
        "reviewer",
    )
    result.themes[result.themes.index(theme)] = new
    _unsign(result)


def add_theme(result: QuestionResult, label: str, description: str = "") -> str:
    """Add a reviewer's theme; ``remap`` assigns responses to it. Returns its id."""
    if not label.strip():
        raise ReviewError("A theme needs a label. Type a short name for it.")
    _label_free(result, label, set())
    return _add(result, label, description)


def _add(result: QuestionResult, label: str, description: str) -> str:
    theme_id = _new_id(result)
    result.themes.append(Theme(theme_id, label.strip(), description.strip(), "reviewer"))
    _unsign(result)
    return theme_id


def _free_labels(result: QuestionResult, label: str, parts: int, leaving: str) -> list[str]:
    """``parts`` labels "label (1)", "label (2)"..., skipping numbers another theme has."""
    taken = {" ".join(t.label.split()).casefold() for t in result.themes if t.theme_id != leaving}
    labels: list[str] = []
    n = 1
    while len(labels) < parts:
        candidate = f"{label} ({n})"
        if " ".join(candidate.split()).casefold() not in taken:
            labels.append(candidate)
        n += 1
    return labels


def _label_free(result: QuestionResult, label: str, leaving: set[str]) -> None:
    """Refuse a label another theme (not one of ``leaving``) already has: two themes of one
    name are one bar in the chart and cannot be told apart in the export."""
    wanted = " ".join(label.split()).casefold()
    taken = next((t for t in result.themes if t.theme_id not in leaving
                  and " ".join(t.label.split()).casefold() == wanted), None)
    if taken is not None:
        raise ReviewError(f"Another theme is already called '{taken.label}'. Choose another "
                          "name, or merge the two themes.")


def delete_theme(result: QuestionResult, theme_id: str) -> None:
    """Remove a theme; its responses keep their other themes or become unmatched."""
    result.themes.remove(_require(result, theme_id))
    _replace_everywhere(result, {theme_id}, None)
    _unsign(result)


def merge_themes(result: QuestionResult, theme_ids: Sequence[str], label: str) -> str:
    """Merge two or more themes into one new theme holding all their responses."""
    themes = [_require(result, t) for t in theme_ids]
    if len(set(theme_ids)) < 2:
        raise ReviewError("Choose at least two different themes to merge.")
    label = label.strip() or themes[0].label  # a blank label keeps the first theme's
    _label_free(result, label, set(theme_ids))
    merged_id = _add(result, label, "; ".join(t.description for t in themes if t.description))
    for theme in themes:
        result.themes.remove(theme)
    _replace_everywhere(result, set(theme_ids), merged_id)
    return merged_id


def _replace_everywhere(result: QuestionResult, old: set[str], new: str | None) -> None:
    def swap(ids: list[str]) -> list[str]:
        kept = [i for i in ids if i not in old]
        if new is not None and len(kept) < len(ids) and new not in kept:
            kept.append(new)
        return kept

    result.assignments = [swap(ids) for ids in result.assignments]
    # a correction left with no theme because its themes were deleted is no decision any more
    # (an explicit "no theme" correction, empty before, stays)
    result.corrections = {rid: fixed for rid, ids in result.corrections.items()
                          if (fixed := swap(ids)) or not ids}


def split_theme(result: QuestionResult, theme_id: str, parts: int = 2) -> list[str]:
    """Split a theme's responses into ``parts`` new themes by clustering their vectors."""
    theme = _require(result, theme_id)
    members = [i for i, ids in enumerate(result.assignments) if theme_id in ids]
    if result.vectors is None or len(members) < parts or parts < 2:
        raise ReviewError(f"'{theme.label}' has too few responses to split into {parts}.")
    clusters = KMeans(n_clusters=parts, n_init=3, random_state=0).fit_predict(
        result.vectors[members]
    )
    # each part described by its own answers' distinctive words, so that re-mapping can tell
    # the parts apart (with the parent's description for both, they drifted back together)
    words = distinctive_words([result.texts[i] for i in members], clusters, parts,
                              ignore=result.question.text)
    labels = _free_labels(result, theme.label, parts, theme_id)
    new_ids = [
        _add(result, labels[n],
                  f"Responses about {', '.join(words[n])}" if words[n] else theme.description)
        for n in range(parts)
    ]
    result.themes.remove(theme)
    part_of: dict[str, str] = {}
    for row, cluster in zip(members, clusters, strict=True):
        ids = result.assignments[row]
        ids[ids.index(theme_id)] = new_ids[int(cluster)]
        part_of[result.question.responses[row].response_id] = new_ids[int(cluster)]

    def follow(rid: str, ids: list[str]) -> list[str]:
        """A correction naming the split theme names the part its response went to."""
        if theme_id not in ids:
            return ids
        rest = [i for i in ids if i != theme_id]
        part = part_of.get(rid)
        return rest + [part] if part and part not in rest else rest

    result.corrections = {rid: fixed for rid, ids in result.corrections.items()
                          if (fixed := follow(rid, ids)) or not ids}
    return new_ids


def set_response_themes(result: QuestionResult, response_id: str, theme_ids: Sequence[str]) -> None:
    """Record a reviewer's themes for one response (a correction, kept through re-mapping)."""
    for theme_id in theme_ids:
        _require(result, theme_id)
    row = _row(result, response_id)
    result.corrections[response_id] = list(dict.fromkeys(theme_ids))
    result.assignments[row] = list(result.corrections[response_id])
    result.reviewed = True


def move_response(
    result: QuestionResult, response_id: str, from_theme: str | None, to_theme: str
) -> None:
    """Move a response from one theme (or from none) to another, as a correction."""
    row = _row(result, response_id)
    ids = [i for i in result.assignments[row] if i != from_theme]
    set_response_themes(result, response_id, [*ids, to_theme])


ANY_THEME = None  # find_responses: do not filter by theme
UNMATCHED = ""  # find_responses: only responses with no theme


def find_responses(result: QuestionResult, theme_id: str | None = ANY_THEME,
                   words: str = "") -> list[str]:
    """Ids of the responses mapped to ``theme_id`` (``UNMATCHED``: to none; ``ANY_THEME``: any)
    whose id or text contains every word of ``words`` (case-insensitive), in response order."""
    needles = words.casefold().split()
    found = []
    for response, themes in zip(result.question.responses, result.assignments, strict=True):
        if theme_id is not ANY_THEME and (theme_id not in themes if theme_id else bool(themes)):
            continue
        haystack = f"{response.response_id} {response.text}".casefold()
        if all(needle in haystack for needle in needles):
            found.append(response.response_id)
    return found


def set_position(result: QuestionResult, response_id: str, position: str) -> None:
    """Correct one response's position."""
    if position not in POSITIONS:
        raise ReviewError(f"'{position}' is not a position; choose one of {', '.join(POSITIONS)}.")
    result.positions[_row(result, response_id)] = _position(position)
    result.position_corrections[response_id] = _position(position)
    result.reviewed = True


def _row(result: QuestionResult, response_id: str) -> int:
    for row, response in enumerate(result.question.responses):
        if response.response_id == response_id:
            return row
    raise ReviewError(f"There is no response '{response_id}' to this question.")


def sign_off(result: QuestionResult, reviewer: str,
             embedder: Embedder) -> tuple[Framework, list[str]]:
    """Sign off the theme framework and apply it to every response not corrected by hand;
    returns the framework and the ids of the responses whose themes that changed."""
    if not reviewer.strip():
        raise ReviewError("Say who is signing off the framework (a name or email).")
    moved = remap(result, embedder)
    result.signed_off, result.signed_off_by = True, reviewer.strip()
    result.reviewed = True
    return Framework(tuple(result.themes), True, reviewer.strip()), moved


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
            positions=[_position(p) for p in data["positions"]],
            evidence=[list(e) for e in data["evidence"]],
            corrections={str(k): list(v) for k, v in data["corrections"].items()},
            position_corrections={str(k): _position(v) for k, v
                                  in data.get("position_corrections", {}).items()},
            signed_off=bool(data["signed_off"]),
            signed_off_by=str(data["signed_off_by"]),
            reviewed=bool(data.get("reviewed", True)),  # saved before it was kept: assume so
            margin=float(data["margin"]),
            cap=_cap(data.get("cap", CAP)),  # reviews saved before the cap was kept: default
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


def _position(value: Any) -> Position:
    if value not in POSITIONS:
        raise ValueError(f"unknown position {value!r}")
    return value  # type: ignore[no-any-return]


__all__ = [
    "add_theme",
    "delete_theme",
    "load_result",
    "load_review",
    "merge_themes",
    "move_response",
    "remap",
    "rename_theme",
    "result_to_json",
    "review_from_json",
    "review_to_json",
    "save_review",
    "set_position",
    "set_response_themes",
    "sign_off",
    "split_theme",
]
