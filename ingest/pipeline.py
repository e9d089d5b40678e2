"""The ingestion run: discover files, skip what did not change, parse, chunk, embed, commit.

Parsing runs in worker processes (``ingest.parsing``) and chunking on a background thread while
this process embeds, so the three overlap. Documents are committed one at a time through
``ingest.indexing`` (atomic), embeddings come through the content-hash cache, and one bad file
never stops the run.
"""

from __future__ import annotations

import logging
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from assistant.errors import ConfigError, EmbedderError, LoadError
from assistant.hashing import sha256_file
from assistant.ports import ChunkIndex, Embedder, Vectors
from assistant.types import Chunk, DocumentRecord, LoadedDocument
from assistant.words import SURROGATE
from ingest.chunking import ChunkingOptions, DocumentIdentity, split_into_chunks
from ingest.embedding_cache import EmbeddingCache
from ingest.indexing import (
    Replacement,
    record_failure,
    remove_document,
    repair,
    replace_documents,
    stale_after,
)
from ingest.loaders import DATA_SUFFIXES
from ingest.loaders.sections import brief

log = logging.getLogger(__name__)

Parser = Callable[[Sequence[Path]], Iterator[tuple[Path, LoadedDocument | LoadError]]]
Progress = Callable[[int, int, str], None]
COLLECTION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")
FLUSH_CHUNKS = 128  # embed in batches of at least this many chunks (length-sorted inside)
# Bump when loaders or chunking change what they produce: documents are then re-chunked on the
# next run even though their files did not change (unchanged chunk texts still come from the cache).
# 3-4, 13: headings; 5: control chars; 6-12: loaders; 14-18: PDF; 19-21: table headers;
# 22: http(s) addresses only; HTML without <main>; Word notes, titles, dates, bold headings and
# nested lists; text headings in capitals; title pages and bare headings are no chunks;
# 23: bold lines stating a fact stay text, a heading that is its section's only text is kept;
# 24: only sentence-like bold lines stay text ("Who can apply" is a heading again);
# 25: bold lines with a phone number, time, sum or percentage stay text
# 26: a table header blank over the row labels does not take the first (labelled) row
# 27: ... only a row with a cell of prose (short cells under a blank corner still name columns)
# 28: ... any labelled row with no more cells than the header (a short row is data too)
# 29: PDF text that does not read as words is refused (fonts without a character map); a
#     split word joins a fragment that runs on after a slash ("the ca ravan/trailer")
# 30: a printed page number a few lines inside a PDF page (its index plus the offset most
#     pages share) is dropped, not quoted ("20 In the 2004/2005 academic year")
# 31: forms, ranges and references are readable text (leaders and fill-in lines count neither
#     way), so no form refused at 29-30 stays refused
# 32: a chunk that starts among a list's items carries the list's lead-in line (ingest.lists)
# 33: ... a nested list ends at its outer list's next item, and a chunk among a nested list's
#     items carries the outer lead-in too
# 34: ... a list item wrapped onto an unindented line (PDF text) does not end its list
# 35: a GOV.UK guide's part ("## Eligibility ", a trailing space) is cited before its sections'
#     headings ("Eligibility > Statutory Maternity Leave"); embedded texts are unchanged
# 36: surrogate escapes made characters; Markdown nested past the parser's limit read on;
#     titles and headings over 700 characters cut, their words kept as text
# 37: HTML inline elements run into the words around them ("online." not "online .")
INGEST_VERSION = "37"
PRODUCER_STOP_S = 10.0  # after an error, how long to wait for the parser pool to close


@dataclass(frozen=True)
class SourceFile:
    """A file to index and its id within the collection."""

    path: Path
    source: str  # path within the collection, '/'-separated


@dataclass
class IngestReport:
    """What a run did; ``as_json`` is the CLI's --json object."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    documents: int = 0
    chunks: int = 0
    seconds: float = 0.0
    embedded: int = 0  # chunks actually run through the model (cache misses)
    pages: int = 0  # pages of the documents parsed in this run
    parse_wait_seconds: float = 0.0  # time spent waiting for parser workers
    embed_seconds: float = 0.0  # time spent in the embedding model
    # (document, the document with the same bytes taken as the original): both are indexed, and
    # answers cite whichever copy ranks first, so an administrator may want to remove one
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    # documents under the run's folders whose file is gone, kept because --sync was not given
    missing: int = 0

    def as_json(self) -> dict[str, object]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "removed": self.removed, "missing": self.missing,
                "failed": [{"path": p, "reason": r} for p, r in self.failed],
                "duplicates": [{"path": p, "same_as": q} for p, q in self.duplicates],
                "documents": self.documents, "chunks": self.chunks,
                "seconds": round(self.seconds, 3)}


@dataclass
class Pipeline:
    """Collaborators of a run: the index, the embedder, its cache, how to parse and chunk."""

    index: ChunkIndex
    embedder: Embedder
    cache: EmbeddingCache
    parse: Parser
    chunking: ChunkingOptions = field(default_factory=ChunkingOptions)
    # the index is a Chroma server other hosts write to as well: the store lock covers this
    # host only, so a run leaves their writes in flight alone (``ingest.indexing.in_flight``)
    shared_store: bool = False

    @property
    def stale_after_s(self) -> float | None:
        """How old another writer's pending write must be before a run rolls it back."""
        return stale_after(self.shared_store)


def same_content(records: Sequence[DocumentRecord]) -> list[tuple[str, str]]:
    """Indexed documents whose file has the same bytes as another's (by the file's SHA-256),
    each paired with the one taken as the original: the shortest path ("appeals.md" over
    "appeals (copy for team site).md")."""
    first: dict[str, DocumentRecord] = {}
    out: list[tuple[str, str]] = []
    for record in sorted(records, key=lambda r: (len(r.source), r.collection, r.source)):
        if record.status != "ok" or not record.version:
            continue
        earlier = first.setdefault(record.version, record)
        if earlier is not record:
            out.append((record.doc_id, earlier.doc_id))  # "collection/path"
    return out


def validate_collection(name: str) -> str:
    """Collection names are short and safe in paths and filters."""
    if not COLLECTION_NAME.fullmatch(name):  # "$" in the pattern also matches before a final "\n"
        raise ConfigError(f"Invalid collection name {name!r}: use letters, digits, '-' or '_'.")
    return name


def discover(paths: Iterable[Path], clashes: list[tuple[str, str]] | None = None,
             indexed: Iterable[Path] = ()) -> list[SourceFile]:
    """Files under ``paths`` (folders recursively, hidden files skipped), each with its id.

    Two different files with the same id (``a/guide.md`` and ``b/guide.md`` given as folders
    ``a`` and ``b``) would be one document. One is kept (the one already ``indexed``, if either
    is, else the first found) and the other is appended to ``clashes`` as (path, reason), so the
    run reports it instead of dropping it silently.
    """
    found: dict[str, SourceFile] = {}
    already = {Path(p) for p in indexed}

    def add(path: Path, source: str) -> None:
        if SURROGATE.search(str(path)):  # bytes that are not UTF-8 (a Latin-1 share)
            if clashes is not None:  # no record: the index cannot store such a name
                shown = os.fsencode(path).decode("utf-8", "replace")
                clashes.append((shown, "not indexed: the file name is not valid UTF-8 (written "
                                "on another system?): rename the file and run again"))
            return
        new = SourceFile(path.resolve(), source)
        kept = found.setdefault(source, new)
        if kept.path == new.path:
            return
        if new.path in already and kept.path not in already:
            found[source], kept, new = new, new, kept
        if clashes is not None:
            clashes.append((str(new.path), _clash_reason(source, kept.path)))

    for root in paths:
        if not root.exists():
            raise ConfigError(f"{root} does not exist. Check the path and try again.")
        if root.is_file():
            add(root, root.name)
            continue
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root)
            if path.is_file() and not any(p.startswith(".") for p in rel.parts):
                add(path, rel.as_posix())
    return list(found.values())


def _clash_reason(source: str, kept: Path | str) -> str:
    return (f"not indexed: {kept} has the same name ({source}) in this collection, and one "
            "collection cannot hold two documents of one name. Rename one of the files, or index "
            "them into different collections. If the guidance was moved or copied, delete the "
            "old copy (or remove its documents) and run again.")


def _clashes_with(old: DocumentRecord, file: SourceFile) -> bool:
    """``old`` came from another file that still exists: indexing ``file`` would replace it."""
    if not old.source_path:
        return False
    previous = Path(old.source_path)
    return previous != file.path and previous.is_file()


def pipeline_id(pipeline: Pipeline) -> str:
    """Identifies how chunks are made: code version, chunk settings and embedding model."""
    options = pipeline.chunking
    return (f"{INGEST_VERSION}:{options.max_tokens}:{options.overlap_tokens}:"
            f"{pipeline.embedder.model_id}")


def file_version(path: Path) -> str:
    """sha256 of the file's bytes: the document version."""
    return sha256_file(path)


def run_ingest(
    pipeline: Pipeline, paths: Sequence[Path], collection: str, *,
    sync: bool = False, progress: Progress | None = None,
) -> IngestReport:
    """Bring ``collection`` in step with the files under ``paths``; see module docstring."""
    started = time.perf_counter()
    validate_collection(collection)
    report = IngestReport()
    repair(pipeline.index, pipeline.stale_after_s)
    records = {r.doc_id: r for r in pipeline.index.get_documents()}
    clashes: list[tuple[str, str]] = []
    files = discover(paths, clashes, indexed=(Path(r.source_path) for r in records.values()
                                              if r.collection == collection and r.source_path))
    report.failed.extend(clashes)
    recovered: list[DocumentRecord] = []
    todo = _plan(files, collection, records, report, pipeline_id(pipeline), recovered)
    if recovered:
        pipeline.index.upsert_documents(recovered)
    _index_files(pipeline, todo, collection, records, report, progress, len(files))
    # a file left out for its name still exists: its document must not be removed
    on_disk = [*files, *(SourceFile(Path(path), "") for path, _ in clashes)]
    gone = _missing(on_disk, paths, collection, records)
    if sync:
        for record in gone:
            remove_document(pipeline.index, record)
        report.removed += len(gone)
    else:
        report.missing = len(gone)
    final = pipeline.index.get_documents()
    # copies involving this collection: another collection's are reported by its own runs
    report.duplicates = [(a, b) for a, b in same_content(final)
                         if collection in (a.split("/", 1)[0], b.split("/", 1)[0])]
    report.documents = sum(1 for r in final if r.status == "ok" or r.chunks)
    report.chunks = pipeline.index.count_chunks()
    report.seconds = time.perf_counter() - started
    return report


def _plan(files: list[SourceFile], collection: str, records: dict[str, DocumentRecord],
          report: IngestReport, made_by: str, recovered: list[DocumentRecord]
          ) -> dict[Path, tuple[SourceFile, str]]:
    todo: dict[Path, tuple[SourceFile, str]] = {}
    for file in files:
        try:
            version = file_version(file.path)
        except OSError as exc:
            report.failed.append((str(file.path), f"cannot read the file: {exc.strerror}"))
            continue
        old = records.get(f"{collection}/{file.source}")
        if old is not None and _clashes_with(old, file):
            report.failed.append((str(file.path), _clash_reason(file.source, old.source_path)))
            continue
        if old is not None and version == old.version and old.pipeline == made_by:
            if old.status == "failed" and old.chunks:
                # a failed newer file was put back to the version still indexed: it is fine again
                recovered.append(replace(old, status="ok", reason=""))
                report.unchanged += 1
            elif old.status == "failed":
                report.failed.append((str(file.path), old.reason))
            else:
                report.unchanged += 1
            continue
        todo[file.path] = (file, version)
    return todo


class _IndexWriter:
    """Index writes on one background thread, in order, one batch in flight.

    The model releases the GIL, so Chroma writes of one batch overlap embedding of the next. Every
    write goes through here, so the index sees one writer; a failed write re-raises in the caller.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-writer")
        self._last: Future[None] | None = None

    def submit(self, write: Callable[[], None]) -> None:
        self.wait()
        self._last = self._pool.submit(write)

    def wait(self) -> None:
        if self._last is not None:
            last, self._last = self._last, None
            last.result()

    def __enter__(self) -> _IndexWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.wait()
        finally:
            self._pool.shutdown()


def _timed_results(pipeline: Pipeline, paths: list[Path], report: IngestReport
                   ) -> Generator[tuple[Path, LoadedDocument | LoadError], None, None]:
    results = iter(pipeline.parse(paths))
    try:
        while True:
            waited = time.perf_counter()
            item = next(results, None)
            report.parse_wait_seconds += time.perf_counter() - waited
            if item is None:
                return
            yield item
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()  # stops the parser pool when the run ends early


@dataclass(frozen=True)
class _Prepared:
    """One file, parsed and chunked (or the reason it failed), ready to embed and commit."""

    file: SourceFile
    identity: DocumentIdentity
    chunked: tuple[DocumentRecord, list[Chunk]] | None
    failure: str = ""


def _prepare(pipeline: Pipeline, todo: dict[Path, tuple[SourceFile, str]], collection: str,
             report: IngestReport) -> Iterator[_Prepared]:
    """Parse results in completion order, each chunked; runs ahead of the embedding stage."""
    with closing(_timed_results(pipeline, list(todo), report)) as results:
        for path, result in results:
            file, version = todo[path]
            identity = DocumentIdentity(f"{collection}/{file.source}", collection, file.source,
                                        version)
            if isinstance(result, LoadError):
                yield _Prepared(file, identity, None, str(result))
                continue
            try:
                chunked = _chunk(pipeline, identity, result, file, report)
            except EmbedderError:  # the tokenizer itself cannot run: every file would fail
                raise
            except Exception as exc:  # noqa: BLE001 - one file's failure, reported, not the run's
                log.exception("Could not split %s into passages", file.source)
                yield _Prepared(file, identity, None, f"could not be split into passages "
                                f"({brief(exc)}): re-save it and retry")
            else:
                yield _Prepared(file, identity, chunked)


def _run_ahead(items: Iterator[_Prepared], depth: int = 16) -> Iterator[_Prepared]:
    """Produce ``items`` on a background thread, up to ``depth`` ahead of the consumer.

    Chunking (tokenizer calls) then overlaps embedding instead of idling the model between
    batches. The consumer sees items in order on its own thread (progress callbacks stay on the
    caller's thread); a producer error re-raises here, and a consumer that stops early stops the
    producer, which closes the parser pool.
    """
    buffer: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(message: tuple[str, object]) -> bool:
        """Hand ``message`` over, unless the consumer has gone."""
        while not stop.is_set():
            try:
                buffer.put(message, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        message: tuple[str, object] = ("end", None)
        try:
            for item in items:
                if not put(("item", item)):
                    break
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, re-raised there
            message = ("error", exc)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()
        put(message)

    producer = threading.Thread(target=produce, name="ingest-prepare", daemon=True)
    producer.start()
    try:
        while True:
            kind, payload = buffer.get()
            if kind == "end":
                return
            if kind == "error":
                assert isinstance(payload, BaseException)
                raise payload
            assert isinstance(payload, _Prepared)
            yield payload
    finally:
        stop.set()
        producer.join(timeout=PRODUCER_STOP_S)


def _index_files(pipeline: Pipeline, todo: dict[Path, tuple[SourceFile, str]], collection: str,
                 records: dict[str, DocumentRecord], report: IngestReport,
                 progress: Progress | None, total: int) -> None:
    done = total - len(todo)
    batch: list[tuple[DocumentRecord, list[Chunk]]] = []
    with _IndexWriter() as writer:
        for item in _run_ahead(_prepare(pipeline, todo, collection, report)):
            done += 1
            if progress:
                progress(done, total, item.file.source)
            if item.chunked is None:
                previous = records.get(item.identity.doc_id)
                known = records
                if item.file.path.suffix.lower() in DATA_SUFFIXES and previous is not None \
                        and previous.chunks:
                    # a data file is never guidance: one indexed as text before data files were
                    # refused leaves the index (its file stays where it is)
                    writer.submit(partial(remove_document, pipeline.index, previous))
                    report.removed += 1
                    known = {}
                failure = _failure_record(pipeline, item.identity, item.file, item.failure,
                                          known, report)
                writer.submit(partial(record_failure, pipeline.index, failure))
                continue
            batch.append(item.chunked)
            if sum(len(c) for _, c in batch) >= FLUSH_CHUNKS:
                _commit(pipeline, batch, records, report, writer)
                batch = []
        _commit(pipeline, batch, records, report, writer)


def _chunk(pipeline: Pipeline, identity: DocumentIdentity, doc: LoadedDocument,
           file: SourceFile, report: IngestReport) -> tuple[DocumentRecord, list[Chunk]]:
    chunks = split_into_chunks(doc, identity, pipeline.embedder.count_tokens, pipeline.chunking)
    report.pages += doc.pages or 0
    return _record(identity, doc, file, len(chunks), pipeline_id(pipeline)), chunks


def _record(identity: DocumentIdentity, doc: LoadedDocument, file: SourceFile,
            chunks: int, made_by: str) -> DocumentRecord:
    return DocumentRecord(
        doc_id=identity.doc_id, collection=identity.collection, source=identity.source,
        title=doc.title, doc_type=doc.doc_type, version=identity.version, status="ok",
        pages=doc.pages or 0, chunks=chunks, url=doc.url, updated=doc.updated,
        indexed_at=datetime.now(UTC).isoformat(timespec="seconds"), source_path=str(file.path),
        pipeline=made_by,
    )


def _commit(pipeline: Pipeline, batch: list[tuple[DocumentRecord, list[Chunk]]],
            records: dict[str, DocumentRecord], report: IngestReport,
            writer: _IndexWriter) -> None:
    """Embed a batch here, then write its documents on the writer thread."""
    if not batch:
        return
    texts = [c.embedding_text for _, chunks in batch for c in chunks]
    misses_before, started = pipeline.cache.misses, time.perf_counter()
    vectors = pipeline.cache.embed(pipeline.embedder, texts)
    report.embed_seconds += time.perf_counter() - started
    report.embedded += pipeline.cache.misses - misses_before
    writer.submit(partial(_write_batch, pipeline.index, batch, vectors, records, report))


def _write_batch(index: ChunkIndex, batch: list[tuple[DocumentRecord, list[Chunk]]],
                 vectors: Vectors, records: dict[str, DocumentRecord],
                 report: IngestReport) -> None:
    items: list[Replacement] = []
    start = 0
    for record, chunks in batch:
        previous = records.get(record.doc_id)
        items.append((record, chunks, vectors[start : start + len(chunks)], previous))
        start += len(chunks)
    replace_documents(index, items)
    for _, _, _, previous in items:
        if previous is None or not previous.version:
            report.added += 1
        else:
            report.updated += 1


def _failure_record(pipeline: Pipeline, identity: DocumentIdentity, file: SourceFile,
                    reason: str, records: dict[str, DocumentRecord],
                    report: IngestReport) -> DocumentRecord:
    """The record of a file that failed; an earlier version's chunks stay indexed."""
    report.failed.append((str(file.path), reason))
    previous = records.get(identity.doc_id)
    if previous is not None and previous.version and previous.chunks:
        kept = f"{reason} (the previous version is still indexed)"
        return replace(previous, status="failed", reason=kept)
    return DocumentRecord(
        doc_id=identity.doc_id, collection=identity.collection, source=identity.source,
        title=file.path.name, doc_type="", version=identity.version, status="failed",
        reason=reason, indexed_at=datetime.now(UTC).isoformat(timespec="seconds"),
        source_path=str(file.path), pipeline=pipeline_id(pipeline))


def _missing(files: list[SourceFile], paths: Sequence[Path], collection: str,
             records: dict[str, DocumentRecord]) -> list[DocumentRecord]:
    """Documents of ``collection`` under ``paths`` whose file is gone (--sync removes them)."""
    present = {f.path for f in files}
    roots = [p.resolve() for p in paths]
    gone: list[DocumentRecord] = []
    for record in records.values():
        if record.collection != collection or not record.source_path:
            continue
        path = Path(record.source_path)
        under = any(path == r or r in path.parents for r in roots)
        if under and path not in present:
            gone.append(record)
    return gone
