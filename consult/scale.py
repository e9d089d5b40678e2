"""Scale words in answers: misspelt agree/disagree read as meant, a scale point opening an answer,
and answers that give a position, or none, but no reason ("Agree", "No. Just no.", "?").
"""

from __future__ import annotations

import re

_LETTERS = re.compile(r"[^\W\d_]+")
# the words of an answer that gives a position, or none, but no reason: scale words ...
_STANCE_WORDS = frozenset((
    "yes", "yeah", "yep", "yup", "aye", "no", "nope", "nah", "agree", "agreed", "agrees",
    "disagree", "disagreed", "disagrees", "support", "oppose"))
# ... and words that only qualify them or say nothing
_FILLER = _STANCE_WORDS | frozenset((
    "ok", "okay", "k", "fine", "sure", "neutral", "unsure", "undecided", "neither", "nor",
    "either", "or", "and", "not", "at", "all", "strongly", "totally", "completely", "fully",
    "entirely", "absolutely", "definitely", "certainly", "really", "very", "much", "tend", "to",
    "somewhat", "mostly", "just", "i", "we", "do", "don", "t", "dont", "of", "course", "please",
    "thanks", "thank", "you"))
# common misspellings of the scale words ("disgree", "dissagree", "disagre", "agre"), read as
# the words meant; every part is bounded
_MISSPELT_DISAGREE = re.compile(r"\bdis{1,2}a?g{1,2}re{1,2}(?=(d|s)?\b)")
_MISSPELT_AGREE = re.compile(r"\ba{1,2}g{1,2}re{1,2}(?=(d|s)?\b)")
# an answer that opens with a scale point, however intensified ("Totally disagree.", "Fully
# agree", "=== DISAGREE ===", "Disagree, ... Then ban it."): the respondent's own summary of
# their view, which later arguments do not overturn
_OPENS_WITH_SCALE = re.compile(
    r"^\W*(?:(?:strongly|totally|completely|fully|entirely|absolutely|wholeheartedly|utterly|"
    r"firmly|very much|tend to|somewhat|mostly)\s+)?(disagree|agree)d?\b(?!\s+to\s+disagree\b)")


def spell_scale_words(lowered: str) -> str:
    """Lower-cased text with misspelt scale words corrected ("disgree" -> "disagree")."""
    return _MISSPELT_AGREE.sub("agree", _MISSPELT_DISAGREE.sub("disagree", lowered))


def opening_scale_word(lowered: str) -> str | None:
    """"agree" or "disagree" when the (lower-cased, respelt) answer opens with that scale point,
    however intensified; None otherwise."""
    opening = _OPENS_WITH_SCALE.match(lowered)
    return None if opening is None else opening[1]


def gives_no_reason(text: str) -> bool:
    """True for an answer with nothing beyond a scale word, a yes or no, "ok" or punctuation
    ("Agree", "No. Just no.", "?", "-- no --", "+1"): it may state a position, but it gives no
    reason to theme."""
    words = _LETTERS.findall(spell_scale_words(text.lower().replace("\u2019", "'")))
    return all(word in _FILLER for word in words)


def says_stance_word(text: str) -> bool:
    """True when ``text`` holds a scale word ("agree", "no"), however read: an answer with none
    ("ok", "?") has no position to default to."""
    words = _LETTERS.findall(spell_scale_words(text.lower().replace("\u2019", "'")))
    return any(word in _STANCE_WORDS for word in words)
