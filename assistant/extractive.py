"""Offline answers: the sentences and list items of the top sources that best answer the question.

Units (sentences and list items) are scored by IDF-weighted coverage of the question's terms, plus
embedding similarity when an embedder is given, weighted towards the best-ranked source. The best
few are kept in their source order and exact wording, and each passage is cited. Text that reads
like instructions to a model is never extracted. What a chosen unit brings with it (its list's
lead-in, the sentence it leans on, its table, its example) is ``assistant.surroundings``; how
the passages are quoted and cited is ``assistant.passages``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Sequence

import numpy as np

from assistant import prompts
from assistant.citations import looks_like_instructions
from assistant.jurisdictions import UK_NATIONS
from assistant.names import question_sentences
from assistant.passages import HEADING_MARK, Extract, render
from assistant.ports import Embedder
from assistant.staleness import source_date, title_date
from assistant.surroundings import (
    MAX_WORDS,
    POINTER,
    POINTER_WEIGHT,
    bridged,
    case_first,
    items_of_a_relevant_lead_in,
    list_goes_on,
    parallel_cases,
    tables_going_on,
    with_examples,
    with_list_context,
    with_qualifiers,
    with_tables,
    with_their_lists,
)
from assistant.types import SECTION_SEPARATOR, Chunk, ScoredChunk
from assistant.units import Unit, split_units
from assistant.words import WORD, terms
from assistant.years import of_another_year, year_pairs

__all__ = ["HEADING_MARK", "MAX_UNITS", "MAX_WORDS", "Extract", "best_quote",
           "extract_answer", "score_units", "section_parts", "split_units", "terms",
           "top_sources"]

MAX_UNITS = 4  # units chosen by score (list items pulled in by a chosen lead-in are extra)
MAX_SOURCES = 5
SOURCE_FLOOR = 0.75  # a further source is used only if it scores this share of the best
SAME_DOCUMENT_FLOOR = 0.85  # ... or, under the relevance floor, is of the best one's document
EMBED_UNITS = 8  # with an embedder, only this many lexical front-runners are embedded
EMBED_STATING = 4  # ... and this many more that state the kind of fact the question asks for
# What kind of fact a question asks for, and how a unit that states one looks.
# a number in digits or words: "within one month" lost to "up to 13 months" in a letter's "by
# when" section when only digits counted (dev and probe figures are the same either way)
_NUMBER = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_PERIOD = rf"\b{_NUMBER}\s+(?:calendar\s+|working\s+)?(?:hours?|days?|weeks?|months?|years?)\b"
_LIMIT = r"(?:less than|more than|fewer than|over|under|at least|up to|below|above|within|"\
    r"at most|no more than|exceeds?|exceeding|minimum of|maximum of)"
_INTENTS = (
    # "how much notice / time / leave" asks for a period, not an amount of money
    (re.compile(r"\bhow much\b(?!\s+(?:notice|time|leave|holiday)\b)|\bcost|\bamount|\brate\b|"
                r"\bfees?\b|\bthreshold|\b(?:earnings|income|savings|capital) limit"
                # "What is the national minimum wage for a 20 year old?" (not "are we paying
                # at least the National Living Wage?", which asks what counts towards it)
                r"|\bwhat(?:'s| is| are) the (?:\w+ ){0,3}(?:minimum|living) wage\b"
                # "What is the benefit cap, weekly and monthly?" asks for amounts too
                r"|\b(?:weekly|monthly|per (?:week|month))\b"
                r"|\bwhat is the [\w' ]{0,30}\bcap\b", re.I),
     re.compile(r"£\s?\d|\d%")),
    (
        re.compile(
            r"\bhow long\b|\bhow many (?:hours|days|weeks|months|years)\b|\bwhen\b|\bdeadline"
            r"|\bhow much (?:notice|time|leave|holiday)\b|\btime limit|\bhow soon\b", re.I
        ),
        re.compile(rf"{_PERIOD}|\b\d{{1,2}} \w+ \d{{4}}\b", re.I),
    ),
    # "am I eligible / can she qualify / what are the requirements" asks for the conditions:
    # the sentence that sets them ("You usually qualify if both of the following apply:")
    (
        re.compile(r"\beligib|\bqualif|\bentitled\b|\brequirements?\b|\bcriteria\b"
                   # "Can he apply?" opening a question (on a line, after a bullet or a quote
                   # mark too), or "What benefits can he get?"; not "how much / where can he
                   # get" (how much or where, not whether)
                   r"|(?:^|[.?!;:,\n]\s{0,3}|[-•\"“(]\s{0,2}|\b(?:and|but|so|then)\s{1,3}|"
                   r"\b(?:what|which) \w+ )can (?:i|he|she|they|we|you|my \w+|the \w+) "
                   r"(?:still |also )?(?:apply|claim|get|receive)\b", re.I),
        re.compile(
            r"\b(?:eligible|qualify|entitled)\b[^.]{0,60}\bif\b|\b(?:all|both|one|any) of "
            r"(?:the following|these)\b|\bto (?:be eligible|qualify|get)\b[^.]{0,200}"
            r"\b(?:must|need to|have to)\b"
            r"|\b(?:must|need to)(?: also)? (?:be|have|get|live|work)\b"
            # "If you're pregnant and under 18 you can claim even if you do not get benefits"
            r"|\bcan (?:claim|get|apply)\b[^.]{0,60}\bif\b"
            r"|^if\b[^.]{0,80}\bcan (?:claim|get|apply)\b",
            re.I),
    ),
    # "pip age limit", "how old must she be": the sentence stating an age ("you're 16 or over",
    # "under State Pension age", "aged 18 to 30")
    (re.compile(r"\bage (?:limits?|requirements?|range|restrictions?)\b|\b(?:minimum|maximum|"
                r"upper|lower|what) age\b|\bhow old (?:must|do|does|should|is|are|can) "
                r"(?:i|he|she|they|you|we|my \w+|(?:the|a|an) (?:child|children|baby|applicant|"
                r"claimant|person|employee|student|worker|partner|apprentice))\b"
                r"|\bold enough\b|\btoo (?:old|young)\b", re.I),
     re.compile(r"\b\d{1,2}\s+or\s+(?:over|older|under|younger)\b|\baged?\s+(?:between\s+)?"
                r"(?:of\s+)?\d{1,2}\b|\b(?:under|over)\s+(?:the\s+age\s+of\s+)?\d{1,2}\b"
                r"(?!\s{0,3}(?:%|hours?\b|days?\b|weeks?\b|months?\b|years?\b(?!\s{1,3}old)"
                r"|minutes?\b|miles?\b|km\b|kilometres?\b|tonnes?\b|kg\b|employees?\b|"
                r"people\b|staff\b|workers?\b|per\b|pence\b|p\b|£|\.\d))"
                r"|\bState Pension age\b|\b\d{1,2}[- ]years?[- ]old\b", re.I)),
    # a question stating an amount or a period ("an overpayment of £40", "after 3 weeks") is
    # usually asking which side of a limit it falls: the sentence stating the limit answers it
    (re.compile(r"£\s?\d"), re.compile(rf"\b{_LIMIT}\s+£\s?\d", re.I)),
    (re.compile(_PERIOD, re.I), re.compile(rf"\b{_LIMIT}\s+(?:the\s+)?{_PERIOD}", re.I)),
)
INTENT_BONUS = 0.3
# the first intents of _INTENTS ask for a fact (an amount, a period, the conditions, an age)
FACT_INTENTS = 4
FIGURE_INTENTS = (0, 3)  # of those, the ones asking for an amount or an age
ORDER_MARGIN = 0.75  # a passage stating the figure asked for leads within this share of the best
TITLE_WEIGHT = 0.5  # a query word in the source's title counts half: every sentence is about it
COSINE_WEIGHT = 0.6  # blend of cosine similarity and lexical score for embedded units
SOURCE_DISCOUNT = 0.15  # per rank of the source a unit comes from
CHOSEN_FLOOR = 0.5  # a unit is quoted only if it scores at least this share of the best
QUESTION_WEIGHT = 0.5  # weight of the question sentences alone when a query also states facts
# a question about one UK nation: passages about only another come after those about it
_NATIONS = {**UK_NATIONS, "England": re.compile(r"\bengland\b", re.IGNORECASE)}
OTHER_NATION_WEIGHT = 0.5
# an undated publication whose title names a year this much older than the newest source
# quoted beside it (a 2015 budget's "£20,000 cap" beside the current guide's table) weighs
# OLDER_SOURCE_WEIGHT: the guidance answers first, and the publication is quoted only where it
# still scores well. Dated guides are not weighed by age: GOV.UK's "last updated" dates are
# when a guide last changed in substance, and a guide from 2015 can be as current as one from
# 2024 (weighing them cost 3 answering sentences across 11 review sets, fixed 1)
OLDER_SOURCE_DAYS = 3 * 365
OLDER_SOURCE_WEIGHT = 0.5
# names that hold a nation's name but set no rules for it
_NOT_A_NATION = re.compile(r"\b(?:Bank|Church) of (?:England|Scotland)\b|\bWelsh[- ]language\b"
                           r"|\bScottish Widows\b", re.IGNORECASE)


def score_units(query: str, units: Sequence[Unit], embedder: Embedder | None = None,
                focus: str = "", titles: Sequence[str] = ()) -> list[float]:
    """Relevance of each unit to ``query``: IDF-weighted term coverage, a bonus when the unit
    states the kind of fact asked for (an amount, a duration), and cosine similarity if embedded.

    ``focus`` (the question sentences of a query that also states case facts) is scored the same
    way and weighted QUESTION_WEIGHT, so the facts do not pull in sentences that merely share
    their words ("the birth", "full time") over the one that answers the question.
    """
    queries = [query, focus] if focus and focus != query else [query]
    weights = [1.0] if len(queries) == 1 else [1 - QUESTION_WEIGHT, QUESTION_WEIGHT]
    own = [set(terms(u.text)) for u in units]
    # "The rate is £187.18 a week" is about what the sentence before it names ("... you may
    # still get Statutory Paternity Pay."): it is read with that sentence's words, at half weight
    context = _antecedent_terms(units, own)
    unit_terms = [o | c for o, c in zip(own, context, strict=True)]
    title_terms = [set(terms(t)) for t in titles]
    named = [(title_terms[u.source] if u.source < len(title_terms) else set()) | (c - o)
             for u, o, c in zip(units, own, context, strict=True)]
    scores = [0.0] * len(units)
    for text, weight in zip(queries, weights, strict=True):
        for i, score in enumerate(_lexical(text, units, unit_terms, named)):
            scores[i] += weight * score
    if embedder is not None and units:
        # what the question asks for, read from its question sentences when it states facts too
        states = [st for asks, st in _INTENTS if asks.search(queries[-1])]
        stating = {i for i, u in enumerate(units) if any(st.search(u.text) for st in states)}
        scores = _blend_cosines(queries, weights, units, scores, embedder, stating)
    return scores


# a sentence whose subject points back ("The rate is ...", "This is paid ...", "It lasts ...")
_POINTS_BACK = re.compile(r"^(?:the (?:rate|amount|payment|grant|fee|limit|allowance|award|pay|"
                          r"period|deadline|time limit|charge|cost)s?|this|these|that|those|it|"
                          r"they|its|their)\b", re.I)


def _antecedent_terms(units: Sequence[Unit], own: Sequence[set[str]]) -> list[set[str]]:
    """For each sentence whose subject points back, the words of the sentence just before it
    (same source, next to it); an empty set for other units."""
    out: list[set[str]] = [set() for _ in units]
    for i in range(1, len(units)):
        unit, before = units[i], units[i - 1]
        if not unit.is_item and _POINTS_BACK.match(unit.text) and before.source == unit.source \
                and before.position == unit.position - 1 and not before.is_item \
                and before.heading == unit.heading:  # not across a heading
            out[i] = own[i - 1]
    return out


def _lexical(query: str, units: Sequence[Unit], unit_terms: list[set[str]],
             named: Sequence[set[str]] = ()) -> list[float]:
    query_terms = set(terms(query))
    idf = {
        t: math.log(1 + (len(units) + 1) / (1 + sum(t in s for s in unit_terms)))
        for t in query_terms
    }
    total = sum(idf.values()) or 1.0
    named = named or [set() for _ in units]
    scores = [sum(idf[t] * (TITLE_WEIGHT if t in n else 1.0) for t in query_terms & s) / total
              for s, n in zip(unit_terms, named, strict=True)]
    for asks, states in _INTENTS:
        if asks.search(query):
            scores = [
                s + INTENT_BONUS * bool(states.search(u.text))
                for s, u in zip(scores, units, strict=True)
            ]
    return scores


def _blend_cosines(queries: list[str], weights: list[float], units: Sequence[Unit],
                   scores: list[float], embedder: Embedder,
                   stating: Collection[int] = ()) -> list[float]:
    """Blend in cosine similarity for the best EMBED_UNITS units by lexical score (bounded cost);
    the rest are dropped from contention. Each unit is embedded once, whatever the queries."""
    ranked = sorted(range(len(units)), key=lambda i: scores[i], reverse=True)
    top = ranked[:EMBED_UNITS]
    # units stating the kind of fact asked for ("You must also be under State Pension age") are
    # embedded too, up to EMBED_STATING more, though few of their words are the question's
    top += [i for i in ranked[EMBED_UNITS:] if i in stating][:EMBED_STATING]
    vectors = embedder.embed([*queries, *(units[i].text for i in top)])
    found = vectors[len(queries):]
    cosines = sum(w * np.clip(found @ vectors[q], 0.0, 1.0) for q, w in enumerate(weights))
    blended = [0.0] * len(units)
    for i, cosine in zip(top, cosines, strict=True):
        blended[i] = (1 - COSINE_WEIGHT) * scores[i] + COSINE_WEIGHT * float(cosine)
    return blended


def extract_answer(
    question: str,
    results: Sequence[ScoredChunk],
    *,
    min_relevance: float = 0.0,
    embedder: Embedder | None = None,
    focus: str = "",
    next_chunk: Callable[[Chunk], Chunk | None] | None = None,
) -> Extract:
    """Quote the units of the top ``results`` that best answer ``question``, each cited [n].

    ``focus`` is what is asked now, weighted QUESTION_WEIGHT; by default the sentences of
    ``question`` that end in "?" (a rewritten follow-up passes the follow-up itself).
    ``next_chunk`` gives the chunk after a source in its document: a table quoted to the end of
    its chunk that goes on in the next one ends in "…" instead of reading as the whole table."""
    sources = top_sources(results, min_relevance)
    units = _distinct(_of_the_case_year([
        u
        for rank, s in enumerate(sources)
        for u in with_their_lists(split_units(s.chunk.text, rank, section_parts(s.chunk.section),
                                               _folded(s.chunk.section)))
        if (u.is_item or len(u.text.split()) >= 3) and not looks_like_instructions(u.text)
    ], [s.chunk.section for s in sources], [s.chunk.doc_id for s in sources], question))
    if not units:
        return _fallback()
    asked = focus or question_sentences(question)  # the whole question when it has no "?"
    scores = score_units(question, units, embedder, asked if QUESTION_WEIGHT > 0 else "",
                         [s.chunk.title for s in sources])
    weighted = [
        s * (1.0 - SOURCE_DISCOUNT * u.source) * (POINTER_WEIGHT if POINTER.match(u.text) else 1)
        - 0.01 * u.position / 50
        for u, s in zip(units, scores, strict=True)
    ]
    asked_nations = _nations(question)
    elsewhere = {u for u in units if _about_another_nation(u, sources[u.source].chunk.section,
                                                             asked_nations)} \
        if asked_nations else set()
    older = _older_sources(sources)
    weighted = [w * (OTHER_NATION_WEIGHT if u in elsewhere else 1.0)
                * (OLDER_SOURCE_WEIGHT if u.source in older else 1.0)
                for u, w in zip(units, weighted, strict=True)]
    facts = [states for asks, states in _INTENTS[:FACT_INTENTS] if asks.search(asked)]
    stating = {i for i, u in enumerate(units) if any(st.search(u.text) for st in facts)}
    weighted = items_of_a_relevant_lead_in(units, weighted, stating)
    chosen = _choose(units, weighted, stating, elsewhere)
    cases = parallel_cases(units, chosen, [s.chunk.doc_id for s in sources])
    if cases:  # with their lists, as chosen units come (not re-expanding those: nested lists)
        chosen = sorted({*chosen, *with_list_context(units, cases)},
                        key=lambda u: (u.source, u.position))
    chosen = with_qualifiers(units, with_tables(units, with_examples(units, chosen), question))
    score_of = dict(zip(units, weighted, strict=True))
    best: dict[int, float] = {}
    for unit in chosen:
        best[unit.source] = max(best.get(unit.source, -math.inf), score_of[unit])
    # the best-answering passage first: one stating the amount, period or age asked for, then
    # by its best unit's score ("The licence application fee is £536" before a passage that
    # only shares the question's words)
    # (an amount or an age: "when" asks for a period as often as for a condition, and a
    # passage setting some condition is no better answer for it), within reach of the best
    figures = [st for n, (asks, st) in enumerate(_INTENTS[:FACT_INTENTS])
               if n in FIGURE_INTENTS and asks.search(asked)]
    top = max(best.values(), default=0.0)
    states = {u.source for u in chosen if any(st.search(u.text) for st in figures)
              and best[u.source] >= ORDER_MARGIN * top}
    order = sorted(best, key=lambda rank: (rank not in states, -best[rank], rank))
    chosen = bridged(units, chosen, elsewhere)  # filling gaps, not choosing what leads
    return render(sources, chosen, case_first(order, sources, chosen, question),
                  list_goes_on(units, chosen) | tables_going_on(sources, units, chosen,
                                                                next_chunk))


def _older_sources(sources: Sequence[ScoredChunk]) -> set[int]:
    """The ranks of undated sources whose title names a year more than OLDER_SOURCE_DAYS
    before the newest source's date (its last-updated date, or its title's year)."""
    newest = max((d for d in (source_date(s.chunk) for s in sources) if d is not None),
                 default=None)
    if newest is None:
        return set()
    return {rank for rank, s in enumerate(sources)
            if (day := title_date(s.chunk)) is not None and (newest - day).days > OLDER_SOURCE_DAYS}


def _nations(text: str) -> set[str]:
    text = _NOT_A_NATION.sub(" ", text)
    return {name for name, pattern in _NATIONS.items() if pattern.search(text)}


def _about_another_nation(unit: Unit, section: str, asked: set[str]) -> bool:
    """A unit that names, or is under a heading that names, only UK nations other than those
    asked about: "Northern Ireland" rules for a question about a pupil in Scotland."""
    named = _nations(" ".join((section, unit.heading, unit.text)))
    return bool(named) and not named & asked


def _folded(section: str) -> list[str]:
    """The sibling sections of a label naming two or three ("A > B; C" names B and C)."""
    options = section.rpartition(SECTION_SEPARATOR)[2].split(";")
    return [o.strip() for o in options] if len(options) > 1 else []


def section_parts(section: str) -> list[str]:
    """The headings a section path names: "Carrying over leave > Sick leave; Parental leave"
    names three."""
    return [part.strip() for level in section.split(SECTION_SEPARATOR)
            for part in level.split(";") if part.strip()]


def _of_the_case_year(units: list[Unit], sections: Sequence[str], docs: Sequence[str],
                      question: str) -> list[Unit]:
    """``units`` less those under a heading for another tax or academic year than the one the
    question names, in a document with some under that year's ("2024 to 2025 academic year"
    asked: the "2023 to 2024 academic year" block's £323.85 is left out, its £331.95 quoted; an
    education adviser's review). A unit with no heading line of its own is under its chunk's
    section; ``sections`` and ``docs`` are those of each source, by rank."""
    forms = {form for said, written in year_pairs(question) for form in (said, *written)}
    if not forms:
        return units
    headed = [(u, u.heading or sections[u.source]) for u in units]
    has_year = {docs[u.source] for u, h in headed
                if year_pairs(h) and not of_another_year(h, forms)}
    return [u for u, h in headed if docs[u.source] not in has_year
            or not of_another_year(h, forms)]


def _distinct(units: list[Unit]) -> list[Unit]:
    """Units whose words no earlier unit (of this or a better source) already has, and no
    sentence part that another unit holds whole (the overlap of neighbouring chunks starts or
    ends mid-sentence: "days of getting your complaint." inside the full sentence)."""
    seen: dict[tuple[str, ...], int] = {}  # words -> the source that first had them
    out: list[Unit] = []
    for unit in units:
        key = tuple(WORD.findall(unit.text.lower()))
        if "|" in unit.text:  # a table's header row repeats in every part of the table: kept
            out.append(unit)
        elif key not in seen:
            seen[key] = unit.source
            out.append(unit)
    wholes = [(f" {' '.join(k)} ", source) for k, source in seen.items()]
    return [u for u in out if u.is_item or "|" in u.text or not _part_of_another(u, wholes)]


def _part_of_another(unit: Unit, wholes: Sequence[tuple[str, int]]) -> bool:
    """A sentence part held whole by another unit; or a whole sentence that another unit of the
    same passage says with more ("You cannot get Cold Weather Payments." under "If you live in
    Scotland", then "If you live in Scotland, you cannot get Cold Weather Payments.")."""
    words = WORD.findall(unit.text.lower())
    if not words:
        return False
    whole_sentence = unit.text[:1].isupper() and unit.text.rstrip()[-1:] in ".?!"
    part = f" {' '.join(words)} "
    return any(len(whole) > len(part) and part in whole
               and (not whole_sentence or source == unit.source) for whole, source in wholes)


def top_sources(results: Sequence[ScoredChunk], min_relevance: float) -> list[ScoredChunk]:
    """The best result, and those of the next that score close enough to it and pass the
    relevance floor. Another section of the best result's document needs only to score close to
    it (SAME_DOCUMENT_FLOOR): the document is known to be relevant, and the section that answers
    may share few words with a question full of case facts ("What bailiffs can and cannot take"
    for a plumber's tools)."""
    if not results:
        return []
    floor = max(min_relevance, SOURCE_FLOOR * results[0].score)
    near = SAME_DOCUMENT_FLOOR * results[0].score
    best_doc = results[0].chunk.doc_id
    return [results[0], *(r for r in results[1:MAX_SOURCES]
                          if r.score >= floor or (r.chunk.doc_id == best_doc and r.score >= near))]


def _choose(units: Sequence[Unit], scores: Sequence[float],
            stating: Collection[int] = (), elsewhere: Collection[Unit] = ()) -> list[Unit]:
    """The best units by score: the best one, then ``stating`` (units stating the amount,
    period or age asked for) among those that score at least CHOSEN_FLOOR of the best; with
    their lists and the sentences they lean on, unless one is ``elsewhere``."""
    best = max(scores, default=0.0)
    # the best unit always, then those stating the fact asked for, then the rest by score
    ranked = sorted(range(len(units)), key=lambda i: (
        scores[i] < best, not (i in stating and scores[i] >= CHOSEN_FLOOR * best), -scores[i]))
    if best <= 0:
        return [u for u in units if u.source == 0][:2]
    chosen: list[Unit] = []
    for i in ranked[:MAX_UNITS]:
        words = sum(len(u.text.split()) for u in chosen)
        if scores[i] >= CHOSEN_FLOOR * best and words + len(units[i].text.split()) <= MAX_WORDS:
            chosen.append(units[i])
    return with_list_context(units, chosen, elsewhere)


def _fallback() -> Extract:
    """No usable sentences (e.g. every one reads like instructions): quote nothing, cite nothing."""
    return Extract((prompts.render("not_covered"),), ())


def best_quote(claim: str, text: str) -> str:
    """The sentence or item of ``text`` that best supports ``claim`` (for generative citations)."""
    units = split_units(text)
    if not units:
        return text[:300]
    scores = score_units(claim, units)
    return units[max(range(len(units)), key=lambda i: scores[i])].text
