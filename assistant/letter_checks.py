"""Checks on a (possibly edited) draft letter before it is exported or sent.

- placeholders left unfilled: ``{field}``, ``[REWRITE: ...]`` and ``[TO DO: ...]`` markers;
- drafted sections that cite no source, and [n] markers that point at no listed source;
- personal identifiers in the text that are not in this case's facts (a sign of text pasted from
  another case): National Insurance numbers, UK postcodes, dates of birth, reference numbers
  shaped like this case's reference, and titled names (Mr Smith) or greetings (Dear Jo Bloggs)
  whose name is not one of the case's names.
Patterns find candidates; the caseworker decides. Nothing here changes the draft.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Literal

from assistant.drafting import Draft, DraftSection
from assistant.templates import (
    FactsError,
    FieldSpec,
    LetterTemplate,
    format_date,
    format_value,
    parse_date,
)

FindingKind = Literal["placeholder", "uncited", "unknown_source", "identifier", "contact", "date"]
_FIELD = re.compile(r"\{[a-z][a-z0-9_]*\}")
_MARKER_NOTE = re.compile(r"\[(?:REWRITE|TO ?DO|ADD|CHECK)\b[^\]]*\]", re.IGNORECASE)
_CITE = re.compile(r"\[(\d{1,3})\]")
_NI = re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}\b")
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
           "December")
_DATE = rf"(?:\d{{1,2}} (?:{_MONTHS}) \d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
_BIRTH = re.compile(rf"\b(?:born(?: on)?|date of birth|DOB)\W{{0,3}}({_DATE})", re.IGNORECASE)
# a UK phone number written without spaces (01632960001, 08001234567, 447700900123) is a
# number to call, not a case reference: letters quote helplines from the guidance
_PHONE = re.compile(r"0\d{9,10}|44\d{10}")
_REFERENCE = re.compile(r"\b[A-Z]{2,6}[-/ ]?\d{4,}(?:[-/]\d{2,})*\b|\b\d{8,}\b")
# names in any Latin script ("Zoë", "Élodie"): "Mr Brown", and in capitals "MR JONES" (a title in
# capitals only with a name in capitals, so "DR Congo" and "the MS Society" are not names)
_UPPER = "A-ZÀ-ÖØ-Þ"
_NAME = rf"[{_UPPER}][^\W\d_]*(?:['’-][^\W\d_]+)*"
_CAPS_NAME = rf"[{_UPPER}]+(?:['’-][{_UPPER}]+)*\b"
_TITLED = re.compile(rf"\b(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.? ((?:{_NAME} ?){{1,3}})"
                     rf"|(?:MR|MRS|MS|MISS|MX|DR)\.? ((?:{_CAPS_NAME} ?){{1,3}}))")
_GENERIC_NAMES = {"sir", "madam", "customer", "colleague", "colleagues"}
_DATE_FIELD = FieldSpec(name="date", label="Date", type="date")
# the name after any title: "Dear Dr. Siân Evans" greets Siân Evans, not "Dr"
_GREETING = re.compile(rf"\bDear (?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.? )?((?:{_NAME} ?){{1,3}})")


@dataclass(frozen=True)
class Finding:
    """One thing the caseworker must look at before sending the letter."""

    kind: FindingKind
    section_id: str
    message: str


def check_draft(draft: Draft, template: LetterTemplate | None = None) -> list[Finding]:
    """Everything to fix or confirm in ``draft``, section by section."""
    facts = _facts_text(draft)
    names = _case_names(draft, template)
    shapes = _reference_shapes(draft, template)
    findings: list[Finding] = []
    for section in draft.sections:
        findings += _placeholders(draft, section)
        findings += _citations(draft, section)
        findings += [Finding("identifier", section.id, m)
                     for m in _identifiers(section.text, facts, names, shapes)]
        findings += _unsupported_contacts(draft, section)
    return findings + _date_order(draft, template)


def _date_order(draft: Draft, template: LetterTemplate | None) -> list[Finding]:
    """Dates on the wrong side of the letter's date, or a reply due before what it replies to:
    "received on 1 March 2026 ... we will reply by 1 January 2026" (template fields say which
    dates lie in the past and which in the future)."""
    if template is None:
        return []
    letter = draft.facts.letter_date or date.today()
    dated: list[tuple[FieldSpec, date]] = []
    for spec in template.fields:
        raw = draft.facts.fields.get(spec.name, "").strip()
        if spec.when is None or not raw:
            continue
        try:
            dated.append((spec, parse_date(spec, raw)))
        except FactsError:  # reported when the facts are read
            continue
    found = [
        f"{spec.label} is {format_date(day)}, "
        + ("after" if spec.when == "past" else "before")
        + f" the letter's date ({format_date(letter)}): check it."
        for spec, day in dated
        if (day > letter if spec.when == "past" else day < letter)
    ]
    found += [
        f"{later.label} ({format_date(due)}) is before {earlier.label.lower()} "
        f"({format_date(day)}): check them."
        for later, due in dated if later.when == "future"
        for earlier, day in dated if earlier.when == "past" and due < day
    ]
    return [Finding("date", "", message) for message in found]


# how assistant.citations.check_answer words a contact no cited source gives
_UNSUPPORTED = re.compile(r"^The (?:link|e-mail address|phone number) (.+?) does not appear in any "
                          r"cited source")


def _unsupported_contacts(draft: Draft, section: DraftSection) -> list[Finding]:
    """Links, e-mail addresses and phone numbers the model wrote that no cited source gives,
    while they are still in the (possibly edited) text."""
    found = [m.group(1) for w in section.warnings if (m := _UNSUPPORTED.match(w))]
    return [
        Finding("contact", section.id,
                f"{_name(draft, section)} gives {contact}, which no cited source or case fact "
                "gives: check it or remove it.")
        for contact in dict.fromkeys(found) if contact in section.text
    ]


def _placeholders(draft: Draft, section: DraftSection) -> list[Finding]:
    found = [m.group(0) for p in (_FIELD, _MARKER_NOTE) for m in p.finditer(section.text)]
    return [
        Finding("placeholder", section.id,
                f"{_name(draft, section)} still has the placeholder {_shorten(text)}: fill it "
                "in or remove it.")
        for text in dict.fromkeys(found)
    ]


def _citations(draft: Draft, section: DraftSection) -> list[Finding]:
    numbers = [int(n) for n in _CITE.findall(section.text)]
    known = [n for n in numbers if draft.source(n) is not None]
    findings = [
        Finding("unknown_source", section.id,
                f"{_name(draft, section)} cites [{n}], which is not in the list of sources.")
        for n in dict.fromkeys(n for n in numbers if n not in known)
    ]
    if section.kind == "drafted" and not known:
        findings.append(Finding("uncited", section.id,
                                f"{_name(draft, section)} cites no source from the guidance."))
    elif section.kind == "drafted":  # each drafted paragraph must be traceable, not just one
        findings += [
            Finding("uncited", section.id,
                    f"Paragraph {i} of {_name(draft, section, start=False)} "
                    "cites no source from the guidance.")
            for i, paragraph in enumerate(section.paragraphs, start=1)
            if paragraph.role == "drafted"
            and not any(draft.source(int(n)) for n in _CITE.findall(paragraph.text))
        ]
    return findings


def _identifiers(text: str, facts: str, names: set[str], shapes: list[re.Pattern[str]]
                 ) -> Iterator[str]:
    for label, pattern in (("National Insurance number", _NI), ("postcode", _POSTCODE)):
        for found in _unique(pattern, text):
            if _compact(found) not in _compact(facts):
                yield f"The {label} {found} is not in this case's facts."
    for match in _BIRTH.finditer(text):
        if _normal_date(match.group(1)) not in facts:
            yield f"The date of birth {match.group(1)} is not in this case's facts."
    for found in _references(text, shapes):
        if _compact(found) not in _compact(facts):
            yield f"The reference {found} is not in this case's facts."
    for pattern in (_TITLED, _GREETING):
        for match in pattern.finditer(text):
            found = next(g for g in match.groups() if g)
            words = {w.lower() for w in found.split()}
            if not words & names and not words & _GENERIC_NAMES:
                yield f"The name '{match.group(0).strip()}' is not one of this case's names."


def _references(text: str, shapes: list[re.Pattern[str]]) -> list[str]:
    found = [f for f in _unique(_REFERENCE, text) if not _PHONE.fullmatch(f)]
    for shape in shapes:  # shaped like this case's reference: checked even if phone-like
        found += [m for m in _unique(shape, text) if m not in found]
    return [f for f in found if not _NI.fullmatch(f)]


def _unique(pattern: re.Pattern[str], text: str) -> Iterator[str]:
    yield from dict.fromkeys(m.group(0) for m in pattern.finditer(text))


def _facts_text(draft: Draft) -> str:
    parts = [*draft.facts.fields.values(), draft.facts.text]
    if draft.facts.letter_date is not None:
        parts.append(format_date(draft.facts.letter_date))
    text = "\n".join(parts)
    dates = [_normal_date(m.group(0)) for m in re.finditer(_DATE, text)]
    return "\n".join([text, *dates])


def _case_names(draft: Draft, template: LetterTemplate | None) -> set[str]:
    name_fields = ({f.name for f in template.fields if f.type == "name"} if template
                   else {k for k in draft.facts.fields if k.endswith("name")})
    return {w.lower() for k in name_fields for w in draft.facts.fields.get(k, "").split()}


def _reference_shapes(draft: Draft, template: LetterTemplate | None) -> list[re.Pattern[str]]:
    """A pattern per reference in the facts: letters stay, digits match any digit."""
    keys = ({f.name for f in template.fields if f.type == "reference"} if template
            else {k for k in draft.facts.fields if "reference" in k})
    shapes = []
    for key in keys:
        value = draft.facts.fields.get(key, "").strip()
        if len(re.sub(r"\D", "", value)) >= 3:
            shape = re.sub(r"\d", r"\\d", re.escape(value))
            shapes.append(re.compile(rf"(?<![\w-]){shape}(?![\w-])", re.IGNORECASE))
    return shapes


def _normal_date(text: str) -> str:
    try:
        return format_value(_DATE_FIELD, text)
    except FactsError:
        return text


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def _name(draft: Draft, section: DraftSection, *, start: bool = True) -> str:
    """The section as the Draft page labels it: its heading, or "Letter part 2 (fixed text)"."""
    if section.heading:
        return f"'{section.heading}'"
    label = part_label(draft.sections.index(section) + 1, section)
    return label if start else label[0].lower() + label[1:]


def part_label(number: int, section: DraftSection) -> str:
    """The label of the ``number``-th part of a letter: its heading, or "Letter part 2 (fixed
    text)" / "Section 2" when it has none (the Draft page's editors use the same)."""
    if section.heading:
        return section.heading
    return f"Letter part {number} (fixed text)" if section.kind == "fixed" else f"Section {number}"


def _shorten(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "...]"
