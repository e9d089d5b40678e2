"""Consult page, uploads: read an uploaded CSV/XLSX, or a zip of a Themefinder JSONL folder.

The engine reads paths, so uploads are written under safe names to a temporary folder that is
removed as soon as they are read. Only ``question_part_N/question.json`` and ``responses.jsonl``
are taken from a zip, each written to a path built from the matched names (never the archive's).
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from assistant.uploads import safe_file_name
from consult.errors import ConsultError
from consult.importing import (
    MAX_RATIO,
    check_zip_parts,
    guess_id_column,
    list_columns,
    list_sheets,
    load_consultation,
    load_themefinder,
    open_workbook,
    packed_too_tightly,
)
from consult.responses import Consultation

T = TypeVar("T")
MAX_UNZIPPED_MB = 200
COPY_BLOCK = 1024 * 1024  # bytes unpacked at a time
_PART_FILE = re.compile(r"(?:^|/)(question_part_\d{1,4})/(question\.json|responses\.jsonl)$")


def read_upload(name: str, data: bytes, read: Callable[[Path], T]) -> T:
    """Run ``read`` on the uploaded bytes, saved under a safe name in a temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / safe_file_name(name)
        path.write_bytes(data)
        return read(path)


def upload_book(name: str, data: bytes) -> Any:
    """An uploaded XLSX file's workbook, checked and opened once (openpyxl parses every
    distinct text as it opens one), for the functions below; None for a CSV file."""
    if Path(safe_file_name(name)).suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    return read_upload(name, data, open_workbook)


def upload_sheets(name: str, data: bytes, book: Any = None) -> list[str]:
    """The worksheet names of an uploaded XLSX file ([] for a CSV file); ``book`` is the file's
    ``upload_book``, if already opened."""
    return read_upload(name, data, lambda p: list_sheets(p, book))


def upload_columns(name: str, data: bytes, sheet: str | None = None,
                   book: Any = None) -> list[str]:
    """The header row of an uploaded CSV/XLSX file (``sheet`` of a workbook, else its first)."""
    return read_upload(name, data, lambda p: list_columns(p, sheet, book))


def upload_id_column(name: str, data: bytes, sheet: str | None = None,
                     book: Any = None) -> str:
    """The likeliest respondent-id column of an uploaded CSV/XLSX file."""
    return read_upload(name, data, lambda p: guess_id_column(p, sheet, book))


def import_table(name: str, data: bytes, id_column: str, question_columns: list[str],
                 sheet: str | None = None, book: Any = None) -> Consultation:
    """Import an uploaded CSV/XLSX file's chosen columns."""
    return read_upload(name, data,
                       lambda p: load_consultation(p, id_column, question_columns, sheet, book))


def import_themefinder_zip(name: str, data: bytes) -> Consultation:
    """Import a zip of one folder in the Themefinder layout (question_part_N/*.json[l])."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        unpack_parts(name, data, root)
        consultation = load_themefinder(root)
    return Consultation(name, consultation.questions, consultation.rows, consultation.notes)


def unpack_parts(name: str, data: bytes, root: Path) -> None:
    """Write each question part's two files under ``root``, streamed a block at a time (never
    a whole part in memory), after refusing a zip bomb by its declared sizes and ratios."""
    check_zip_parts(data, name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ConsultError(f"{name} is not a zip file. Zip the consultation's folder and try "
                           "again, or upload a CSV or Excel file.") from exc
    with archive:
        wanted = _part_files(name, archive)
        for (part, file), member in wanted.items():
            (root / part).mkdir(exist_ok=True)
            try:
                with archive.open(member) as source, (root / part / file).open("wb") as target:
                    # zipfile never yields more than a part declares, and that was checked
                    shutil.copyfileobj(source, target, COPY_BLOCK)
            except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError,
                    NotImplementedError) as exc:  # damaged, encrypted or oddly compressed
                raise ConsultError(f"{part}/{file} in {name} could not be unzipped ({exc}). "
                                   "Zip the consultation's folder again and retry.") from exc


def _part_files(name: str, archive: zipfile.ZipFile) -> dict[tuple[str, str], zipfile.ZipInfo]:
    """The question parts' members, checked: one consultation, each part complete, under
    MAX_UNZIPPED_MB in all and none packed more tightly than text packs."""
    wanted: dict[tuple[str, str], zipfile.ZipInfo] = {}
    for member in archive.infolist():
        match = _PART_FILE.search(member.filename)
        if match is None:
            continue
        if match.groups() in wanted:
            raise ConsultError(f"{name} holds more than one consultation ({match[1]} "
                               "twice). Zip a single consultation's folder.")
        wanted[(match[1], match[2])] = member
    if not wanted:
        raise ConsultError(f"{name} has no question_part_N folders with question.json and "
                           "responses.jsonl: it is not in the Themefinder layout.")
    incomplete = sorted({part for part, _ in wanted} - {
        part for part, file in wanted if (part, "question.json") in wanted
        and (part, "responses.jsonl") in wanted})
    if incomplete:
        raise ConsultError(f"{incomplete[0]} in {name} needs both question.json and "
                           "responses.jsonl.")
    if sum(m.file_size for m in wanted.values()) > MAX_UNZIPPED_MB * 1024 * 1024:
        raise ConsultError(f"{name} unpacks to more than {MAX_UNZIPPED_MB} MB. Split it.")
    # a 190 KB zip declaring 190 MB of "{}" lines passed the size check above
    tight = next((f"{part}/{file}" for (part, file), m in wanted.items()
                  if packed_too_tightly(m)), None)
    if tight is not None:
        raise ConsultError(f"{tight} in {name} unpacks to over {MAX_RATIO} times its zipped "
                           "size, far more than real responses do (a zip bomb, or a file of "
                           "repeated lines). Check the folder's files, zip it again and retry.")
    return wanted
