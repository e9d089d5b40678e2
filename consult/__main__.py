"""``python -m consult FILE --id COLUMN --question COLUMN [...]``: theme a consultation offline."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from assistant.errors import GuidanceError
from assistant.ports import ChatModel, Embedder
from consult.analysis import QuestionResult, analyse_question
from consult.embedding import Progress
from consult.errors import ConsultError
from consult.export import export_csv, export_xlsx, mapping_rows
from consult.importing import load_consultation, repeated_id_warning
from consult.language import language_warning
from consult.report import bar_chart, positions_line, quote_line, summarise
from consult.review import result_to_json
from consult.themes import Framework, load_framework


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m consult", description=__doc__)
    parser.add_argument("file", type=Path, help="CSV or XLSX file, or a Themefinder JSONL folder")
    parser.add_argument("--id", dest="id_column", help="the respondent-id column")
    parser.add_argument("--question", action="append", default=[], help="a question column")
    parser.add_argument("--sheet", help="the worksheet of an XLSX file (default: the first)")
    parser.add_argument(
        "--themes",
        type=Path,
        action="append",
        default=[],
        help="a theme framework JSON to map onto: once for every question, or once per question",
    )
    parser.add_argument("--out", type=Path, help="write results to .xlsx, or .csv (two files)")
    parser.add_argument("--themes-count", type=int, help="how many themes to discover")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument(
        "--offline", action="store_true", help="do not use a configured language model"
    )
    return parser


def main(
    argv: Sequence[str] | None = None,
    embedder: Embedder | None = None,
    llm: ChatModel | None = None,
) -> int:
    """Run the CLI; returns the exit code (2 for a problem with the input or settings).

    Without ``embedder`` the configured services are built from settings (offline MiniLM by
    default, plus the language model when one is configured and ``--offline`` is not given).
    """
    args = _parser().parse_args(argv)
    try:
        if embedder is None:
            embedder, llm = _services(args.offline)
        results = _run(args, embedder, llm)
    except GuidanceError as exc:
        print(f"consult: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([result_to_json(r) for r in results], ensure_ascii=False, indent=1))
    else:
        _print(results)
    return 0


def _services(offline: bool) -> tuple[Embedder, ChatModel | None]:
    from assistant.config import get_settings
    from assistant.services import build_chat_model, build_embedder

    settings = get_settings()
    return build_embedder(settings), None if offline else build_chat_model(settings)


def _run(
    args: argparse.Namespace, embedder: Embedder, llm: ChatModel | None
) -> list[QuestionResult]:
    consultation = load_consultation(args.file, args.id_column, args.question, args.sheet)
    for warning in (repeated_id_warning(consultation), language_warning(consultation)):
        if warning is not None:
            print(f"consult: warning: {warning}", file=sys.stderr)
    frameworks = _frameworks(args.themes, len(consultation.questions))
    results = []
    for question, framework in zip(consultation.questions, frameworks, strict=True):
        with _progress(question.question_id, quiet=args.json) as progress:
            results.append(
                analyse_question(
                    question,
                    embedder,
                    framework=framework,
                    llm=llm,
                    k=args.themes_count,
                    progress=progress,
                )
            )
    if args.out:
        _export(results, args.out)
    return results


def _frameworks(paths: list[Path], questions: int) -> list[Framework | None]:
    if len(paths) not in (0, 1, questions):
        raise ConsultError(
            f"Give --themes once (for every question) or once per question ({questions}), "
            f"not {len(paths)} times."
        )
    loaded: list[Framework | None] = [load_framework(p) for p in paths]
    return loaded * questions if len(loaded) == 1 else loaded or [None] * questions


def _export(results: list[QuestionResult], out: Path) -> None:
    if out.suffix.lower() == ".csv":
        paths = export_csv(results, out)
        print(f"Wrote {paths[0]} and {paths[1]}", file=sys.stderr)
    else:
        export_xlsx(results, out.with_suffix(".xlsx"))
        print(f"Wrote {out.with_suffix('.xlsx')}", file=sys.stderr)


class _progress:
    """A tqdm bar on stderr while embedding one question's responses."""

    def __init__(self, name: str, quiet: bool) -> None:
        self.name, self.quiet = name, quiet
        self.bar: object | None = None

    def __enter__(self) -> Progress:
        from tqdm import tqdm

        bar = tqdm(desc=f"Embedding {self.name}", unit="text", file=sys.stderr, disable=None)
        self.bar = bar

        def update(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        return update

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()  # type: ignore[attr-defined]


def _print(results: list[QuestionResult]) -> None:
    for result in results:
        print(f"\n{result.question.question_id}: {result.question.text}")
        print("Counts: " + ", ".join(f"{k} {v}" for k, v in result.question.counts().items()))
        print(positions_line(result))
        rows = summarise(result)
        print(bar_chart(rows))
        for row in rows:
            print(f"\n[{row.theme.theme_id}] {row.theme.label}: {row.theme.description}")
            print("  by position: " + ", ".join(f"{k} {v}" for k, v in row.by_position.items()))
            for rid in row.quotes:
                print(f"  - {quote_line(result, rid, 200)!r}")
    print(f"\n{len(mapping_rows(results))} response rows in all.")


if __name__ == "__main__":
    from assistant import cli

    cli.run(main)
