"""Ingestion benchmark: `python -m ingest.bench [--data DIR] [--quick N] [--skip-textbook]`.

`--skip-full` runs only the textbook side by side.

Prints, for a fresh store and a cold embedding cache: documents, pages, chunks, parse and embed
seconds, total seconds and total / embedding-only time for the same chunks; then a second run with
nothing changed, a run after changing one document, peak memory, and the textbook recipe side by
side with ours on govuk_html_examples/ + directgov_2012/.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.adapters.embedders import MiniLMEmbedder
from assistant.config import Settings
from ingest.service import ingest_paths

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "guidance"
TEXTBOOK_FOLDERS = ("govuk_html_examples", "directgov_2012")


def _settings(store: Path) -> Settings:
    return Settings(store_dir=store)


def _copy_subset(data: Path, target: Path, quick: int, folders: Sequence[str] | None) -> Path:
    """Copy the data (or the first ``quick`` files of each folder) so one file can be changed."""
    for folder in sorted(p for p in data.iterdir() if p.is_dir()):
        if folders and folder.name not in folders:
            continue
        files = sorted(p for p in folder.iterdir() if p.is_file())
        for path in files[:quick] if quick else files:
            (target / folder.name).mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / folder.name / path.name)
    return target


def _peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def run_ours(data: Path, store: Path) -> dict[str, Any]:
    """Cold run, embedding-only time for the same chunks, unchanged rerun, one changed doc."""
    settings = _settings(store)
    report = ingest_paths(settings, [data], "guidance")
    from assistant.services import build_index

    embedder = MiniLMEmbedder()
    texts = sorted({c.embedding_text for c in build_index(settings, embedder).get_chunks()})
    started = time.perf_counter()
    embedder.embed(texts)
    embed_only = time.perf_counter() - started
    again = ingest_paths(settings, [data], "guidance")
    changed = _change_one(data)
    after = ingest_paths(settings, [data], "guidance")
    return {
        "documents": report.documents, "pages": report.pages, "chunks": report.chunks,
        "failed": len(report.failed), "parse_wait_s": round(report.parse_wait_seconds, 1),
        "embed_s": round(report.embed_seconds, 1), "total_s": round(report.seconds, 1),
        "embedding_only_s": round(embed_only, 1), "unique_chunks": len(texts),
        "chunks_per_s_embedding_only": round(len(texts) / embed_only, 1),
        "ratio_total_to_embedding_only": round(report.seconds / embed_only, 3),
        "unchanged_rerun_s": round(again.seconds, 2), "unchanged_rerun_embedded": again.embedded,
        "changed_doc": changed, "changed_rerun_updated": after.updated,
        "changed_rerun_embedded": after.embedded, "changed_rerun_s": round(after.seconds, 2),
    }


def _change_one(data: Path) -> str:
    """Append a paragraph to one Markdown document (its other chunks must come from the cache)."""
    target = sorted(data.rglob("*.md"))[0]
    with target.open("a", encoding="utf-8") as handle:
        handle.write("\n\nBenchmark note: a paragraph added to test incremental reindexing.\n")
    return target.name


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest.bench", description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--quick", type=int, default=0, help="only the first N files per folder")
    skip = parser.add_mutually_exclusive_group()
    skip.add_argument("--skip-textbook", action="store_true", help="only our pipeline")
    skip.add_argument("--skip-full", action="store_true",
                      help="only the textbook side by side (on its two folders)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="ga-bench-") as tmp:
        root = Path(tmp)
        if not args.skip_full:
            data = _copy_subset(args.data, root / "data", args.quick, None)
            results["ours_full"] = run_ours(data, root / "store-full")
            results["peak_rss_mb_main"], results["peak_rss_mb_workers"] = map(round, _peak_mb())
        if not args.skip_textbook:
            from ingest.textbook import compare_with_textbook

            side = _copy_subset(args.data, root / "side", args.quick, TEXTBOOK_FOLDERS)
            results["side_by_side"] = compare_with_textbook(side, root / "side-stores")
    print(json.dumps(results, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
