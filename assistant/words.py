"""The words of a text as offline answers and follow-ups compare them: lower-cased, lightly
stemmed, without the common words that say nothing of a topic."""

from __future__ import annotations

import re

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# a UTF-16 surrogate: a string holding one is not valid Unicode (the tokenizer, Chroma and
# UTF-8 files refuse it); an RTF emoji escape, a YAML "\uD800", an undecodable file name
SURROGATE = re.compile("[\ud800-\udfff]")
_STOPWORD_TEXT = (
    "a an the and are as at be been being but by can could do does did for from had has have how i "
    "if in into is it its me my of on or our she he her his they their them this that these "
    "those to was we what when where which who why will with would you your am there about "
    "any get got i'm i've than then so not also should may might must much many"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def terms(text: str) -> list[str]:
    """Lower-cased, lightly stemmed content words of ``text``."""
    return [stem(w) for w in WORD.findall(text.lower()) if w not in STOPWORDS]


def stem(word: str) -> str:
    """``word`` without a plural, "-ing" or "-ed" ending ("benefits", "claiming", "claimed")."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    for suffix, shortest in (("ing", 6), ("ed", 5), ("s", 4)):
        if len(word) >= shortest and word.endswith(suffix) and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word
