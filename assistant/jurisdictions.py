"""The places a query names, and whether the best chunks speak of them.

"Parental leave in Australia" matched to UK pages is a near-miss, not an answer: retrieval's
relevance uses ``jurisdiction_coverage`` (``assistant.retrieval``); an answer whose sources do not
mention a UK nation the question names carries a warning (``unmentioned_nations``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path

from assistant.bm25 import analyse, holds_in_order, words_in_order
from assistant.names import case_facts, question_sentences
from assistant.types import Chunk

_PLACES_FILE = Path(__file__).parent / "data" / "jurisdictions.txt"
_EEA_FILE = Path(__file__).parent / "data" / "eea_countries.txt"
_CITIES_FILE = Path(__file__).parent / "data" / "world_cities.txt"

# "an American woman", "my mother is French": a person's nationality, not a place's rules
_NATIONALITY = re.compile(
    r"\b([A-Za-z]+)(?=\s+(?:citizens?|nationals?|nationality|wom[ae]n|m[ae]n|"
    r"person|people|partner|husband|wife|mother|father|parents?|son|daughter|student|worker)\b)"
    r"|\b(?:is|am|are|was|were|being)\s+(?:an?\s+)?([A-Za-z]+)\b(?=\s*(?:[.,;!?]|and\b|but\b|$))",
    re.IGNORECASE)
# a place the question's people come from or visit, or a firm's country, is not the place whose
# rules are asked about: "visit family in Pakistan", "she came from Syria", "a German
# technology firm" sending someone to the UK (UK guidance about going abroad rarely names every
# country). A firm's country counts only when the question also names the UK: "How much
# corporation tax does an Australian company pay?" asks about Australia.
_NOT_THE_JURISDICTION = re.compile(
    r"\bvisit\w*\s+(?:(?:my|his|her|their|our|a|an|the|some)\s+)?(?:family|relatives?|friends?|"
    r"parents?|father|mother|brother|sister|son|daughter|children|grandchildren)\s+in\s+[A-Za-z]+"
    r"|\b(?:am|is|are|was|were|comes?|came|coming|arrived|fled|moved|relocated)\s+(?:here\s+)?"
    r"from\s+[A-Za-z]+",
    re.IGNORECASE)
_FIRMS_COUNTRY = re.compile(
    r"\b[A-Za-z]+(?=\s+(?:[a-z]+\s+){0,2}(?:firm|company|business|employer|organi[sz]ation|"
    r"bank|university|charity)s?\b)", re.IGNORECASE)
# In case facts told before the question, a place counts only where someone lives, works or is
# moving: "I work full time in Sydney. How long is paid parental leave?" asks about Australia's
# rules, but "adopt a child in Malaysia", "a prison sentence in Nigeria" and "her mother in
# Pakistan needs care" are facts of a UK case (a caseworker's usual question). A place named in
# the question sentence itself always counts. The clause after the verb is read up to its end
# ("I work in a hospital in Toronto"), not into another clause.
_WHERE_ONE_IS = re.compile(
    r"\b(?:lives?|living|works?|working|(?:(?:ha(?:s|ve)|'ve)\s+(?:always\s+)?)(?:lived|worked)|"
    r"employed|based|resid\w*|settled|mov(?:e|es|ed|ing)|relocat\w*|emigrat\w*)\b"
    r"[^.,;:!?]{0,150}",
    re.IGNORECASE)
_CLAUSE_ENDS = re.compile(r"\b(?:but|because|although|while|since|who|which|whose|when)\b",
                          re.IGNORECASE)
# a place after a preposition: cities count only so ("Can Sydney get leave?" names a person)
# ("in a Chinese takeaway" is no place: a place takes no "a" or "my"; a name stops at the next
# preposition or "and": "to a new job in Dubai", "to England from India", "from Leeds to
# Melbourne" (where people come from is no place whose rules are asked about)
_PREPOSITION = r"(?:in|to|of|near|around|outside)\b"
_STOP = r"(?:in|to|of|near|around|outside|from|for|at|with|and|or|but|since|last|next)\b"
_AT_A_PLACE = re.compile(
    rf"\b{_PREPOSITION}\s+(?!(?:an?|my|his|her|its|our|their|your|this|that|some|any)\b)"
    rf"((?:the\s+)?(?:(?!{_STOP})[A-Za-z'’-]+)(?:\s+(?!{_STOP})[A-Za-z'’-]+){{0,3}})",
    re.IGNORECASE)
# a question about a UK body's rules, about being abroad, a visa or an immigration route
# (applicants and their relatives live abroad) asks about UK rules wherever the asker lives: "I
# moved to Dubai. How do I pay HMRC from an overseas bank account?", "My employer is sending me
# to work in Doha. What must my contract say about working abroad?"
_UK_BODIES = re.compile(
    r"\b(?:Home Office|British)\b|\b(?i:HMRC|DWP|UKVI|NHS|Jobcentre|GOV\.UK)\b"
    r"|\b(?i:abroad|overseas|visas?(?!\s+(?:card|debit|credit))|entry clearance|sponsors?|"
    r"settlement|indefinite leave|ILR|dependent relatives?)\b")
_THE_UK = re.compile(r"\b(?:UK|U\.K\.|United Kingdom|Britain|England|Scotland|Wales|"
                     r"Northern Ireland|GB)\b", re.IGNORECASE)
# UK nations: the guidance is mostly UK- or GB-wide, so naming one never makes a question a
# near-miss; an answer whose sources do not mention it carries a warning instead
UK_NATIONS = {
    "Scotland": re.compile(r"\bscot(?:land|tish)\b", re.IGNORECASE),
    "Wales": re.compile(r"\b(?:wales|welsh)\b", re.IGNORECASE),
    "Northern Ireland": re.compile(r"\bn(?:orthern|\.)?[\s-]*ir(?:eland|ish)\b", re.IGNORECASE),
}
_IRELAND = frozenset(analyse("Ireland Irish"))
# an EEA country is covered by chunks that speak of the EEA or the EU ("if you move to an EEA
# country"), as UK guidance about going abroad rarely lists every country
_EEA_TERMS = frozenset(analyse("EEA EU European"))


def jurisdiction_coverage(query: str, best: list[Chunk]) -> float:
    """0.0 when the query names a listed place that none of ``best`` mention, else 1.0.

    A nationality describing a person ("an American student", "she is French"), a place people
    come from or visit family in, and a firm's country when the UK is named ("a German firm
    sending staff to the UK") name no place; in case facts before the question, only where
    someone lives, works or moves counts, and not even that when the question asks about UK
    rules ("I live in Osaka. Does she need an ETA to come to the UK?");
    "Northern Ireland" is a UK nation, not Ireland; a city is mentioned by its country too, and an
    EEA country or city counts as mentioned where the chunks speak of the EEA or the EU."""
    named = named_places(query)
    if not named:
        return 1.0
    countries = cities()
    texts = [_fold(c.embedding_text) for c in best]
    if any(set(countries.get(place, place)) & _IRELAND for place in named):
        northern = UK_NATIONS["Northern Ireland"]  # "Northern Ireland" is no mention of Ireland
        texts = [northern.sub(" ", t) for t in texts]
    said = [words_in_order(t) for t in texts]
    missing = {countries.get(place, place) for place in named  # words next to each other
               if not any(holds_in_order(words, place, gap=0)
                          or holds_in_order(words, countries.get(place, place), gap=0)
                          for words in said)}
    if missing and missing <= eea_places() and frozenset().union(*map(set, said)) & _EEA_TERMS:
        return 1.0
    return 0.0 if missing else 1.0


def named_places(query: str) -> set[tuple[str, ...]]:
    """The listed places (as analysed words) whose rules ``query`` may be asking about."""
    query = _fold(query)
    names_the_uk = _THE_UK.search(query) is not None
    facts = case_facts(query)
    asked = question_sentences(query) if facts else query
    anywhere = [_cleaned(asked, names_the_uk)]  # countries count anywhere in these
    after_a_preposition = [m.group(1) for m in _AT_A_PLACE.finditer(anywhere[0])]
    if facts and not (_THE_UK.search(asked) or _UK_BODIES.search(asked)):
        for where in _WHERE_ONE_IS.finditer(facts):  # "moved from Leeds to Melbourne": Melbourne
            clause = _CLAUSE_ENDS.split(where.group(0), maxsplit=1)[0]
            after_a_preposition += [_cleaned(m.group(1), names_the_uk)
                                    for m in _AT_A_PLACE.finditer(clause)]
        if not names_the_uk:
            facts = _cleaned(facts, names_the_uk)
            anywhere += [m.group(0) for m in _FIRMS_COUNTRY.finditer(facts)]
    found = _grams(" ".join(anywhere), places())
    return found | _grams(" ".join(after_a_preposition), _every_place())


def _cleaned(text: str, names_the_uk: bool) -> str:
    """``text`` without the places that name no jurisdiction (nationalities, origins, visits,
    Northern Ireland; a firm's country when the UK is named)."""
    text = UK_NATIONS["Northern Ireland"].sub(" ", text)  # first: "from Northern Ireland"
    text = _NOT_THE_JURISDICTION.sub(" ", _NATIONALITY.sub(" ", text))
    return _FIRMS_COUNTRY.sub(" ", text) if names_the_uk else text


def _grams(text: str, known: Collection[tuple[str, ...]]) -> set[tuple[str, ...]]:
    words = analyse(text)
    return {tuple(words[i:i + n]) for n in range(1, _LONGEST + 1)
            for i in range(len(words) - n + 1) if tuple(words[i:i + n]) in known}


def _fold(text: str) -> str:
    """Accents dropped ("Montréal", "São Paulo"): the word analyser reads ASCII letters only."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def is_a_place(word: str) -> bool:
    """Whether ``word`` is a listed country or city (one word, any case: "lagos", "Perth")."""
    return tuple(analyse(_fold(word))) in _every_place()


def unmentioned_nations(query: str, sources: list[Chunk]) -> list[str]:
    """The UK nations the query names (not as a nationality) that none of ``sources`` mention."""
    query = _NATIONALITY.sub(" ", query)
    text = " ".join(c.embedding_text for c in sources)
    return [name for name, pattern in UK_NATIONS.items()
            if pattern.search(query) and not pattern.search(text)]


@lru_cache(maxsize=1)
def places() -> frozenset[tuple[str, ...]]:
    """The analysed words of ``data/jurisdictions.txt`` (comments and blank lines skipped)."""
    return _read_places(_PLACES_FILE)


@lru_cache(maxsize=1)
def eea_places() -> frozenset[tuple[str, ...]]:
    """The analysed words of ``data/eea_countries.txt``: EEA countries and Switzerland (which UK
    guidance treats with them: "the EEA or Switzerland"), and their adjectives."""
    return _read_places(_EEA_FILE)


@lru_cache(maxsize=1)
def _every_place() -> frozenset[tuple[str, ...]]:
    """Countries, EEA countries and cities: every listed place."""
    return places() | eea_places() | cities().keys()


@lru_cache(maxsize=1)
def cities() -> dict[tuple[str, ...], tuple[str, ...]]:
    """``data/world_cities.txt``: cities and regions outside the UK, each with its country."""
    out: dict[tuple[str, ...], tuple[str, ...]] = {}
    for line in _CITIES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            city, _, country = line.partition(":")
            out[tuple(analyse(city))] = tuple(analyse(country))
    return out


def _read_places(path: Path) -> frozenset[tuple[str, ...]]:
    """One place a line ("new york" is two words, in order), comments and blank lines skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    names = (tuple(analyse(x)) for x in lines if x.strip() and not x.startswith("#"))
    return frozenset(name for name in names if name)


_LONGEST = 4  # words in the longest place name ("papua new guinea", "united arab emirates")
