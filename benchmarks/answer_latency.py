"""Offline answer latency, question to final text, on a real index (a figure, not a test).

    python benchmarks/answer_latency.py --store DIR [--questions FILE] [--json]

Builds the real services (MiniLM, Chroma, hybrid retrieval) from the store, warms them up, then
answers every dev question in extractive mode twice: as the app and CLI do (sentences ranked with
the embedder too) and lexically only. Prints p50/p95 in milliseconds and the share answered.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answering import answer_question  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.services import Services, build_services  # noqa: E402

DEV = ROOT.parent / "shared" / "data" / "eval" / "govuk_questions_dev.jsonl"


def time_answers(services: Services, questions: list[str], ranked: bool) -> tuple[list[float], int]:
    times, answered = [], 0
    for question in questions:
        started = time.perf_counter()
        stream = answer_question(question, [], retriever=services.retriever, llm=None,
                                 settings=services.settings,
                                 embedder=services.embedder if ranked else None)
        for _ in stream:
            pass
        times.append(time.perf_counter() - started)
        answered += stream.final.answered
    return times, answered


def summary(times: list[float], answered: int) -> dict[str, float]:
    cuts = statistics.quantiles(times, n=100) if len(times) > 1 else times * 99
    return {"p50_ms": round(cuts[49] * 1000, 1), "p95_ms": round(cuts[94] * 1000, 1),
            "answered_share": round(answered / len(times), 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=DEV)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    services = build_services(Settings(store_dir=args.store, llm_provider="none"))
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    time_answers(services, questions[:3], ranked=True)  # load the model and the BM25 snapshot
    result = {"questions": len(questions),
              "with_embedder": summary(*time_answers(services, questions, ranked=True)),
              "lexical_only": summary(*time_answers(services, questions, ranked=False))}
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
