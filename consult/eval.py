"""Evaluate Consult on a Themefinder gold set: ``python -m consult.eval [FOLDER] [--json]``.

Reports, per question: mapping micro F1 given the gold framework (zero-shot, then after a reviewer
labels the first 20 responses by id, scored on the rest), position macro F1 next to the
majority-class baseline, discovery F1 after one-to-one matching of gold to discovered themes, and
evidence-flag F1.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import accuracy_score, f1_score

from assistant.ports import Embedder
from consult.analysis import QuestionResult, analyse_question, remap
from consult.importing import load_themefinder
from consult.mapping import micro_f1
from consult.responses import Question
from consult.themes import load_framework

DEFAULT = (
    Path(__file__).resolve().parents[2]
    / "shared/data/consult/themefinder_synthetic/evals/data/gambling_XS"
)
LABELLED = 20


def load_gold(
    folder: Path, part: str
) -> tuple[Path, dict[str, set[str]], dict[str, str], dict[str, bool]]:
    """The gold themes file, mappings, positions and evidence flags for one question part."""
    outputs = sorted((folder / "outputs" / "mapping").iterdir())[-1] / part
    mapping = {str(r["response_id"]): set(r["labels"]) for r in _jsonl(outputs / "mapping.jsonl")}
    positions = {
        str(r["response_id"]): str(r["position"]).lower()
        for r in _jsonl(outputs / "sentiment.jsonl")
    }
    evidence = {
        str(r["response_id"]): r["evidence_rich"] == "YES"
        for r in _jsonl(outputs / "detail_detection.jsonl")
    }
    return outputs / "themes.json", mapping, positions, evidence


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def evaluate_question(folder: Path, question: Question, embedder: Embedder) -> dict[str, Any]:
    """Every figure for one question."""
    themes_path, gold_map, gold_pos, gold_ev = load_gold(folder, question.question_id)
    ids = [r.response_id for r in question.responses]
    gold = [gold_map.get(i, set()) for i in ids]
    framework = load_framework(themes_path)
    result = analyse_question(question, embedder, framework=framework)
    row: dict[str, Any] = {"question": question.question_id, "responses": len(ids)}
    row["mapping_f1_zero_shot"] = micro_f1(result.assignments, gold)
    row.update(_taught(result, gold, embedder))
    row.update(_positions(result.positions, [gold_pos[i] for i in ids]))
    row["_positions"] = (list(result.positions), [gold_pos[i] for i in ids])
    discovered = analyse_question(question, embedder)
    row.update(_discovery(discovered, gold))
    flagged = [bool(e) for e in result.evidence]
    row["evidence_f1"] = float(f1_score([gold_ev[i] for i in ids], flagged, zero_division=0))
    return row


def _taught(result: QuestionResult, gold: Sequence[set[str]], embedder: Embedder) -> dict[str, Any]:
    order = sorted(
        range(len(gold)), key=lambda i: _id_key(result.question.responses[i].response_id)
    )
    train, test = order[:LABELLED], order[LABELLED:]
    # the zero-shot figure on the same responses, so the review's gain is read like for like
    before = micro_f1([result.assignments[i] for i in test], [gold[i] for i in test])
    for i in train:
        result.corrections[result.question.responses[i].response_id] = sorted(gold[i])
    remap(result, embedder)
    return {
        "mapping_f1_zero_shot_rest": before,
        "mapping_f1_after_review": micro_f1(
            [result.assignments[i] for i in test], [gold[i] for i in test]
        ),
        "review_margin": result.margin,
        "review_cap": result.cap,
    }


def _id_key(rid: str) -> tuple[int, str]:
    return (int(rid), "") if rid.isdigit() else (0, rid)


def _positions(predicted: Sequence[str], gold: Sequence[str]) -> dict[str, Any]:
    majority = max(set(gold), key=list(gold).count)
    baseline = [majority] * len(gold)
    return {
        "position_macro_f1": float(f1_score(gold, predicted, average="macro", zero_division=0)),
        "position_accuracy": float(accuracy_score(gold, predicted)),
        "majority_macro_f1": float(f1_score(gold, baseline, average="macro", zero_division=0)),
        "majority_accuracy": float(accuracy_score(gold, baseline)),
        "gold_positions": {p: list(gold).count(p) for p in sorted(set(gold))},
    }


def _discovery(result: QuestionResult, gold: Sequence[set[str]]) -> dict[str, Any]:
    gold_ids = sorted({t for g in gold for t in g})
    found = [t.theme_id for t in result.themes]
    overlap = np.zeros((len(gold_ids), len(found)))
    for labels, assigned in zip(gold, result.assignments, strict=True):
        for g in labels:
            for d in assigned:
                overlap[gold_ids.index(g), found.index(d)] += 1
    rows, cols = linear_sum_assignment(-overlap)
    rename = {found[c]: gold_ids[r] for r, c in zip(rows, cols, strict=True)}
    # A discovered theme no gold theme was matched to keeps its own label, so its mappings count
    # as false positives: discovering more themes than gold has cannot raise the score.
    predicted = [[rename.get(d, f"unmatched:{d}") for d in assigned]
                 for assigned in result.assignments]
    return {"discovery_f1": micro_f1(predicted, gold), "discovered_themes": len(found)}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the evaluation and print a table (or JSON)."""
    parser = argparse.ArgumentParser(prog="python -m consult.eval", description=__doc__)
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    from assistant.adapters.embedders import MiniLMEmbedder

    started = time.perf_counter()
    embedder = MiniLMEmbedder()
    rows = [
        evaluate_question(args.folder, q, embedder) for q in load_themefinder(args.folder).questions
    ]
    seconds = time.perf_counter() - started
    pooled = [r.pop("_positions") for r in rows]
    summary = _positions(
        [p for pr, _ in pooled for p in pr], [g for _, gold in pooled for g in gold]
    )
    summary.pop("gold_positions")
    if args.json:
        data = {"questions": rows, "pooled_positions": summary, "seconds": round(seconds, 1)}
        print(json.dumps(data, indent=2))
        return 0
    keys = [k for k in rows[0] if isinstance(rows[0][k], float)]
    print(f"{'figure':28}" + "".join(f"{r['question']:>18}" for r in rows))
    for key in keys:
        print(f"{key:28}" + "".join(f"{r[key]:18.3f}" for r in rows))
    print("pooled positions: " + ", ".join(f"{k} {v:.3f}" for k, v in summary.items()))
    print(f"gold positions: {[r['gold_positions'] for r in rows]}; {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    from assistant import cli

    cli.run(main)
