"""How many distinct texts a workbook holds, checked before openpyxl reads them.

openpyxl parses every shared string (each distinct text in the workbook) when it opens a file,
about 16-24 µs each, before any sheet is read: a 276 KB upload holding 2.9 million tiny strings
took 46 s to open. The table is counted here with expat, a few times faster, and the count
stops at the limit, so such a file is refused in well under a second.
"""

from __future__ import annotations

import zipfile
import zlib
from xml.parsers import expat

from consult.errors import ConsultError

MAX_SHARED_STRINGS = 400_000  # twice the 200,000 rows Consult imports: two answer columns each
MAX_SHARED_STRINGS_BYTES = 100 * 1024 * 1024
MAX_MANIFEST_BYTES = 4 * 1024 * 1024  # [Content_Types].xml names parts: a few KB in a real file
_SI = "http://schemas.openxmlformats.org/spreadsheetml/2006/main si"  # expat's name for <si>
_BLOCK = 1024 * 1024


def check_shared_strings(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse a workbook whose shared-string table is over MAX_SHARED_STRINGS strings or
    MAX_SHARED_STRINGS_BYTES, found as openpyxl finds it (by its content type)."""
    part = _shared_strings_part(archive, name)
    if part is None:
        return
    if part.file_size > MAX_SHARED_STRINGS_BYTES:
        raise ConsultError(_too_many_strings(name, f"over {MAX_SHARED_STRINGS_BYTES >> 20} MB of"))
    _count_strings(archive, part, name)


def _shared_strings_part(archive: zipfile.ZipFile, name: str) -> zipfile.ZipInfo | None:
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS
    from openpyxl.xml.functions import fromstring

    try:
        manifest = archive.getinfo(ARC_CONTENT_TYPES)
    except KeyError:
        return None  # no workbook: openpyxl says so
    if manifest.file_size > MAX_MANIFEST_BYTES:
        raise ConsultError(f"{name} lists far more parts than a workbook does. Open it in "
                           "Excel, save it as .xlsx and try again.")
    try:
        found = Manifest.from_tree(fromstring(archive.read(manifest))).find(SHARED_STRINGS)
        return None if found is None else archive.getinfo(found.PartName[1:])
    except (KeyError, SyntaxError, TypeError, ValueError, zipfile.BadZipFile, zlib.error):
        return None  # a damaged manifest: openpyxl's own error says what is wrong


def _count_strings(archive: zipfile.ZipFile, part: zipfile.ZipInfo, name: str) -> None:
    """Parse the table a block at a time, counting <si> elements; raise at MAX_SHARED_STRINGS
    + 1. A document type declaration (which could declare entities) is refused: Excel writes
    none."""
    count = 0

    def start(tag: str, _attributes: object) -> None:
        nonlocal count
        count += tag == _SI
        if count > MAX_SHARED_STRINGS:
            raise ConsultError(_too_many_strings(name, f"more than {MAX_SHARED_STRINGS:,}"))

    def doctype(*_: object) -> None:
        raise ConsultError(f"{name} holds a document type declaration, which workbooks saved "
                           "by Excel never do. Open it in Excel, save it as .xlsx and try again.")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    try:
        with archive.open(part) as source:
            while block := source.read(_BLOCK):
                parser.Parse(block, False)
        parser.Parse(b"", True)
    except (expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ConsultError(f"{name} could not be opened as an Excel workbook (its text table "
                           f"is damaged: {exc}). Open it in Excel, save it as .xlsx and try "
                           "again.") from exc


def _too_many_strings(name: str, amount: str) -> str:
    return (f"{name} holds {amount} different texts (Excel's shared strings), more than Consult "
            "reads from a workbook. Save the sheet of responses as 'CSV UTF-8' in Excel and "
            "upload that, or split the workbook.")
