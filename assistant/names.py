"""Names a question asks about ("Carer's Allowance", "Boiler Upgrade Scheme"), for the check
that the guidance found mentions them.

A retriever ranks the closest guidance first even when the scheme asked about is in none of it:
"What is the weekly earnings limit for Carer's Allowance?" finds maternity pay's "Lower Earnings
Limit is £123", which reads like an answer. Only the question sentences are read (a scenario
names people, firms and towns), and only runs of two or more capitalised words.
"""

from __future__ import annotations

import re

_QUESTION = re.compile(r"[^.!?]*\?")
_CAPITALISED = r"(?:[A-Z][a-z]+(?:['’]s)?|[A-Z]{2,})"
_NAME = re.compile(rf"\b{_CAPITALISED}(?:\s+(?:of|and|for|on)?\s*{_CAPITALISED})+")
# capitalised because they open a sentence or address someone, not because they name anything
_OPENER_TEXT = (
    "Does Do Did Can Could Is Are Was Were Am Has Have Had Will Would Should Shall May Might Must "
    "What How Why When Where Who Whom Whose Which If My Our Your His Her Their Its I We You He She "
    "They It The A An In On At For To From This That These Those Please Also Hi Hello Dear Thanks "
    "Mr Mrs Ms Miss Dr Client Customer"
)
_OPENERS = frozenset(_OPENER_TEXT.split())


def question_sentences(text: str) -> str:
    """The sentences of ``text`` that end in "?" (all of it when none does)."""
    asked = " ".join(q.strip() for q in _QUESTION.findall(text))
    return asked or text


def proper_names(text: str) -> list[str]:
    """Runs of two or more capitalised words in ``text``, without a leading opener ("Does",
    "My"): "Can I get Carer's Allowance?" names "Carer's Allowance"."""
    names: list[str] = []
    for found in _NAME.finditer(text):
        words = found.group(0).split()
        while words and words[0] in _OPENERS:
            words = words[1:]
        while words and words[-1] in ("of", "and", "for", "on"):
            words = words[:-1]
        if len(words) >= 2:
            names.append(" ".join(words))
    return names
