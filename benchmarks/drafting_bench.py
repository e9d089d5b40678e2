"""Time a full offline draft of each sample template, and the Word export, on a real index.

    python benchmarks/drafting_bench.py [--repeats 5] [--write docs/drafting.md]

Builds a throwaway index of sample_guidance/guidance (real MiniLM embedder, embedded Chroma,
hybrid retriever) in a temporary store, then for each template in templates/ times
``draft_letter`` (offline: retrieval, extract selection with embeddings, checks excluded) and
``export_docx``. Reports the median and worst of ``--repeats`` runs after one warm-up.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.drafting import CaseFacts, Draft, draft_letter  # noqa: E402
from assistant.letter_checks import check_draft  # noqa: E402
from assistant.letter_export import export_docx  # noqa: E402
from assistant.services import Services, build_services  # noqa: E402
from assistant.templates import LetterTemplate, list_templates  # noqa: E402
from ingest.service import ingest_paths  # noqa: E402

COVER = "explain the outcome and what the customer can do next"
FIELDS = {
    "recipient_name": "Jane Doe", "address": "1 High Street\nLeeds", "postcode": "LS1 4AP",
    "reference": "HSA-2025-004512", "caseworker_name": "Sam Patel",
    "benefit": "Household Support Allowance", "decision_date": "2025-03-14",
    "decision": "We cannot pay you Household Support Allowance.",
    "matter": "your request for a mandatory reconsideration",
    "information_needed": "Your last 3 bank statements.", "reply_by": "2025-04-15",
    "request_type": "complaint", "received_date": "2025-03-20",
    "complaint_date": "2025-03-01", "outcome": "We agree that we took too long.",
    "complaint_summary": "the delay in paying your Housing Costs Top-up",
}


def timed(action: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median and worst seconds over ``repeats`` runs after one warm-up."""
    action()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def time_template(template: LetterTemplate, services: Services, repeats: int) -> str:
    """One table row: offline draft and Word export times for ``template``."""
    fields = {f.name: FIELDS[f.name] for f in template.fields if f.name in FIELDS}
    facts = CaseFacts(fields, "Customer has savings of £20,000.", date(2025, 4, 1))
    letters: list[Draft] = []
    exports: list[bytes] = []

    def draft() -> None:
        letters.append(draft_letter(template, facts, COVER, retriever=services.retriever,
                                    llm=None, settings=services.settings,
                                    embedder=services.embedder))

    d_med, d_max = timed(draft, repeats)
    letter = letters[-1]
    check_draft(letter, template)
    e_med, e_max = timed(lambda: exports.append(export_docx(letter)), repeats)
    return (f"| {template.name} | {d_med:.3f} | {d_max:.3f} | {len(letter.sources)} "
            f"| {e_med:.3f} | {e_max:.3f} | {len(exports[-1]):,} |")


def run(repeats: int) -> list[str]:
    """Build the sample index, time each template; Markdown table rows."""
    with tempfile.TemporaryDirectory() as store:
        settings = Settings(store_dir=Path(store))
        guidance = sorted((settings.sample_guidance_dir / "guidance").iterdir())
        start = time.perf_counter()
        report = ingest_paths(settings, guidance, "guidance")
        rows = [f"Index built: {report.documents} documents, {report.chunks} chunks in "
                f"{time.perf_counter() - start:.1f} s.", ""]
        services = build_services(settings)
        templates, _ = list_templates(settings.templates_dir)
        rows += ["| template | offline draft median (s) | worst (s) | sources | "
                 "Word export median (s) | worst (s) | .docx bytes |",
                 "|---|---|---|---|---|---|---|"]
        rows += [time_template(t, services, repeats) for t in templates]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--write", type=Path, help="also write the figures to this Markdown file")
    args = parser.parse_args()
    rows = run(args.repeats)
    header = (f"Measured {date.today():%d %B %Y} on {platform.machine()}, Python "
              f"{platform.python_version()}, {args.repeats} runs after one warm-up.")
    print(header)
    print("\n".join(rows))
    if args.write:
        write_doc(args.write, header, rows, args.repeats)


def write_doc(path: Path, header: str, rows: list[str], repeats: int) -> None:
    """Replace the figures section of ``path`` (between markers), keeping the rest."""
    start, end = "<!-- drafting-bench:start -->", "<!-- drafting-bench:end -->"
    command = f"python benchmarks/drafting_bench.py --repeats {repeats} --write {path}"
    block = "\n".join([start, f"`{command}`", "", header, "", *rows, end])
    text = path.read_text() if path.exists() else ""
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + ("\n\n" if text else "") + block + "\n"
    path.write_text(text)


if __name__ == "__main__":
    main()
