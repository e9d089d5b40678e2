"""One contract for every ChunkIndex: the in-memory fake, embedded Chroma and a Chroma server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import numpy as np
import pytest

from assistant.adapters.chroma_index import (
    EF_SEARCH,
    ChromaChunkIndex,
    GuidanceEmbeddingFunction,
    _search_wide_enough,
    collection_name,
    open_client,
)
from assistant.errors import StoreError
from assistant.ports import ChunkIndex
from assistant.testing import FakeEmbedder, InMemoryChunkIndex
from assistant.types import ChunkFilter
from tests.helpers import make_chunk, make_record

TEXTS = ["paternity leave notice fifteen weeks", "annual leave carry over five days",
         "sick pay from the fourth day", "complaints answered within ten working days"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_chroma(data: Path, port: int) -> subprocess.Popen[bytes]:
    """A real `chroma run` server on loopback, ready to answer (or the test fails)."""
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
    proc = subprocess.Popen([chroma, "run", "--path", str(data), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).is_success:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    proc.wait(timeout=15)
    pytest.fail("chroma server did not start within 30 s")


@contextmanager
def _running_chroma(data: Path, port: int) -> Iterator[None]:
    """A real `chroma run` server on ``port`` while the block runs, stopped after it."""
    proc = _start_chroma(data, port)
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real `chroma run` server on loopback, stopped at the end of the module."""
    port = _free_port()
    with _running_chroma(tmp_path_factory.mktemp("chroma-server"), port):
        yield port


@pytest.fixture(params=["memory", "chroma-embedded", "chroma-server"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> ChunkIndex:
    embedder = FakeEmbedder()
    if request.param == "memory":
        return InMemoryChunkIndex()
    if request.param == "chroma-embedded":
        return ChromaChunkIndex(open_client(tmp_path, None), embedder, "contract")
    port = request.getfixturevalue("chroma_server")
    client = open_client(tmp_path, "127.0.0.1", port)
    name = f"contract{abs(hash(request.node.name)) % 10**8}"
    return ChromaChunkIndex(client, embedder, name)


def _fill(index: ChunkIndex) -> FakeEmbedder:
    embedder = FakeEmbedder()
    chunks = [make_chunk(i, t, doc_id="c1/a.md" if i < 2 else "c2/b.pdf",
                         doc_type="markdown" if i < 2 else "pdf") for i, t in enumerate(TEXTS)]
    index.upsert_chunks(chunks, embedder.embed(TEXTS))
    return embedder


def test_query_returns_nearest_first_with_cosine_scores(index: ChunkIndex) -> None:
    embedder = _fill(index)
    hits = index.query(embedder.embed(["paternity leave notice"])[0], k=2)
    assert [h.chunk.text for h in hits][0] == TEXTS[0]
    assert hits[0].score > hits[1].score
    assert 0.0 < hits[0].score <= 1.0001


def test_ids_only_query_gives_the_same_hits_and_cosines_with_filters(index: ChunkIndex) -> None:
    embedder = _fill(index)
    vector = embedder.embed(["paternity leave notice"])[0]
    for where in (None, ChunkFilter(collections=("c2",))):
        hits = index.query(vector, k=3, where=where)
        pairs = index.query_ids(vector, k=3, where=where)
        assert [cid for cid, _ in pairs] == [h.chunk.chunk_id for h in hits]
        assert np.allclose([s for _, s in pairs], [h.score for h in hits], atol=1e-5)
    assert all(index.get_chunks_by_id([cid])[cid].doc_id == "c2/b.pdf"
               for cid, _ in index.query_ids(vector, k=3, where=ChunkFilter(collections=("c2",))))
    assert index.query_ids(vector, k=0) == []


def test_round_trip_keeps_every_citation_field(index: ChunkIndex) -> None:
    embedder = _fill(index)
    hit = index.query(embedder.embed([TEXTS[1]])[0], k=1)[0]
    assert hit.chunk == make_chunk(1, TEXTS[1])


def test_a_chunk_cited_apart_from_its_embedded_path_round_trips(index: ChunkIndex) -> None:
    embedder = FakeEmbedder()
    chunk = replace(make_chunk(0, TEXTS[0]), section="Part > Sub; Other", embedded_section="Part")
    plain = make_chunk(1, TEXTS[1])
    index.upsert_chunks([chunk, plain], embedder.embed(TEXTS[:2]))
    found = {c.chunk_id: c for c in index.get_chunks()}
    assert found[chunk.chunk_id] == chunk and found[chunk.chunk_id].embedding_text.startswith(
        "A.Md — Part\n")
    assert found[plain.chunk_id].embedded_section is None


def test_a_field_set_before_is_cleared_by_a_later_upsert(index: ChunkIndex) -> None:
    embedder = FakeEmbedder()
    vector = embedder.embed(TEXTS[:1])
    first = replace(make_chunk(0, TEXTS[0]), embedded_section="Part", url="https://x.test")
    index.upsert_chunks([first], vector)
    again = make_chunk(0, TEXTS[0])  # same id, re-chunked: no embedded path, no url
    index.upsert_chunks([again], vector)
    (stored,) = index.get_chunks()
    assert stored == again and stored.embedded_section is None and stored.url is None


def test_delete_from_a_position_onwards(index: ChunkIndex) -> None:
    _fill(index)
    index.delete_chunks(ChunkFilter(doc_ids=("c1/a.md",), from_position=1))
    assert sorted((c.doc_id, c.position) for c in index.get_chunks()) == [
        ("c1/a.md", 0), ("c2/b.pdf", 2), ("c2/b.pdf", 3)]


def test_stored_vectors_come_back_in_the_order_asked(index: ChunkIndex) -> None:
    embedder = _fill(index)
    ids = [c.chunk_id for c in index.get_chunks()]
    asked = [ids[2], ids[0], ids[2]]
    vectors = index.get_vectors(asked)
    expected = embedder.embed([TEXTS[2], TEXTS[0], TEXTS[2]])
    assert vectors.shape == expected.shape
    assert np.allclose(vectors, expected, atol=1e-5)
    with pytest.raises(StoreError, match="No stored vector"):
        index.get_vectors([ids[0], "no-such-chunk"])


def test_chunks_by_id_are_read_fresh_and_missing_ids_left_out(index: ChunkIndex) -> None:
    embedder = _fill(index)
    ids = [c.chunk_id for c in index.get_chunks()]
    changed = replace(make_chunk(0, "paternity leave notice changed"), chunk_id=ids[0])
    index.upsert_chunks([changed], embedder.embed([changed.text]))
    found = index.get_chunks_by_id([ids[0], "no-such-chunk", ids[3]])
    assert set(found) == {ids[0], ids[3]} and found[ids[0]].text == changed.text
    assert index.get_chunks_by_id([]) == {}
    assert index.stored_ids([ids[0], "no-such-chunk", ids[3], ids[0]]) == {ids[0], ids[3]}
    assert index.stored_ids([]) == set()


def test_filters_by_collection_and_type(index: ChunkIndex) -> None:
    embedder = _fill(index)
    vector = embedder.embed(["leave"])[0]
    in_c2 = index.query(vector, 10, ChunkFilter(collections=("c2",)))
    assert {h.chunk.collection for h in in_c2} == {"c2"}
    markdown = index.query(vector, 10, ChunkFilter(doc_types=("markdown",)))
    assert {h.chunk.doc_type for h in markdown} == {"markdown"}
    assert len(index.get_chunks(ChunkFilter(doc_ids=("c1/a.md",)))) == 2


def test_delete_by_doc_and_other_version(index: ChunkIndex) -> None:
    embedder = _fill(index)
    newer = make_chunk(9, "new text", doc_id="c1/a.md", version="v2")
    index.upsert_chunks([newer], embedder.embed(["new text"]))
    index.delete_chunks(ChunkFilter(doc_ids=("c1/a.md",), not_doc_version="v2"))
    assert [c.chunk_id for c in index.get_chunks(ChunkFilter(doc_ids=("c1/a.md",)))] \
        == [newer.chunk_id]
    assert index.count_chunks() == 3


def test_upsert_overwrites_by_id(index: ChunkIndex) -> None:
    embedder = _fill(index)
    changed = make_chunk(0, "rewritten")
    index.upsert_chunks([changed], embedder.embed(["rewritten"]))
    assert index.count_chunks() == len(TEXTS)
    assert {c.text for c in index.get_chunks()} >= {"rewritten"}


def test_document_records_round_trip_and_delete(index: ChunkIndex) -> None:
    records = [make_record("c1/a.md", "v1", 2), make_record("c2/b.pdf", "v9", 2)]
    index.upsert_documents(records)
    assert sorted(index.get_documents(), key=lambda r: r.doc_id) == records
    index.delete_documents(["c1/a.md"])
    assert [r.doc_id for r in index.get_documents()] == ["c2/b.pdf"]


def test_a_record_field_set_before_is_cleared_by_a_later_upsert(index: ChunkIndex) -> None:
    first = replace(make_record("c1/a.md"), url="https://x.test", updated="2025-01-02")
    index.upsert_documents([first])
    again = make_record("c1/a.md")  # the new version declares no url and no date
    index.upsert_documents([again])
    (stored,) = index.get_documents()
    assert stored == again and stored.url is None and stored.updated is None


def test_query_on_empty_index_returns_nothing(index: ChunkIndex) -> None:
    assert index.query(np.ones(64, dtype=np.float32) / 8.0, k=3) == []


@pytest.mark.parametrize("where", ["chroma-embedded", "chroma-server"])
def test_chroma_searches_wide_and_widens_a_store_made_before(
        where: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    if where == "chroma-embedded":
        client = open_client(tmp_path, None)
    else:
        client = open_client(tmp_path, "127.0.0.1", request.getfixturevalue("chroma_server"))
    embedder = FakeEmbedder()
    fresh = ChromaChunkIndex(client, embedder, "wide")
    assert fresh._chunks.configuration["hnsw"]["ef_search"] == EF_SEARCH
    # a store made with Chroma's default search width (100) is widened when opened
    name = collection_name("older", embedder)
    client.create_collection(name, embedding_function=GuidanceEmbeddingFunction(embedder),
                             configuration={"hnsw": {"space": "cosine"}})
    assert client.get_collection(name).configuration["hnsw"]["ef_search"] < EF_SEARCH
    ChromaChunkIndex(client, embedder, "older")
    assert client.get_collection(name).configuration["hnsw"]["ef_search"] == EF_SEARCH


class FakeCollection:
    """FAKE Chroma collection: a configuration and a ``modify`` that may refuse."""

    name = "fake"

    def __init__(self, hnsw: dict[str, int] | None, refuse: bool = False) -> None:
        self.configuration_json = {"hnsw": hnsw, "spann": None if hnsw else {}}
        self.refuse, self.modified = refuse, 0

    def modify(self, configuration: dict[str, object]) -> None:
        self.modified += 1
        if self.refuse:
            raise PermissionError("read-only store")


def test_widening_is_best_effort(caplog: pytest.LogCaptureFixture) -> None:
    refusing = FakeCollection({"ef_search": 100}, refuse=True)
    _search_wide_enough(refusing)  # a read-only store still opens
    assert refusing.modified == 1 and "Could not raise the search width" in caplog.text
    spann, wide = FakeCollection(None), FakeCollection({"ef_search": EF_SEARCH})
    _search_wide_enough(spann)
    _search_wide_enough(wide)
    assert spann.modified == wide.modified == 0


@pytest.mark.integration
def test_reopened_embedded_store_answers_text_queries(tmp_path: Path, minilm) -> None:  # type: ignore[no-untyped-def]
    first = ChromaChunkIndex(open_client(tmp_path, None), minilm)
    chunks = [make_chunk(i, t) for i, t in enumerate(TEXTS)]
    first.upsert_chunks(chunks, minilm.embed([c.embedding_text for c in chunks]))
    del first
    reopened = ChromaChunkIndex(open_client(tmp_path, None), minilm)
    assert reopened.query_text("how late can I report being ill", 1)[0].chunk.text == TEXTS[2]


@pytest.mark.integration
def test_a_chroma_server_that_goes_away_gives_advice_not_a_traceback(tmp_path: Path) -> None:
    port = _free_port()
    with _running_chroma(tmp_path / "server", port):
        index = ChromaChunkIndex(open_client(tmp_path, "127.0.0.1", port), FakeEmbedder(), "gone")
        embedder = _fill(index)
        assert index.count_chunks() == len(TEXTS)
    with pytest.raises(StoreError, match="failed while searching .*check that it is running"):
        index.query(embedder.embed(["sick pay"]), 2)
    with pytest.raises(StoreError, match="failed while reading document records"):
        index.get_documents()


@pytest.mark.integration
def test_a_server_restarted_on_other_data_is_reopened_not_fatal(tmp_path: Path) -> None:
    port = _free_port()
    with _running_chroma(tmp_path / "first", port):
        index = ChromaChunkIndex(open_client(tmp_path, "127.0.0.1", port), FakeEmbedder(), "moved")
        _fill(index)
    with _running_chroma(tmp_path / "second", port):  # same address, an empty data folder
        # the old collection handle points nowhere now: the index opens the collection again
        assert index.count_chunks() == 0 and index.get_documents() == []
        embedder = _fill(index)  # and re-ingestion through the same process works
        assert index.query(embedder.embed(["sick pay"])[0], 1)[0].chunk.text == TEXTS[2]


def test_an_unreachable_or_wrong_server_is_named_with_what_to_check(tmp_path: Path) -> None:
    import http.server
    import threading

    port = _free_port()  # nothing listens here
    with pytest.raises(StoreError) as refused:
        open_client(tmp_path, "127.0.0.1", port)
    message = str(refused.value)
    assert f"Could not reach the Chroma server at 127.0.0.1:{port} (" in message
    assert "GA_CHROMA_HOST" in message and "?." not in message

    class NotChroma(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self.send_error(404)  # an HTML error page, as a web server on the wrong port sends

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), NotChroma)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(StoreError, match="answered with a web page, not Chroma's API"):
            open_client(tmp_path, "127.0.0.1", server.server_address[1])
    finally:
        server.shutdown()
