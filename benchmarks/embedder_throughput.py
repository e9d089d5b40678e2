"""Throughput of the default offline embedder (MiniLMEmbedder, int8 ONNX) by chunk length and batch.

    python benchmarks/embedder_throughput.py [--chunks 96] [--runs 2]

Chunks are real guidance text from ../shared/data cut to exactly 256 or 128 word pieces (including
[CLS] and [SEP]). Each (length, batch size, sessions) triple is timed ``--runs`` times after a
warm-up batch, in chunks per wall-clock second and per CPU second (all threads); "sessions" is the
number of single-threaded model sessions running batches in parallel (the default is one per core);
other processes on the machine share the CPU, so compare runs before trusting a figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from tokenizers import Tokenizer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.adapters.embedders import MAX_TOKENS, MiniLMEmbedder, minilm_files  # noqa: E402

GUIDES = ROOT.parent / "shared" / "data" / "guidance" / "govuk_guides"
LENGTHS = (256, 128)
BATCH_SIZES = (1, 2, 4, 8, 16)


def chunks_of(tokens: int, count: int) -> list[str]:
    """``count`` pieces of real guidance text, each exactly ``tokens`` word pieces with specials."""
    tokenizer = Tokenizer.from_file(str(minilm_files()[1]))
    tokenizer.no_truncation()
    body_tokens = tokens - 2  # [CLS] and [SEP]
    out: list[str] = []
    for path in sorted(GUIDES.glob("*.md")):
        text = " ".join(path.read_text(encoding="utf-8").split("\n---\n", 1)[-1].split())
        offsets = tokenizer.encode(text, add_special_tokens=False).offsets
        for start in range(0, len(offsets) - body_tokens, body_tokens):
            out.append(text[offsets[start][0] : offsets[start + body_tokens - 1][1]])
            if len(out) == count:
                return out
    raise RuntimeError(f"not enough text for {count} chunks of {tokens} tokens")


def time_embedding(embedder: MiniLMEmbedder, texts: list[str]) -> tuple[float, float]:
    """Chunks per wall-clock second and per CPU second (all threads) for one pass."""
    wall, cpu = time.perf_counter(), time.process_time()
    embedder.embed(texts)
    return len(texts) / (time.perf_counter() - wall), len(texts) / (time.process_time() - cpu)


def query_latency_ms(embedder: MiniLMEmbedder, repeats: int = 50) -> float:
    """Median time to embed one short query, in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        embedder.embed(["How much notice do I need to give for paternity leave?"])
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=96, help="chunks per measurement")
    parser.add_argument("--runs", type=int, default=2, help="timed runs per configuration")
    args = parser.parse_args()
    print(f"CPUs: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}")
    embedder = MiniLMEmbedder()
    print(f"Query latency (1 short query, median of 50): {query_latency_ms(embedder):.1f} ms")
    for tokens in LENGTHS:
        texts = chunks_of(tokens, args.chunks)
        assert all(embedder.count_tokens(t) + 2 <= tokens for t in texts)
        for sessions in sorted({embedder.threads, 1}, reverse=True):
            for batch in BATCH_SIZES:
                # a fixed count per batch (the default also caps a batch's padded tokens)
                model = MiniLMEmbedder(batch_size=batch, threads=sessions,
                                       batch_tokens=batch * MAX_TOKENS)
                model.embed(texts[: batch * sessions])  # warm-up
                rates = [time_embedding(model, texts) for _ in range(args.runs)]
                shown = "  ".join(f"{wall:6.1f} ({cpu:5.1f}/CPU-s)" for wall, cpu in rates)
                load = os.getloadavg()[0]
                print(f"{tokens:>4} tokens  sessions {sessions}  batch {batch:>2}  "
                      f"chunks/s: {shown}  load {load:.1f}")


if __name__ == "__main__":
    main()
