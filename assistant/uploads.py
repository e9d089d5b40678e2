"""Accepting guidance files from administrators: size limit, type by content, safe names.

Files are saved under ``settings.library_dir/<collection>/`` (a new file) or over an existing
document's file (a new version). The library operations at the end (index, reindex, delete) keep
the index, the files on disk and the retriever in step; the Admin page calls them.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.errors import GuidanceError, StoreLockedError
from assistant.types import DocType, DocumentRecord

if TYPE_CHECKING:
    from assistant.services import Services
    from ingest.pipeline import IngestReport, Progress

MAX_NAME_CHARS = 120
MAX_NAME_BYTES = 200  # most file systems allow 255 bytes; "政策" is 6 of them
ACCEPTED_SUFFIXES: dict[str, tuple[DocType, ...]] = {
    ".pdf": ("pdf",), ".docx": ("docx",), ".rtf": ("rtf",), ".html": ("html",),
    ".htm": ("html",), ".md": ("markdown",), ".markdown": ("markdown",), ".txt": ("text",),
}
_UNSAFE = re.compile(r"[^\w .()+,=@~'\u2019\u2013\u2014-]+")  # dashes and apostrophes are kept
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class UploadRejected(GuidanceError):
    """An uploaded file was refused; the message says why and what to do."""


@dataclass(frozen=True)
class SavedUpload:
    """A file saved into the library: where, and what its content is."""

    path: Path
    collection: str
    doc_type: DocType
    replaced: bool = False
    previous: Path | None = None  # a replacement's copy of the file it overwrote (hidden)


def safe_file_name(name: str) -> str:
    """A file name safe to save: no folders, no control characters, not hidden, bounded length.

    Names starting with '-' are kept: files are never passed to a shell or a command line.
    """
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name))[-1]
    base = _UNSAFE.sub("_", _CONTROL.sub("", base)).strip(" .")
    base = re.sub(r"_+", "_", base)
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = suffix.lower()[:10]
    stem = stem.strip(" ._")[: MAX_NAME_CHARS - len(suffix) - 1] or "upload"
    while len(stem.encode()) + len(suffix.encode()) + 1 > MAX_NAME_BYTES:  # counted in bytes
        stem = stem[:-1]
    return f"{stem}.{suffix}" if suffix else stem


def check_upload(name: str, data: bytes, settings: Settings) -> tuple[str, DocType]:
    """The safe name and content type of an upload, or UploadRejected saying what is wrong."""
    safe = safe_file_name(name)
    limit = settings.max_upload_mb * 1024 * 1024
    if not data:
        raise UploadRejected(f"{safe} is empty. Choose the file again.")
    if len(data) > limit:
        raise UploadRejected(f"{safe} is {len(data) / 1048576:.1f} MB; the limit is "
                             f"{settings.max_upload_mb} MB. Split or compress it and retry.")
    suffix = Path(safe).suffix.lower()
    expected = ACCEPTED_SUFFIXES.get(suffix)
    if expected is None:
        raise UploadRejected(f"{safe}: only PDF, Word (.docx), HTML, Markdown, text and RTF "
                             "files can be added. Convert it to one of those.")
    doc_type = sniff_bytes(data, suffix)
    if doc_type not in expected:
        raise UploadRejected(f"{safe} is named {suffix} but its content is not that kind of file "
                             "(damaged or renamed?). Re-export it and retry.")
    return safe, expected[0]


def sniff_bytes(data: bytes, suffix: str) -> DocType | None:
    """The document type of ``data`` by its content (the suffix only separates text kinds)."""
    from ingest.loaders import sniff_type

    with tempfile.TemporaryDirectory(prefix="ga-upload-") as folder:
        probe = Path(folder) / f"probe{suffix}"
        probe.write_bytes(data)
        return sniff_type(probe)


def collection_folder(settings: Settings, collection: str) -> Path:
    """The library folder of a collection (its name checked)."""
    from ingest.pipeline import validate_collection

    return settings.library_dir / validate_collection(collection)


def save_upload(settings: Settings, collection: str, name: str, data: bytes) -> SavedUpload:
    """Check an upload and save it as a new file in the collection's library folder."""
    safe, doc_type = check_upload(name, data, settings)
    folder = collection_folder(settings, collection)
    target = folder / safe
    # the sample guidance folder feeds the same collection: a same-named upload would hide it
    if any((source / safe).exists() for source in (folder, *source_folders(settings, collection))):
        raise UploadRejected(f"{safe} is already in {collection}. To update it, use "
                             "'Replace' on the document; or rename the file.")
    _write_atomically(target, data, folder)
    return SavedUpload(target, collection, doc_type)


def managed_roots(settings: Settings) -> tuple[Path, ...]:
    """Folders whose files the app may overwrite or delete."""
    return (settings.library_dir.resolve(), settings.sample_guidance_dir.resolve())


def managed_path(settings: Settings, record: DocumentRecord) -> Path | None:
    """The document's file when it lies inside a managed folder, else None."""
    if not record.source_path:
        return None
    path = Path(record.source_path).resolve()
    return path if any(root in path.parents for root in managed_roots(settings)) else None


def save_replacement(settings: Settings, record: DocumentRecord, name: str,
                     data: bytes) -> SavedUpload:
    """Check a new version of a document and write it over the document's file.

    The file it overwrites is kept as a hidden copy (``SavedUpload.previous``) until the new
    version has been read: ``replace_and_index`` puts it back if the new one cannot be.
    """
    _safe, doc_type = check_upload(name, data, settings)
    target = managed_path(settings, record)
    if target is None:
        raise UploadRejected(f"{record.title} was indexed from a folder the app does not "
                             "manage; replace the file there and reindex.")
    expected = ACCEPTED_SUFFIXES.get(target.suffix.lower(), (record.doc_type,))[0]
    if doc_type != expected:
        raise UploadRejected(f"The new version is a {doc_type} file but {target.name} is a "
                             f"{expected} file. Upload it as a new document instead.")
    previous = None
    if target.exists():
        previous = target.with_name(f".previous-{target.name}")
        shutil.copy2(target, previous)  # bytes, mode and times, to put back as they were
    try:
        _write_atomically(target, data, target.parent)
    except BaseException:
        if previous is not None:
            previous.unlink(missing_ok=True)
        raise
    return SavedUpload(target, record.collection, doc_type, replaced=True, previous=previous)


def delete_file(settings: Settings, record: DocumentRecord) -> bool:
    """Delete the document's file if the app manages it; True when a file was deleted."""
    target = managed_path(settings, record)
    if target is None or not target.exists():
        return False
    target.unlink()
    return True


def _write_atomically(target: Path, data: bytes, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if folder.resolve() not in target.resolve().parents:
        raise UploadRejected("That file name is not allowed. Rename the file and retry.")
    # mkstemp makes the file owner-only; keep a replaced file's mode, else the usual 0644
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# Library operations the Admin page calls: each keeps the index, the files and retrieval in step.

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
    """
    saved = save_replacement(services.settings, record, name, data)
    # index from the folder the document's source path is relative to, so a file in a
    # subfolder ("hr/sickness.md") stays the same document instead of becoming "sickness.md"
    root = saved.path
    for _ in Path(record.source).parts:
        root = root.parent
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
    """Index newly saved uploads; if the run cannot start or breaks off (another ingestion holds
    the store, the store is unreachable), the saved files are removed again, so that uploading
    them again works instead of being refused as already there."""
    try:
        known = {record.doc_id for record in services.index.get_documents()}
        report = index_files(services, saved, collection, progress)
    except BaseException:
        for path in saved:
            path.unlink(missing_ok=True)
        raise
    _drop_unreadable(services, saved, report, known)
    return report


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


def source_folders(settings: Settings, collection: str) -> list[Path]:
    """The managed folders a collection is indexed from (library, then sample guidance)."""
    return [folder for folder in (collection_folder(settings, collection),
                                  settings.sample_guidance_dir / collection) if folder.is_dir()]


def known_collections(services: Services) -> list[str]:
    """Collections in the index or with a managed folder, sorted."""
    names = {r.collection for r in services.index.get_documents()}
    for root in (services.settings.library_dir, services.settings.sample_guidance_dir):
        if root.is_dir():
            names |= {p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")}
    return sorted(names)


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
        folders = source_folders(services.settings, collection)
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
    if not locked:
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
