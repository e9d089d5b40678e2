"""Retrieval evaluation: ``python -m assistant.eval QUESTIONS.jsonl [--store DIR] ...``.

Reads questions in the format of ``govuk_questions_dev.jsonl`` (``relevant_doc`` is the source
file name) and prints document-level hit@1, hit@5, MRR, evidence recall@5 and retrieval latency
p50/p95, for all questions and for the tuning (even id) and held-out (odd id) halves.
``--out-of-scope FILE`` adds false-abstain / false-answer rates, ``--fit`` refits the relevance
calibration on the tuning halves, ``--baseline`` also runs the textbook recipe.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from assistant.types import Chunk, ScoredChunk

QueryMode = Literal["question", "scenario+question"]
DOC_DEPTH = 20  # chunks retrieved per question to rank documents
EVIDENCE_DEPTH = 5
_TAG = re.compile(r"<[^>]+>")
_NON_WORD = re.compile(r"[\W_]+")


class _Retrieves(Protocol):
    @property
    def min_relevance(self) -> float: ...

    def retrieve(self, query: str, k: int = 8) -> list[ScoredChunk]: ...

    def warm_up(self) -> None: ...


@dataclass(frozen=True)
class EvalQuestion:
    """One evaluation question; ``relevant_doc`` is None for out-of-scope questions."""

    id: str
    question: str
    scenario: str = ""
    relevant_doc: str | None = None
    evidences: tuple[str, ...] = ()

    def query(self, mode: QueryMode) -> str:
        """The text sent to the retriever."""
        if mode == "scenario+question" and self.scenario:
            return f"{self.scenario} {self.question}"
        return self.question

    @property
    def tuning(self) -> bool:
        """Questions with an even number in their id form the tuning half."""
        digits = re.findall(r"\d+", self.id)
        return bool(digits) and int(digits[-1]) % 2 == 0


def load_questions(path: Path) -> list[EvalQuestion]:
    """Questions from a JSON-lines file (blank lines skipped)."""
    out: list[EvalQuestion] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out.append(EvalQuestion(str(row["id"]), row["question"], row.get("scenario") or "",
                                    row.get("relevant_doc"), tuple(row.get("evidences") or ())))
    return out


def normalise(text: str) -> str:
    """HTML stripped, lower-cased, punctuation and whitespace collapsed to single spaces."""
    return " ".join(_NON_WORD.sub(" ", html.unescape(_TAG.sub(" ", text)).lower()).split())


def doc_name(chunk: Chunk) -> str:
    """The source file name a question's ``relevant_doc`` is matched against."""
    return chunk.source.rsplit("/", 1)[-1]


def ranked_docs(results: Sequence[ScoredChunk]) -> list[str]:
    """Distinct document names in order of first appearance."""
    return list(dict.fromkeys(doc_name(s.chunk) for s in results))


def document_texts(chunks: Sequence[Chunk]) -> dict[str, str]:
    """Normalised text of each document (its chunks in order), keyed by file name."""
    parts: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        parts.setdefault(doc_name(chunk), []).append(chunk)
    return {name: normalise(" ".join(c.text for c in sorted(cs, key=lambda c: c.position)))
            for name, cs in parts.items()}


@dataclass
class _Tally:
    n: int = 0
    hit1: int = 0
    hit5: int = 0
    rr: float = 0.0
    evidence_n: int = 0
    evidence_hit: int = 0
    abstained: int = 0

    def as_json(self) -> dict[str, Any]:
        n = max(self.n, 1)
        return {"n": self.n, "hit@1": round(self.hit1 / n, 3), "hit@5": round(self.hit5 / n, 3),
                "mrr": round(self.rr / n, 3),
                "evidence_recall@5": round(self.evidence_hit / max(self.evidence_n, 1), 3),
                "evidence_counted": self.evidence_n,
                "false_abstain": round(self.abstained / n, 3)}


def _score_one(tally: _Tally, q: EvalQuestion, results: list[ScoredChunk],
               docs: dict[str, str], threshold: float) -> None:
    ranking = ranked_docs(results)
    tally.n += 1
    if q.relevant_doc in ranking:
        rank = ranking.index(q.relevant_doc)
        tally.hit1 += rank == 0
        tally.hit5 += rank < 5
        tally.rr += 1.0 / (rank + 1)
    tally.abstained += not results or results[0].score < threshold
    doc_text = docs.get(q.relevant_doc or "", "")
    present = [e for e in (normalise(x) for x in q.evidences) if e and e in doc_text]
    if present:
        tally.evidence_n += 1
        top = [normalise(s.chunk.text) for s in results[:EVIDENCE_DEPTH]]
        tally.evidence_hit += any(e in t for e in present for t in top)


def evaluate(retriever: _Retrieves, questions: Sequence[EvalQuestion], docs: dict[str, str],
             mode: QueryMode, *, misses: bool = False) -> dict[str, Any]:
    """Metrics over all questions plus the tuning and held-out halves, and latency.

    With ``misses`` the report also lists each question whose document is not in the top 5:
    its id, query, where the document ranked (None: not among the documents of the top
    ``DOC_DEPTH`` chunks) and the 5 ranked first.
    """
    tallies = {"all": _Tally(), "tuning": _Tally(), "held_out": _Tally()}
    missed: list[dict[str, Any]] = []
    latencies: list[float] = []
    cpu: list[float] = []
    # as the app does before its first user: the model session, the spelling dictionary and
    # the abbreviations are loaded here, not inside the first question that needs them
    retriever.warm_up()
    for q in questions:
        started, cpu_started = time.perf_counter(), time.process_time()
        results = retriever.retrieve(q.query(mode), k=DOC_DEPTH)
        latencies.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        for name in ("all", "tuning" if q.tuning else "held_out"):
            _score_one(tallies[name], q, results, docs, retriever.min_relevance)
        ranking = ranked_docs(results)
        if misses and q.relevant_doc and q.relevant_doc not in ranking[:5]:
            rank = ranking.index(q.relevant_doc) + 1 if q.relevant_doc in ranking else None
            missed.append({"id": q.id, "query": q.query(mode), "relevant_doc": q.relevant_doc,
                           "rank": rank, "top": ranking[:5]})
    report = tallies["all"].as_json()
    for name, values in (("latency_ms", latencies), ("cpu_ms", cpu)):
        for pct in (50, 95):
            report[f"{name}_p{pct}"] = round(float(np.percentile(values, pct)), 1) \
                if values else 0.0
    report["tuning"] = tallies["tuning"].as_json()
    report["held_out"] = tallies["held_out"].as_json()
    if misses:
        report["misses"] = missed
    return report


def false_answers(retriever: _Retrieves, questions: Sequence[EvalQuestion],
                  mode: QueryMode) -> dict[str, Any]:
    """Share of out-of-scope questions whose best score reaches the threshold."""
    out: dict[str, Any] = {}
    for name, keep in (("all", lambda q: True), ("tuning", lambda q: q.tuning),
                       ("held_out", lambda q: not q.tuning)):
        subset = [q for q in questions if keep(q)]
        answered = [q.id for q in subset if _top_score(retriever, q.query(mode))
                    >= retriever.min_relevance]
        out[name] = {"n": len(subset), "false_answer": round(len(answered) / max(len(subset), 1),
                                                             3)}
        if name == "all":
            out["answered_ids"] = answered
    return out


def _top_score(retriever: _Retrieves, query: str) -> float:
    results = retriever.retrieve(query, k=5)
    return results[0].score if results else 0.0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m assistant.eval",
                                     description="Evaluate retrieval on a questions file.")
    parser.add_argument("questions", type=Path, metavar="QUESTIONS.jsonl")
    parser.add_argument("--store", type=Path, help="index folder (default: settings store_dir)")
    parser.add_argument("--query", choices=["question", "scenario+question"],
                        default="scenario+question", help="what is sent to the retriever")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--out-of-scope", type=Path, metavar="FILE",
                        help="out-of-scope questions: report false-answer rates")
    parser.add_argument("--baseline", action="store_true",
                        help="also run the textbook recipe (index cached in STORE/baseline)")
    parser.add_argument("--fit", action="store_true",
                        help="refit the relevance calibration (needs --out-of-scope)")
    parser.add_argument("--misses", action="store_true",
                        help="also list the questions whose document is not in the top 5")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a RetrievalParams field, e.g. --set rrf_k=30")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    from assistant.errors import GuidanceError

    try:
        report = run(args)
    except (GuidanceError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report) if args.json else format_report(report))
    return 0


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Open the store, evaluate (and fit, and run the baseline) as the arguments ask."""
    from assistant.config import get_settings
    from assistant.errors import StoreError
    from assistant.retrieval import RetrievalParams, build_retriever
    from assistant.services import build_embedder, build_index

    settings = get_settings()
    if args.store:
        settings = settings.with_store_dir(args.store)
    embedder = build_embedder(settings)
    index = build_index(settings, embedder)
    chunks = index.get_chunks()
    if not chunks:
        raise StoreError(f"The store at {settings.store_dir} has no chunks: run python -m ingest.")
    questions = load_questions(args.questions)
    oos = load_questions(args.out_of_scope) if args.out_of_scope else []
    params = with_overrides(RetrievalParams(), args.set)
    retriever = build_retriever(settings, index, embedder, params)
    report: dict[str, Any] = {"query": args.query, "store": str(settings.store_dir)}
    if args.fit:
        if not oos:
            raise ValueError("--fit needs --out-of-scope FILE")
        constants, threshold = fit_calibration(retriever, questions, oos)
        retriever.params = replace(params, calibration=constants, min_relevance=threshold)
        report["calibration"] = {"constants": constants, "min_relevance": threshold}
    report["min_relevance"] = retriever.min_relevance
    report.update(evaluate(retriever, questions, document_texts(chunks), args.query,
                           misses=args.misses))
    if oos:
        report["out_of_scope"] = false_answers(retriever, oos, args.query)
    if args.baseline:
        report["baseline"] = _run_baseline(settings.store_dir, index, embedder, questions,
                                           args.query)
    return report


def _run_baseline(store: Path, index: Any, embedder: Any, questions: Sequence[EvalQuestion],
                  mode: QueryMode) -> dict[str, Any]:
    from assistant.adapters.chroma_index import ChromaChunkIndex, open_client
    from assistant.baseline import BASELINE_COLLECTION, BaselineRetriever, build_baseline

    files = sorted({Path(r.source_path) for r in index.get_documents() if r.source_path})
    folder = store / "baseline"
    base = ChromaChunkIndex(open_client(folder, None), embedder, BASELINE_COLLECTION)
    build_baseline(base, embedder, files, folder / "built.json")
    return evaluate(BaselineRetriever(base, embedder), questions,
                    document_texts(base.get_chunks()), mode)


def _features(retriever: Any, questions: Sequence[EvalQuestion]) -> list[tuple[float, float]]:
    """The top chunk's (cosine, coverage) for each question, asked both ways."""
    rows = []
    for q in questions:
        for mode in ("question", "scenario+question"):
            retriever.retrieve(q.query(mode), k=5)
            rows.append((retriever.last_evidence.cosine, retriever.last_evidence.coverage))
    return rows


def fit_calibration(retriever: Any, in_scope: Sequence[EvalQuestion],
                    out_of_scope: Sequence[EvalQuestion]
                    ) -> tuple[tuple[float, float, float], float]:
    """Logistic fit of relevance on the tuning halves; the threshold balancing both error rates."""
    from sklearn.linear_model import LogisticRegression

    pos = _features(retriever, [q for q in in_scope if q.tuning])
    neg = _features(retriever, [q for q in out_of_scope if q.tuning])
    x = np.array(pos + neg)
    y = np.array([1] * len(pos) + [0] * len(neg))
    model = LogisticRegression(C=10.0, class_weight="balanced").fit(x, y)
    if model.coef_[0][1] < 0:  # coverage must not lower relevance: drop it if it would
        x = np.column_stack([x[:, 0], np.zeros(len(x))])
        model = LogisticRegression(C=10.0, class_weight="balanced").fit(x, y)
    probs = model.predict_proba(x)[:, 1]
    grid = np.round(np.arange(0.2, 0.81, 0.02), 2)
    errors = [np.mean(probs[y == 1] < t) + np.mean(probs[y == 0] >= t) for t in grid]
    threshold = float(grid[int(np.argmin(errors))])
    b, c = (round(float(v), 3) for v in model.coef_[0])
    return (round(float(model.intercept_[0]), 3), b, c), threshold


def format_report(report: dict[str, Any]) -> str:
    """The plain-text table printed without --json."""
    lines = [f"query: {report['query']}   store: {report['store']}"]
    head = f"{'':<22}{'n':>5}{'hit@1':>8}{'hit@5':>8}{'MRR':>7}{'evid@5':>8}{'abst':>7}"
    lines.append(head)
    rows = [("hybrid", report)] + ([("baseline", report["baseline"])] if "baseline" in report
                                   else [])
    for label, block in rows:
        for part in ("all", "tuning", "held_out"):
            m = block if part == "all" else block[part]
            lines.append(f"{label + ' ' + part:<22}{m['n']:>5}{m['hit@1']:>8.3f}"
                         f"{m['hit@5']:>8.3f}{m['mrr']:>7.3f}{m['evidence_recall@5']:>8.3f}"
                         f"{m['false_abstain']:>7.3f}")
        lines.append(f"{label} latency ms p50 {block['latency_ms_p50']} "
                     f"p95 {block['latency_ms_p95']} (CPU ms p50 {block['cpu_ms_p50']} "
                     f"p95 {block['cpu_ms_p95']}); evidence counted {block['evidence_counted']}")
    if "out_of_scope" in report:
        oos = report["out_of_scope"]
        lines.append(f"out of scope: false-answer {oos['all']['false_answer']} of "
                     f"{oos['all']['n']} (tuning {oos['tuning']['false_answer']}, held-out "
                     f"{oos['held_out']['false_answer']}); min_relevance {report['min_relevance']}")
    if "calibration" in report:
        lines.append(f"fitted calibration: {report['calibration']}")
    if "misses" in report:
        lines.append(f"document not in the top 5 ({len(report['misses'])}):")
        for miss in report["misses"]:
            where = f"rank {miss['rank']}" if miss["rank"] else \
                f"not among the documents of the top {DOC_DEPTH} chunks"
            lines.append(f"  {miss['id']}: {miss['query'][:100]}")
            lines.append(f"    wanted {miss['relevant_doc']} ({where}); top 5: "
                         f"{', '.join(miss['top'])}")
    return "\n".join(lines)


def with_overrides(params: Any, pairs: Sequence[str]) -> Any:
    """``params`` with ``NAME=VALUE`` overrides applied (values parsed as JSON)."""
    changes = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        changes[name.strip()] = json.loads(value)
    return replace(params, **changes)


if __name__ == "__main__":
    from assistant import cli

    cli.run(main)
