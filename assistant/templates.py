"""Letter templates: small declarative YAML files that can hold text but never run code.

A template declares its ``fields`` (typed, required or not), and its ``parts`` in letter order:
``fixed`` text (addresses, headers, legal wording, sign-off) and ``section`` entries that are
drafted from the guidance, each with a retrieval ``query`` and drafting ``guidance``. Text may use
``{field}`` placeholders, filled by plain string substitution of declared fields only (plus the
built-ins ``{today}`` and ``{cover}``); ``{{`` and ``}}`` are literal braces. Files are parsed with
a safe loader that also refuses YAML aliases, are size-limited, and any unknown key is rejected.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    model_validator,
)

from assistant.errors import GuidanceError

MAX_TEMPLATE_BYTES = 64 * 1024
MAX_VALUE_CHARS = 300
BUILT_INS = {"today": "today's date", "cover": "what the letter must cover"}
# keys of a facts file (python -m assistant.draft) that are not fields: a field so named is lost
RESERVED_FIELDS = {"notes": "the free-text case facts", "letter_date": "the date of the letter"}
FieldType = Literal["text", "name", "date", "reference", "ni_number", "postcode", "money",
                    "multiline"]
NAME_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
# {{name}} but not {{{name}}} (literal braces around a filled field)
_DOUBLED = re.compile(r"(?<!\{)\{\{\s*([a-z][a-z0-9_]*)\s*\}\}(?!\})")
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
# HMRC's rules: first letter not D, F, I, Q, U or V; second not D, F, I, O, Q, U or V; the
# prefixes BG, GB, KN, NK, NT, TN and ZZ are never issued; the suffix is A, B, C or D
_NI = re.compile(r"^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$")
_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d %b %Y")
Text = Annotated[str, Field(max_length=4000)]
Short = Annotated[str, Field(min_length=1, max_length=200)]


class TemplateError(GuidanceError, ValueError):
    """A template file is unreadable, too large or invalid; the message names the problem."""


class FactsError(GuidanceError, ValueError):
    """The case facts do not fit the template (missing, unknown, invalid or oversize values)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class FieldSpec(_Strict):
    """One fact the letter needs, e.g. the recipient's name or the decision date."""

    name: Annotated[str, Field(pattern=NAME_PATTERN)]
    label: Short
    type: FieldType = "text"
    required: bool = True
    help: Annotated[str, Field(max_length=300)] = ""
    max_length: Annotated[int, Field(ge=1, le=2000)] = MAX_VALUE_CHARS
    # a date field's place in time against the letter's date: "past" (the decision, the
    # complaint), "future" (reply by); the checks flag a value on the wrong side
    when: Literal["past", "future"] | None = None

    @model_validator(mode="after")
    def _when_only_for_dates(self) -> FieldSpec:
        if self.when is not None and self.type != "date":
            raise ValueError(f"'when' is for date fields; {self.name} is a {self.type} field")
        return self


class SectionSpec(_Strict):
    """A part of the letter drafted from the guidance."""

    id: Annotated[str, Field(pattern=NAME_PATTERN)]
    heading: Annotated[str, Field(max_length=200)] = ""
    query: Annotated[str, Field(min_length=3, max_length=500)]
    guidance: Annotated[str, Field(min_length=3, max_length=1500)]


class FixedPart(_Strict):
    """Text copied into the letter as written, with its placeholders filled."""

    fixed: Text
    heading: Annotated[str, Field(max_length=200)] = ""


class SectionPart(_Strict):
    """A drafted section, in its place in the letter."""

    section: SectionSpec


def _part_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        keys = set(value)
    elif isinstance(value, FixedPart | SectionPart):
        keys = set(value.__dict__)
    else:  # "hello", 5, null, a list: not a part at all (validation names the part)
        return None
    return "section" if "section" in keys else "fixed" if "fixed" in keys else None


Part = Annotated[
    Annotated[FixedPart, Tag("fixed")] | Annotated[SectionPart, Tag("section")],
    Discriminator(
        _part_kind,
        custom_error_type="part_kind",
        custom_error_message="each part must be either 'fixed: <text>' or 'section: {...}'",
    ),
]


class LetterTemplate(_Strict):
    """A validated letter template."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,59}$")]
    title: Short
    description: Annotated[str, Field(max_length=1000)] = ""
    fields: Annotated[list[FieldSpec], Field(max_length=40)]
    parts: Annotated[list[Part], Field(min_length=1, max_length=60)]

    @model_validator(mode="after")
    def _check_names(self) -> LetterTemplate:
        _check_unique("field", [f.name for f in self.fields])
        _check_unique("section", [s.id for s in self.sections])
        for section in self.sections:  # fixed parts are given the ids fixed_1, fixed_2, ...
            if re.fullmatch(r"fixed_\d+", section.id):
                raise ValueError(f"section id '{section.id}' is reserved for the fixed parts; "
                                 "choose another id")
        for name in (f.name for f in self.fields):
            if name in BUILT_INS:
                raise ValueError(f"field name '{name}' is reserved for {BUILT_INS[name]}")
            if name in RESERVED_FIELDS:
                raise ValueError(f"field name '{name}' is reserved for {RESERVED_FIELDS[name]} "
                                 "in a facts file; choose another name")
        known = {f.name for f in self.fields} | set(BUILT_INS)
        greetings = {greeting_field(f.name) for f in self.fields if f.type == "name"}
        if greetings & known:
            raise ValueError(f"field name '{sorted(greetings & known)[0]}' is reserved for the "
                             "greeting of a name field; choose another name")
        known |= greetings
        for where, text in self.texts():
            for doubled in _DOUBLED.finditer(text):  # a Jinja / mail-merge habit
                if doubled.group(1) not in known:
                    continue
                raise ValueError(
                    f"{where} has {doubled.group(0)}, which would print as the literal text "
                    f"{{{doubled.group(1)}}}: write {{{doubled.group(1)}}} with single braces "
                    "to fill in the field ({{ and }} are literal braces)"
                )
            for placeholder in placeholders(text):
                if placeholder not in known:
                    raise ValueError(
                        f"{where} uses the placeholder {{{placeholder}}}, which is not a declared "
                        f"field (declared: {', '.join(sorted(known))})"
                    )
        if not self.sections:
            raise ValueError("the template has no section to draft")
        return self

    @property
    def sections(self) -> list[SectionSpec]:
        """The drafted sections, in letter order."""
        return [p.section for p in self.parts if isinstance(p, SectionPart)]

    def field(self, name: str) -> FieldSpec:
        """The declared field ``name``."""
        return next(f for f in self.fields if f.name == name)

    def texts(self) -> list[tuple[str, str]]:
        """(where, text) for every text that may hold placeholders."""
        out: list[tuple[str, str]] = []
        for i, part in enumerate(self.parts, start=1):
            if isinstance(part, FixedPart):
                out += [(f"part {i} (fixed text)", part.fixed), (f"part {i} heading", part.heading)]
            else:
                s = part.section
                out += [(f"section '{s.id}' {k}", v) for k, v in
                        (("heading", s.heading), ("query", s.query), ("guidance", s.guidance))]
        return out


def _check_unique(kind: str, names: list[str]) -> None:
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{kind} names must be unique; repeated: {', '.join(duplicates)}")


def placeholders(text: str) -> list[str]:
    """The field names used as ``{name}`` in ``text``; a malformed placeholder raises."""
    found: list[str] = []
    for match in _PLACEHOLDER.finditer(text):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None or not re.fullmatch(r"[a-z][a-z0-9_]*", name.strip()):
            raise ValueError(
                f"'{token}' is not a placeholder: use {{field_name}} with a declared field, "
                "or {{ and }} for literal braces"
            )
        found.append(name.strip())
    return found


def fill(text: str, values: Mapping[str, str], missing: str = "keep") -> str:
    """Substitute ``{name}`` with ``values[name]``: plain replacement, never evaluation.

    A name without a value is kept as ``{name}`` (``missing="keep"``) so checks can flag it, or
    replaced with nothing (``missing="blank"``).
    """

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = (match.group(1) or "").strip()
        if name in values:
            return values[name]
        return "" if missing == "blank" else token

    return _PLACEHOLDER.sub(replace, text)


class _NoAliasLoader(yaml.SafeLoader):
    """A safe loader that also refuses aliases (no 'billion laughs' expansion)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise TemplateError("YAML aliases (*name) are not allowed in letter templates.")
        return super().compose_node(parent, index)


def parse_template(text: str, source: str = "template") -> LetterTemplate:
    """Validate a template's YAML text; raise ``TemplateError`` naming the first problem."""
    if len(text.encode()) > MAX_TEMPLATE_BYTES:
        raise TemplateError(
            f"{source} is larger than {MAX_TEMPLATE_BYTES // 1024} KB; templates must be small."
        )
    try:
        data = yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise TemplateError(f"{source} is not valid YAML: {_yaml_problem(exc)}") from exc
    if not isinstance(data, dict):
        raise TemplateError(f"{source} must be a YAML mapping with name, title, fields, parts.")
    try:
        return LetterTemplate.model_validate(data)
    except ValidationError as exc:
        raise TemplateError(f"{source} is not a valid letter template: {_describe(exc)}") from exc


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """'found an unexpected ':' at line 3, column 8: check the quotes and indentation there',
    not the parser's own multi-line report."""
    problem = getattr(exc, "problem", None) or "it could not be read"
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"{problem}{where}. Check the quotes and indentation there."


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors()[:5]:
        loc = [str(p) for p in error["loc"]]
        where = ".".join(p for i, p in enumerate(loc) if i == 0 or p != loc[i - 1])
        message = str(error["msg"]).removeprefix("Value error, ")
        problems.append(f"{where}: {message}" if where else message)
    return "; ".join(problems)


def load_template(path: Path) -> LetterTemplate:
    """Read and validate the template file at ``path``."""
    try:
        size = path.stat().st_size
        if size > MAX_TEMPLATE_BYTES:
            raise TemplateError(f"{path.name} is larger than {MAX_TEMPLATE_BYTES // 1024} KB.")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"Could not read the template {path.name}: {exc}") from exc
    template = parse_template(text, path.name)
    if template.name != path.stem:
        raise TemplateError(f"{path.name} declares name '{template.name}'; it must be {path.stem}.")
    return template


def list_templates(templates_dir: Path) -> tuple[list[LetterTemplate], list[str]]:
    """Every valid template in ``templates_dir`` by name, and a message for each invalid one."""
    found: list[LetterTemplate] = []
    problems: list[str] = []
    for path in sorted(templates_dir.glob("*.yaml")):
        try:
            found.append(load_template(path))
        except TemplateError as exc:
            problems.append(str(exc))
    return found, problems


def find_template(name_or_path: str, templates_dir: Path) -> LetterTemplate:
    """The template called ``name_or_path`` in ``templates_dir``, or the file at that path."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return load_template(path)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,59}", name_or_path):
        raise TemplateError(f"'{name_or_path}' is neither a template name nor a .yaml file.")
    candidate = templates_dir / f"{name_or_path}.yaml"
    if not candidate.is_file():
        names, _ = list_templates(templates_dir)
        listed = ", ".join(t.name for t in names) or "none"
        raise TemplateError(f"There is no template '{name_or_path}'. Templates: {listed}.")
    return load_template(candidate)


def save_template(text: str, templates_dir: Path, *, replace: bool = False) -> LetterTemplate:
    """Validate an uploaded template and write it as ``<name>.yaml`` (atomically)."""
    template = parse_template(text, "The uploaded template")
    target = templates_dir / f"{template.name}.yaml"
    if target.exists() and not replace:
        raise TemplateError(f"A template called '{template.name}' already exists.")
    templates_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=templates_dir, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, target)
    return template


@dataclass(frozen=True)
class FilledFacts:
    """Field values checked against the template and formatted for the letter."""

    values: dict[str, str]
    missing: list[str]


def check_facts(template: LetterTemplate, fields: Mapping[str, str]) -> FilledFacts:
    """Check and format ``fields`` for ``template``; unknown or invalid values raise."""
    unknown = sorted(set(fields) - {f.name for f in template.fields})
    if unknown:
        declared = ", ".join(f.name for f in template.fields)
        raise FactsError(
            f"The template '{template.name}' has no field {', '.join(unknown)}. "
            f"Its fields are: {declared}."
        )
    values: dict[str, str] = {}
    missing: list[str] = []
    for spec in template.fields:
        raw = (fields.get(spec.name) or "").strip()
        if not raw:
            if spec.required:
                missing.append(spec.name)
            continue
        values[spec.name] = format_value(spec, raw)
        if spec.type == "name":
            values[greeting_field(spec.name)] = greeting(values[spec.name])
    return FilledFacts(values, missing)


def greeting_field(name: str) -> str:
    """The placeholder that greets the person a name field names: ``{recipient_name_greeting}``."""
    return f"{name}_greeting"


_TITLES = frozenset(["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "rev", "revd",
                     "reverend"])
_FIRST_NAME_TITLES = frozenset(["sir", "dame", "lord", "lady"])
_PARTICLES = frozenset(["de", "la", "le", "du", "da", "di", "del", "della", "van", "von", "der",
                        "den", "ter", "ten", "bin", "al", "el", "ap", "mac", "st"])
_SUFFIXES = frozenset(["jr", "jnr", "junior", "sr", "snr", "senior", "ii", "iii", "iv", "esq",
                       "phd", "msc", "ma", "ba", "bsc", "mbchb", "md", "llb", "qc", "kc", "mp"])
# a surname: letters, with apostrophes and hyphens between them ("O'Neill", "Smith-Jones"); not
# "Smith," or "(deceased)" (degrees such as "MBChB" or "PhD" are in _SUFFIXES)
_SURNAME = re.compile(r"^[^\W\d_]+(?:['’-][^\W\d_]+)*$")


def greeting(name: str) -> str:
    """How a letter greets ``name``: a title and the surname ("Dr Siân Evans" -> "Dr Evans",
    "Ms Ana de la Cruz" -> "Ms de la Cruz", "Sir John Smith" -> "Sir John"), or the name as
    given when it has no title or its surname is not clear."""
    # what follows a comma or sits in brackets is no part of the name ("John Smith, Director",
    # "(deceased)"); nor are suffixes and letters after it ("Jr", "OBE")
    core = re.sub(r"\([^)]{0,80}\)", " ", name.split(",")[0])
    words = core.split()
    if any(w.lower() in ("and", "&") for w in words):  # "Mr and Mrs Smith": as given
        return " ".join(words)
    while len(words) > 1 and (words[-1].rstrip(".").lower() in _SUFFIXES
                              or (words[-1].isupper() and len(words[-1]) > 1)
                              or not _SURNAME.match(words[-1].rstrip("."))):
        words = words[:-1]
    title = words[0].rstrip(".").lower() if words else ""
    if len(words) >= 3 and title in _TITLES:
        surname = [words[-1].rstrip(".")]
        for word in reversed(words[1:-1]):  # "de la Cruz", "van Beethoven"
            if word.lower() not in _PARTICLES:
                break
            surname.insert(0, word)
        return " ".join([words[0], *surname])
    if len(words) >= 3 and title in _FIRST_NAME_TITLES:
        return f"{words[0]} {words[1]}"
    return " ".join(name.split())


def format_value(spec: FieldSpec, raw: str) -> str:
    """``raw`` validated and written in GOV.UK style for a field of ``spec.type``."""
    if len(raw) > spec.max_length:
        raise FactsError(
            f"{spec.label} is {len(raw)} characters long; the limit is {spec.max_length}."
        )
    compact = raw.upper().replace(" ", "")
    if spec.type == "date":
        return format_date(parse_date(spec, raw))
    if spec.type == "ni_number":
        if not _NI.match(compact):
            raise FactsError(f"{spec.label} '{raw}' is not a National Insurance number.")
        return f"{compact[:2]} {compact[2:4]} {compact[4:6]} {compact[6:8]} {compact[8]}"
    if spec.type == "postcode":
        if not _POSTCODE.match(raw.upper().strip()):
            raise FactsError(f"{spec.label} '{raw}' is not a UK postcode.")
        return f"{compact[:-3]} {compact[-3:]}"
    if spec.type == "money":
        return _format_money(spec, raw)
    return raw if spec.type == "multiline" else " ".join(raw.split())


def parse_date(spec: FieldSpec, raw: str) -> date:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(raw.strip(), pattern).date()
        except ValueError:
            continue
    raise FactsError(
        f"{spec.label} '{raw}' is not a date: write it like 2025-03-14 or 14 March 2025."
    )


def format_date(day: date) -> str:
    """GOV.UK style: '14 March 2025'."""
    return f"{day.day} {day:%B %Y}"


def _format_money(spec: FieldSpec, raw: str) -> str:
    cleaned = raw.replace("£", "").strip()
    if not re.fullmatch(r"\d{1,3}(,\d{3})*(\.\d{1,2})?|\d+(\.\d{1,2})?", cleaned):
        # not nan, inf, -50, 1e9 or "1,25": a sum of money written as people write it
        raise FactsError(f"{spec.label} '{raw}' is not an amount of money (write it like "
                         "£1,250 or 1250.50).")
    amount = float(cleaned.replace(",", ""))
    return f"£{amount:,.0f}" if amount.is_integer() else f"£{amount:,.2f}"
