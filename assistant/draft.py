"""``python -m assistant.draft``: draft a cited letter from a template and the case facts.

    python -m assistant.draft --template decision-letter --facts case.yaml \\
        --cover "explain why the claim was refused and how to ask for a review" --out letter.docx

Facts come from a JSON or YAML file (field values, plus optional ``notes`` free text and
``letter_date``), from repeated ``--field key=value`` (these win) and ``--facts-text``. The
letter is printed (or written to ``--out`` as .docx or .txt) and the checks and the
machine-drafted notice go to standard error. Exit status: 0 drafted, 1 the model failed part-way
(the partial draft is still printed or written), 2 bad input, 3 the index is missing or empty.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from assistant.config import Settings, get_settings
from assistant.drafting import (
    CaseFacts,
    Draft,
    DraftError,
    draft_letter,
    draft_to_dict,
    prepare_values,
)
from assistant.errors import GuidanceError
from assistant.letter_checks import check_draft
from assistant.letter_export import export_docx, export_text
from assistant.templates import (
    FactsError,
    FieldSpec,
    LetterTemplate,
    check_facts,
    find_template,
    list_templates,
    parse_date,
)

if TYPE_CHECKING:
    from assistant.services import Services

MAX_FACTS_FILE_BYTES = 256 * 1024
EXIT_STORE = 3  # the index is missing or empty, as for ``python -m assistant.ask``


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command-line arguments."""
    parser = argparse.ArgumentParser(prog="python -m assistant.draft", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--template", help="a template name in the templates folder, or a .yaml")
    parser.add_argument("--facts", type=Path, help="case facts as a .json or .yaml file")
    parser.add_argument("--field", action="append", default=[], metavar="KEY=VALUE",
                        help="a field value (repeatable); overrides --facts")
    parser.add_argument("--facts-text", default="", help="free-text case facts")
    parser.add_argument("--cover", default="", help="what the letter must cover")
    parser.add_argument("--letter-date", default="",
                        help="the letter's date, e.g. 2025-03-14 or 14/03/2025 (default today)")
    parser.add_argument("--out", type=Path, help="write the letter to a .docx or .txt file")
    parser.add_argument("--store", type=Path, help="the index folder (default GA_STORE_DIR)")
    parser.add_argument("--templates-dir", type=Path, help="default GA_TEMPLATES_DIR")
    parser.add_argument("--json", action="store_true", help="print the draft and checks as JSON")
    parser.add_argument("--allow-missing", action="store_true",
                        help="draft even if required facts are missing (placeholders remain)")
    parser.add_argument("--list", action="store_true", help="list the templates and their fields")
    parser.add_argument("--without-sources", action="store_true",
                        help="the copy to send: no source numbers and no list of sources")
    return parser.parse_args(argv)


def read_facts(args: argparse.Namespace, template: LetterTemplate | None = None) -> CaseFacts:
    """Case facts from the facts file, --field and --facts-text.

    A list of lines is joined with newlines for ``notes`` and the template's multiline fields
    (an address); any other list, or a mapping, is refused naming the field."""
    data: dict[str, Any] = _read_facts_file(args.facts) if args.facts else {}
    data = {k: None if v in ("", "~", "null", "Null", "NULL") else v for k, v in data.items()}
    multiline = {f.name for f in template.fields if f.type == "multiline"} if template else set()
    fields = {str(k): _fact_text(str(k), v, str(k) in {"notes", *multiline})
              for k, v in data.items()}
    notes = fields.pop("notes", "")
    letter_date = fields.pop("letter_date", "")
    for item in args.field:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise FactsError(f"--field needs KEY=VALUE, not '{item}'.")
        fields[key.strip()] = value
    text = "\n".join(t for t in (notes, args.facts_text) if t)
    written = args.letter_date or letter_date
    when = parse_date(_LETTER_DATE, written) if written else None
    return CaseFacts(fields, text, when)


_LETTER_DATE = FieldSpec(name="letter_date", label="The letter's date", type="date")


def _fact_text(name: str, value: Any, lines_ok: bool) -> str:
    """One value of the facts file as text; a list or a mapping (a Python repr) is refused."""
    if value is None:
        return ""
    if isinstance(value, str | int | float | bool):
        return str(value)
    lines = isinstance(value, list) and all(isinstance(v, str | int | float) for v in value)
    if lines and lines_ok:
        return "\n".join(str(v) for v in value)
    if isinstance(value, list):
        raise FactsError(f"The facts file gives '{name}' as a list: write it as one value (only "
                         "notes and multiline fields, such as an address, can be a list of lines).")
    raise FactsError(f"The facts file gives '{name}' as a mapping of names to values: write it "
                     f"as one value, for example '{name}: the value'.")


class _FactsLoader(yaml.BaseLoader):
    """Every value a string, and no aliases: one anchor repeated 10,000 times in a 130 KB file
    would otherwise expand to hundreds of megabytes of notes."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise FactsError("YAML aliases (*name) are not allowed in a facts file: write each "
                             "value out in full.")
        return super().compose_node(parent, index)


def _read_facts_file(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_FACTS_FILE_BYTES:
            raise FactsError(f"{path} is larger than {MAX_FACTS_FILE_BYTES // 1024} KB.")
        data_bytes = path.read_bytes()
        try:
            raw = data_bytes.decode("utf-8-sig")  # a byte-order mark, as Windows editors save
        except UnicodeDecodeError as exc:
            raise FactsError(
                f"{path} is not saved as UTF-8 (byte {exc.start + 1} is not UTF-8 text; a £ sign "
                "or a curly quote saved by an older Windows editor often is): save it as UTF-8 "
                "and try again.") from None
        # every YAML value as written: "0123456" must not become 42798 (octal), nor "No" False
        data = json.loads(raw) if path.suffix == ".json" else \
            yaml.load(raw, Loader=_FactsLoader)  # noqa: S506 - BaseLoader builds only strings
    except FactsError:
        raise
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise FactsError(f"Could not read the facts file {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise FactsError(f"{path} must hold a mapping of field names to values.")
    return data


def _settings(args: argparse.Namespace) -> Settings:
    updates: dict[str, Any] = {}
    if args.store:
        updates["store_dir"] = args.store
    if args.templates_dir:
        updates["templates_dir"] = args.templates_dir
    return get_settings().model_copy(update=updates)


def list_text(templates_dir: Path) -> str:
    """Each template with its fields (required ones starred)."""
    templates, problems = list_templates(templates_dir)
    lines = []
    for t in templates:
        fields = ", ".join(f"{f.name}{'*' if f.required else ''}" for f in t.fields)
        lines.append(f"{t.name}: {t.title}\n  fields: {fields}")
    return "\n".join(lines + [f"invalid: {p}" for p in problems])


def run(args: argparse.Namespace) -> int:
    """Draft, check and output one letter; returns the exit status."""
    settings = _settings(args)
    if args.list:
        print(list_text(settings.templates_dir))
        return 0
    if not args.template:
        raise FactsError("Give --template NAME (see --list).")
    template = find_template(args.template, settings.templates_dir)
    facts = read_facts(args, template)
    missing = check_facts(template, facts.fields).missing
    if missing and not args.allow_missing:
        labels = "; ".join(f"{template.field(name).label} ({name})" for name in missing)
        raise FactsError(f"Fill in the required facts before drafting: {labels}. Give them in the "
                         "facts file or as --field NAME=VALUE, or draft with --allow-missing to "
                         "leave {placeholders} in the letter.")
    prepare_values(template, facts, args.cover, allow_missing=args.allow_missing)  # fail fast
    services = _open_index(settings)
    if services is None:
        return EXIT_STORE
    try:
        draft = draft_letter(template, facts, args.cover, retriever=services.retriever,
                             llm=services.llm, settings=settings, embedder=services.embedder,
                             allow_missing=args.allow_missing)
        status = 0
    except DraftError as exc:
        draft, status = exc.partial, 1
        print(f"Error: {exc}", file=sys.stderr)
    _output(args, template, draft)
    return status


def _open_index(settings: Settings) -> Services | None:
    """The services, or None (with the reason on standard error) if the index is missing or
    empty: a letter drafted from no guidance would say the guidance covers nothing."""
    from assistant.services import build_services  # the model loads only when needed

    where = settings.store_dir
    # do not create an empty store, nor write index files into a folder that holds none
    if not settings.chroma_host and not (where / "chroma").is_dir():
        print(f"Error: there is no index at {where}. Check --store (or GA_STORE_DIR), or index "
              "guidance first: python -m ingest PATH", file=sys.stderr)
        return None
    services = build_services(settings)
    if services.index.count_chunks() == 0:
        print(f"Error: the index at {where} is empty. Index guidance first: "
              "python -m ingest PATH", file=sys.stderr)
        return None
    return services


def _output(args: argparse.Namespace, template: LetterTemplate, draft: Draft) -> None:
    findings = check_draft(draft, template)
    if args.json:
        payload = {"draft": draft_to_dict(draft), "checks": [f.__dict__ for f in findings]}
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    elif not args.out:
        print(export_text(draft, sources=not args.without_sources))
    if args.out:
        cited = not args.without_sources
        data = export_docx(draft, sources=cited) if args.out.suffix == ".docx" else \
            export_text(draft, sources=cited).encode()
        try:
            args.out.write_bytes(data)
        except OSError as exc:
            raise FactsError(f"Could not write {args.out} ({exc.strerror or exc}): check the "
                             "folder exists and can be written.") from exc
        print(f"Wrote {args.out}", file=sys.stderr)
    print(f"\n{draft.notice}", file=sys.stderr)
    for finding in findings:
        print(f"Check: {finding.message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: clear messages, never a traceback, for the project's own errors."""
    args = parse_args(argv)
    if args.out and args.out.suffix not in (".docx", ".txt"):
        print("Error: --out must end in .docx or .txt.", file=sys.stderr)
        return 2
    try:
        return run(args)
    except GuidanceError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
