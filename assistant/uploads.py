"""Accepting guidance files from administrators: size limit, type by content, safe names.

Files are saved under ``settings.library_dir/<collection>/`` (a new file) or over an existing
document's file (a new version). The library operations (index, replace, reindex, delete) that
keep the index, the files on disk and the retriever in step are in ``assistant.library``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import tempfile
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from assistant.config import Settings
from assistant.errors import GuidanceError
from assistant.types import DocType, DocumentRecord

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


def save_upload(settings: Settings, collection: str, name: str, data: bytes,
                indexed: Collection[Path] | None = None) -> SavedUpload:
    """Check an upload and save it as a new file in the collection's library folder.

    ``indexed``: the files the index has a document for. A same-named file in the library that
    is not among them was left by an upload that broke off before it was indexed (the app was
    stopped): the new upload takes its place instead of being refused."""
    safe, doc_type = check_upload(name, data, settings)
    folder = collection_folder(settings, collection)
    target = folder / safe
    # only a file inside the library itself (a collection folder may be a link elsewhere)
    left_behind = indexed is not None and target.exists() and target.resolve() not in indexed \
        and settings.library_dir.resolve() in target.resolve().parents
    def taken(source: Path) -> bool:
        path = source / safe
        if not path.exists():
            return False
        if source == folder:
            return not (left_behind and path == target)
        # the sample guidance folder feeds the same collection when the index was seeded from
        # it: a same-named upload would hide its document. A sample file not indexed hides
        # nothing (Reindex does not read an unseeded sample folder; a code review)
        return indexed is None or path.resolve() in indexed

    if any(taken(source) for source in (folder, *source_folders(settings, collection))):
        raise UploadRejected(f"{safe} is already in {collection}. To update it, use "
                             "'Replace' on the document; or rename the file.")
    _write_atomically(target, data, folder)
    return SavedUpload(target, collection, doc_type)


def managed_roots(settings: Settings) -> tuple[Path, ...]:
    """Folders whose files the app may overwrite or delete."""
    return (settings.library_dir.resolve(), settings.sample_guidance_dir.resolve())


def source_root(record: DocumentRecord) -> Path | None:
    """The folder a document was indexed from (its file's path less its source path), if known."""
    return folder_of(Path(record.source_path), record.source) if record.source_path else None


def folder_of(path: Path, source: str) -> Path:
    """The folder ``source`` (a path within a collection, "hr/sickness.md") is relative to,
    given the file's ``path``."""
    for _ in Path(source).parts:
        path = path.parent
    return path


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
        folder = source_root(record)
        raise UploadRejected(
            f"{record.title} was indexed from {folder or 'a folder'}, which this app does not "
            "manage, and Reindex here does not read it. Replace the file there, then stop the "
            f"app and run: python -m ingest {shlex.quote(str(folder)) if folder else 'FOLDER'} "
            f"--collection {record.collection}")
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


def source_folders(settings: Settings, collection: str) -> list[Path]:
    """The managed folders a collection is indexed from (library, then sample guidance)."""
    return [folder for folder in (collection_folder(settings, collection),
                                  settings.sample_guidance_dir / collection) if folder.is_dir()]
