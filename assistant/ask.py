"""`python -m assistant.ask "QUESTION" [--store DIR] [--collection C] [--doc-type T] [--json]`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.answering import answer_question, spelling_note
from assistant.config import get_settings
from assistant.errors import GuidanceError, ModelError
from assistant.services import build_services
from assistant.types import Answer, ChunkFilter, Citation, DocumentRecord

EXIT_OK, EXIT_MODEL, EXIT_USAGE, EXIT_STORE = 0, 1, 2, 3


def citation_json(citation: Citation) -> dict[str, Any]:
    """A citation as the --json output spells it (page as a number when it is one)."""
    page: int | str | None = citation.page or None
    if isinstance(page, str) and page.isdigit():
        page = int(page)
    return {"n": citation.n, "title": citation.title, "source": citation.source,
            "section": citation.section, "page": page, "url": citation.url,
            "updated": citation.updated, "quote": citation.quote}


def answer_json(answer: Answer) -> dict[str, Any]:
    """The --json object (``closest``: the closest documents of a "not covered" answer)."""
    return {"answer": answer.text, "mode": answer.mode, "answered": answer.answered,
            "citations": [citation_json(c) for c in answer.citations],
            "closest": [citation_json(c) for c in answer.closest],
            "spelling": [{"typed": typed, "searched": fix} for typed, fix in answer.spelling],
            "warnings": list(answer.warnings)}


def format_sources(answer: Answer) -> str:
    """The sources under a printed answer. A "not covered" answer lists its closest documents
    in its own text; here it gets what they say, labelled as no answer (as the app folds it
    under the answer): when the search fell just short, the sentence is there to read (a tax
    adviser's review found three refused questions whose answer was the closest quote, seen
    only in the JSON)."""
    listed = answer.citations if answer.answered else []
    near = [] if answer.answered else [c for c in answer.closest if c.quote]
    if not listed and not near and not answer.warnings and not answer.spelling:
        return ""
    lines = ["", ""]
    if answer.spelling:
        lines.append(spelling_note(answer.spelling))
    if listed:
        lines.append("Sources:")
    for c in listed:
        lines.append(f"[{c.n}] {c.title}" + (f" ({_where(c)})" if _where(c) else "")
                     + f" - {c.url or c.source}" + (f", updated {c.updated}" if c.updated else ""))
    if near:
        lines.append("What the closest documents say (not an answer to your question: read "
                     "them as leads, not as guidance on it):")
    for c in near:
        lines.append(f"- {c.title}" + (f" ({_where(c)})" if _where(c) else "")
                     + f": \"{' '.join(c.quote.split())}\"")
    lines += [f"Warning: {w}" for w in answer.warnings]
    return "\n".join(lines)


def _where(citation: Citation) -> str:
    """"Notice, page 3": a citation's section and page, as far as known."""
    page = f"page {citation.page}" if citation.page else ""
    return ", ".join(x for x in (citation.section, page) if x)


def unknown_filters(documents: Sequence[DocumentRecord], collections: Sequence[str] | None,
                    doc_types: Sequence[str] | None) -> str:
    """What is wrong with a ``--collection`` or ``--doc-type`` no indexed document has (a typo
    would otherwise search nothing and answer "not covered"); "" when all are known."""
    problems = []
    # what can be searched: a file that failed on its first indexing has a record with no type
    ok = [d for d in documents if d.status == "ok" or d.chunks > 0]
    for flag, asked, known in (
            ("--collection", collections or (), {d.collection for d in ok if d.collection}),
            ("--doc-type", doc_types or (), {d.doc_type for d in ok if d.doc_type})):
        problems += [f"no indexed document has {flag} {name!r}; the index has "
                     + (", ".join(sorted(known)) or "none") for name in asked if name not in known]
    return "; ".join(problems)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant.ask",
                                     description="Answer a question from the indexed guidance.")
    parser.add_argument("question")
    parser.add_argument("--store", type=Path, help="index folder (default: settings store_dir)")
    parser.add_argument("--collection", action="append", help="search only this collection")
    parser.add_argument("--doc-type", action="append", help="search only this type (pdf, html...)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not args.question.strip():
        print("error: the question is empty", file=sys.stderr)
        return EXIT_USAGE
    try:
        settings = get_settings()
        if args.store:
            settings = settings.with_store_dir(args.store)
        services = build_services(settings)
        if services.index.count_chunks() == 0:
            print(f"error: the index at {settings.store_dir} is empty. Index guidance first: "
                  "python -m ingest PATH", file=sys.stderr)
            return EXIT_STORE
        where = None
        if args.collection or args.doc_type:
            unknown = unknown_filters(services.index.get_documents(), args.collection,
                                      args.doc_type)
            if unknown:
                print(f"error: {unknown}", file=sys.stderr)
                return EXIT_USAGE
            where = ChunkFilter(collections=tuple(args.collection) if args.collection else None,
                                doc_types=tuple(args.doc_type) if args.doc_type else None)
        stream = answer_question(args.question, [], retriever=services.retriever,
                                 llm=services.llm, where=where, settings=settings,
                                 embedder=services.embedder)
        for piece in stream:
            if not args.json:
                print(piece, end="", flush=True)
        answer = stream.final
    except ModelError as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return EXIT_MODEL
    except GuidanceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_STORE
    if args.json:
        print(json.dumps(answer_json(answer), ensure_ascii=False))
    else:
        print(format_sources(answer))
    return EXIT_OK


if __name__ == "__main__":
    from assistant import cli

    cli.run(main)
