"""Letter drafting: a template, the case facts and the guidance in; a cited draft letter out.

``draft_letter`` fills the template's fixed text from the facts and drafts each section from the
guidance found by that section's query. Offline (``llm=None``) a section holds the best guidance
extracts, cited and marked ``[REWRITE: ...]`` for the caseworker; with a model, each section is
written in plain English and every paragraph cites its sources as [n]. Numbers are shared across
the letter (``Draft.sources``). If the model fails part-way, ``DraftError.partial`` keeps the
facts and every section finished so far. Nothing here is exported with the machine notice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

from assistant import drafting_prompts as dp
from assistant import prompts
from assistant.answering import select_within_budget
from assistant.citations import build_citation, check_answer, cited_numbers, inert_markers
from assistant.config import Settings, get_settings
from assistant.drafting_extracts import one_line, passage_lines, strip_metadata
from assistant.errors import GuidanceError, ModelError
from assistant.extractive import best_quote, extract_answer
from assistant.ports import ChatModel, Embedder, Retriever
from assistant.templates import (
    FactsError,
    FixedPart,
    LetterTemplate,
    SectionSpec,
    check_facts,
    fill,
    format_date,
    greeting_field,
)
from assistant.types import Chunk, ChunkFilter, Citation, ScoredChunk

MACHINE_NOTICE = (
    "Machine-drafted: this letter was drafted automatically from the guidance and the case "
    "facts. Check every line against the guidance and the case before you send it."
)
MAX_FACTS_CHARS = 20_000
MAX_COVER_CHARS = 2_000
RETRIEVE_K = 6
MAX_PARAGRAPHS = 4
ParagraphRole = Literal["fixed", "drafted", "extract", "note"]
_MARKER = re.compile(r"\[(\d{1,3})\]")


class DraftError(GuidanceError):
    """Drafting stopped part-way; ``partial`` holds the facts and the sections finished."""

    def __init__(self, message: str, partial: Draft) -> None:
        super().__init__(message)
        self.partial = partial


@dataclass(frozen=True)
class CaseFacts:
    """What the caseworker knows: named field values and free text."""

    fields: Mapping[str, str] = field(default_factory=dict)
    text: str = ""
    letter_date: date | None = None


@dataclass
class Paragraph:
    """A paragraph of the letter; drafted text cites its sources as [n] markers."""

    text: str
    role: ParagraphRole = "drafted"

    @property
    def cited(self) -> list[int]:
        """The source numbers this paragraph cites."""
        return cited_numbers(self.text)


@dataclass
class DraftSection:
    """A fixed block or a drafted section of the letter, in letter order."""

    id: str
    heading: str
    kind: Literal["fixed", "drafted"]
    paragraphs: list[Paragraph]
    warnings: list[str] = field(default_factory=list)
    query: str = ""
    edited: bool = False  # a person has changed the drafted text

    @property
    def text(self) -> str:
        """The section's paragraphs separated by blank lines (what the page edits)."""
        return "\n\n".join(p.text for p in self.paragraphs)


@dataclass
class Draft:
    """A draft letter: sections, paragraphs with [n] markers, and the numbered sources."""

    template_name: str
    title: str
    facts: CaseFacts
    instructions: str
    mode: Literal["offline", "generative"]
    sections: list[DraftSection]
    sources: list[Citation] = field(default_factory=list)
    complete: bool = True
    error: str = ""
    notice: str = MACHINE_NOTICE

    def source(self, n: int) -> Citation | None:
        """The source numbered ``n``, if any."""
        return next((c for c in self.sources if c.n == n), None)

    def section(self, section_id: str) -> DraftSection:
        """The section with id ``section_id``."""
        return next(s for s in self.sections if s.id == section_id)

    @property
    def edited(self) -> bool:
        """Whether a person has changed any section (drafting again would lose the change)."""
        return any(s.edited for s in self.sections)


@dataclass(frozen=True)
class DraftProgress:
    """A progress event: a section started, a piece of model text arrived, or it finished."""

    index: int
    total: int
    section_id: str
    heading: str
    piece: str = ""
    done: bool = False


ProgressCallback = Callable[[DraftProgress], None]


def edit_section(draft: Draft, section_id: str, text: str) -> None:
    """Replace a section's text with edited ``text`` (paragraphs split on blank lines)."""
    section = draft.section(section_id)
    role: ParagraphRole = "fixed" if section.kind == "fixed" else "drafted"
    section.paragraphs = [Paragraph(inert_markers(p.strip()) if role == "fixed" else p.strip(),
                                    role) for p in re.split(r"\n\s*\n", text) if p.strip()]
    # "cites no source" warnings were about the drafted text (the letter checks read the new
    # one); warnings about links, contacts or planted instructions in the sources still stand
    section.warnings = [w for w in section.warnings if "cites no source" not in w]
    section.edited = True


class _Sources:
    """Numbers sources across the whole letter: one number per document section and page."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str, str], Citation] = {}
        self.quoted: list[str] = []  # passages already quoted offline, in earlier sections

    def add(self, citation: Citation) -> int:
        key = (citation.doc_id or citation.title, citation.section, citation.page)
        if key not in self.items:
            self.items[key] = replace(citation, n=len(self.items) + 1)
        return self.items[key].n


@dataclass(frozen=True)
class _Job:
    template: LetterTemplate
    facts: CaseFacts
    cover: str
    values: dict[str, str]
    retriever: Retriever
    llm: ChatModel | None
    where: ChunkFilter | None
    budget_tokens: int
    embedder: Embedder | None
    on_progress: ProgressCallback | None


def draft_letter(
    template: LetterTemplate,
    facts: CaseFacts,
    instructions: str,
    *,
    retriever: Retriever,
    llm: ChatModel | None,
    where: ChunkFilter | None = None,
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    on_progress: ProgressCallback | None = None,
    allow_missing: bool = False,
) -> Draft:
    """Draft a letter from ``template``: offline extracts when ``llm`` is None, else generative.

    Raises ``FactsError`` before any work if the facts are missing (unless ``allow_missing``,
    which leaves ``{field}`` placeholders for the checks to flag), unknown, invalid or oversize;
    ``DraftError`` (with ``.partial``) if the model fails part-way.
    """
    # the letter carries the date it was drafted on, so that later checks compare with it
    facts = replace(facts, letter_date=facts.letter_date or date.today())
    values = prepare_values(template, facts, instructions, allow_missing=allow_missing)
    budget = (settings or get_settings()).context_token_budget
    job = _Job(template, facts, instructions.strip(), values, retriever, llm, where, budget,
               embedder, on_progress)
    return _run(job)


def prepare_values(
    template: LetterTemplate, facts: CaseFacts, instructions: str, *, allow_missing: bool = False
) -> dict[str, str]:
    """The placeholder values for ``facts``; raises ``FactsError`` with a clear message."""
    if len(facts.text) > MAX_FACTS_CHARS:
        raise FactsError(
            f"The case facts are {len(facts.text):,} characters long; the limit is "
            f"{MAX_FACTS_CHARS:,}. Shorten them to what this letter needs."
        )
    if len(instructions) > MAX_COVER_CHARS:
        raise FactsError(
            f"'What the letter must cover' is {len(instructions):,} characters long; the limit "
            f"is {MAX_COVER_CHARS:,}."
        )
    filled = check_facts(template, facts.fields)
    if filled.missing and not allow_missing:
        labels = "; ".join(template.field(name).label for name in filled.missing)
        raise FactsError(f"Fill in the required facts before drafting: {labels}.")
    optional_blank = {f.name: "" for f in template.fields if not f.required}
    # an optional name left empty greets no one: its greeting is blank too, not "{x_greeting}"
    optional_blank |= {greeting_field(f.name): "" for f in template.fields
                       if not f.required and f.type == "name"}
    today = format_date(facts.letter_date or date.today())
    return {**optional_blank, **filled.values, "today": today, "cover": instructions.strip()}


def _run(job: _Job) -> Draft:
    sources = _Sources()
    draft = Draft(job.template.name, job.template.title, job.facts, job.cover,
                  "offline" if job.llm is None else "generative", [])
    failure = ""
    for i, part in enumerate(job.template.parts):
        if isinstance(part, FixedPart):
            draft.sections.append(_fixed_section(i, part, job.values))
        elif failure:
            draft.sections.append(_note_section(part.section, job.values, "not_drafted_note"))
        else:
            section, failure = _attempt(job, part.section, sources)
            draft.sections.append(section)
    draft.sources = list(sources.items.values())
    if failure:
        draft.complete = False
        draft.error = failure
        raise DraftError(failure, draft)
    return draft


def _attempt(job: _Job, spec: SectionSpec, sources: _Sources) -> tuple[DraftSection, str]:
    """Draft one section, reporting progress; a model failure becomes a note and a message."""
    index = [s.id for s in job.template.sections].index(spec.id)
    event = DraftProgress(index, len(job.template.sections), spec.id, _heading(spec, job.values))
    _notify(job, event)
    try:
        section = _draft_section(job, spec, sources, index)
        failure = ""
    except ModelError as exc:
        section = _note_section(spec, job.values, "not_drafted_note")
        failure = (
            f"The language model failed while drafting '{event.heading or spec.id}' (section "
            f"{index + 1} of {event.total}). {exc} Your facts and the sections already "
            "drafted are kept."
        )
    _notify(job, replace(event, done=True))
    return section, failure


def _notify(job: _Job, event: DraftProgress) -> None:
    if job.on_progress is not None:
        job.on_progress(event)


def _heading(spec: SectionSpec, values: Mapping[str, str]) -> str:
    return fill(spec.heading, values)


def _fixed_section(i: int, part: FixedPart, values: Mapping[str, str]) -> DraftSection:
    lines = [
        fill(line, values)
        for line in part.fixed.splitlines()
        if not ("{" in line and not fill(line, values).strip())  # an optional field left empty
    ]
    # fixed text (template and case facts) cites nothing: "paragraph 7[1]" stays words
    paragraphs = [Paragraph(inert_markers(p.strip()), "fixed")
                  for p in re.split(r"\n\s*\n", "\n".join(lines)) if p.strip()]
    return DraftSection(f"fixed_{i + 1}", fill(part.heading, values), "fixed", paragraphs)


def _note_section(spec: SectionSpec, values: Mapping[str, str], note: str) -> DraftSection:
    return DraftSection(spec.id, _heading(spec, values), "drafted",
                        [Paragraph(dp.render(note), "note")], query=fill(spec.query, values))


def _draft_section(job: _Job, spec: SectionSpec, sources: _Sources, index: int) -> DraftSection:
    query = " ".join(fill(spec.query, job.values).split()).strip(" :")
    query = query if len(query) >= 3 else _heading(spec, job.values) or spec.id
    results = job.retriever.retrieve(query, k=RETRIEVE_K, where=job.where)
    relevant = [r for r in results if r.score >= job.retriever.min_relevance]
    if not relevant:
        section = _note_section(spec, job.values, "not_covered_note")
        section.warnings.append("No guidance was found for this section.")
        return section
    if job.llm is None:
        return _offline_section(job, spec, query, relevant, sources)
    return _generative_section(job, spec, query, relevant, sources, index)


def _offline_section(job: _Job, spec: SectionSpec, query: str, results: Sequence[ScoredChunk],
                     sources: _Sources) -> DraftSection:
    guidance = fill(spec.guidance, job.values)
    # the section's guidance ("by when", "how long") steers both the passages and the sentences
    results = _with_guidance_results(job, guidance, results)
    extract = extract_answer(query, results, min_relevance=job.retriever.min_relevance,
                             embedder=job.embedder, focus=guidance)
    heading = _heading(spec, job.values)
    note = dp.render("rewrite_note", guidance=guidance.rstrip(". "))
    paragraphs = [Paragraph(note, "note")]
    passages = extract.pieces[1:] if len(extract.pieces) == len(extract.citations) + 1 else ()
    # a passage an earlier section quoted is not quoted again, unless it is this section's best
    # (the extract puts the best-answering passage first): the time limit a review section is
    # for stays, though the reasons section quoted it too
    for i, citation in enumerate(extract.citations):
        if i > 0 and _repeats(citation.quote, sources.quoted):
            continue
        sources.quoted.append(_said(citation.quote))
        lines = passage_lines(passages[i]) if passages else [one_line(citation.quote)]
        text = strip_metadata("\n".join(lines), citation.title)
        if not text:  # the passage held only document metadata (reference, owner, dates)
            continue
        n = sources.add(replace(citation, quote=strip_metadata(citation.quote, citation.title)))
        paragraphs.append(Paragraph(f"{inert_markers(text)} [{n}]", "extract"))
    if len(paragraphs) == 1:
        section = _note_section(spec, job.values, "not_covered_note")
        section.warnings.append("The guidance found had no passage to quote for this section.")
        return section
    return DraftSection(spec.id, heading, "drafted", paragraphs, query=query)


def _with_guidance_results(job: _Job, guidance: str, results: Sequence[ScoredChunk]
                           ) -> list[ScoredChunk]:
    """``results`` plus the relevant passages found by the section's guidance, best first (the
    query's best stays first: it decides which further passages are close enough to quote).

    Only passages of documents the section's query found are added: the guidance says what a
    section is for, not what the case is about, so on its own it finds the same documents for
    every case (an education tribunal's appeal deadlines in a benefit decision letter)."""
    if len(guidance.strip()) < 3:
        return list(results)
    case_documents = {r.chunk.doc_id for r in results}
    found = [r for r in job.retriever.retrieve(guidance, k=RETRIEVE_K, where=job.where)
             if r.chunk.doc_id in case_documents]
    best: dict[str, ScoredChunk] = {}
    for result in [*results, *found]:
        known = best.get(result.chunk.chunk_id)
        if result.score >= job.retriever.min_relevance and (known is None
                                                            or result.score > known.score):
            best[result.chunk.chunk_id] = result
    first = best.pop(results[0].chunk.chunk_id)
    return [first, *sorted(best.values(), key=lambda r: r.score, reverse=True)]


def _said(quote: str) -> str:
    return " ".join(quote.lower().split())


def _repeats(quote: str, earlier: Sequence[str]) -> bool:
    """Whether every part of ``quote`` (parts are joined by " … ") is in an earlier quote."""
    return all(any(_said(part) in before for before in earlier) for part in quote.split(" … "))


def _generative_section(job: _Job, spec: SectionSpec, query: str,
                        results: Sequence[ScoredChunk], sources: _Sources,
                        index: int) -> DraftSection:
    assert job.llm is not None  # noqa: S101 - the caller checked
    chunks = select_within_budget(results, job.budget_tokens)
    heading = _heading(spec, job.values)
    messages = build_section_messages(job.template, spec, job.values, job.facts, chunks)
    pieces: list[str] = []
    for piece in job.llm.stream(messages):
        pieces.append(piece)
        _notify(job, DraftProgress(index, len(job.template.sections), spec.id, heading, piece))
    reply = _strip_heading("".join(pieces), heading)
    if dp.NO_GUIDANCE.lower() in reply.lower() and not cited_numbers(reply):
        section = _note_section(spec, job.values, "not_covered_note")
        section.warnings.append("The model found nothing in the guidance for this section.")
        return section
    given = "\n".join([*job.values.values(), job.facts.text])  # the customer's own details
    return _cited_section(spec.id, heading, query, reply, chunks, sources, given)


def _cited_section(section_id: str, heading: str, query: str, reply: str,
                   chunks: Sequence[Chunk], sources: _Sources, given: str = "") -> DraftSection:
    local = {n: build_citation(n, c, best_quote(_claim_for(reply, n) or query, c.text))
             for n, c in enumerate(chunks, start=1)}
    checked = check_answer(reply, local, {n: c.text for n, c in enumerate(chunks, start=1)},
                           given)
    numbers = {c.n: sources.add(c) for c in checked.citations}
    text = _MARKER.sub(lambda m: f"[{numbers.get(int(m.group(1)), m.group(1))}]",
                       _split_multi_markers(checked.text))
    paragraphs = [Paragraph(p.strip(), "drafted") for p in re.split(r"\n\s*\n", text)
                  if p.strip()]
    warnings = list(checked.warnings)
    warnings += [f"Paragraph {i} cites no source." for i, p in enumerate(paragraphs, 1)
                 if not p.cited]
    return DraftSection(section_id, heading, "drafted", paragraphs, warnings, query)


def _split_multi_markers(text: str) -> str:
    """'[1, 2]' becomes '[1][2]' so each number can be renumbered on its own."""
    return re.sub(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})+)\]",
                  lambda m: "".join(f"[{n.strip()}]" for n in m.group(1).split(",")), text)


def _claim_for(text: str, n: int) -> str:
    match = re.search(rf"([^.!?\n]*)\[(?:\d+\s*,\s*)*{n}(?:\s*,\s*\d+)*\]", text)
    return match.group(1) if match else ""


def _strip_heading(reply: str, heading: str) -> str:
    lines = reply.strip().splitlines()
    if lines and heading and lines[0].strip("#* ").lower() == heading.lower():
        lines = lines[1:]
    return "\n".join(lines).strip()


def build_section_messages(
    template: LetterTemplate, spec: SectionSpec, values: Mapping[str, str], facts: CaseFacts,
    chunks: Sequence[Chunk],
) -> list[tuple[str, str]]:
    """System and user messages for drafting one section from fenced sources and facts."""
    blocks = [
        prompts.fence_source(n, c.title, c.section, c.updated, c.text,
                             build_citation(n, c, "").suspicious)
        for n, c in enumerate(chunks, start=1)
    ]
    fact_lines = [dp.render("fact_line", label=f.label, value=values[f.name])
                  for f in template.fields if values.get(f.name)]
    system = dp.render("section_system", no_guidance=dp.NO_GUIDANCE,
                       max_paragraphs=MAX_PARAGRAPHS)
    user = dp.render(
        "section_user", sources="\n\n".join(blocks), facts=dp.fence_facts(fact_lines, facts.text),
        letter_title=template.title, cover=dp.defuse_tags(values.get("cover") or "(not given)"),
        heading=dp.defuse_tags(fill(spec.heading, values) or spec.id),
        guidance=dp.defuse_tags(fill(spec.guidance, values)),
    )
    return [("system", system), ("user", user)]


def draft_to_dict(draft: Draft) -> dict[str, Any]:
    """A JSON-ready dict of ``draft`` (for ``--json`` and saving work in progress)."""
    from dataclasses import asdict

    data = asdict(draft)
    data["facts"]["letter_date"] = (
        draft.facts.letter_date.isoformat() if draft.facts.letter_date else None
    )
    data["facts"]["fields"] = dict(draft.facts.fields)
    return data
