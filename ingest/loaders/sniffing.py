"""Deciding a file's type from its content, not only its name, and decoding text safely."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from assistant.types import DocType

HEAD_BYTES = 8192
_HTML_START = re.compile(
    rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b",
    re.IGNORECASE | re.DOTALL,
)
_HTML_TAG = re.compile(rb"<(p|div|h[1-6]|main|article|table|ul|a|span|section)\b", re.IGNORECASE)
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_MARKDOWN_SUFFIXES = {".md", ".markdown"}
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def sniff_type(path: Path) -> DocType | None:
    """The document type by content (PDF, DOCX zip, RTF, HTML, text); None if unsupported."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if not head:
        return None
    start = head.find(b"%PDF-", 0, 1024)
    if start >= 0 and b"<" not in head[:start]:  # readers allow junk before the header, not markup
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if _is_docx(path) else None
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{\\rtf"):
        return "rtf"
    if _HTML_START.match(stripped) or (
        path.suffix.lower() in _HTML_SUFFIXES and _HTML_TAG.search(head)
    ):
        return "html"
    if decode_text(head, partial=True) is None:
        return None
    return "markdown" if path.suffix.lower() in _MARKDOWN_SUFFIXES else "text"


def _is_docx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def decode_text(data: bytes, *, partial: bool = False) -> str | None:
    """The bytes as text (UTF-8, UTF-16 with a BOM, or Windows-1252), or None if they look binary.

    ``partial`` tolerates a multi-byte character cut off at the end of a sniffed head.
    """
    text = _decode(data, partial)
    if text is None:
        return None
    sample = text[:HEAD_BYTES]
    if sample and len(_CONTROL.findall(sample)) > max(2, len(sample) // 200):
        return None
    return text


def _decode(data: bytes, partial: bool) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            even = data[: len(data) // 2 * 2]
            return even.decode("utf-16", errors="replace") if partial else None
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if partial and exc.start >= len(data) - 3:
            return data[: exc.start].decode("utf-8-sig")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return None
