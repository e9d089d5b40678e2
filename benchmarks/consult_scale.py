"""Time the offline Consult run on 10,000 synthetic ~50-word responses to one question.

    python benchmarks/consult_scale.py [--n 10000] [--seed 7]

Prints seconds per stage, the total, and peak RSS. Responses are built from templates and word
lists with a fixed seed, so every run themes the same text. The machine has 2 cores shared with
other work: timings vary with load.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

OPENERS = [
    "I think",
    "In my view",
    "Honestly,",
    "As a parent,",
    "As a local resident,",
    "Speaking as a nurse,",
    "From my experience,",
    "We believe",
    "Frankly,",
    "Overall,",
]
STANCES = [
    "this proposal is a sensible step",
    "the plan goes too far",
    "I am not sure about this",
    "I strongly support the change",
    "I oppose the proposal",
    "it depends on the detail",
]
TOPICS = {
    "cost": ["parking charges", "council tax", "energy bills", "permit fees", "fares"],
    "transport": ["bus routes", "train services", "cycle lanes", "road repairs", "school runs"],
    "health": ["GP appointments", "hospital waiting lists", "mental health support", "dentists"],
    "environment": ["air quality", "green spaces", "recycling", "flooding", "tree planting"],
    "safety": ["street lighting", "speeding", "antisocial behaviour", "policing", "crossings"],
    "housing": ["affordable homes", "rents", "damp and mould", "new estates", "planning rules"],
}
REASONS = [
    "because families on low incomes are hit hardest",
    "since older people depend on it",
    "as the town centre is already struggling",
    "which has got worse over five years",
    "and young people have nowhere else to go",
    "because the evidence from other areas is clear",
    "although the council has not explained the costs",
    "and rural villages are left behind",
]
ASKS = [
    "Please consult residents properly before deciding.",
    "The money should go to {b} instead.",
    "I would like to see a trial first.",
    "Fix {b} before anything else.",
    "Publish the figures so people can judge.",
    "Listen to those who use {b} every day.",
]


def make_response(rng: random.Random) -> str:
    """One synthetic answer of roughly 50 words."""
    topic, other = rng.sample(list(TOPICS), 2)
    a, b = rng.choice(TOPICS[topic]), rng.choice(TOPICS[other])
    parts = [
        f"{rng.choice(OPENERS)} {rng.choice(STANCES)}.",
        f"The real issue for me is {a}, {rng.choice(REASONS)}.",
        f"We also need to think about {b} {rng.choice(REASONS)}.",
        rng.choice(ASKS).format(b=b),
        f"In our street {rng.randint(2, 40)} households rely on {a}.",
    ]
    return " ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--fake", action="store_true", help="hashing embedder: time everything but the model"
    )
    args = parser.parse_args()
    from tqdm import tqdm

    from assistant.adapters.embedders import MiniLMEmbedder
    from assistant.testing import FakeEmbedder
    from consult.analysis import analyse_question
    from consult.importing import build_question

    rng = random.Random(args.seed)
    pairs = [(str(i), make_response(rng)) for i in range(args.n)]
    words = sum(len(t.split()) for _, t in pairs) / len(pairs)
    question = build_question("q1", "Do you agree with the council's transport plan?", pairs)
    bar = tqdm(total=len(pairs), unit="text", file=sys.stderr)

    embedded_at: list[float] = []

    def progress(done: int, total: int) -> None:
        bar.total, bar.n = total, done
        bar.refresh()
        if done == total:
            embedded_at.append(time.perf_counter())

    started = time.perf_counter()
    embedder = FakeEmbedder(384) if args.fake else MiniLMEmbedder()
    result = analyse_question(question, embedder, progress=progress)
    seconds = time.perf_counter() - started
    bar.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"responses {args.n}, mean words {words:.1f}, themes {len(result.themes)}, "
        f"unmatched {len(result.unmatched())}"
    )
    embed_s = embedded_at[-1] - started if embedded_at else float("nan")
    print(
        f"seconds {seconds:.1f} (embedding {embed_s:.1f}, {args.n / embed_s:.0f} texts/s; "
        f"rest {seconds - embed_s:.1f}), peak RSS {peak_mb:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
