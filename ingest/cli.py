"""Command line: index guidance files into a collection, with progress and a summary."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from tqdm import tqdm

from assistant.config import get_settings
from assistant.errors import GuidanceError
from ingest.locking import running_apps
from ingest.pipeline import IngestReport, validate_collection
from ingest.service import ingest_paths

EXIT_OK, EXIT_USAGE, EXIT_STORE = 0, 2, 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ingest",
        description="Index guidance files (PDF, DOCX, HTML, Markdown, text, RTF) into a "
        "collection. Unchanged files cost nothing; use -- before file names that begin with '-'.",
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    parser.add_argument("--store", type=Path, help="index folder (default: settings store_dir)")
    parser.add_argument("--collection", help="collection name (default: the folder's name)")
    parser.add_argument("--sync", action="store_true",
                        help="remove documents under PATH whose files no longer exist")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def default_collection(paths: Sequence[Path], fallback: str) -> str:
    """The first folder's name (or a file's parent folder), made safe; else the fallback."""
    first = paths[0].resolve()
    name = first.name if first.is_dir() else first.parent.name
    safe = re.sub(r"[^A-Za-z0-9_-]", "-", name).strip("-_")[:60]
    return safe or fallback


def _usage_problem(paths: Sequence[Path], collection: str) -> str:
    """What is wrong with the command line itself ('' if nothing): a collection name or a
    path that cannot be used."""
    try:
        validate_collection(collection)
    except GuidanceError as exc:
        return str(exc)
    missing = [str(p) for p in paths if not p.exists()]
    return f"{', '.join(missing)} does not exist. Check the path and try again." if missing \
        else ""


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
        if args.store:
            settings = settings.with_store_dir(args.store)
        collection = args.collection or default_collection(args.paths, settings.default_collection)
        usage = _usage_problem(args.paths, collection)
        if usage:  # before the store is opened or created
            print(f"error: {usage}", file=sys.stderr)
            return EXIT_USAGE
        apps = [] if settings.chroma_host else running_apps(settings.store_dir)
        if apps:
            print(f"error: the Guidance Assistant app (process {', '.join(map(str, apps))}) is "
                  f"using the store at {settings.store_dir}. The embedded store serves one "
                  "process at a time, so indexing from here would leave the app's search broken. "
                  "Add the documents on the app's Admin page, or stop the app and run this "
                  "again, or run Chroma as a server (README: 'A Chroma server and several app "
                  "processes').", file=sys.stderr)
            return EXIT_STORE
        with _progress_bar(args.json) as bar:
            report = ingest_paths(settings, args.paths, collection, sync=args.sync,
                                  progress=_tick(bar))
    except GuidanceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_STORE
    if args.json:
        print(json.dumps(report.as_json()))
    else:
        print(format_summary(report, collection))
    return EXIT_OK


def _progress_bar(quiet: bool) -> tqdm:
    return tqdm(total=0, unit="file", disable=True if quiet else None, file=sys.stderr,
                dynamic_ncols=True)


def _tick(bar: tqdm) -> Callable[[int, int, str], None]:
    def update(done: int, total: int, name: str) -> None:
        bar.total = total
        bar.n = done
        bar.set_postfix_str(name[-40:], refresh=False)
        bar.refresh()

    return update


def format_summary(report: IngestReport, collection: str) -> str:
    """The summary table printed at the end of a run."""
    rows = [("added", report.added), ("updated", report.updated),
            ("unchanged", report.unchanged), ("removed", report.removed),
            ("failed", len(report.failed))]
    lines = [f"Collection '{collection}': {report.seconds:.1f} s, "
             f"{report.embedded} chunks embedded, index now holds {report.documents} documents "
             f"and {report.chunks} chunks."]
    lines += [f"  {label:<10}{count:>6}" for label, count in rows]
    if report.missing:
        lines.append(f"{report.missing} indexed document(s) under these folders have no file any "
                     "more and are still answered from: run again with --sync to remove them.")
    if report.failed:
        lines.append("Failed files (fix or remove them, then run again):")
        lines += [f"  {path}: {reason}" for path, reason in report.failed]
    if report.duplicates:
        lines.append("Files with the same content as another (both are indexed; answers cite "
                     "whichever ranks first: remove one if it is a stray copy):")
        lines += [f"  {path}: same as {other}" for path, other in report.duplicates]
    return "\n".join(lines)
