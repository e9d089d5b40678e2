"""Human review of one question's themes: actions a page or a REPL applies to a QuestionResult.

Every action validates first and changes nothing when it fails (``ReviewError``). Moving a response
records a correction; ``remap`` then re-maps the other responses, learning from the corrections
(never moving a corrected response). Signing off records the themes and mapping as they stand.
State is saved to JSON without vectors and resumed by ``consult.saving`` (re-exported here).
"""

from __future__ import annotations

from collections.abc import Sequence

from sklearn.cluster import KMeans

from consult.analysis import QuestionResult, remap, theme_anchors
from consult.discovery import distinctive_words
from consult.errors import ReviewError
from consult.positions import POSITIONS, Position, describe_basis
from consult.saving import (
    load_result,
    load_review,
    read_position_value,
    result_to_json,
    review_from_json,
    review_to_json,
    save_review,
)
from consult.themes import Framework, Theme


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
    theme_anchors(result).pop(theme_id, None)
    _replace_everywhere(result, {theme_id}, None)
    _unsign(result)


def merge_themes(result: QuestionResult, theme_ids: Sequence[str], label: str) -> str:
    """Merge two or more themes into one new theme holding all their responses."""
    themes = [_require(result, t) for t in theme_ids]
    if len(set(theme_ids)) < 2:
        raise ReviewError("Choose at least two different themes to merge.")
    label = label.strip() or themes[0].label  # a blank label keeps the first theme's
    _label_free(result, label, set(theme_ids))
    anchors = theme_anchors(result)
    held = {rid for t in theme_ids for rid in anchors.pop(t, ())}
    merged_id = _add(result, label, "; ".join(t.description for t in themes if t.description))
    anchors[merged_id] = [r.response_id for r in result.question.responses if r.response_id in held]
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
    every = result.texts
    words = distinctive_words([every[i] for i in members], clusters, parts,
                              ignore=result.question.text)
    labels = _free_labels(result, theme.label, parts, theme_id)
    new_ids = [
        _add(result, labels[n],
                  f"Responses about {', '.join(words[n])}" if words[n] else theme.description)
        for n in range(parts)
    ]
    result.themes.remove(theme)
    anchors = theme_anchors(result)
    anchors.pop(theme_id, None)
    part_of: dict[str, str] = {}
    for row, cluster in zip(members, clusters, strict=True):
        ids = result.assignments[row]
        ids[ids.index(theme_id)] = new_ids[int(cluster)]
        part_of[result.question.responses[row].response_id] = new_ids[int(cluster)]
    for rid, part in part_of.items():  # each part is anchored by the responses split into it
        anchors.setdefault(part, []).append(rid)

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
    """Ids of the responses mapped to ``theme_id`` (``UNMATCHED``: to none, answers that give
    no reason aside; ``ANY_THEME``: any) whose id or text contains every word of ``words``
    (case-insensitive), in response order."""
    needles = words.casefold().split()
    found = []
    for response, themes in zip(result.question.responses, result.assignments, strict=True):
        if theme_id is not ANY_THEME and (theme_id not in themes if theme_id else
                                          bool(themes) or response.no_reason):
            continue
        haystack = f"{response.response_id} {response.text}".casefold()
        if all(needle in haystack for needle in needles):
            found.append(response.response_id)
    return found


def set_position(result: QuestionResult, response_id: str, position: str) -> None:
    """Correct one response's position."""
    if position not in POSITIONS:
        raise ReviewError(f"'{position}' is not a position; choose one of {', '.join(POSITIONS)}.")
    result.positions[_row(result, response_id)] = read_position_value(position)
    result.position_corrections[response_id] = read_position_value(position)
    result.reviewed = True


def current_position(result: QuestionResult, response_id: str) -> Position | None:
    """The response's position now (a reviewer's correction included); None if it has none."""
    row = _find_row(result, response_id)
    return None if row is None else result.positions[row]


def full_text(result: QuestionResult, response_id: str) -> str:
    """The response's whole answer, as the respondent wrote it."""
    return result.question.responses[_row(result, response_id)].original


def position_source(result: QuestionResult, response_id: str) -> str:
    """What the response's position rests on: "reviewer", "wording" or "no stance words ..."."""
    row = _row(result, response_id)
    return describe_basis(result.position_worded()[row], result.positions[row],
                          response_id in result.position_corrections)


def _find_row(result: QuestionResult, response_id: str) -> int | None:
    return next((row for row, response in enumerate(result.question.responses)
                 if response.response_id == response_id), None)


def _row(result: QuestionResult, response_id: str) -> int:
    row = _find_row(result, response_id)
    if row is None:
        raise ReviewError(f"There is no response '{response_id}' to this question.")
    return row


def sign_off(result: QuestionResult, reviewer: str) -> Framework:
    """Sign off the theme framework and the mapping exactly as they stand: nothing is re-mapped,
    so what is signed off is what the reviewer saw (re-mapping is "Update mapping", a step of
    its own that says what it moved)."""
    if not reviewer.strip():
        raise ReviewError("Say who is signing off the framework (a name or email).")
    theme_anchors(result)  # kept with the review: a later re-map starts from the same vectors
    result.signed_off, result.signed_off_by = True, reviewer.strip()
    result.reviewed = True
    return Framework(tuple(result.themes), True, reviewer.strip())


def theme_sizes(result: QuestionResult) -> dict[str, int]:
    """How many responses each theme holds, by theme id (to say what a re-map changed)."""
    return {t.theme_id: sum(t.theme_id in ids for ids in result.assignments)
            for t in result.themes}


__all__ = [
    "add_theme",
    "current_position",
    "delete_theme",
    "full_text",
    "load_result",
    "load_review",
    "merge_themes",
    "move_response",
    "position_source",
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
    "theme_sizes",
]
