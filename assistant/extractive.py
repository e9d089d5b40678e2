"""Offline answers: the sentences and list items of the top sources that best answer the question.

Units (sentences and list items) are scored by IDF-weighted coverage of the question's terms, plus
embedding similarity when an embedder is given, weighted towards the best-ranked source. The best
few are kept in their source order and exact wording, a list's lead-in travels with its items,
and each passage is cited. Text that reads like instructions to a model is never extracted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace

import numpy as np

from assistant import prompts
from assistant.citations import build_citation, inert_markers, looks_like_instructions
from assistant.jurisdictions import UK_NATIONS
from assistant.names import question_sentences
from assistant.ports import Embedder
from assistant.types import SECTION_SEPARATOR, Chunk, Citation, ScoredChunk
from assistant.units import (
    Unit,
    is_table_row,
    label_kind,
    leads_in,
    section_depth,
    split_units,
    text_lines,
)
from assistant.years import of_another_year, year_pairs

MAX_UNITS = 4  # units chosen by score (list items pulled in by a chosen lead-in are extra)
MAX_WORDS = 180
MAX_SOURCES = 5
PAGE_GAP = 2  # chunks of one section this many pages apart or less are quoted as one passage
SOURCE_FLOOR = 0.75  # a further source is used only if it scores this share of the best
SAME_DOCUMENT_FLOOR = 0.85  # ... or, under the relevance floor, is of the best one's document
EMBED_UNITS = 8  # with an embedder, only this many lexical front-runners are embedded
EMBED_STATING = 4  # ... and this many more that state the kind of fact the question asks for
MAX_ITEMS = 10  # a list longer than this is quoted in part, with its lead-in
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_STOPWORD_TEXT = (
    "a an the and are as at be been being but by can could do does did for from had has have how i "
    "if in into is it its me my of on or our she he her his they their them this that these "
    "those to was we what when where which who why will with would you your am there about "
    "any get got i'm i've than then so not also should may might must much many"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
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
                r"\bfees?\b|\bthreshold|\b(?:earnings|income|savings|capital) limit", re.I),
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
# names that hold a nation's name but set no rules for it
_NOT_A_NATION = re.compile(r"\b(?:Bank|Church) of (?:England|Scotland)\b|\bWelsh[- ]language\b"
                           r"|\bScottish Widows\b", re.IGNORECASE)
# pointers to other pages or tools ("Use the calculator", "Read more about"): rarely the answer
_POINTER = re.compile(
    r"^(?:Use the|Read more|Find out more|Find out how|There's a separate guide|"
    r"This guide is also available|You can also read|See the)\b", re.IGNORECASE)
POINTER_WEIGHT = 0.6  # a pointer's score is multiplied by this
# a quoted unit that the guidance goes on from: its list or sentence continues after it
_GOES_ON = re.compile(r"(?:[,;:]|\b(?:and|or))\s*$", re.IGNORECASE)
# a sentence that leans on the one before it ("This means...", "They must...")
# ("However," goes on from what came before; "However you claim, ..." starts afresh)
_LEANS_BACK = re.compile(r"^(?:(?:This|These|That|Those|It|They|Such|So|He|She|Or|But)\b|However,)")


@dataclass(frozen=True)
class Extract:
    """An extractive answer: its text, streamed in ``pieces``, and its citations."""

    pieces: tuple[str, ...]
    citations: tuple[Citation, ...]

    @property
    def text(self) -> str:
        """The whole answer as stored."""
        return "".join(self.pieces)


def terms(text: str) -> list[str]:
    """Lower-cased, lightly stemmed content words of ``text``."""
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS]


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    for suffix, shortest in (("ing", 6), ("ed", 5), ("s", 4)):
        if len(word) >= shortest and word.endswith(suffix) and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


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
        for u in _with_their_lists(split_units(s.chunk.text, rank, section_parts(s.chunk.section),
                                               _folded(s.chunk.section)))
        if (u.is_item or len(u.text.split()) >= 3) and not looks_like_instructions(u.text)
    ], [s.chunk.section for s in sources], [s.chunk.doc_id for s in sources], question))
    if not units:
        return _fallback()
    asked = focus or question_sentences(question)  # the whole question when it has no "?"
    scores = score_units(question, units, embedder, asked if QUESTION_WEIGHT > 0 else "",
                         [s.chunk.title for s in sources])
    weighted = [
        s * (1.0 - SOURCE_DISCOUNT * u.source) * (POINTER_WEIGHT if _POINTER.match(u.text) else 1)
        - 0.01 * u.position / 50
        for u, s in zip(units, scores, strict=True)
    ]
    asked_nations = _nations(question)
    elsewhere = {u for u in units if _about_another_nation(u, sources[u.source].chunk.section,
                                                             asked_nations)} \
        if asked_nations else set()
    weighted = [w * (OTHER_NATION_WEIGHT if u in elsewhere else 1.0)
                for u, w in zip(units, weighted, strict=True)]
    facts = [states for asks, states in _INTENTS[:FACT_INTENTS] if asks.search(asked)]
    stating = {i for i, u in enumerate(units) if any(st.search(u.text) for st in facts)}
    weighted = _items_of_a_relevant_lead_in(units, weighted, stating)
    chosen = _choose(units, weighted, stating, elsewhere)
    cases = _parallel_cases(units, chosen, [s.chunk.doc_id for s in sources])
    if cases:  # with their lists, as chosen units come (not re-expanding those: nested lists)
        chosen = sorted({*chosen, *_with_list_context(units, cases)},
                        key=lambda u: (u.source, u.position))
    chosen = _with_tables(units, _with_examples(units, chosen), question)
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
    chosen = _bridged(units, chosen, elsewhere)  # filling gaps, not choosing what leads
    return _render(sources, chosen, _case_first(order, sources, chosen, question),
                   _list_goes_on(units, chosen) | _tables_going_on(sources, units, chosen,
                                                                   next_chunk))


_COMPOUND = re.compile(r"[a-z]+(?:-[a-z]+)*")  # "self-employed", "seven-year-old"; no figures


def _whole_terms(text: str) -> set[str]:
    """Content words as ``terms``, a hyphenated compound as one ("seven-year-old" is an age,
    not the word "year"), a possessive as its word ("worker’s" is "worker"), no figures."""
    return {_stem(w) for w in _COMPOUND.findall(text.lower())
            if len(w) > 2 and w not in _STOPWORDS}


def _case_first(order: Sequence[int], sources: Sequence[ScoredChunk], chosen: Sequence[Unit],
                question: str) -> list[int]:
    """``order`` with each passage under a subheading that names a circumstance of the case
    put before the passage of the section above it, which states the general rule: "Carrying
    over leave > Workers on parental or sick leave" (up to 20 days) before "Carrying over
    leave" (a maximum of 8) when the worker was off sick. The subheading's word must name
    this case alone: no other source found (the general passage, a second chunk of it, a
    sibling case "due after 6 April 2024") uses it in its title, section or text ("workers"
    does not make every worker's question a sick worker's), and the passage quoted from under
    it uses it too (its parental leave sentence, quoted alone, is no sick worker's rule). A
    label folding two sibling sections ("A > B; C") names no one case."""
    asked = _whole_terms(question)
    out = list(order)
    for narrow in order:
        specific = sources[narrow].chunk
        quoted = _whole_terms(" ".join(u.text for u in chosen if u.source == narrow))
        for general in out[:out.index(narrow)]:
            chunk = sources[general].chunk
            extra = specific.section[len(chunk.section):]
            if chunk.doc_id != specific.doc_id or ";" in chunk.section or ";" in extra \
                    or not extra.startswith(SECTION_SEPARATOR) \
                    or not specific.section.startswith(chunk.section):
                continue
            said = _whole_terms(" ".join(f"{s.chunk.title} {s.chunk.section} {s.chunk.text}"
                                         for s in sources if s.chunk.section != specific.section))
            if (_whole_terms(extra) - said) & asked & quoted:
                out.remove(narrow)
                out.insert(out.index(general), narrow)
                break
    return out


def _items_of_a_relevant_lead_in(units: Sequence[Unit], scores: Sequence[float],
                                 stating: Collection[int]) -> list[float]:
    """A list item stating the fact asked for ("£40 a week") under a lead-in that itself answers
    well ("You can get the Island Posting Allowance ... if all of the following apply:") scores
    as its lead-in does: the item has none of the question's words, its lead-in has them."""
    out = list(scores)
    for i in stating:
        if not units[i].is_item:
            continue
        j = i
        while j > 0 and units[j - 1].is_item and units[j - 1].source == units[i].source \
                and units[j - 1].position == units[j].position - 1:
            j -= 1
        lead = j - 1
        if lead >= 0 and units[lead].source == units[i].source \
                and units[lead].position == units[j].position - 1 \
                and leads_in(units[lead].text):
            out[i] = max(out[i], scores[lead])
    return out


def _list_goes_on(units: Sequence[Unit], chosen: Sequence[Unit]) -> set[tuple[int, int]]:
    """(source, position) of each chosen list item whose list goes on with items not chosen: a
    list quoted in part must not read as the whole list."""
    at = {(u.source, u.position): u for u in units}
    picked = set(chosen)
    return {(u.source, u.position) for u in chosen
            if u.is_item and (after := at.get((u.source, u.position + 1))) is not None
            and after.is_item and after not in picked}


def _tables_going_on(sources: Sequence[ScoredChunk], units: Sequence[Unit],
                     chosen: Sequence[Unit], next_chunk: Callable[[Chunk], Chunk | None] | None
                     ) -> set[tuple[int, int]]:
    """(source, position) of each chosen table row that ends its chunk when the next chunk of
    the document goes on with the same table: same section, opening with the same header row
    (ingest repeats it). The employer National Insurance rates run to 16 rows over three
    chunks; quoted from the first alone, rows A to C read as the whole table and row M, the
    0% for employees under 21, was nowhere (an employer adviser's review)."""
    if next_chunk is None:
        return set()
    out: set[tuple[int, int]] = set()
    for rank in {u.source for u in chosen}:
        last = max((u for u in units if u.source == rank), key=lambda u: u.position)
        chunk = sources[rank].chunk
        lines = [line for line in text_lines(chunk.text) if line]
        rows = [line for line in lines if is_table_row(line)]
        if last not in chosen or not rows or lines[-1] != rows[-1]:  # (no row of it ends it)
            continue
        after = next_chunk(chunk)
        opening = next((line for line in text_lines(after.text) if line), "") if after else ""
        if after is not None and after.section == chunk.section and opening == rows[0]:
            out.add((rank, last.position))
    return out


def _with_their_lists(units: list[Unit]) -> list[Unit]:
    """``units`` without a last line that is a lead-in ("You must contact the enquiry line
    straight away if:" ending a chunk): its list is in the next chunk, so it would promise a list
    and give none."""
    return units[:-1] if units and leads_in(units[-1].text) else units


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
        key = tuple(_WORD.findall(unit.text.lower()))
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
    words = _WORD.findall(unit.text.lower())
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
    return _with_list_context(units, chosen, elsewhere)


PARALLEL_WORDS = 5  # first sentences under sibling headings that open alike state parallel cases


def _parallel_cases(units: Sequence[Unit], chosen: Sequence[Unit], docs: Sequence[str]
                    ) -> list[Unit]:
    """Units to quote beside ``chosen``: a chosen first sentence under a heading line brings
    the first sentence under each heading line of the same document's sources that names
    another case of the same thing (``_parallel``) and opens with the same PARALLEL_WORDS
    words: "0 to 8 weeks after the death" / "An employee must give you notice before ..." and
    "9 to 56 weeks after the death" / "An employee must give you at least one week's notice
    ..." are one rule's two cases, and quoting one alone answers for the wrong case as often as
    the right one. Within MAX_WORDS in all. ``docs``: the document of each source, by rank."""
    firsts: dict[tuple[str, str], Unit] = {}
    for unit in units:
        if unit.heading and not unit.is_item and unit.source < len(docs):
            firsts.setdefault((docs[unit.source], unit.heading), unit)
    extra: list[Unit] = []
    words = sum(len(u.text.split()) for u in chosen)
    for unit in chosen:
        if unit.source >= len(docs) or firsts.get((docs[unit.source], unit.heading)) is not unit:
            continue
        opening = unit.text.casefold().split()[:PARALLEL_WORDS]
        for (doc, heading), other in firsts.items():
            if doc == docs[unit.source] and _parallel(heading, unit.heading) \
                    and other.text.casefold().split()[:PARALLEL_WORDS] == opening \
                    and other not in chosen and other not in extra \
                    and words + len(other.text.split()) <= MAX_WORDS:
                extra.append(other)
                words += len(other.text.split())
    return extra


_EXAMPLE = re.compile(r"^(?:For (?:example|instance)\b|Example:)")


def _with_examples(units: Sequence[Unit], chosen: list[Unit]) -> list[Unit]:
    """A chosen sentence brings the worked example right after it ("Part-time workers ... are
    entitled to at least 5.6 weeks' paid holiday ..." then "For example, if they work 3 days a
    week, they must get at least 16.8 days' leave a year"): the example is often the only place
    the figure for a case is written (an HR caseworker's review). Within MAX_WORDS in all."""
    words = sum(len(u.text.split()) for u in chosen)
    taken = set(chosen)
    out = list(chosen)
    for unit in chosen:
        index = units.index(unit)
        following = units[index + 1] if index + 1 < len(units) else None
        if following is None or following in taken or following.is_item or unit.is_item \
                or following.source != unit.source \
                or following.position != unit.position + 1 \
                or following.heading != unit.heading or not _EXAMPLE.match(following.text) \
                or words + len(following.text.split()) > MAX_WORDS:
            continue
        out.append(following)
        taken.add(following)
        words += len(following.text.split())
    return sorted(out, key=lambda u: (u.source, u.position))


def _bridged(units: Sequence[Unit], chosen: list[Unit], elsewhere: Collection[Unit] = ()
             ) -> list[Unit]:
    """A single sentence left out between two chosen sentences under one heading is quoted
    too, within MAX_WORDS: a "…" in its place hid "pay these into your staff's pension
    scheme by the 22nd day ... of the next month", the one date asked for, between two
    sentences that were quoted (an employer adviser's review). Not a pointer ("This guide is
    also available in Welsh"), which says nothing of the case, nor one of ``elsewhere`` (about
    another nation than the one asked about: Scotland's Winter Heating Payment in a Welsh
    case)."""
    words = sum(len(u.text.split()) for u in chosen)
    at = {(u.source, u.position): u for u in units}
    out = list(chosen)
    for first, then in zip(chosen, chosen[1:], strict=False):
        middle = at.get((first.source, first.position + 1))
        if middle is None or then.source != first.source \
                or then.position != first.position + 2 \
                or middle.is_item or first.is_item or then.is_item or middle in elsewhere \
                or _POINTER.match(middle.text) \
                or not first.heading == middle.heading == then.heading \
                or words + len(middle.text.split()) > MAX_WORDS:
            continue
        out.append(middle)
        words += len(middle.text.split())
    return sorted(out, key=lambda u: (u.source, u.position))


def _parallel(a: str, b: str) -> bool:
    """Two headings naming cases of one thing, told apart only by figures and the words that
    compare them: "0 to 8 weeks after the death" and "9 to 56 weeks after the death"; "If the
    baby is due before 6 April 2024" and "... on or after 6 April 2024". Not "Staying in
    approved education" and "... training", nor "England" and "Scotland": separate rules."""
    if a == b or not any(ch.isdigit() for ch in a + b):
        return False
    words_a, words_b = (set(_CASE_WORD.findall(h.casefold())) - _COMPARING for h in (a, b))
    return bool(words_a) and words_a == words_b


_CASE_WORD = re.compile(r"[^\W\d]+(?:['’][^\W\d]+)?")  # words without figures
_COMPARING = frozenset({"before", "after", "on", "or", "from", "to", "until", "under", "over",
                        "up", "and", "between", "than", "more", "less", "at", "least", "most",
                        "aged", "age"})


def _with_list_context(units: Sequence[Unit], chosen: list[Unit],
                       elsewhere: Collection[Unit] = ()) -> list[Unit]:
    """A chosen lead-in ('You must:') or list item brings its whole list (lead-in and items);
    a chosen sentence that leans on the one before it ('This means...') brings that one,
    unless it is one of ``elsewhere`` (about another nation than the one asked about)."""
    keep = set(chosen)
    for unit in chosen:
        index = units.index(unit)
        if unit.is_item or leads_in(unit.text):
            run = _list_around(units, index)
            keep.update(run)
            keep.update(_lead_ins_above(units, run))
        elif _LEANS_BACK.match(unit.text) and index > 0 and \
                units[index - 1].source == unit.source and not units[index - 1].is_item \
                and units[index - 1].position == unit.position - 1 \
                and units[index - 1].heading == unit.heading and units[index - 1] not in elsewhere:
            keep.add(units[index - 1])
    return sorted(keep, key=lambda u: (u.source, u.position))


def _with_tables(units: Sequence[Unit], chosen: list[Unit], question: str) -> list[Unit]:
    """A chosen sentence right before a table brings the table: the sentence introduces it
    ("The maximum amount you can get depends on where you live." over the rates), and quoted
    alone it promises figures it does not give (an education adviser's review). Only a table
    under the same heading that shares a word with the question, its header and as many rows
    as fit MAX_WORDS (at most MAX_ITEMS)."""
    asked = set(terms(question))
    words = sum(len(u.text.split()) for u in chosen)
    out, taken = list(chosen), set(chosen)
    for unit in chosen:
        index = units.index(unit)
        if unit.is_item or not _table_after(units, index):
            continue
        table = _table_rows(units, index + 1)
        if not any(asked & set(terms(row.text)) for row in table):
            continue  # a table about something else that happens to follow
        rows = [row for row in table if row not in taken]
        while rows and words + sum(len(r.text.split()) for r in rows) > MAX_WORDS:
            rows.pop()
        if len(rows) >= 2:  # a header and at least one row
            out += rows
            taken.update(rows)
            words += sum(len(r.text.split()) for r in rows)
    return sorted(out, key=lambda u: (u.source, u.position))


def _table_rows(units: Sequence[Unit], start: int) -> list[Unit]:
    """The table starting at ``units[start]``: its header and at most MAX_ITEMS rows."""
    rows = [units[start]]
    for unit in units[start + 1:]:
        last = rows[-1]
        if len(rows) > MAX_ITEMS or not (unit.is_item and is_table_row(unit.text)) \
                or unit.source != last.source or unit.position != last.position + 1 \
                or unit.heading != last.heading:
            break
        rows.append(unit)
    return rows


def _table_after(units: Sequence[Unit], index: int) -> bool:
    """Whether a table starts right after ``units[index]`` (same source, next position): the
    sentence before a table introduces it ("The maximum amount you can get depends on where
    you live." over the rates), and quoted alone it promises figures it does not give."""
    if index + 1 >= len(units):
        return False
    unit, following = units[index], units[index + 1]
    return following.is_item and is_table_row(following.text) \
        and following.source == unit.source and following.position == unit.position + 1 \
        and following.heading == unit.heading


def _lead_ins_above(units: Sequence[Unit], run: Sequence[Unit]) -> list[Unit]:
    """The lead-ins a nested list hangs from, above the one it starts with: "(a) provide
    either:" over "(i) evidence ..." is itself an item of "V 7.3. If the applicant is applying
    for an 11-month entry clearance ... they must also:", which sets when it applies."""
    found: list[Unit] = []
    first = run[0] if run else None
    for _ in range(3):  # nested lists rarely go deeper
        if first is None or not (first.is_item and leads_in(first.text)):
            break
        outer = _list_around(units, units.index(first))
        if not outer or outer[0] is first or not leads_in(outer[0].text):
            break
        found.append(outer[0])
        first = outer[0]
    return found


def _list_around(units: Sequence[Unit], index: int) -> list[Unit]:
    """The lead-in and items of the list that ``units[index]`` belongs to (capped at MAX_ITEMS)."""
    source = units[index].source
    start = index
    while start > 0 and units[start].is_item and units[start - 1].source == source:
        start -= 1
        if _nested_lead_in(units, start, index):
            break
    if "|" in units[index].text:  # a table row: from the table's first row (its header)
        while not ("|" in units[start].text and units[start].is_item):
            start += 1
    elif not _nested_lead_in(units, start, index) and (
            units[start].is_item or not leads_in(units[start].text)):
        start = index if units[index].is_item else index + 1
    nested = _nested_lead_in(units, start, index)
    end = max(start, index) + 1
    while end < len(units) and units[end].is_item and units[end].source == source \
            and not (nested and _outside(units[start], units[index], units[end])):
        end += 1
    run = list(units[start:end])
    if len(run) <= MAX_ITEMS + 1:
        return run
    # a long list: its lead-in and the chosen item, or, when the lead-in itself was chosen, its
    # first items (a lead-in alone would promise a list and give none)
    lead_in_chosen = index == start and leads_in(units[start].text)
    return run[:MAX_ITEMS + 1] if lead_in_chosen else [units[start], units[index]]


def _nested_lead_in(units: Sequence[Unit], start: int, index: int) -> bool:
    """Whether the item at ``start``, above the chosen item, introduces the list the chosen item
    is in: "CR 3.3. Where the application is under Appendix Long Residence, the applicant must
    not have:" over "(a) spent a total of more than 548 days outside the UK". The condition its
    items depend on, so quoted with them. Indents decide where the text has them; loaders often
    write nested lists flat, and then a lead-in's sibling is told by its label: "CR 3.5." after
    "CR 3.3. ... must not have:" and its "(a)", "(b)" is no item of it."""
    lead, item = units[start], units[index]
    if not (start < index and lead.is_item and leads_in(lead.text)):
        return False
    if lead.depth != item.depth:
        return lead.depth < item.depth
    kind = label_kind(lead.text)
    return kind is None or kind != label_kind(item.text)


def _outside(lead: Unit, item: Unit, other: Unit) -> bool:
    """Whether ``other``, after the nested list that ``lead`` introduces, has left it."""
    if item.depth > lead.depth:
        return other.depth <= lead.depth
    kind = label_kind(lead.text)
    return leads_in(other.text) or (kind is not None and kind == label_kind(other.text))


def _render(sources: Sequence[ScoredChunk], chosen: Sequence[Unit], order: Sequence[int],
            goes_on: Collection[tuple[int, int]] = ()) -> Extract:
    """The chosen units grouped by source, sources in ``order`` (numbered [1], [2]... so).

    Two chunks of the same document section (a long section split in two) are one passage
    with one number, their units in document order with a gap shown between the chunks."""
    pieces = [prompts.render("extractive_header")]
    citations: list[Citation] = []
    groups: list[list[int]] = []
    for rank in order:
        if any(u.source == rank for u in chosen):
            chunk = sources[rank].chunk
            group = next((g for g in groups if _same_passage(sources[g[0]].chunk, chunk)), None)
            if group is None:
                groups.append([rank])
            else:
                group.append(rank)
    for ranks in groups:
        in_document = sorted(ranks, key=lambda r: sources[r].chunk.position)
        units = [replace(u, position=i * 1_000_000 + u.position)  # a gap between chunks
                 for i, rank in enumerate(in_document)
                 for u in chosen if u.source == rank]
        n = len(citations) + 1
        chunk = replace(sources[ranks[0]].chunk,
                        section=_quoted_section(sources[ranks[0]].chunk.section, units,
                                                sources[ranks[0]].chunk.text))
        heading = chunk.section.strip().rstrip(":").strip()
        section = f" — {heading}" if heading and heading != chunk.title else ""
        last = units[-1]
        text = _join(units, shown=heading.split(SECTION_SEPARATOR)[-1].strip(),
                     goes_on=(last.source, last.position % 1_000_000) in goes_on)
        pieces.append(
            "\n\n"
            + prompts.render(
                "extractive_passage", title=chunk.title, section=section, text=text, n=n
            )
        )
        quote = _quote(units)
        spanning = _spanning([sources[r].chunk for r in ranks])
        citations.append(build_citation(n, replace(spanning, section=chunk.section), quote))
    return Extract(tuple(pieces), tuple(citations))


def _quoted_section(section: str, units: Sequence[Unit], text: str = "") -> str:
    """The section the quoted units are under, when the chunk spans more than one: a chunk
    labelled with the section holding most of it ("3. Booking leave") or with two or three
    ("2.1 Basic entitlement; 2.2 Part-time staff") may quote only a later one ("4. Carry over").
    Replaced only when every unit is under one heading that is one of the listed sections, or is
    numbered at the same depth as the label (a sibling, not a subsection of it); another heading
    is added after the label, unless it stands above the label's own heading line in the
    chunk's ``text`` (a folded sibling: "9 to 56 weeks after ..." then "How employees should
    give you notice"), which it then replaces; under a label naming several sections it goes
    after the nearest one above it ("Notice period; Parental Bereavement Leave" and "0 to 8
    weeks after ..." under the second: "Parental Bereavement Leave > 0 to 8 weeks after ...").
    Each such line must be once in the text, or which one a unit is under is not known. Units
    under several headings that all lie in one of the listed sections are labelled with it."""
    headings = {u.heading for u in units}
    if len(headings) > 1 and section:
        return _common_listed(section, headings, text)
    if len(headings) != 1 or not section:
        return section
    heading = headings.pop().strip()
    parent, _, last = section.rpartition(SECTION_SEPARATOR)
    prefix = parent + SECTION_SEPARATOR if parent else ""
    options = [o.strip() for o in last.split(";")]
    if not heading or heading == last.strip():
        return section
    if heading in options or (len(options) == 1
                              and section_depth(heading) == section_depth(options[0]) > 0):
        return prefix + heading
    # a heading in the chunk's text that its label does not name ("Time limits" inside a chunk
    # labelled "Waiving recovery"): named after the label, so the reader finds the quote under it;
    # not a heading the path names already, nor one the label merely writes out more fully
    # ("Waiving recovery" under "Waiving recovery (overpayments)")
    parts = [p.strip().casefold() for p in section.split(SECTION_SEPARATOR)]
    if heading.casefold() in parts or any(p.startswith(heading.casefold()) for p in parts):
        return section
    lines = text_lines(text)
    if lines.count(heading) != 1:
        return f"{section}{SECTION_SEPARATOR}{heading}"
    at = lines.index(heading)
    above = [o for o in options if lines.count(o) == 1 and lines.index(o) < at]
    if len(options) == 1 and lines.count(options[0]) == 1 and not above:
        return prefix + heading
    if len(options) > 1 and above:  # under the nearest listed section above it, not all
        nearest = max(above, key=lines.index)
        return f"{prefix}{nearest}{SECTION_SEPARATOR}{heading}"
    return f"{section}{SECTION_SEPARATOR}{heading}"


def _common_listed(section: str, headings: Collection[str], text: str) -> str:
    """``section`` narrowed to the one section it lists ("Notice period; Parental Bereavement
    Leave") that every heading is, or lies under (the nearest listed line above it, each line
    once in ``text``): nothing under "Notice period" quoted, the label is "Parental Bereavement
    Leave"."""
    parent, _, last = section.rpartition(SECTION_SEPARATOR)
    options = [o.strip() for o in last.split(";")]
    lines = text_lines(text)
    if len(options) < 2 or any(lines.count(o) != 1 for o in options):
        return section
    owners = set()
    for heading in (h.strip() for h in headings):
        if heading in options:
            owners.add(heading)
            continue
        if not heading or lines.count(heading) != 1:
            return section
        above = [o for o in options if lines.index(o) < lines.index(heading)]
        if not above:
            return section
        owners.add(max(above, key=lines.index))
    if len(owners) != 1:
        return section
    return (parent + SECTION_SEPARATOR if parent else "") + owners.pop()


def _same_passage(a: Chunk, b: Chunk) -> bool:
    """Two chunks of one named section, on pages at most PAGE_GAP apart (a PDF with no headings
    has one unnamed section: its pages 3 and 45 are two passages, not one on "pages 3-45")."""
    if a.doc_id != b.doc_id or a.section != b.section:
        return False
    if a.page_start is None or b.page_start is None:
        return bool(a.section) or a.page_start == b.page_start
    a_end = a.page_end if a.page_end is not None else a.page_start
    b_end = b.page_end if b.page_end is not None else b.page_start
    return max(a.page_start, b.page_start) - min(a_end, b_end) <= PAGE_GAP


def _spanning(chunks: Sequence[Chunk]) -> Chunk:
    """The first chunk, its pages widened to every page of ``chunks`` (quoted together): a
    passage quoting pages 12 and 16 of one section cites pages 12-16, not page 12."""
    starts = [c.page_start for c in chunks if c.page_start is not None]
    if not starts:
        return chunks[0]
    ends = [c.page_end if c.page_end is not None else c.page_start
            for c in chunks if c.page_start is not None]
    return replace(chunks[0], page_start=min(starts), page_end=max(ends))


def _quote(units: Sequence[Unit]) -> str:
    """The exact quoted text: adjacent units joined by a space, gaps marked ' … ', and so is a
    heading left out between them (the quote never reads as one run of the source's text
    where the source has a heading in between)."""
    out = units[0].text
    for previous, unit in zip(units, units[1:], strict=False):
        joined = unit.position == previous.position + 1 and unit.heading == previous.heading
        out += (" " if joined else " … ") + unit.text
    return out


HEADING_MARK = "§ "  # a heading line shown inside a quote: a label, not quoted text


def _join(units: Sequence[Unit], shown: str = "", goes_on: bool = False) -> str:
    """Units as Markdown inside a block quote: items on their own lines, gaps shown as '…'.

    A unit under a heading of its chunk other than the one the passage is labelled with gets
    that heading as a line of its own above it ("§ Outside Greater London"), the first time:
    the condition a figure depends on. HEADING_MARK sets it apart from the quoted words. The
    document's own "[5]" is made inert (``inert_markers``): only our markers cite."""
    out = ""
    last_heading = shown
    for previous, unit in zip([None, *units], units, strict=False):
        gap = previous is not None and unit.position != previous.position + 1
        text = inert_markers(unit.text)
        if unit.heading and unit.heading != last_heading:
            last_heading = unit.heading
            head = HEADING_MARK + inert_markers(unit.heading)
            if previous is None:
                out = head + "\n>\n> "
            else:
                out += ("\n>\n> …" if gap else "\n>") + "\n> " + head + "\n>\n> "
            out += ("- " if unit.is_item else "") + text
            continue
        if unit.is_item and previous is None:
            out = "- " + text
        elif unit.is_item:
            out += ("\n> …" if gap else "") + "\n> - " + text
        elif previous is None:
            out = text
        elif gap:
            out += "\n>\n> … " + text
        else:  # after a list, the next sentence starts a paragraph: nothing is left out
            out += ("\n>\n> " if previous.is_item else " ") + text
    if units and (goes_on or _GOES_ON.search(units[-1].text)):  # the guidance says more
        out += "\n> …" if units[-1].is_item else " …"
    return out


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
