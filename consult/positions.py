"""Positions offline: agree / disagree / unclear towards a question's proposal, from wording cues.

No training data and nothing specific to a topic: generic phrases of agreement, disagreement and
uncertainty, with negation handled ("I do not support" disagrees). Respondents who make a point
without stating a position are read as agreeing (the default), as consultation analysts usually
code answers that engage with a proposal's aims; explicit doubt or mixed cues give "unclear".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

Position = Literal["agree", "disagree", "unclear"]
POSITIONS: tuple[Position, ...] = ("agree", "disagree", "unclear")

_AGREE = [
    r"^\W*(yes|yeah|agreed?|absolutely|definitely|certainly|of course)\b",
    r"\b(i|we)( would)?( strongly| fully| completely| wholeheartedly| totally)? "
    r"(agree|support|welcome|back|endorse|favour)\b",
    r"\bin favour\b",
    r"\b(good|great|excellent|sensible|welcome) (idea|step|move|proposal|change)\b",
    r"\b(long )?overdue\b",
    r"\bplease (do|ban|introduce|go ahead)\b",
]
_DISAGREE = [
    r"^\W*(no|nope|not at all|absolutely not|definitely not)\b",
    r"\b(i|we)( strongly| completely| totally)? (disagree|oppose|object to|reject)\b",
    r"\b(do not|don't|cannot|can't|won't|wouldn't) (support|agree)\b",
    r"\b(i'm|i am|we are|we're) against\b",
    r"\b(excessive|overreach|heavy[- ]handed|nanny state|disproportionate|unnecessary|"
    r"unjustified|counterproductive|pointless|misguided|draconian|unworkable|overkill)\b",
    r"\b(goes|go|going|gone) too far\b",
    r"\b(won't|will not|wouldn't|would not|doesn't|does not) (work|help|solve)\b",
    r"\b(don't|do not) see (the|a|any) (problem|need|point|issue)\b",
    r"\bnot the (answer|solution|way)\b",
]
_UNCLEAR = [
    r"\b(not sure|unsure|don't know|do not know|undecided|no strong (view|opinion))\b",
    r"\b(it|that) depends\b|\bdepends on\b",
    r"\b(on the other hand|both sides|mixed feelings|difficult to say|hard to say|in two minds)\b",
    r"\b(pros and cons|swings and roundabouts)\b",
]
_COMPILED = {
    name: [re.compile(p, re.IGNORECASE) for p in patterns]
    for name, patterns in (("agree", _AGREE), ("disagree", _DISAGREE), ("unclear", _UNCLEAR))
}


def cue_counts(text: str) -> dict[str, int]:
    """How many agreement, disagreement and uncertainty cues ``text`` contains."""
    return {
        name: sum(bool(p.search(text)) for p in patterns) for name, patterns in _COMPILED.items()
    }


def classify_position(text: str) -> Position:
    """The response's position towards the question's proposal, from its wording."""
    cues = cue_counts(text)
    agree, disagree, unclear = cues["agree"], cues["disagree"], cues["unclear"]
    if unclear and unclear >= max(agree, disagree):
        return "unclear"
    if disagree > agree:
        return "disagree"
    if disagree and disagree == agree:
        return "unclear"
    return "agree"


def classify_positions(texts: Sequence[str]) -> list[Position]:
    """``classify_position`` for each text."""
    return [classify_position(t) for t in texts]
