"""Flag evidence-rich responses: specific figures, sources, or first-hand experience."""

from __future__ import annotations

import re

_FIGURES = re.compile(
    r"(£|\$|€)\s?\d|\b\d+(\.\d+)?\s?(%|per ?cent|pounds|hours|years|months|weeks)\b"
    r"|\b(19|20)\d\d\b|\b\d{2,}\b",
    re.IGNORECASE,
)
_SOURCES = re.compile(
    r"\b(research|study|studies|survey|data|evidence|report|statistics|figures|according to|"
    r"hundreds|thousands|millions|billions|per ?cent|a (third|quarter|half) of)\b",
    re.IGNORECASE,
)
_EXPERIENCE = re.compile(
    r"\b(my (son|daughter|husband|wife|partner|father|mother|dad|mum|brother|sister|friend|family|"
    r"child|children|colleague|patients?|clients?|club)|as an? [a-z]+|i (work|worked|have worked|"
    r"lost|saw|have seen|was|used to)|i've (seen|watched|lost)|lost (my|our)|my local|"
    r"in my (experience|work|job|practice)|our (organisation|"
    r"members|clients|service|charity))\b",
    re.IGNORECASE,
)


def evidence_signals(text: str) -> list[str]:
    """Which kinds of evidence ``text`` shows: 'figures', 'sources', 'experience'."""
    found = []
    if _FIGURES.search(text):
        found.append("figures")
    if _SOURCES.search(text):
        found.append("sources")
    if _EXPERIENCE.search(text):
        found.append("experience")
    return found


def is_evidence_rich(text: str) -> bool:
    """True when the response gives at least one kind of specific evidence."""
    return bool(evidence_signals(text))
