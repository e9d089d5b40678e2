"""The ingestion run with fakes: incremental, cached, per-file failures, --sync removal."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from assistant.errors import ConfigError, EmbedderError, LoadError
from assistant.testing import FakeEmbedder, InMemoryChunkIndex
from assistant.types import LoadedDocument, Section
from ingest.chunking import ChunkingOptions
from ingest.embedding_cache import EmbeddingCache
from ingest.indexing import find_inconsistencies
from ingest.pipeline import Pipeline, discover, run_ingest


def fake_parse(paths: Sequence[Path]) -> Iterator[tuple[Path, LoadedDocument | LoadError]]:
    """FAKE parser: each paragraph of a .txt file is a section; '.bad' files fail."""
    for path in paths:
        if path.suffix == ".bad":
            yield path, LoadError("corrupt file: broken on purpose")
            continue
        paragraphs = [p for p in path.read_text().split("\n\n") if p.strip()]
        sections = tuple(Section(("Guidance", f"Part {i}"), p) for i, p in enumerate(paragraphs))
        yield path, LoadedDocument("Guidance", "text", sections)


@pytest.fixture
def pipeline(tmp_path: Path) -> Pipeline:
    return Pipeline(InMemoryChunkIndex(), FakeEmbedder(), EmbeddingCache(tmp_path / "cache.db"),
                    fake_parse)


def write(folder: Path, name: str, *paragraphs: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n\n".join(paragraphs))
    return path


def paragraphs(n: int, tag: str) -> list[str]:
    return [" ".join(f"{tag}{i} word{j}" for j in range(30)) for i in range(n)]


def test_first_run_adds_then_second_run_costs_nothing(pipeline: Pipeline, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs, "a.txt", *paragraphs(3, "a"))
    write(docs, "sub/b.txt", *paragraphs(2, "b"))
    first = run_ingest(pipeline, [docs], "team")
    assert (first.added, first.unchanged, first.failed) == (2, 0, [])
    assert {r.doc_id for r in pipeline.index.get_documents()} == {"team/a.txt", "team/sub/b.txt"}
    calls = len(pipeline.embedder.calls)  # type: ignore[attr-defined]
    second = run_ingest(pipeline, [docs], "team")
    assert (second.added, second.updated, second.unchanged) == (0, 0, 2)
    assert len(pipeline.embedder.calls) == calls  # type: ignore[attr-defined]
    assert find_inconsistencies(pipeline.index) == []


def test_changed_document_reembeds_only_changed_chunks(pipeline: Pipeline, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    texts = paragraphs(4, "p")
    write(docs, "a.txt", *texts)
    run_ingest(pipeline, [docs], "team")
    write(docs, "a.txt", *texts[:3], "an entirely new final paragraph")
    report = run_ingest(pipeline, [docs], "team")
    assert report.updated == 1 and report.embedded == 1
    assert find_inconsistencies(pipeline.index) == []
    assert any("entirely new" in c.text for c in pipeline.index.get_chunks())


def test_rename_is_removal_plus_addition_from_cache(pipeline: Pipeline, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    old = write(docs, "old.txt", *paragraphs(2, "r"))
    run_ingest(pipeline, [docs], "team")
    old.rename(docs / "new.txt")
    report = run_ingest(pipeline, [docs], "team", sync=True)
    assert (report.added, report.removed, report.embedded) == (1, 1, 0)
    assert [r.doc_id for r in pipeline.index.get_documents()] == ["team/new.txt"]


def test_a_gone_file_is_counted_without_sync_and_copies_elsewhere_are_not_this_runs(
        pipeline: Pipeline, tmp_path: Path) -> None:
    """From an administrator's review: a run without --sync said nothing of a deleted file
    whose document was still answered from, and listed copies in every other collection."""
    docs, other = tmp_path / "docs", tmp_path / "other"
    gone = write(docs, "office-hours.txt", *paragraphs(1, "h"))
    write(docs, "kept.txt", *paragraphs(1, "k"))
    write(other, "a.txt", *paragraphs(1, "same"))
    write(other, "b.txt", *paragraphs(1, "same"))
    assert len(run_ingest(pipeline, [other], "elsewhere").duplicates) == 1
    run_ingest(pipeline, [docs], "team")
    gone.unlink()
    report = run_ingest(pipeline, [docs], "team")
    assert (report.missing, report.removed) == (1, 0)
    from ingest.cli import format_summary

    assert "1 indexed document(s) under these folders have no file any more" in \
        format_summary(report, "team") and "--sync" in format_summary(report, "team")
    assert report.duplicates == []  # "elsewhere"'s copies are its own runs' business
    assert "team/office-hours.txt" in {r.doc_id for r in pipeline.index.get_documents()}
    synced = run_ingest(pipeline, [docs], "team", sync=True)
    assert (synced.missing, synced.removed) == (0, 1)


def test_a_bad_file_is_reported_and_the_run_goes_on(pipeline: Pipeline, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs, "good.txt", *paragraphs(1, "g"))
    write(docs, "broken.bad", "x")
    report = run_ingest(pipeline, [docs], "team")
    assert report.added == 1
    assert report.failed == [(str((docs / "broken.bad").resolve()),
                              "corrupt file: broken on purpose")]
    failed = [r for r in pipeline.index.get_documents() if r.status == "failed"]
    assert [r.reason for r in failed] == ["corrupt file: broken on purpose"]
    again = run_ingest(pipeline, [docs], "team")
    assert len(again.failed) == 1 and again.unchanged == 1


def test_a_data_file_indexed_before_they_were_refused_leaves_the_index(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def data_refusing_parse(paths: Sequence[Path]
                            ) -> Iterator[tuple[Path, LoadedDocument | LoadError]]:
        """FAKE parser as fake_parse, refusing .csv files as the real loaders now do."""
        for path in paths:
            if path.suffix == ".csv":
                yield path, LoadError("not indexed: .csv is a data file, not guidance")
            else:
                yield from fake_parse([path])

    index, cache = InMemoryChunkIndex(), EmbeddingCache(tmp_path / "cache.db")
    docs = tmp_path / "docs"
    write(docs, "guide.txt", *paragraphs(2, "g"))
    write(docs, "manifest.csv", "id,title,url\n1,Guide,https://x")
    before = run_ingest(Pipeline(index, FakeEmbedder(), cache, fake_parse), [docs], "team")
    assert before.added == 2  # as before data files were refused
    monkeypatch.setattr("ingest.pipeline.INGEST_VERSION", "upgraded")  # re-reads every file
    after = run_ingest(Pipeline(index, FakeEmbedder(), cache, data_refusing_parse), [docs], "team")
    records = {r.doc_id: r for r in index.get_documents()}
    assert [d for d, r in records.items() if r.status == "ok"] == ["team/guide.txt"]
    refused = records["team/manifest.csv"]  # listed as failed, with the reason, no chunks
    assert (refused.status, refused.chunks) == ("failed", 0)
    assert refused.reason == "not indexed: .csv is a data file, not guidance"
    assert all(c.doc_id == "team/guide.txt" for c in index.get_chunks())
    assert after.removed == 1 and [reason for _, reason in after.failed] == [
        "not indexed: .csv is a data file, not guidance"]
    assert (docs / "manifest.csv").exists()  # the file itself is left alone
    assert find_inconsistencies(index) == []
    again = run_ingest(Pipeline(index, FakeEmbedder(), cache, data_refusing_parse), [docs], "team")
    assert again.removed == 0 and len(again.failed) == 1  # reported each run, nothing to remove


def test_failed_update_keeps_previous_version(pipeline: Pipeline, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs, "a.txt", *paragraphs(2, "k"))
    run_ingest(pipeline, [docs], "team")
    before = pipeline.index.get_chunks()

    def failing(paths: Sequence[Path]) -> Iterator[tuple[Path, LoadedDocument | LoadError]]:
        """FAKE: a parser for which every file times out."""
        for path in paths:
            yield path, LoadError("timed out after 60 s")

    write(docs, "a.txt", *paragraphs(2, "changed"))
    pipeline.parse = failing
    report = run_ingest(pipeline, [docs], "team")
    assert len(report.failed) == 1
    assert pipeline.index.get_chunks() == before
    assert "previous version is still indexed" in pipeline.index.get_documents()[0].reason

    # the good file put back: the document is fine again, and nothing is re-embedded
    pipeline.parse = fake_parse
    calls = len(pipeline.embedder.calls)  # type: ignore[attr-defined]
    write(docs, "a.txt", *paragraphs(2, "k"))
    restored = run_ingest(pipeline, [docs], "team")
    assert (restored.failed, restored.unchanged) == ([], 1)
    (record,) = pipeline.index.get_documents()
    assert (record.status, record.reason) == ("ok", "")
    assert pipeline.index.get_chunks() == before
    assert len(pipeline.embedder.calls) == calls  # type: ignore[attr-defined]


def test_sync_only_removes_under_given_paths(pipeline: Pipeline, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    gone = write(one, "x.txt", *paragraphs(1, "x"))
    write(two, "y.txt", *paragraphs(1, "y"))
    run_ingest(pipeline, [one, two], "team")
    gone.unlink()
    report = run_ingest(pipeline, [two], "team", sync=True)
    assert report.removed == 0
    assert run_ingest(pipeline, [one], "team", sync=True).removed == 1


def test_same_name_in_two_folders_is_reported_not_merged(pipeline: Pipeline,
                                                          tmp_path: Path) -> None:
    first = write(tmp_path / "library", "leave.txt", *paragraphs(1, "lib"))
    second = write(tmp_path / "sample", "leave.txt", *paragraphs(1, "sample"))
    report = run_ingest(pipeline, [first.parent, second.parent], "team")
    assert report.added == 1
    assert [path for path, _ in report.failed] == [str(second.resolve())]
    assert "same name (leave.txt)" in report.failed[0][1] and "Rename" in report.failed[0][1]
    (record,) = pipeline.index.get_documents()
    assert record.source_path == str(first.resolve())
    # a later run over the other folder alone must not replace the first file's document
    again = run_ingest(pipeline, [second.parent], "team", sync=True)
    assert (again.added, again.updated, again.removed) == (0, 0, 0)
    assert [path for path, _ in again.failed] == [str(second.resolve())]
    assert pipeline.index.get_documents()[0].source_path == str(first.resolve())
    assert {c.text.split()[0] for c in pipeline.index.get_chunks()} == {"lib0"}
    # once the first file is gone, the other one may take the name over
    first.unlink()
    moved = run_ingest(pipeline, [second.parent], "team")
    assert (moved.updated, moved.failed) == (1, [])
    assert pipeline.index.get_documents()[0].source_path == str(second.resolve())


def test_a_same_named_file_in_an_earlier_folder_does_not_displace_the_indexed_one(
        pipeline: Pipeline, tmp_path: Path) -> None:
    library, sample = tmp_path / "library", tmp_path / "sample"
    indexed = write(sample, "leave.txt", *paragraphs(1, "sample"))
    run_ingest(pipeline, [sample], "team", sync=True)
    newcomer = write(library, "leave.txt", *paragraphs(1, "lib"))  # put there by hand
    report = run_ingest(pipeline, [library, sample], "team", sync=True)  # as the app reindexes
    assert (report.added, report.updated, report.removed) == (0, 0, 0)
    assert [path for path, _ in report.failed] == [str(newcomer.resolve())]
    assert str(indexed.resolve()) in report.failed[0][1]
    (record,) = pipeline.index.get_documents()
    assert record.source_path == str(indexed.resolve())
    assert {c.text.split()[0] for c in pipeline.index.get_chunks()} == {"sample0"}


def test_dash_names_and_hidden_files(tmp_path: Path) -> None:
    write(tmp_path, "-rules.md", "text")
    write(tmp_path, ".hidden.md", "text")
    assert [f.source for f in discover([tmp_path])] == ["-rules.md"]


def test_bad_collection_name_and_missing_path_are_clear(pipeline: Pipeline,
                                                         tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Invalid collection name"):
        run_ingest(pipeline, [tmp_path], "../etc")
    with pytest.raises(ConfigError, match="does not exist"):
        run_ingest(pipeline, [tmp_path / "nope"], "team")


def test_changing_chunk_settings_rechunks_unchanged_files(pipeline: Pipeline,
                                                          tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs, "a.txt", *paragraphs(6, "s"))
    run_ingest(pipeline, [docs], "team")
    before = len(pipeline.index.get_chunks())
    pipeline.chunking = ChunkingOptions(max_tokens=40, overlap_tokens=0)
    report = run_ingest(pipeline, [docs], "team")
    assert report.updated == 1 and len(pipeline.index.get_chunks()) > before
    assert run_ingest(pipeline, [docs], "team").unchanged == 1
    assert find_inconsistencies(pipeline.index) == []


def test_a_parser_crash_surfaces_in_the_caller_and_commits_what_came_before(
        tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    for name in ("a.txt", "b.txt", "c.txt"):
        write(docs, name, *paragraphs(1, name[0]))

    def crashing_parse(paths: Sequence[Path]) -> Iterator[tuple[Path, LoadedDocument | LoadError]]:
        """FAKE: fake_parse whose pool breaks on the third file."""
        for n, item in enumerate(fake_parse(sorted(paths))):
            if n == 2:
                raise RuntimeError("parser pool broke")
            yield item

    index = InMemoryChunkIndex()
    broken = Pipeline(index, FakeEmbedder(), EmbeddingCache(tmp_path / "cache.db"),
                      crashing_parse)
    with pytest.raises(RuntimeError, match="parser pool broke"):
        run_ingest(broken, [docs], "team")
    assert find_inconsistencies(index) == []
    # The rerun with a working parser finishes the job: every document exactly once.
    healthy = Pipeline(index, FakeEmbedder(), EmbeddingCache(tmp_path / "cache.db"), fake_parse)
    report = run_ingest(healthy, [docs], "team")
    assert report.added + report.unchanged == 3
    assert sorted(r.doc_id for r in index.get_documents()) == [
        "team/a.txt", "team/b.txt", "team/c.txt"]
    assert find_inconsistencies(index) == []


def test_a_failing_consumer_stops_the_parser_and_progress_stays_on_the_caller_thread(
        tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    for n in range(150):  # more than the stage runs ahead
        write(docs, f"d{n:03}.txt", *paragraphs(1, f"d{n}"))
    closed: list[bool] = []
    parsed: list[Path] = []

    def tracking_parse(paths: Sequence[Path]) -> Iterator[tuple[Path, LoadedDocument | LoadError]]:
        """FAKE: fake_parse recording what it parsed and whether it was closed."""
        try:
            for item in fake_parse(paths):
                parsed.append(item[0])
                yield item
        finally:
            closed.append(True)  # the parser pool's shutdown would run here

    threads: list[str] = []

    def progress(done: int, total: int, source: str) -> None:
        threads.append(threading.current_thread().name)
        if done == 3:
            raise KeyboardInterrupt  # the user pressed Ctrl-C

    pipeline = Pipeline(InMemoryChunkIndex(), FakeEmbedder(), EmbeddingCache(tmp_path / "c.db"),
                        tracking_parse)
    with pytest.raises(KeyboardInterrupt):
        run_ingest(pipeline, [docs], "team", progress=progress)
    assert closed == [True]
    assert len(parsed) < 150  # stopped early, not parsed to the end
    assert set(threads) == {threading.current_thread().name}
    assert find_inconsistencies(pipeline.index) == []


def test_a_file_that_cannot_be_chunked_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    # from a code review: a tokenizer error while chunking one file used to stop the whole run
    docs = tmp_path / "docs"
    write(docs, "good.txt", *paragraphs(1, "g"))
    write(docs, "odd.txt", "odd words that the tokenizer refuses")

    class RefusingEmbedder(FakeEmbedder):
        """FAKE embedder whose tokenizer refuses one text, as the real one refuses a lone
        surrogate ("TextInputSequence must be str")."""

        def count_tokens(self, text: str) -> int:
            if "refuses" in text:
                raise TypeError("TextInputSequence must be str")
            return super().count_tokens(text)

    index = InMemoryChunkIndex()
    report = run_ingest(Pipeline(index, RefusingEmbedder(), EmbeddingCache(tmp_path / "c.db"),
                                 fake_parse), [docs], "team")
    assert report.added == 1
    [(path, reason)] = report.failed
    assert path.endswith("odd.txt")
    assert reason.startswith("could not be split into passages (TypeError")
    assert reason.endswith("re-save it and retry")
    assert [r.doc_id for r in index.get_documents() if r.status == "ok"] == ["team/good.txt"]
    assert find_inconsistencies(index) == []

    class BrokenTokenizer(FakeEmbedder):
        """FAKE embedder whose tokenizer cannot load: no file is to blame, so the run stops
        with the embedder's own advice instead of blaming every file."""

        def count_tokens(self, text: str) -> int:
            raise EmbedderError("The embedding model could not be loaded.")

    write(docs, "more.txt", *paragraphs(1, "x"))
    with pytest.raises(EmbedderError, match="could not be loaded"):
        run_ingest(Pipeline(index, BrokenTokenizer(), EmbeddingCache(tmp_path / "c.db"),
                            fake_parse), [docs], "team")


def test_repair_marks_a_document_that_lost_chunks_and_the_next_run_restores_them(
        pipeline: Pipeline, tmp_path: Path) -> None:
    # from a code review: Repair removed nothing and Reindex counted the file unchanged, so a
    # document whose chunks were lost (another host's rollback, damage) stayed unsearchable
    from assistant.types import ChunkFilter
    from ingest.indexing import fix_inconsistencies

    docs = tmp_path / "docs"
    write(docs, "a.txt", *paragraphs(2, "a"))
    write(docs, "b.txt", *paragraphs(1, "b"))
    run_ingest(pipeline, [docs], "team")
    total = len(pipeline.index.get_chunks())
    [lost] = [r.chunks for r in pipeline.index.get_documents() if r.doc_id == "team/a.txt"]
    pipeline.index.delete_chunks(ChunkFilter(doc_ids=("team/a.txt",)))
    assert find_inconsistencies(pipeline.index) == [
        f"team/a.txt: record says {lost} chunks, index has 0"]
    repaired = fix_inconsistencies(pipeline.index)
    assert (repaired.removed, repaired.to_reread) == (0, ("team/a.txt",))
    again = run_ingest(pipeline, [docs], "team")
    assert (again.unchanged, again.updated + again.added) == (1, 1)
    assert find_inconsistencies(pipeline.index) == []
    assert len(pipeline.index.get_chunks()) == total
    assert fix_inconsistencies(pipeline.index).to_reread == ()


def test_a_file_name_that_is_not_utf8_is_reported_and_the_run_goes_on(
        pipeline: Pipeline, tmp_path: Path) -> None:
    # from a code review: such a name (a Latin-1 share) stopped every run when its failure
    # record was written
    import os

    docs = tmp_path / "docs"
    write(docs, "good.txt", *paragraphs(1, "g"))
    bad = os.path.join(os.fsencode(docs), b"bad\xffname.txt")
    with open(bad, "wb") as out:
        out.write(b"Some words.")
    report = run_ingest(pipeline, [docs], "team")
    assert report.added == 1
    [(path, reason)] = report.failed
    assert path.endswith("bad\ufffdname.txt") and "not valid UTF-8" in reason
    assert [r.doc_id for r in pipeline.index.get_documents()] == ["team/good.txt"]


def test_a_run_on_a_shared_store_leaves_another_hosts_write_in_flight_alone(
        tmp_path: Path) -> None:
    # from a code review: the lease was tested on repair() alone; a run must pass it on
    from dataclasses import replace as changed
    from datetime import UTC, datetime

    from assistant.config import Settings
    from ingest.indexing import replace_document
    from ingest.service import build_pipeline, repair_store
    from tests.helpers import make_chunk, make_record

    index = InMemoryChunkIndex()
    chunks = [make_chunk(i, f"other host text {i}", version="v1") for i in range(2)]
    replace_document(index, make_record(version="v1", chunks=2), chunks,
                     FakeEmbedder().embed([c.text for c in chunks]), None)
    [record] = index.get_documents()
    in_flight = changed(record, pending_version="v2",
                        pending_since=datetime.now(UTC).isoformat(timespec="seconds"))
    index.upsert_documents([in_flight])  # another host is mid-write
    shared = Settings(store_dir=tmp_path / "store", chroma_host="chroma.internal")
    pipeline = build_pipeline(shared, index, FakeEmbedder())
    assert pipeline.shared_store
    docs = tmp_path / "docs"
    write(docs, "mine.txt", *paragraphs(1, "m"))
    run_ingest(changed(pipeline, parse=fake_parse), [docs], "team")
    assert index.get_documents()[0].pending_version == "v2"  # not rolled back
    assert repair_store(shared, index).removed == 0
    assert [r.pending_version for r in index.get_documents() if r.doc_id == record.doc_id] == ["v2"]
    local = Settings(store_dir=tmp_path / "local")
    assert not build_pipeline(local, index, FakeEmbedder()).shared_store
    run_ingest(changed(build_pipeline(local, index, FakeEmbedder()), parse=fake_parse),
               [docs], "team")  # one host: a pending write is a killed run's, finished
    assert all(not r.pending_version for r in index.get_documents())
