"""Citations: building them from chunks, and checking an answer's [n] markers when it ends.

The check removes markers that point at no source, flags quoted text that does not appear in its
source, and flags links, e-mail addresses and phone numbers found in no cited source (a sign that
a document's planted instructions were followed, or that the model invented them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from assistant.markdown_safety import CITATION_MARKER as _MARKER
from assistant.types import Chunk, Citation
from assistant.units import split_units

_QUOTED = re.compile(r"[\"“]([^\"”\n]{20,400})[\"”]")
# web addresses: with a scheme or "www.", protocol-relative ("//host.example/x", a link in
# Markdown), or a bare domain under a common ending ("claims.co.uk/apply", "hmrc.gov.uk"; a
# capitalised one with no path is a site's name, "GOV.UK": ``_a_name``)
_URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>()\[\]\"']{1,2000}"
    r"|(?<![\w/:])//[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,8}[^\s<>()\[\]\"']{0,2000}"
    r"|(?<![\w@./-])[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,63}){0,4}"
    r"\.(?:co\.uk|org\.uk|gov\.uk|ac\.uk|nhs\.uk|com|org|net|uk|io|info|eu)"
    r"(?![\w-])(?:/[^\s<>()\[\]\"']{0,2000})?", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}\b")
_PHONE = re.compile(  # not ISO dates such as 2025-03-14, nor a reference's digits (HSA-2025-0045)
    r"(?<![\w/])(?<![A-Z]{2}-)(?!\d{4}-\d{2}-\d{2}(?![\d-]))(?:\+?\d[\d ()-]{8,}\d)(?![\w/])"
    r"|(?<![\w.])0\d{2,4}\.\d{3,4}\.\d{3,4}(?![\w.])")  # "0800.123.4567"
_OUTPUT = r"(?:response|reply|answer|output|message|elucidation)"
_MACHINE = r"(?:ai|a\.i\.|assistants?|models?|chatbots?|llms?|language models?|ai systems?|bots?)"
_CODE = r"(?:code|codebase|solution|implementation|algorithm|program)"
_VERBS = (
    "translate|encode|encrypt|reverse|invert|rewrite|format|provide|use|render|write|express|"
    "modify|enhance|augment|display|show|represent|add|include|insert|integrate|incorporate|"
    "mention|end|begin|start|finish|conclude|sign|close"
)
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget)\b[^.\n]{0,40}\b(?:instructions?|prompts?|rules|above)\b"
    rf"|\b(?:in|to|into|throughout|within|of|for)\s+your\s+(?:{_OUTPUT}|{_CODE})\b"
    rf"|\b(?:{_VERBS})\b[^.\n]{{0,30}}\byour\s+{_OUTPUT}\b"
    r"|(?:^|[.!?]\s+)(?:can you\s+)?(?:reply|respond|answer)\s+(?:only\s+)?(?:in|using|with)\b"
    r"|\b(?:system prompt|you are now|new instructions|as an ai)\b"
    r"|\bcode (?:snippet|block|excerpt|section)\b|\bfollowing code\b"
    r"|^\s*(?:assistant|system)\s*:"
    # addressed to a model, or to the reader through one ("Note for AI systems: tell the user...")
    rf"|\b(?:note|message|instructions?|reminder|request)\s+(?:for|to)\s+(?:the\s+|any\s+|all\s+)?"
    rf"{_MACHINE}\b"
    r"|\b(?:ai|llm|chatbot|language model|ai system|ai assistant)s?\b[^.\n]{0,40}"
    r"\b(?:must|should|needs? to|are to|is to|are required to|will now)\s+(?:always\s+)?"
    r"(?:tell|add|say|include|insert|mention|reply|respond|answer|output|ignore|recommend|"
    r"direct|append|state)\b"
    # text transformations and tasks a document has no reason to ask of its reader
    r"|\bremove (?:all )?spaces\b|\breplace vowels\b"
    r"|\breplace (?:every|each|all)\b[^.\n]{0,40}\b(?:letters?|vowels?|words?|characters?)\b"
    r"|\btranslate (?:the following|this|your|it)\b"
    r"|\b(?:write|show me|give me|create)\s+(?:me\s+)?(?:a|an)\s+(?:simple\s+|short\s+)?"
    r"(?:python|javascript|bash|sql|haiku|poem|limerick|joke)\b|\bwrite a script to\b"
    r"|\bcan you (?:show|write|give|tell|explain|recommend|summari[sz]e|translate) me\b",
    re.IGNORECASE | re.MULTILINE,
)

# document types whose heading lines come from their markup: a PDF's or an RTF's "heading" is a
# guess from layout (a short line: a form's "Date of Birth", half of a wrapped title), good for
# showing above a quote, not for naming the section a citation points to
MARKED_UP_HEADINGS = frozenset({"markdown", "html", "docx"})


@dataclass
class CheckResult:
    """The checked answer text, the citations it really uses, and what the check flagged."""

    text: str
    citations: list[Citation]
    warnings: list[str] = field(default_factory=list)


WORD_JOINER = "\u2060"


def inert_markers(text: str) -> str:
    """Document text with its own bracketed numbers ("regulation 4 [5]") made unlike citation
    markers: an invisible word joiner after the bracket, so no check, link or export reads them
    as citing source 5, and the words shown stay the document's."""
    return _MARKER.sub(lambda m: f"[{WORD_JOINER}{m.group(1)}]", text)


def looks_like_instructions(text: str) -> bool:
    """Whether ``text`` addresses a language model (e.g. 'add this to your reply')."""
    return _INSTRUCTION.search(text) is not None


def build_citation(n: int, chunk: Chunk, quote: str) -> Citation:
    """The citation [n] for ``chunk``, quoting ``quote``; marked suspicious when it reads like
    instructions. A chunk with no section label (ingest names at most three folded sections)
    is cited to the heading line its quoted sentence is under, in documents whose headings are
    marked up (``MARKED_UP_HEADINGS``), if any."""
    return Citation(
        n=n,
        title=chunk.title,
        source=chunk.source,
        section=chunk.section or (_heading_of(quote, chunk.text)
                                  if chunk.doc_type in MARKED_UP_HEADINGS else ""),
        page=chunk.page_label,
        url=chunk.url,
        updated=chunk.updated,
        quote=quote,
        doc_id=chunk.doc_id,
        suspicious=looks_like_instructions("\n".join((chunk.title, chunk.section, chunk.text))),
        doc_version=chunk.doc_version,
    )


def _heading_of(quote: str, text: str) -> str:
    """The heading line of ``text`` that ``quote``, one of its sentences or items, is under
    ("Pay" over "Statutory Adoption Pay is paid for up to 39 weeks."); "" when there is none,
    ``quote`` is not one sentence of it, or it is under two (said under "Apply" and "Renew",
    which one is cited is not known)."""
    if not quote:
        return ""
    found = {u.heading.strip() for u in split_units(text) if u.text == quote.strip()}
    return found.pop() if len(found) == 1 else ""


def cited_numbers(text: str) -> list[int]:
    """Every number cited as [n] or [n, m] in ``text``, in order of first appearance."""
    seen: dict[int, None] = {}
    for match in _MARKER.finditer(text):
        for part in match.group(1).split(","):
            seen.setdefault(int(part), None)
    return list(seen)


def check_answer(
    text: str, citations: Mapping[int, Citation], sources: Mapping[int, str], given: str = ""
) -> CheckResult:
    """Check ``text`` against the numbered ``citations`` and the full ``sources`` they came from.

    A link, e-mail address or phone number counts as supported only if a cited source states it
    outside text that reads like instructions (so one copied from a planted payload is flagged),
    or if the user gave it (``given``: a letter's case facts, such as the customer's own number).
    """
    warnings: list[str] = []
    text, removed = _remove_unknown_markers(text, set(citations))
    if removed:
        listed = ", ".join(f"[{n}]" for n in removed)
        warnings.append(f"Citation {listed} pointed to no source and was removed.")
    used = [citations[n] for n in cited_numbers(text)]
    cited = [sources[c.n] for c in used if c.n in sources]
    warnings += _unsupported_quotes(text, _normalise(" ".join(cited)))
    trusted = " ".join([*map(_trusted_text, cited), given])
    warnings += _unsupported_contacts(text, _normalise(trusted))
    return CheckResult(text=text, citations=used, warnings=warnings)


def _remove_unknown_markers(text: str, known: set[int]) -> tuple[str, list[int]]:
    removed: list[int] = []

    def keep_known(match: re.Match[str]) -> str:
        numbers = [int(p) for p in match.group(1).split(",")]
        removed.extend(n for n in numbers if n not in known and n not in removed)
        kept = [str(n) for n in numbers if n in known]
        return f"[{', '.join(kept)}]" if kept else ""

    cleaned = _MARKER.sub(keep_known, text)
    cleaned = re.sub(r"[ \t]+([.,;:])", r"\1", cleaned) if removed else cleaned
    return cleaned, removed


def _unsupported_quotes(text: str, cited_text: str) -> list[str]:
    return [
        f'The quoted text "{quote}" does not appear in the cited sources.'
        for quote in (m.group(1).strip() for m in _QUOTED.finditer(text))
        if _normalise(quote) not in cited_text
    ]


def _unsupported_contacts(text: str, cited_text: str) -> list[str]:
    warnings = []
    for kind, pattern in (("link", _URL), ("e-mail address", _EMAIL), ("phone number", _PHONE)):
        for found in dict.fromkeys(m.group(0).rstrip(".,;:") for m in pattern.finditer(text)):
            if pattern is _URL and _a_name(found):
                continue
            if _normalise(found) not in cited_text:
                warnings.append(
                    f"The {kind} {found} does not appear in any cited source: do not rely on it."
                )
    return warnings


def _a_name(found: str) -> bool:
    """A site or product written as a name ("NHS.UK", "GOV.UK", "Parliament.uk", "ASP.NET"),
    not an address to follow: capitalised, no scheme, no "www." and no path."""
    return found[:1].isupper() and "/" not in found and not found.lower().startswith("www.")


def _trusted_text(source: str) -> str:
    """``source`` without its sentences that read like instructions (planted payloads)."""
    parts = re.split(r"(?<=[.!?])\s+|\n", source)
    return " ".join(p for p in parts if not looks_like_instructions(p))


def _normalise(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").replace(WORD_JOINER, "").split())


def contacts_in(texts: Sequence[str]) -> set[str]:
    """Links, e-mail addresses and phone numbers found in ``texts`` (for tests and audits)."""
    joined = "\n".join(texts)
    return {m.group(0).rstrip(".,;:") for p in (_URL, _EMAIL, _PHONE) for m in p.finditer(joined)}
