"""Summaries of a QuestionResult: a table of themes with counts, shares by position, and quotes."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from consult.analysis import QuestionResult, themable_rows
from consult.positions import POSITIONS, Position
from consult.themes import Theme

QUOTES = 3
QUOTE_WORDS = 5  # a quote with fewer words ("agree", "Yes!!") is used only when none has more
_NOT_ALNUM = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class ThemeSummary:
    """One row of the themes table."""

    theme: Theme
    count: int
    share: float  # of themed responses
    by_position: dict[Position, int]
    quotes: tuple[str, ...]  # response ids, most representative first
    evidence_rich: int
    repeats: int = 0  # responses whose text repeats an earlier response's (campaign copies)
    # of the "agree" positions, those read so only because the answer has no stance word (and
    # no reviewer set it): a guess, to check
    agree_by_default: int = 0


def summarise(result: QuestionResult) -> list[ThemeSummary]:
    """A row per theme, largest first, plus an 'Unmatched' row when some responses fit no theme.
    Shares are of the responses that were themed (answers giving no reason are not)."""
    total = max(len(themable_rows(result.question)), 1)
    rows = [_summary(result, t, column, total) for column, t in enumerate(result.themes)]
    unmatched = result.unmatched()
    if unmatched and not any(t.catch_all for t in result.themes):
        theme = Theme("-", "Unmatched", "Responses that fit no theme.", "discovered")
        rows.append(_row(result, theme, unmatched, total, pick_quotes(result, unmatched)))
    return sorted(rows, key=lambda r: -r.count)


def _summary(result: QuestionResult, theme: Theme, column: int, total: int) -> ThemeSummary:
    members = [i for i, ids in enumerate(result.assignments) if theme.theme_id in ids]
    if result.scores is not None and column < result.scores.shape[1]:
        ranked = sorted(members, key=lambda i: -float(result.scores[i, column]))  # type: ignore[index]
    else:
        ranked = members
    return _row(result, theme, members, total, pick_quotes(result, ranked))


def pick_quotes(result: QuestionResult, ranked: list[int]) -> list[int]:
    """Up to QUOTES of ``ranked`` (best first) with different texts, preferring answers of at
    least QUOTE_WORDS words: three quotes reading "agree", or three copies of a campaign
    text, show nothing of a theme."""
    seen: set[str] = set()
    distinct = []
    for row in ranked:
        key = _NOT_ALNUM.sub(" ", result.question.responses[row].text.casefold()).strip()
        if key not in seen:
            seen.add(key)
            distinct.append(row)
    full = [row for row in distinct if _words(result, row) >= QUOTE_WORDS]
    short = [row for row in distinct if _words(result, row) < QUOTE_WORDS]
    return (full + short)[:QUOTES]


def _words(result: QuestionResult, row: int) -> int:
    return len(result.question.responses[row].text.split())


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at the last word boundary within ``limit`` characters with an
    ellipsis ("… without so…" cut a word in two)."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if flat[limit - 1] != " " and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-") + "…"


def quote_line(result: QuestionResult, response_id: str, limit: int) -> str:
    """A quote as shown and exported: the respondent, their position and their words (cut at
    a word): "R12: [disagree] Our street is too narrow…"."""
    row = next(i for i, r in enumerate(result.question.responses) if r.response_id == response_id)
    response = result.question.responses[row]
    return f"{response.response_id}: [{result.positions[row]}] {shorten(response.text, limit)}"


def repeat_counts(result: QuestionResult) -> list[int]:
    """For each response, how many responses share its text (1: none other does), so repeated
    and campaign texts can be marked and filtered."""
    responses = result.question.responses
    root = [r.duplicate_of or r.response_id for r in responses]
    sizes = Counter(root)
    return [sizes[key] for key in root]


def _row(
    result: QuestionResult, theme: Theme, members: list[int], total: int, quotes: list[int]
) -> ThemeSummary:
    by_position: dict[Position, int] = {p: 0 for p in POSITIONS}
    for i in members:
        by_position[result.positions[i]] += 1
    ids = tuple(result.question.responses[i].response_id for i in quotes)
    rich = int(np.sum([bool(result.evidence[i]) for i in members])) if members else 0
    repeats = sum(result.question.responses[i].duplicate_of is not None for i in members)
    worded = result.position_worded()
    guessed = sum(result.positions[i] == "agree" and not worded[i] and
                  result.question.responses[i].response_id not in result.position_corrections
                  for i in members)
    return ThemeSummary(theme, len(members), len(members) / total, by_position, ids, rich,
                        repeats, guessed)


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
            if r.response_id not in result.position_corrections and not worded[i]
            and result.positions[i] == "agree"]


def positions_line(result: QuestionResult) -> str:
    """"Positions: agree 54, disagree 32, unclear 14; 12 have no stance words (read as agree)."."""
    counts = ", ".join(f"{p} {result.positions.count(p)}" for p in POSITIONS)
    guessed = len(positions_by_default(result))
    note = f"; {guessed:,} with no stance words were read as agree: check them" if guessed else ""
    return f"Positions: {counts}{note}."
