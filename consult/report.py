"""Summaries of a QuestionResult: a table of themes with counts, shares by position, and quotes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from consult.analysis import QuestionResult
from consult.positions import POSITIONS, Position
from consult.themes import Theme

QUOTES = 3


@dataclass(frozen=True)
class ThemeSummary:
    """One row of the themes table."""

    theme: Theme
    count: int
    share: float  # of themed responses
    by_position: dict[Position, int]
    quotes: tuple[str, ...]  # response ids, most representative first
    evidence_rich: int


def summarise(result: QuestionResult) -> list[ThemeSummary]:
    """A row per theme, largest first, plus an 'Unmatched' row when some responses fit no theme."""
    total = max(len(result.assignments), 1)
    rows = [_summary(result, t, column, total) for column, t in enumerate(result.themes)]
    unmatched = result.unmatched()
    if unmatched and not any(t.catch_all for t in result.themes):
        theme = Theme("-", "Unmatched", "Responses that fit no theme.", "discovered")
        rows.append(_row(result, theme, unmatched, total, unmatched[:QUOTES]))
    return sorted(rows, key=lambda r: -r.count)


def _summary(result: QuestionResult, theme: Theme, column: int, total: int) -> ThemeSummary:
    members = [i for i, ids in enumerate(result.assignments) if theme.theme_id in ids]
    if result.scores is not None and column < result.scores.shape[1]:
        ranked = sorted(members, key=lambda i: -float(result.scores[i, column]))  # type: ignore[index]
    else:
        ranked = members
    return _row(result, theme, members, total, ranked[:QUOTES])


def _row(
    result: QuestionResult, theme: Theme, members: list[int], total: int, quotes: list[int]
) -> ThemeSummary:
    by_position: dict[Position, int] = {p: 0 for p in POSITIONS}
    for i in members:
        by_position[result.positions[i]] += 1
    ids = tuple(result.question.responses[i].response_id for i in quotes)
    rich = int(np.sum([bool(result.evidence[i]) for i in members])) if members else 0
    return ThemeSummary(theme, len(members), len(members) / total, by_position, ids, rich)


def bar_chart(rows: list[ThemeSummary], width: int = 40) -> str:
    """A plain-text bar chart of theme counts (for the CLI; the page draws its own)."""
    top = max((r.count for r in rows), default=0) or 1
    lines = []
    for row in rows:
        bar = "#" * max(1 if row.count else 0, round(width * row.count / top))
        lines.append(f"{row.theme.label[:40]:40} {bar} {row.count} ({row.share:.0%})")
    return "\n".join(lines)


def name_some(items: list[str], limit: int) -> str:
    """The first ``limit`` of ``items`` joined by commas, and how many more there are:
    "R012, R044 and 3 more"."""
    more = f" and {len(items) - limit:,} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def positions_by_default(result: QuestionResult) -> list[int]:
    """Rows whose position rests on no stance word at all (the default, "agree") and that no
    reviewer has corrected: the positions to check first."""
    worded = result.position_worded()
    return [i for i, r in enumerate(result.question.responses)
            if r.response_id not in result.position_corrections and not worded[i]]


def positions_line(result: QuestionResult) -> str:
    """"Positions: agree 54, disagree 32, unclear 14; 12 have no stance words (read as agree)."."""
    counts = ", ".join(f"{p} {result.positions.count(p)}" for p in POSITIONS)
    guessed = len(positions_by_default(result))
    note = f"; {guessed:,} with no stance words were read as agree: check them" if guessed else ""
    return f"Positions: {counts}{note}."
