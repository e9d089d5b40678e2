"""Answers not written in English: found so a reviewer reads them, since the offline model cannot.

Consult's offline embedder and position rules read English. An answer in Welsh (common in a UK
consultation) or another language is still themed, but its themes and position may be wrong, so
the import says which answers they are. An answer counts as not English when it has at least
``MIN_WORDS`` words and under ``MIN_ENGLISH_SHARE`` of them are in the English word list shipped
with ``symspellpy``. Short answers ("Agree.", "lol no") are never flagged: too few words to tell.
"""

from __future__ import annotations

import re

from assistant.spelling import english_words
from consult.report import name_some
from consult.responses import Consultation

MIN_WORDS = 4
MIN_ENGLISH_SHARE = 0.6  # Welsh 0.13-0.25, French 0.33, Spanish 0.5; slangy English 0.7
LISTED_IDS = 10
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# English contractions: "it's", "I'd", "didn't", "we've", "they'll", "you're", "I'm"
_CONTRACTION = re.compile(r"['’](?:s|d|t|ve|ll|re|m)$")


def looks_english(text: str) -> bool:
    """False only when ``text`` has enough words and too few of them are English."""
    words = _WORD.findall(text.lower())
    if len(words) < MIN_WORDS:
        return True
    english = english_words()  # cached there
    known = sum(word in english or bool(_CONTRACTION.search(word)) for word in words)
    return known >= MIN_ENGLISH_SHARE * len(words)


def not_english_ids(consultation: Consultation) -> list[str]:
    """Respondent ids whose themed answer to any question does not look like English."""
    found: dict[str, None] = {}
    for question in consultation.questions:
        for response in question.responses:
            if not looks_english(response.original):
                found.setdefault(response.response_id, None)
    return list(found)


def language_warning(consultation: Consultation) -> str | None:
    """A warning naming the respondents whose answers do not look like English (None if none)."""
    ids = not_english_ids(consultation)
    if not ids:
        return None
    listed = name_some(ids, LISTED_IDS)
    many = len(ids) > 1
    return (f"{len(ids):,} respondent{'s' if many else ''} answered in what does not look like "
            f"English (Welsh, perhaps): {listed}. {'They are' if many else 'It is'} themed with "
            "the rest, but the offline model reads English, so check "
            f"{'their' if many else 'its'} themes and positions yourself, or import a translation.")
