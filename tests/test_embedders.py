"""Embedders: the offline model's checks and vectors, the OpenAI embedder over HTTP, cache keys."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import numpy as np
import openai
import pytest

from assistant.adapters.chroma_index import collection_name
from assistant.adapters.embedders import MiniLMEmbedder, OpenAIEmbedder
from assistant.config import Settings
from assistant.errors import EmbedderError
from assistant.services import build_embedder, build_services
from assistant.testing import FakeEmbedder
from ingest.embedding_cache import EmbeddingCache, cache_key
from tests.openai_server import OpenAIServer, embedding_vector

KEY = "sk-test-embeddings-not-real-5678"


def test_cache_keys_and_collections_record_model_and_dimension(tmp_path: Path) -> None:
    small, large = FakeEmbedder(dim=16), FakeEmbedder(dim=32)
    assert cache_key(small, "text") != cache_key(large, "text")
    cache = EmbeddingCache(tmp_path / "cache.db")
    assert cache.embed(small, ["same text"]).shape == (1, 16)
    assert cache.embed(large, ["same text"]).shape == (1, 32)
    assert cache.misses == 2
    assert collection_name("chunks", small) != collection_name("chunks", large)
    assert "fake-hash-16" in collection_name("chunks", small)


def test_cache_embeds_each_unique_text_once(tmp_path: Path) -> None:
    embedder = FakeEmbedder()
    cache = EmbeddingCache(tmp_path / "cache.db")
    first = cache.embed(embedder, ["a b", "c d", "a b"])
    assert embedder.calls == [2]
    again = EmbeddingCache(tmp_path / "cache.db").embed(embedder, ["c d", "a b"])
    assert embedder.calls == [2]
    np.testing.assert_allclose(again, first[[1, 0]])


def _fake_openai(handler_calls: list[dict[str, object]]) -> openai.OpenAI:
    """A real openai client whose HTTP transport is httpx.MockTransport (a documented fake)."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        handler_calls.append(body)
        data = [{"object": "embedding", "index": i, "embedding": [float(len(t)), 1.0, 0.0]}
                for i, t in enumerate(body["input"])]
        return httpx.Response(200, json={"object": "list", "data": data, "model": body["model"],
                                         "usage": {"prompt_tokens": 1, "total_tokens": 1}})

    return openai.OpenAI(api_key="test-key", base_url="http://embeddings.test/v1",
                         http_client=httpx.Client(transport=httpx.MockTransport(handler)))


def test_openai_embedder_batches_and_normalises() -> None:
    calls: list[dict[str, object]] = []
    embedder = OpenAIEmbedder(_fake_openai(calls), "text-embedding-3-small", batch_size=2)
    vectors = embedder.embed(["a", "bb", "ccc"])
    assert [len(c["input"]) for c in calls] == [2, 1]  # type: ignore[arg-type]
    assert vectors.shape == (3, 3)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    assert embedder.model_id == "openai:text-embedding-3-small"


def test_openai_embedder_errors_are_explained_without_echoing_the_server() -> None:
    echo = {"error": {"message": "Incorrect API key provided: sk-live-4f9a0000secret"}}
    client = openai.OpenAI(api_key="sk-live-4f9a0000secret", base_url="http://embeddings.test/v1",
                           max_retries=0, http_client=httpx.Client(transport=httpx.MockTransport(
                               lambda request: httpx.Response(401, json=echo))))
    with pytest.raises(EmbedderError, match="embeddings endpoint failed") as caught:
        OpenAIEmbedder(client, "text-embedding-3-small").embed(["x"])
    assert "GA_LLM_API_KEY" in str(caught.value) and "sk-live" not in str(caught.value)
    assert caught.value.__cause__ is None


def unit(vector: list[float]) -> np.ndarray:
    """``vector`` scaled to length 1, as the embedder returns it."""
    array = np.array(vector, dtype=np.float32)
    return array / np.linalg.norm(array)


@pytest.mark.integration
def test_services_embed_through_the_configured_openai_endpoint(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    openai_server.embedding_dim = 12
    settings = Settings(  # type: ignore[call-arg]
        embedder="openai", embedding_model="local-embed", llm_base_url=openai_server.base_url,
        llm_api_key=KEY, llm_timeout_s=5, store_dir=tmp_path / "store",
    )
    services = build_services(settings)  # the index asks the embedder its dimension
    texts = ["How much leave can I carry over?", "Sick pay starts on day four."]
    vectors = services.embedder.embed(texts)
    assert services.embedder.model_id == "openai:local-embed" and services.embedder.dim == 12
    assert vectors.shape == (2, 12)
    for vector, text in zip(vectors, texts, strict=True):
        np.testing.assert_allclose(vector, unit(embedding_vector(text, 12)), rtol=1e-5)
    request = openai_server.requests[-1]
    assert request.path == "/v1/embeddings"
    assert request.body["model"] == "local-embed" and request.body["input"] == texts
    assert request.headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.integration
def test_the_azure_embedder_calls_the_deployment_on_the_configured_endpoint(
    openai_server: OpenAIServer,
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        embedder="azure", embedding_model="embed-deployment", azure_endpoint=openai_server.root_url,
        llm_api_key=KEY, llm_timeout_s=5,
    )
    vectors = build_embedder(settings).embed(["Adoption leave"])
    assert vectors.shape == (1, 8)
    np.testing.assert_allclose(vectors[0], unit(embedding_vector("Adoption leave", 8)), rtol=1e-5)
    [request] = openai_server.requests
    assert request.path.startswith("/openai/deployments/embed-deployment/embeddings?api-version=")
    assert request.headers["api-key"] == KEY and request.body["input"] == ["Adoption leave"]


@pytest.mark.integration
def test_minilm_vectors_are_unit_length_and_meaningful(minilm: MiniLMEmbedder) -> None:
    vectors = minilm.embed(["How much notice for paternity leave?",
                            "Tell your manager 15 weeks before the baby is due.",
                            "The museum opens at nine."])
    assert vectors.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    assert minilm.count_tokens("paternity leave") >= 2
    long = minilm.embed(["word " * 600])  # truncated at 256 word pieces, not an error
    assert long.shape == (1, 384)


def test_a_tampered_model_file_is_refused(tmp_path: Path) -> None:
    from assistant.adapters.embedders import minilm_files

    model, tokenizer = minilm_files()
    tampered = tmp_path / "model.onnx"
    data = bytearray(model.read_bytes())
    data[-1] ^= 0xFF
    tampered.write_bytes(bytes(data))
    with pytest.raises(EmbedderError, match="SHA-256"):
        MiniLMEmbedder(files=(tampered, tokenizer)).embed(["text"])
    with pytest.raises(EmbedderError, match="missing"):
        MiniLMEmbedder(files=(tmp_path / "absent.onnx", tokenizer)).embed(["text"])


def test_batches_are_length_sorted_and_bounded_by_padded_tokens() -> None:
    embedder = MiniLMEmbedder(batch_size=4, batch_tokens=300)
    lengths = [250, 60, 70, 65, 256, 62, 200, 61, 64, 66]
    batches = embedder._batches(lengths)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))  # each text once
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(lengths)
    for batch in batches:
        assert len(batch) <= 4
        assert len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= 300
    assert [len(b) for b in batches] == [4, 3, 1, 1, 1]  # short answers share, long chunks alone


@pytest.mark.integration
def test_minilm_vectors_do_not_depend_on_batching_or_threads(minilm: MiniLMEmbedder) -> None:
    texts = ["How much notice for paternity leave?", "Sick pay starts on the fourth day.",
             "word " * 300, "A", "Annual leave can be carried over by up to five days " * 4]
    reference = MiniLMEmbedder(batch_size=1, threads=1).embed(texts)
    for variant in (minilm, MiniLMEmbedder(batch_size=8, batch_tokens=10_000, threads=2)):
        vectors = variant.embed(texts)
        assert np.abs(vectors - reference).max() < 1e-4
    assert np.allclose(minilm.embed(texts[::-1]), reference[::-1], atol=1e-4)  # input order kept


@pytest.mark.integration
def test_a_single_question_on_every_core_gets_the_vector_a_batch_gives() -> None:
    """A lone text (a user's question) runs on a session using every core; its vector must be
    the one the single-threaded pool gives it in a batch."""
    from assistant.adapters.embedders import MiniLMEmbedder

    embedder = MiniLMEmbedder(threads=2)
    question = "How much notice must an employee give for paternity leave?"
    alone = embedder.embed([question])[0]
    in_batch = embedder.embed([question, "Statutory Sick Pay is paid for up to 28 weeks."])[0]
    assert float(alone @ in_batch) > 0.9999
    assert "_solo" in vars(embedder)  # the lone text did take the all-core session


def test_a_lone_surrogate_is_embedded_not_refused(minilm: MiniLMEmbedder) -> None:
    # an undecodable byte in a command-line question arrives as a lone surrogate, which the
    # tokenizer refuses outright ("TextInputSequence must be str")
    odd = "paternity leave notice \udcff"
    vectors = minilm.embed([odd, "paternity leave notice ?"])
    assert float(vectors[0] @ vectors[1]) > 0.999
    assert minilm.count_tokens(odd) == minilm.count_tokens("paternity leave notice ?")
    assert minilm.embed([odd]).shape == (1, minilm.dim)
