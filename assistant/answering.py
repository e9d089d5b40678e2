"""Grounded answers: extractive offline (the default) or generative with a chat model.

``answer_question`` returns an ``AnswerStream``: iterate it for text pieces (for
``st.write_stream``), then read ``.final``, the checked ``Answer``. Its ``text`` already carries the
check's notes (removed citations, unsupported links...), so show ``final.text`` in place of what
was streamed. The follow-up rewrite and retrieval run when the stream is first iterated (or when
``.query`` is read), so errors surface there too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from assistant import prompts
from assistant.bm25 import analyse, holds_in_order, words_in_order
from assistant.citations import build_citation, check_answer, cited_numbers
from assistant.config import Settings, get_settings
from assistant.errors import ModelError
from assistant.extractive import best_quote, extract_answer
from assistant.followup import is_follow_up, refers_back, standalone_query, with_history
from assistant.jurisdictions import unmentioned_nations
from assistant.names import proper_names, question_sentences
from assistant.ports import ChatModel, Embedder, Retriever
from assistant.small_talk import reply as small_talk_reply
from assistant.small_talk import small_talk
from assistant.staleness import staleness_warnings
from assistant.types import DOC_TYPE_NAMES, Answer, Chunk, ChunkFilter, Citation, ScoredChunk
from assistant.words import terms
from assistant.years import asked_years

RETRIEVE_K = 6
CLOSEST_DOCUMENTS = 3
CHARS_PER_TOKEN = 4  # a deliberately cautious estimate; no tokenizer download is needed


@dataclass(frozen=True)
class _Prepared:
    query: str
    results: list[ScoredChunk]
    relevant: bool
    spelling: list[tuple[str, str]]


class AnswerStream:
    """One answer being produced: iterate once for text pieces, then read ``final``."""

    def __init__(
        self,
        question: str,
        history: Sequence[tuple[str, str]],
        *,
        retriever: Retriever,
        llm: ChatModel | None,
        where: ChunkFilter | None,
        settings: Settings | None,
        embedder: Embedder | None,
    ) -> None:
        self._question = question
        self._history = list(history)
        self._retriever = retriever
        self._llm = llm
        self._where = where
        self._settings = settings
        self._embedder = embedder
        self._prepared: _Prepared | None = None
        self._final: Answer | None = None
        self._error: ModelError | None = None
        self._started = False

    @property
    def query(self) -> str:
        """The standalone query actually searched (after follow-up rewriting)."""
        return self._prepare().query

    @property
    def final(self) -> Answer:
        """The checked answer; raises if the stream failed or has not been read to the end."""
        if self._error is not None:
            raise ModelError(f"The answer did not finish, so none is stored. {self._error}")
        if self._final is None:
            raise RuntimeError("The answer has not finished streaming: iterate it to the end.")
        return self._final

    def __iter__(self) -> Iterator[str]:
        if self._started:
            raise RuntimeError("An AnswerStream can be read only once.")
        self._started = True
        said = small_talk(self._question)
        if said is not None:  # a greeting or thanks: nothing to search for
            text = small_talk_reply(said)
            self._final = Answer(text, "extractive" if self._llm is None else "generative",
                                 answered=False)
            yield text
            return
        try:
            prepared = self._prepare()
        except ModelError as exc:  # the model failed while rewriting a follow-up
            self._error = exc
            raise
        if not prepared.relevant:
            yield from self._abstain(prepared.results)
        elif self._llm is None:
            yield from self._extract(prepared)
        else:
            yield from self._generate(prepared, self._llm)
        if self._final is not None and prepared.spelling:
            self._final = replace(self._final, spelling=list(prepared.spelling))
        notes = [filter_note(self._where), self._orphan_note()]
        if self._final is not None and not self._final.answered and any(notes):
            self._final = replace(self._final,
                                  warnings=[*self._final.warnings, *filter(None, notes)])

    def _orphan_note(self) -> str:
        """For a question that reads as a follow-up ("and what about for a child?") asked with
        no earlier question: what was missing is the topic, not the guidance."""
        if any(role == "user" for role, _ in self._history) or not is_follow_up(self._question) \
                or len(terms(self._question)) > 3:  # "So how do I renew my fishing licence?"
            return ""
        return ("This reads like a follow-up to an earlier question, but there is none to "
                "follow on from: ask it in full, naming the scheme or topic.")

    def _prepare(self) -> _Prepared:
        if self._prepared is None:
            query = standalone_query(self._question, self._history, self._llm)
            results = self._retriever.retrieve(query, k=RETRIEVE_K, where=self._where)
            relevant = bool(results) and results[0].score >= self._retriever.min_relevance
            if not relevant and self._llm is None and query == self._question and \
                    refers_back(self._question) and \
                    any(role == "user" for role, _ in self._history):
                # offline, a follow-up the heuristic missed ("How much notice does he need
                # to give?"): search again in the light of the earlier questions. Not a question
                # that stands alone: a new topic the guidance does not cover would be answered
                # from the previous one
                again = with_history(self._question, self._history)
                found = self._retriever.retrieve(again, k=RETRIEVE_K, where=self._where)
                if found and found[0].score >= self._retriever.min_relevance:
                    query, results, relevant = again, found, True
            typed = set(re.findall(r"[^\W\d_]+", self._question.lower()))
            spelling = [pair for pair in self._retriever.spelling_corrections(query)
                        if pair[0].lower() in typed]  # not words a rewritten follow-up brought in
            self._prepared = _Prepared(query, results, relevant, spelling)
        return self._prepared

    def _abstain(self, results: Sequence[ScoredChunk]) -> Iterator[str]:
        closest = closest_documents(self._prepare().query, results)
        text = abstention_text(closest)
        self._final = Answer(
            text,
            "extractive" if self._llm is None else "generative",
            answered=False,
            closest=closest,
        )
        yield text

    def _extract(self, prepared: _Prepared) -> Iterator[str]:
        extract = extract_answer(
            prepared.query,
            prepared.results,
            min_relevance=self._retriever.min_relevance,
            embedder=self._embedder,
            # a rewritten follow-up is answered for what it asks now, not the earlier question
            focus=self._question if prepared.query != self._question else "",
            next_chunk=self._retriever.next_chunk,
        )
        if not extract.citations:
            yield from self._abstain(prepared.results)
            return
        yield from extract.pieces
        sources = {c.n: c.quote for c in extract.citations}
        checked = check_answer(extract.text, {c.n: c for c in extract.citations}, sources)
        warnings = checked.warnings + suspicious_warnings(checked.citations)
        cited = {c.doc_id for c in checked.citations}
        cited_chunks = [s.chunk for s in prepared.results if s.chunk.doc_id in cited]
        warnings += nation_warnings(prepared.query, cited_chunks)
        warnings += year_warnings(self._question, cited_chunks)
        warnings += unknown_word_warnings(self._unknown_words())
        warnings += confusable_warnings(self._question, [c.quote for c in checked.citations],
                                        [f"{c.title} {c.section}" for c in checked.citations])
        warnings += unnamed_amount_warnings(self._question, [
            (c.quote, f"{c.title} {c.section} {c.quote}") for c in checked.citations])
        settings = self._settings or get_settings()
        warnings += staleness_warnings(checked.citations,
                                       stale_after_days=settings.stale_after_days,
                                       outdated_after_days=settings.outdated_after_days)
        if prepared.query != self._question:  # a follow-up searched with the earlier questions
            warnings += follow_up_warnings(self._question, [c.quote for c in checked.citations])
        self._final = Answer(extract.text, "extractive", True, checked.citations, warnings)

    def _unknown_words(self) -> list[str]:
        """Words of what is asked that the guidance never uses: the question sentences, not
        the case's facts ("She is frightened and does not want to be identified" is no topic
        the guidance lacks; a debt adviser's review saw "frightened" warned about). A question
        that names no topic of its own ("My client has pneumoconiosis from mining. Can you
        help?") is read whole: its topic is in the facts (a code review)."""
        asked = question_sentences(self._question)
        if not set(terms(asked)) - _NO_TOPIC:
            asked = self._question
        return self._retriever.unknown_words(asked)

    def _generate(self, prepared: _Prepared, llm: ChatModel) -> Iterator[str]:
        budget = (self._settings or get_settings()).context_token_budget
        sources = select_within_budget(prepared.results, budget)
        messages = build_messages(prepared.query, sources)
        pieces: list[str] = []
        try:
            for piece in llm.stream(messages):
                pieces.append(piece)
                yield piece
        except ModelError as exc:
            self._error = exc
            raise
        self._final = finish_generative(
            "".join(pieces), sources, prepared.query,
            self._unknown_words(),
            settings=self._settings or get_settings())


def answer_question(
    question: str,
    history: Sequence[tuple[str, str]],
    *,
    retriever: Retriever,
    llm: ChatModel | None,
    where: ChunkFilter | None = None,
    settings: Settings | None = None,
    embedder: Embedder | None = None,
) -> AnswerStream:
    """Answer ``question`` from the guidance: extractive when ``llm`` is None, else generative."""
    return AnswerStream(
        question,
        history,
        retriever=retriever,
        llm=llm,
        where=where,
        settings=settings,
        embedder=embedder,
    )


def spelling_note(spelling: Sequence[tuple[str, str]]) -> str:
    """'Also searched for "discriminated" (typed "descriminated").' or '' when nothing changed."""
    if not spelling:
        return ""
    return "Also searched for " + ", ".join(
        f'"{fix}" (typed "{typed}")' for typed, fix in spelling) + "."


def select_within_budget(results: Sequence[ScoredChunk], budget_tokens: int) -> list[Chunk]:
    """The best chunks whose text fits ``budget_tokens`` (the first always, cut if need be)."""
    chosen: list[Chunk] = []
    remaining = budget_tokens * CHARS_PER_TOKEN
    for scored in results:
        cost = len(scored.chunk.text) + 200  # the fence and labels
        if chosen and cost > remaining:
            break
        chunk = scored.chunk
        if cost > remaining:
            chunk = replace(chunk, text=chunk.text[: max(remaining - 200, 200)])
        chosen.append(chunk)
        remaining -= cost
    return chosen


def build_messages(query: str, sources: Sequence[Chunk]) -> list[tuple[str, str]]:
    """The system and user messages: rules, fenced numbered sources, then the question."""
    blocks = [
        prompts.fence_source(
            n, c.title, c.section, c.updated, c.text, build_citation(n, c, "").suspicious
        )
        for n, c in enumerate(sources, start=1)
    ]
    system = prompts.render("answer_system", not_covered=prompts.NOT_COVERED)
    user = prompts.render("answer_user", sources="\n\n".join(blocks), question=query)
    return [("system", system), ("user", user)]


def finish_generative(text: str, sources: Sequence[Chunk], query: str,
                      unknown: Sequence[str] = (), *, settings: Settings | None = None) -> Answer:
    """Check a completed generative answer and build its citations; ``unknown`` are words of
    the question the guidance never uses (each gets a warning); old sources get one too
    (``staleness_warnings`` with the settings' ages)."""
    if _says_not_covered(text, len(sources)):
        closest = closest_documents(query, [ScoredChunk(c, 0.0) for c in sources])
        return Answer(abstention_text(closest), "generative", answered=False, closest=closest)
    citations = {
        n: build_citation(n, chunk, best_quote(_claim_for(text, n) or query, chunk.text))
        for n, chunk in enumerate(sources, start=1)
    }
    full = {n: chunk.text for n, chunk in enumerate(sources, start=1)}
    checked = check_answer(text, citations, full)
    warnings = checked.warnings + suspicious_warnings(checked.citations)
    if not checked.citations:
        warnings.append("The answer cites no source: check it against the guidance.")
    warnings += nation_warnings(query, [sources[c.n - 1] for c in checked.citations])
    warnings += year_warnings(query, [sources[c.n - 1] for c in checked.citations])
    warnings += unknown_word_warnings(unknown)
    cited = [sources[c.n - 1] for c in checked.citations]
    warnings += confusable_warnings(query, [c.text for c in cited],
                                    [f"{c.title} {c.section}" for c in cited])
    claims = {c.n: " ".join(_claims_for(checked.text, c.n)) for c in checked.citations}
    warnings += unnamed_amount_warnings(query, [
        (claims[c.n], f"{s.title} {s.section} {s.text}")
        for c, s in zip(checked.citations, cited, strict=True)])
    settings = settings or get_settings()
    warnings += staleness_warnings(checked.citations, claims,
                                   stale_after_days=settings.stale_after_days,
                                   outdated_after_days=settings.outdated_after_days)
    notes = "".join(f"\n\n*Note: {w}*" for w in warnings)
    return Answer(checked.text + notes, "generative", True, checked.citations, warnings)


def _says_not_covered(text: str, sources: int) -> bool:
    """The model's "not covered", word for word or, in a short reply, in its own words, citing
    none of the ``sources``."""
    if any(1 <= n <= sources for n in cited_numbers(text)):
        return False
    flat = " ".join(text.lower().split())
    marker = " ".join(prompts.NOT_COVERED.lower().split()).rstrip(".")
    return marker in flat or (len(flat) <= PARAPHRASE_CHARS
                              and _NOT_COVERED_PARAPHRASE.search(flat) is not None)


PARAPHRASE_CHARS = 400  # a longer uncited reply is kept (with its "cites no source" note)
# the reply's opening says the sources do not answer ("I'm sorry, but the sources provided do
# not contain...", "I could not find anything about...")
_NOT_COVERED_PARAPHRASE = re.compile(
    r"^(?:i'?m sorry,?\s*|sorry,?\s*|unfortunately,?\s*)?(?:but\s+)?"
    r"(?:(?:the\s+)?(?:provided\s+)?(?:sources?|guidance|documents?|passages?)(?:\s+provided)?"
    r"\s+(?:do(?:es)? not|don't|doesn't)\s+(?:contain|cover|include|mention|provide|say|address|"
    r"answer|explain)\b|i\s+(?:cannot|can't|could not|couldn't)\s+find\b|there is no (?:relevant )?"
    r"information\b)")


def _claims_for(text: str, n: int) -> list[str]:
    """Every sentence of the answer that cites [n]."""
    marker = re.compile(rf"\[(?:\d+\s*,\s*)*{n}(?:\s*,\s*\d+)*\]")
    return [s for s in re.split(r"(?<=[.!?])\s+|\n", text) if marker.search(s)]


def _claim_for(text: str, n: int) -> str:
    """The sentence of the answer that first cites [n]."""
    match = re.search(rf"([^.!?\n]*)\[(?:\d+\s*,\s*)*{n}(?:\s*,\s*\d+)*\]", text)
    return match.group(1) if match else ""


def suspicious_warnings(citations: Sequence[Citation]) -> list[str]:
    """A warning for each cited source that contains text reading like instructions."""
    return [
        f"Source [{c.n}] contains text that reads like instructions to an AI system; it was "
        "treated as data, not followed."
        for c in citations
        if c.suspicious
    ]


def nation_warnings(query: str, cited: Sequence[Chunk]) -> list[str]:
    """A warning for each UK nation the question names that no cited source mentions."""
    return [
        f"The question names {nation}, which the sources quoted do not mention: rules can differ "
        f"there, so check that this guidance applies in {nation}."
        for nation in unmentioned_nations(query, list(cited))
    ]


def year_warnings(question: str, cited: Sequence[Chunk]) -> list[str]:
    """A warning when the question asks about a year ("the rate for 2013/14") that no cited
    source mentions: rates and rules change each year, and a passage without that year may
    give another year's figures. Not a refusal: current guidance often states no year."""
    texts = [f"{c.title} {c.section} {c.text}" for c in cited]
    missing = [said for said, forms in asked_years(question_sentences(question))
               if not any(form in text for form in forms for text in texts)]
    if not missing or not cited:
        return []
    return [f"The question asks about {missing[0]}, which the sources quoted do not mention: "
            "rates and rules change from year to year, so check that this guidance covers that "
            "year."]


def unknown_word_warnings(words: Sequence[str]) -> list[str]:
    """A warning when the question's own words do not occur in the guidance at all."""
    if not words:
        return []
    quoted = ", ".join(f'"{w}"' for w in words[:3])
    return [f"The guidance never uses the word{'s' if len(words) > 1 else ''} {quoted}: the "
            "passages quoted may be about something close to what you asked, not it. Check they "
            "answer your question."]


# the words of a question that names no topic: "Can you help?", "What happens in this situation?"
_NO_TOPIC = frozenset(terms("help advice advise claim know tell want need please thank thanks "
                            "happen happens situation case anything something question ask "
                            "mean means options option next step steps"))
# asking for a sum of money: "how much", "what amount", "the weekly rate" (not "how much notice")
_ASKS_AMOUNT = re.compile(r"\bhow much\b(?!\s+(?:notice|time|leave|holiday)\b)|\bamounts?\b"
                          r"|\brates?\b", re.IGNORECASE)
_MONEY = re.compile(r"£\s?\d")


def unnamed_amount_warnings(question: str, passages: Sequence[tuple[str, str]]) -> list[str]:
    """A warning when the question asks how much a scheme it names pays and no passage giving
    a sum of money names it: "How much Bereavement Support Payment will she get?" answered with
    "The maximum Widowed Parent's Allowance (WPA) is £148.40 a week" (a debt and bereavement
    adviser's review: no guide gives its rates). ``passages``: for each source, the text
    giving amounts (the quote, or a generative answer's sentences citing it) and the text
    that may name the scheme (its title, section and quote or whole text)."""
    asked = question_sentences(question)
    if not _ASKS_AMOUNT.search(asked):
        return []
    # as retrieval compares scheme names: analysed words ("carers allowance" typed is
    # "Carer's Allowance", "Payments" is "Payment"), next to each other
    named = [words_in_order(where) for amounts, where in passages if _MONEY.search(amounts)]
    if not named:
        return []
    for name in proper_names(asked, lower_case=True):
        run = analyse(name)
        if run and not any(holds_in_order(words, run, gap=0) for words in named):
            return [f'You asked about "{_as_asked(asked, name)}", but none of the amounts '
                    "quoted is said to be for it: they are for something else. Check the "
                    "guidance gives this amount at all before relying on it."]
    return []


def _as_asked(asked: str, name: str) -> str:
    """``name`` ("Support Payment", a name's last two words) with the capitalised words before
    it in the question: "Bereavement Support Payment"."""
    found = re.search(rf"(?:\b[A-Z][\w'’-]*\s+)*{re.escape(name)}", asked)
    return found.group(0) if found else name


_LETTERS = re.compile(r"[a-z]+")


def confusable_warnings(question: str, quotes: Sequence[str],
                        headings: Sequence[str] = ()) -> list[str]:
    """A warning when a word of the question is missing from every quoted passage while a word
    that differs from it only in its first letter is what they are about: "maternity" asked,
    "paternity" quoted. Such near-twins embed almost alike, so a search can swap one for the
    other. "What they are about": the twin is in a cited title or section (``headings``), or
    quoted more than once; "bearing in mind" once is no twin of a "hearing"."""
    asked = set(_LETTERS.findall(question.lower()))
    quoted_words = _LETTERS.findall(" ".join(quotes).lower())
    quoted = set(quoted_words)
    topics = set(_LETTERS.findall(" ".join(headings).lower()))
    prefixes = {q[:5] for q in quoted | topics if len(q) > 5}
    for word in sorted(asked - quoted - topics, key=lambda w: (-len(w), w)):
        if len(word) < 6 or word[:5] in prefixes:
            continue  # short, or another form of a quoted word ("employer", "employers")
        twins = sorted(q for q in (quoted | topics) - asked if len(q) == len(word)
                       and q[1:] == word[1:] and (q in topics or quoted_words.count(q) > 1))
        if twins:
            return [f'You asked about "{word}", but the passages quoted are about "{twins[0]}". '
                    "Check they answer your question."]
    return []


def closest_documents(query: str, results: Sequence[ScoredChunk]) -> list[Citation]:
    """The best few distinct documents in ``results``, as citations quoting their best passage."""
    seen: dict[str, ScoredChunk] = {}
    for scored in results:
        seen.setdefault(scored.chunk.doc_id, scored)
    top = list(seen.values())[:CLOSEST_DOCUMENTS]
    return [
        build_citation(n, s.chunk, best_quote(query, s.chunk.text))
        for n, s in enumerate(top, start=1)
    ]


# the words of a follow-up that say what it adds ("self-employed" in "and if she is
# self-employed?"), not those of asking
_FOLLOW_UP_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")


_NOT_ADDED = frozenset({"what", "about", "how", "and", "if", "she", "he", "they", "does", "do",
                        "can", "could", "would", "will", "also", "then", "case", "that", "this",
                        "same", "instead", "happens", "else", "more", "less", "much", "many"})


def _said(stem: str, said: set[str]) -> bool:
    """Whether ``stem`` or another form of it is among ``said`` ("earn" / "earning"; not
    "contractor" / "contact")."""
    return stem in said or any(_same_word(stem, t) for t in said)


def _same_word(a: str, b: str) -> bool:
    """One stem starts the other ("earn" / "earning"), or they share a beginning of 5 letters or
    more covering three quarters of the shorter ("pregnant" / "pregnancy", "absent" /
    "absence"); not "contractor" / "contact"."""
    short = min(len(a), len(b))
    if short >= 4 and (a.startswith(b) or b.startswith(a)):
        return True
    common = len(os.path.commonprefix([a, b]))
    return common >= 5 and common >= 0.75 * short


def follow_up_warnings(follow_up: str, quotes: Sequence[str]) -> list[str]:
    """A caution when no quoted passage mentions what a follow-up adds ("and if she is
    self-employed?" answered with the earlier question's passages only)."""
    # another form of a word counts ("earns" is said by "earnings"): one stem starts the other
    said = {t for quote in quotes for t in terms(quote)}
    content = [w for w in dict.fromkeys(_FOLLOW_UP_WORD.findall(follow_up))
               if terms(w) and w.lower() not in _NOT_ADDED]
    added = [w for w in content if not all(_said(t, said) for t in terms(w))]
    if not content or len(added) < len(content):  # the passages speak to some of it
        return []
    words = " or ".join(f"'{w}'" for w in added[:3])
    return [f"The passages quoted do not mention {words}: they may answer your earlier question, "
            "not this follow-up. Check the sources, or ask the whole question again."]


def filter_note(where: ChunkFilter | None) -> str:
    """What a search limited by ``where`` left out, for a "not covered" reply ('' if nothing)."""
    if where is None:
        return ""
    parts = []
    if where.collections is not None:
        parts.append("collections " + ", ".join(where.collections))
    if where.doc_types is not None:
        parts.append("document types " + ", ".join(DOC_TYPE_NAMES.get(t, t)
                                                   for t in where.doc_types))
    if not parts:
        return ""
    return (f"Only part of the guidance was searched ({'; '.join(parts)}). Clear the 'Search in' "
            "filters to search all of it: the answer may be in a document they leave out.")


def abstention_text(closest: Sequence[Citation]) -> str:
    """'Not covered', plus the closest documents when there are any."""
    text = prompts.render("not_covered")
    if not closest:
        return text
    lines = []
    for c in closest:
        name = f"[{c.title}]({c.url})" if c.url else f"*{c.title}*" + \
            (f" ({c.source})" if c.source and c.source != c.title else "")
        section = f" — {c.section}" if c.section and c.section != c.title else ""
        section += f", page {c.page}" if c.page else ""
        updated = f" (updated {c.updated})" if c.updated else ""
        lines.append(f"- {name}{section}{updated}")
    return f"{text}\n\n" + prompts.render("closest_documents", documents="\n".join(lines))
