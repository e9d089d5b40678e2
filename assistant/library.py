"""Library operations the Admin page calls: index uploads, replace, reindex, delete.

Each keeps the index, the files on disk (``assistant.uploads`` saves them) and the retriever in
step: a run that fails or breaks off leaves no file without its document and no document whose
file a later reindex would take for deleted.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.errors import GuidanceError, StoreLockedError
from assistant.types import DocumentRecord
from assistant.uploads import (
    SavedUpload,
    delete_file,
    folder_of,
    managed_path,
    save_replacement,
    source_folders,
    source_root,
)

if TYPE_CHECKING:
    from assistant.services import Services
    from ingest.pipeline import IngestReport, Progress

log = logging.getLogger(__name__)


def index_files(services: Services, paths: Sequence[Path], collection: str,
                progress: Progress | None = None) -> IngestReport:
    """Index ``paths`` into ``collection`` (only changed chunks are re-embedded)."""
    from ingest.service import ingest_paths

    report = ingest_paths(services.settings, paths, collection, progress=progress,
                          index=services.index, embedder=services.embedder)
    refresh_retrieval(services)
    return report


@dataclass(frozen=True)
class ReplaceResult:
    """What replacing a document did: the run's report, and why the new version was refused
    after it was read (``refused``; the previous file and its indexed version were kept)."""

    report: IngestReport
    refused: str = ""


def replace_and_index(services: Services, record: DocumentRecord, name: str, data: bytes,
                      progress: Progress | None = None) -> ReplaceResult:
    """Write a new version over ``record``'s file and index it under the same document.

    If the new version cannot be read (a damaged PDF, a blank file), or indexing fails, the
    previous file goes back in place, so the file on disk and the index stay the last good version.
    Replacements run one at a time (``_one_replacement``): two overlapping ones shared the kept
    copy, and the second's put-back could leave the first's bad file with the original gone.
    """
    with _one_replacement(services.settings):
        return _replace_and_index(services, record, name, data, progress)


REPLACE_WAIT_S = 120.0  # how long a replacement waits for another one to finish


@contextmanager
def _one_replacement(settings: Settings) -> Iterator[None]:
    from filelock import FileLock, Timeout

    settings.store_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.store_dir / "replace.lock"))
    try:
        lock.acquire(timeout=REPLACE_WAIT_S)
    except Timeout as exc:
        raise StoreLockedError("Another new version is still being indexed. Wait for it to "
                               "finish, then replace the document again.") from exc
    try:
        yield
    finally:
        lock.release()


def _replace_and_index(services: Services, record: DocumentRecord, name: str, data: bytes,
                       progress: Progress | None) -> ReplaceResult:
    saved = save_replacement(services.settings, record, name, data)
    # index from the folder the document's source path is relative to, so a file in a
    # subfolder ("hr/sickness.md") stays the same document instead of becoming "sickness.md"
    root = folder_of(saved.path, record.source)
    paths = [root] if (root / record.source).resolve() == saved.path.resolve() else [saved.path]
    try:
        try:
            report = index_files(services, paths, record.collection, progress)
        except BaseException:
            _put_back(saved)
            raise
        refused = next((reason for path, reason in report.failed
                        if Path(path).resolve() == saved.path.resolve()), "")
        if refused and saved.previous is not None:
            _put_back(saved)
            index_files(services, paths, record.collection)  # the kept version is "ok" again
        return ReplaceResult(report, refused)
    finally:
        if saved.previous is not None:
            saved.previous.unlink(missing_ok=True)


def _put_back(saved: SavedUpload) -> None:
    if saved.previous is not None and saved.previous.exists():
        os.replace(saved.previous, saved.path)


def index_uploads(services: Services, saved: Sequence[Path], collection: str,
                  progress: Progress | None = None) -> IngestReport:
    """Index newly saved uploads. If the run cannot start or breaks off (another ingestion holds
    the store, the store is unreachable, the administrator left the page or closed the tab),
    the files whose documents were already committed stay: search finds those documents, and a
    reindex would remove a document whose file is gone. The rest are removed again, so that
    uploading them again works instead of being refused as already there."""
    try:
        known = {record.doc_id for record in services.index.get_documents()}
    except BaseException:  # nothing was indexed
        for path in saved:
            path.unlink(missing_ok=True)
        raise
    try:
        report = index_files(services, saved, collection, progress)
    except BaseException:
        _keep_committed(services, saved, known)
        raise
    _drop_unreadable(services, saved, report, known)
    return report


def _keep_committed(services: Services, saved: Sequence[Path], known: set[str]) -> None:
    """After an interrupted run: remove each saved file whose document was not committed (and
    a 'failed' record this run made for it), and let search see the ones that were. If the
    index cannot be read, every file stays (nothing is lost; uploading one again replaces it,
    see ``assistant.uploads.save_upload``)."""
    wanted = {path.resolve() for path in saved}
    try:
        records = [r for r in services.index.get_documents()
                   if r.source_path and Path(r.source_path).resolve() in wanted]
        committed = {Path(r.source_path).resolve() for r in records
                     if r.version and r.status == "ok"}
        for record in records:
            if record.status == "failed" and record.doc_id not in known:
                delete_document(services, record)
    except Exception:
        log.warning("After an interrupted upload the index could not be read; the %d saved "
                    "file(s) stay in the library", len(saved), exc_info=True)
        return
    kept = [path for path in saved if path.resolve() in committed]
    for path in saved:
        if path.resolve() not in committed:
            path.unlink(missing_ok=True)
    log.warning("An upload was interrupted: %d of %d file(s) were indexed and kept, the rest "
                "removed", len(kept), len(saved))
    if kept:
        try:
            refresh_retrieval(services)
        except Exception:
            log.warning("Search could not be refreshed after an interrupted upload",
                        exc_info=True)


def _drop_unreadable(services: Services, saved: Sequence[Path], report: IngestReport,
                     known: set[str]) -> None:
    """Remove each new upload that could not be read (a damaged PDF), file and 'failed' record:
    nothing of it is indexed, and uploading the fixed file again must not be refused as a copy.
    Only 'failed' records this run created (not in ``known``) are removed: an earlier version
    still indexed under the same name stays."""
    failed = {Path(path).resolve() for path, _ in report.failed}
    dropped = {path.resolve() for path in saved if path.resolve() in failed}
    if not dropped:
        return
    for record in services.index.get_documents():
        path = managed_path(services.settings, record)
        if path is not None and path.resolve() in dropped and record.doc_id not in known \
                and record.status == "failed":
            delete_document(services, record)
    for path in dropped:
        path.unlink(missing_ok=True)


def unmanaged_sources(services: Services, collections: Sequence[str]
                      ) -> list[tuple[str, str, int]]:
    """(collection, folder, documents) for the documents of ``collections`` indexed from folders
    the app does not manage (by ``python -m ingest``): Reindex does not read those folders, so
    it cannot refresh or remove these documents."""
    counts: dict[tuple[str, str], int] = {}
    wanted = set(collections)
    for record in services.index.get_documents():
        if record.collection in wanted and managed_path(services.settings, record) is None:
            folder = source_root(record)
            key = (record.collection, str(folder) if folder else "an unknown folder")
            counts[key] = counts.get(key, 0) + 1
    return [(collection, folder, n) for (collection, folder), n in sorted(counts.items())]


def indexed_files(services: Services) -> set[Path] | None:
    """The files the index has a document for (ok or failed, in managed folders or not, as
    resolved paths), for ``save_upload`` to tell a file an interrupted upload left behind from a
    document's; None while an ingestion run holds the store: a file it has saved but not yet
    committed would look left behind."""
    from ingest.locking import store_lock

    try:
        with store_lock(services.settings.store_dir):
            return {Path(record.source_path).resolve()
                    for record in services.index.get_documents() if record.source_path}
    except StoreLockedError:
        return None


def known_collections(services: Services) -> list[str]:
    """Collections in the index or with a library folder holding files, sorted (an empty folder
    left by a cancelled upload is no collection)."""
    names = {r.collection for r in services.index.get_documents()}
    root = services.settings.library_dir
    if root.is_dir():
        names |= {p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
                  and any(f.is_file() for f in p.rglob("*"))}
    return sorted(names)


def reindexed_folders(services: Services, collection: str) -> list[Path]:
    """The folders Reindex reads for ``collection``: its library folder, and its sample guidance
    folder only while the collection holds documents from there (the sample seeds an empty
    index; a Reindex must not add fictional guidance to a department's real library)."""
    folders = source_folders(services.settings, collection)
    sample = services.settings.sample_guidance_dir / collection
    seeded = any(record.collection == collection and _from_sample(record, sample)
                 for record in services.index.get_documents())
    return [f for f in folders if seeded or f.resolve() != sample.resolve()]


def _from_sample(record: DocumentRecord, sample: Path) -> bool:
    """Whether ``record`` was indexed from the collection's ``sample`` folder: its file is
    there, or the sample folder's file of its name is a link to it, or that file exists and the
    recorded one is gone (the folder was moved, or the app runs from a new release folder)."""
    if not record.source_path:
        return False
    recorded = Path(record.source_path)
    if recorded.resolve().is_relative_to(sample.resolve()):
        return True
    here = sample / record.source
    return here.is_file() and (not recorded.exists() or here.resolve() == recorded.resolve())


def reindex(services: Services, collections: Sequence[str],
            progress: Progress | None = None) -> dict[str, IngestReport]:
    """Bring each collection in step with its source folders (files gone are removed)."""
    from ingest.pipeline import IngestReport, validate_collection
    from ingest.service import ingest_paths

    reports: dict[str, IngestReport] = {}
    locked = False
    for collection in collections:
        try:
            validate_collection(collection)
        except GuidanceError as exc:
            reports[collection] = IngestReport(failed=[(collection, f"{exc} Rename the folder.")])
            continue
        folders = reindexed_folders(services, collection)
        if not folders:
            continue
        try:
            reports[collection] = ingest_paths(services.settings, folders, collection, sync=True,
                                               progress=progress, index=services.index,
                                               embedder=services.embedder)
        except StoreLockedError as exc:
            if not any(r.seconds for r in reports.values()):  # nothing reindexed yet: say so
                raise
            # another run took the store between two collections: report what was not done
            reports[collection] = IngestReport(failed=[(collection, f"not reindexed: {exc}")])
            locked = True
    if not locked and any(r.seconds for r in reports.values()):  # when a folder was last read
        record_reindex_time(services.settings)
    refresh_retrieval(services)
    return reports


def delete_document(services: Services, record: DocumentRecord) -> bool:
    """Remove a document from the index and, if the app manages it, its file; True if deleted."""
    from ingest.indexing import remove_document
    from ingest.locking import store_lock

    try:
        with store_lock(services.settings.store_dir, wait_s=5.0):
            remove_document(services.index, record)
            deleted = delete_file(services.settings, record)
    finally:  # even if the file could not be deleted, search must stop finding the document
        refresh_retrieval(services)
    return deleted


def refresh_retrieval(services: Services) -> None:
    """Make the retriever see the index as it now is (its own ``refresh`` when it has one)."""
    refresh = getattr(services.retriever, "refresh", None)
    if callable(refresh):
        refresh()
        return
    from assistant.retrieval import HybridRetriever, build_retriever

    if isinstance(services.retriever, HybridRetriever):
        retriever = build_retriever(services.settings, services.index, services.embedder)
        retriever.warm_up()  # the spelling dictionary, before a user's question needs it
        services.retriever = retriever


def last_reindex_file(settings: Settings) -> Path:
    """Where the time of the last full or collection reindex is kept."""
    return settings.store_dir / "last_reindex.txt"


def record_reindex_time(settings: Settings) -> None:
    """Note that a reindex just finished."""
    from datetime import UTC, datetime

    settings.store_dir.mkdir(parents=True, exist_ok=True)
    last_reindex_file(settings).write_text(datetime.now(UTC).isoformat(timespec="seconds"))


def last_reindex_time(settings: Settings) -> str:
    """The time of the last reindex, or '' if there has been none."""
    try:
        return last_reindex_file(settings).read_text().strip()
    except OSError:
        return ""


def store_size_bytes(settings: Settings) -> int:
    """Bytes on disk under the store folder (the embedded index, caches and BM25); files and
    folders deleted while counting (a snapshot cleanup, an ingest) are skipped."""
    return sum(_file_size(Path(folder, name))
               for folder, _, names in os.walk(settings.store_dir) for name in names)


def _file_size(path: Path) -> int:
    try:
        info = path.stat()
    except FileNotFoundError:
        return 0
    return info.st_size if stat.S_ISREG(info.st_mode) else 0
