"""The persisted BM25 index: analyser, search, atomic snapshots, staleness and rebuilds."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from assistant.bm25 import (
    Bm25Index,
    analyse,
    fingerprint,
    load_bm25,
    read_snapshot,
    refresh_bm25,
    write_snapshot,
)
from assistant.retrieval import HybridRetriever
from assistant.testing import FakeEmbedder, InMemoryChunkIndex
from assistant.types import Chunk, ChunkFilter, DocumentRecord


def chunk(
    doc: str,
    n: int,
    text: str,
    *,
    collection: str = "guidance",
    doc_type: str = "markdown",
    version: str = "v1",
) -> Chunk:
    """A chunk of ``collection/doc`` whose content hash is that of its text."""
    return Chunk(
        chunk_id=f"{collection}/{doc}#{version}#{n}",
        text=text,
        doc_id=f"{collection}/{doc}",
        collection=collection,
        title=doc.removesuffix(".md").replace("-", " "),
        source=doc,
        doc_type=doc_type,
        content_hash=hashlib.sha256(f"{doc}{text}".encode()).hexdigest(),
        doc_version=version,
        position=n,
    )


def add_document(index: InMemoryChunkIndex, chunks: list[Chunk]) -> None:
    """Put ``chunks`` (all of one document) and their record into ``index``."""
    first = chunks[0]
    index.upsert_chunks(chunks, FakeEmbedder().embed([c.embedding_text for c in chunks]))
    index.upsert_documents(
        [
            DocumentRecord(
                doc_id=first.doc_id,
                collection=first.collection,
                source=first.source,
                title=first.title,
                doc_type=first.doc_type,
                version=first.doc_version,
                chunks=len(chunks),
            )
        ]
    )


def small_index() -> InMemoryChunkIndex:
    index = InMemoryChunkIndex()
    add_document(index, [chunk("child-benefit.md", 0, "Claim Child Benefit for each child.")])
    add_document(
        index, [chunk("vat.md", 0, "Register for VAT when turnover passes the threshold.")]
    )
    add_document(
        index,
        [
            chunk(
                "leave.md",
                0,
                "Maternity leave lasts up to 52 weeks.",
                collection="hr",
                doc_type="pdf",
            )
        ],
    )
    return index


def test_analyse_drops_stopwords_and_stems() -> None:
    assert analyse("How do I claim the benefits?") == ["claim", "benefit"]


def test_search_ranks_the_matching_chunk_first() -> None:
    bm25 = Bm25Index.build(small_index().get_chunks(), "fp")
    hits = bm25.search("when must I register for VAT", 5)
    assert hits[0][0].source == "vat.md"
    assert all(score > 0 for _, score in hits)


def test_search_with_unknown_words_finds_nothing() -> None:
    bm25 = Bm25Index.build(small_index().get_chunks(), "fp")
    assert bm25.search("kangaroo boomerang", 5) == []


def test_search_honours_collection_and_doc_type_filters() -> None:
    bm25 = Bm25Index.build(small_index().get_chunks(), "fp")
    assert bm25.search("maternity leave", 5, ChunkFilter(collections=("guidance",))) == []
    hits = bm25.search("maternity leave", 5, ChunkFilter(doc_types=("pdf",)))
    assert [c.source for c, _ in hits] == ["leave.md"]


def test_idf_is_highest_for_words_the_index_never_saw() -> None:
    bm25 = Bm25Index.build(small_index().get_chunks(), "fp")
    common, unseen = bm25.idf(["claim", "kangaroo"])
    assert unseen > common > 0


def test_snapshot_round_trip_keeps_chunks_and_fingerprint(tmp_path: Path) -> None:
    index = small_index()
    cited = replace(chunk("steps.md", 0, "Book, then cancel."), section="Booking; Cancelling",
                    embedded_section="")
    add_document(index, [cited])
    write_snapshot(Bm25Index.build(index.get_chunks(), "abc"), tmp_path)
    loaded = read_snapshot(tmp_path)
    assert loaded is not None
    assert loaded.fingerprint == "abc"
    assert sorted(c.chunk_id for c in loaded.chunks) == sorted(index.chunks)
    assert loaded.search("VAT threshold", 1)[0][0].source == "vat.md"
    assert {c.chunk_id: c for c in loaded.chunks} == index.chunks  # every field, as stored


def test_a_new_snapshot_replaces_the_old_one(tmp_path: Path) -> None:
    chunks = small_index().get_chunks()
    first = write_snapshot(Bm25Index.build(chunks, "one"), tmp_path)
    second = write_snapshot(Bm25Index.build(chunks[:1], "two"), tmp_path)
    assert not first.exists()
    assert second.is_dir()
    assert (tmp_path / "bm25" / "CURRENT").read_text() == second.name
    loaded = read_snapshot(tmp_path)
    assert loaded is not None and loaded.fingerprint == "two"


def test_saves_killed_midway_are_cleaned_up_once_abandoned(tmp_path: Path) -> None:
    import os
    import time

    root = tmp_path / "bm25"
    (root / "tmp-old").mkdir(parents=True)
    (root / "CURRENT.old").write_text("snap-x")
    (root / "tmp-new").mkdir()  # another process may be saving right now: kept
    hour_ago = time.time() - 3700
    for name in ("tmp-old", "CURRENT.old"):
        os.utime(root / name, (hour_ago, hour_ago))
    write_snapshot(Bm25Index.build(small_index().get_chunks(), "fp"), tmp_path)
    assert not (root / "tmp-old").exists() and not (root / "CURRENT.old").exists()
    assert (root / "tmp-new").exists()


def test_missing_or_broken_snapshot_reads_as_none(tmp_path: Path) -> None:
    assert read_snapshot(tmp_path) is None
    (tmp_path / "bm25").mkdir()
    (tmp_path / "bm25" / "CURRENT").write_text("snap-gone")
    assert read_snapshot(tmp_path) is None


def test_a_snapshot_cut_short_is_not_served(tmp_path: Path) -> None:
    # from a code review: after a host crash an emptied or shortened chunks.jsonl was served
    # (no keyword results, or IndexError on every matching question)
    saved = write_snapshot(Bm25Index.build(small_index().get_chunks(), "fp"), tmp_path)
    lines = (saved / "chunks.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (saved / "chunks.jsonl").write_text("".join(lines[:-1]), encoding="utf-8")
    assert read_snapshot(tmp_path) is None
    (saved / "chunks.jsonl").write_text("", encoding="utf-8")
    assert read_snapshot(tmp_path) is None
    index = small_index()
    rebuilt = load_bm25(index, tmp_path)  # rebuilt from the index instead
    assert len(rebuilt.chunks) == len(index.get_chunks())


def test_load_builds_and_persists_when_missing(tmp_path: Path) -> None:
    index = small_index()
    bm25 = load_bm25(index, tmp_path)
    assert bm25.fingerprint == fingerprint(index)
    saved = read_snapshot(tmp_path)
    assert saved is not None and saved.fingerprint == fingerprint(index)


def test_load_reuses_a_fresh_snapshot(tmp_path: Path) -> None:
    index = small_index()
    load_bm25(index, tmp_path)
    name = (tmp_path / "bm25" / "CURRENT").read_text()
    load_bm25(index, tmp_path)
    assert (tmp_path / "bm25" / "CURRENT").read_text() == name


def test_refresh_follows_added_and_removed_documents(tmp_path: Path) -> None:
    index = small_index()
    refresh_bm25(index, tmp_path)
    add_document(index, [chunk("pension.md", 0, "Workplace pension auto enrolment duties.")])
    refresh_bm25(index, tmp_path)
    saved = read_snapshot(tmp_path)
    assert saved is not None
    assert saved.search("pension enrolment", 1)[0][0].source == "pension.md"
    index.delete_chunks(ChunkFilter(doc_ids=("guidance/pension.md",)))
    index.delete_documents(["guidance/pension.md"])
    refresh_bm25(index, tmp_path)
    saved = read_snapshot(tmp_path)
    assert saved is not None and saved.search("pension enrolment", 1) == []


def test_a_new_version_of_a_document_changes_the_fingerprint() -> None:
    index = small_index()
    before = fingerprint(index)
    add_document(index, [chunk("vat.md", 0, "New VAT text.", version="v2")])
    assert fingerprint(index) != before


def test_re_chunking_the_same_file_changes_the_fingerprint() -> None:
    index = small_index()
    before = fingerprint(index)
    (record,) = [r for r in index.get_documents() if r.source == "vat.md"]
    index.upsert_documents([replace(record, pipeline="3:200:24:another-chunker")])
    assert fingerprint(index) != before  # same file, new chunks: BM25 must be rebuilt
    mid_write = fingerprint(index)
    (record,) = [r for r in index.get_documents() if r.source == "vat.md"]
    index.upsert_documents([replace(record, pending_version="v2")])
    assert fingerprint(index) != mid_write  # a snapshot taken mid-write never looks final


def test_empty_index_builds_an_empty_searchable_snapshot(tmp_path: Path) -> None:
    bm25 = load_bm25(InMemoryChunkIndex(), tmp_path)
    assert bm25.search("anything", 3) == []
    saved = read_snapshot(tmp_path)
    assert saved is not None and saved.chunks == []


def test_saves_from_two_threads_never_leave_current_pointing_nowhere(tmp_path: Path) -> None:
    import threading

    chunks = small_index().get_chunks()
    indexes = [Bm25Index.build(chunks, "one"), Bm25Index.build(chunks[:1], "two")]

    def save(bm25: Bm25Index) -> None:
        for _ in range(10):
            write_snapshot(bm25, tmp_path)

    threads = [threading.Thread(target=save, args=(b,)) for b in indexes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    loaded = read_snapshot(tmp_path)
    assert loaded is not None and loaded.fingerprint in ("one", "two")


def test_the_chunk_after_another_comes_from_the_snapshot_by_document_and_position() -> None:
    first, second = chunk("rates.md", 6, "A | 0%"), chunk("rates.md", 7, "M | 0%")
    other = chunk("other.md", 7, "Z | 2%")
    index = InMemoryChunkIndex()
    add_document(index, [first, second])
    add_document(index, [other])
    bm25 = Bm25Index.build([second, other, first], fingerprint(index))
    assert bm25.following(first) == second
    assert bm25.following(second) is None and bm25.following(other) is None
    # a chunk of the document's new version is not continued by the old version's next chunk
    assert bm25.following(replace(first, doc_version="v2")) is None
    retriever = HybridRetriever(index, FakeEmbedder(), bm25)  # type: ignore[arg-type]
    assert retriever.next_chunk(first) == second and retriever.next_chunk(second) is None
