"""How useful the offline (extractive) answer is, on the dev questions (a figure, not a test).

    python benchmarks/extractive_quality.py --store DIR [--query question|scenario+question]
        [--questions FILE] [--out-of-scope FILE] [--set NAME=VALUE ...] [--json]

Answers every question as the app and CLI do with no language model (hybrid retrieval, sentences
ranked with the embedder), then scores the final text against the question's gold evidence:

- ``evidence_quoted``: of the questions whose evidence appears in the indexed text of their
  document, the share whose answer quotes at least one whole evidence sentence (sentences of 4+
  words, normalised as in ``assistant.eval``);
- ``evidence_in_sources``: the same test against the full text of the sources the answer drew on
  (up to ``MAX_SOURCES`` chunks): the ceiling for sentence selection;
- ``gold_answer_quoted``: of the questions whose short gold answer is not yes/no and appears in
  their document, the share whose answer text contains it ("up to 39 weeks");
- ``words_p50`` / ``words_p90``: length of the quoted text, ``answered``: share not abstained;
- ``answer_ms_p50`` / ``answer_ms_p95``: question to final text (the model is warmed up first).

With ``--out-of-scope FILE`` the same answer path also runs on questions the guidance does not
cover and reports ``out_of_scope.false_answer``: the share answered anyway. Unlike
``assistant.eval``'s figure (the best retrieval score against the threshold), this counts what a
user sees: an answer is also withheld when no sentence of the sources is close enough to quote.

Reported for all questions and for the tuning (even id) and held-out (odd id) halves. ``--set``
overrides a module constant of ``assistant.extractive`` for an experiment (e.g.
``--set MAX_UNITS=3``), or of ``assistant.surroundings`` or ``assistant.passages``
(``MAX_ITEMS``, ``PAGE_GAP``), in every one of them that reads it (``MAX_WORDS``).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import extractive, passages, surroundings  # noqa: E402
from assistant.answering import answer_question  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.eval import EvalQuestion, document_texts, load_questions, normalise  # noqa: E402
from assistant.ports import Retriever  # noqa: E402
from assistant.services import Services, build_services  # noqa: E402
from assistant.types import Chunk, ChunkFilter, ScoredChunk  # noqa: E402

DEV = ROOT.parent / "shared" / "data" / "eval" / "govuk_questions_dev.jsonl"
_SENTENCE = re.compile(r"(?<=[.!?:;])\s+|</?(?:p|li|h\d)[^>]*>")
_YES_NO = {"yes", "no"}


def evidence_sentences(evidences: tuple[str, ...]) -> list[str]:
    """Normalised sentences (4+ words) of the gold evidence passages."""
    out = []
    for passage in evidences:
        for piece in _SENTENCE.split(passage):
            text = normalise(piece or "")
            if len(text.split()) >= 4:
                out.append(text)
    return out


class _Recording:
    """The app's retriever, keeping its last results (the passages an answer drew on)."""

    def __init__(self, retriever: Retriever) -> None:
        self._retriever = retriever
        self.last: list[ScoredChunk] = []

    @property
    def min_relevance(self) -> float:
        return self._retriever.min_relevance

    def retrieve(self, query: str, k: int = 8, where: ChunkFilter | None = None
                 ) -> list[ScoredChunk]:
        self.last = self._retriever.retrieve(query, k, where)
        return self.last

    def spelling_corrections(self, query: str) -> list[tuple[str, str]]:
        return self._retriever.spelling_corrections(query)

    def unknown_words(self, query: str) -> list[str]:
        return self._retriever.unknown_words(query)

    def next_chunk(self, chunk: Chunk) -> Chunk | None:
        return self._retriever.next_chunk(chunk)

    def warm_up(self) -> None:
        self._retriever.warm_up()


def score(services: Services, questions: list[EvalQuestion], answers: dict[str, list[str]],
          mode: str, docs: dict[str, str]) -> dict[str, Any]:
    retriever = _Recording(services.retriever)
    rows = []
    for q in questions:
        started = time.perf_counter()
        stream = answer_question(q.query(mode), [], retriever=retriever, llm=None,
                                 settings=services.settings, embedder=services.embedder)
        for _ in stream:
            pass
        final = stream.final
        ms = (time.perf_counter() - started) * 1000
        quoted = normalise(" ".join(c.quote for c in final.citations))
        drawn_on = extractive.top_sources(retriever.last, retriever.min_relevance)
        sources = normalise(" ".join(s.chunk.text for s in drawn_on)) if final.answered else ""
        doc_text = docs.get(q.relevant_doc or "", "")
        present = [s for s in evidence_sentences(q.evidences) if s in doc_text]
        gold = [normalise(a) for a in answers.get(q.id, [])]
        gold = [a for a in gold if a and a not in _YES_NO and a in doc_text]
        rows.append({
            "tuning": q.tuning, "answered": final.answered, "ms": ms,
            "words": len(quoted.split()) if final.answered else 0,
            "evidence": (any(s in quoted for s in present) if present else None),
            "in_sources": (any(s in sources for s in present) if present else None),
            "gold": (any(a in normalise(final.text) for a in gold) if gold else None),
        })
    return {"all": _summary(rows), "tuning": _summary([r for r in rows if r["tuning"]]),
            "held_out": _summary([r for r in rows if not r["tuning"]])}


def out_of_scope(services: Services, questions: list[EvalQuestion], mode: str
                 ) -> dict[str, Any]:
    """Share of out-of-scope questions the offline answer path answers anyway, and their ids."""
    answered = []
    for q in questions:
        stream = answer_question(q.query(mode), [], retriever=services.retriever, llm=None,
                                 settings=services.settings, embedder=services.embedder)
        for _ in stream:
            pass
        if stream.final.answered:
            answered.append(q.id)
    halves = {"tuning": [q for q in questions if q.tuning],
              "held_out": [q for q in questions if not q.tuning]}
    return {
        "n": len(questions),
        "false_answer": round(len(answered) / max(len(questions), 1), 3),
        **{name: round(sum(q.id in answered for q in half) / max(len(half), 1), 3)
           for name, half in halves.items()},
        "answered_ids": answered,
    }


def _share(values: list[bool | None]) -> dict[str, float | int]:
    counted = [v for v in values if v is not None]
    return {"share": round(sum(counted) / max(len(counted), 1), 3), "n": len(counted)}


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    words = [r["words"] for r in rows if r["answered"]] or [0]
    cuts = statistics.quantiles(words, n=10) if len(words) > 1 else [words[0]] * 9
    ms = [r["ms"] for r in rows] or [0.0]
    ms_cuts = statistics.quantiles(ms, n=20) if len(ms) > 1 else [ms[0]] * 19
    return {
        "n": len(rows), "answered": round(sum(r["answered"] for r in rows) / max(len(rows), 1), 3),
        "evidence_quoted": _share([r["evidence"] for r in rows]),
        "evidence_in_sources": _share([r["in_sources"] for r in rows]),
        "gold_answer_quoted": _share([r["gold"] for r in rows]),
        "words_p50": round(statistics.median(words)), "words_p90": round(cuts[8]),
        "answer_ms_p50": round(statistics.median(ms), 1), "answer_ms_p95": round(ms_cuts[18], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=DEV)
    parser.add_argument("--query", choices=("question", "scenario+question"),
                        default="scenario+question")
    parser.add_argument("--out-of-scope", type=Path, metavar="FILE")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    for item in args.set:
        name, _, value = item.partition("=")
        holders = [m for m in (extractive, surroundings, passages) if hasattr(m, name)]
        if not holders:  # an unknown name fails here, loudly
            parser.error(f"--set {name}: no such constant of the offline answer modules")
        for module in holders:  # set wherever it is read (MAX_WORDS: extractive, surroundings)
            setattr(module, name, type(getattr(holders[0], name))(value))
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    answers = {str(row["id"]): list(row.get("answers") or [])
               for row in (json.loads(line) for line in lines if line.strip())}
    services = build_services(Settings(store_dir=args.store, llm_provider="none"))
    questions = load_questions(args.questions)
    docs = document_texts(services.index.get_chunks())
    services.retriever.warm_up()  # as the app does before its first user
    for _ in answer_question("warm up the model", [], retriever=services.retriever, llm=None,
                             settings=services.settings, embedder=services.embedder):
        pass
    result = {"query": args.query, "set": args.set,
              **score(services, questions, answers, args.query, docs)}
    if args.out_of_scope:
        result["out_of_scope"] = out_of_scope(services, load_questions(args.out_of_scope),
                                              args.query)
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
