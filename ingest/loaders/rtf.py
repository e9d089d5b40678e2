"""RTF via striprtf; title and dates from the \\info group."""

from __future__ import annotations

import re
from pathlib import Path

from striprtf.striprtf import rtf_to_text

from assistant.errors import LoadError
from assistant.types import LoadedDocument, Section
from ingest.loaders.sections import first_line, normalise_text, one_line

_TITLE = re.compile(r"\{\\title\s+([^{}]*)\}")
_TIME = r"\{{\\{kind}\\yr(\d{{4}})\\mo(\d{{1,2}})\\dy(\d{{1,2}})"


def load_rtf(path: Path) -> LoadedDocument:
    """An RTF file as one section of plain text."""
    raw = path.read_bytes().decode("cp1252", errors="replace")
    try:
        text = normalise_text(rtf_to_text(raw, errors="ignore"))  # type: ignore[no-untyped-call]
    except (ValueError, IndexError, RecursionError) as exc:
        raise LoadError(f"damaged RTF: could not be read ({type(exc).__name__})") from exc
    if not text:
        raise LoadError("no text: the RTF file holds no readable text")
    sections = (Section((), text),)
    title_match = _TITLE.search(raw)
    title = one_line(title_match.group(1)) if title_match else ""
    return LoadedDocument(
        title=title or first_line(sections) or path.stem,
        doc_type="rtf",
        sections=sections,
        updated=_info_date(raw, "revtim") or _info_date(raw, "creatim"),
    )


def _info_date(raw: str, kind: str) -> str | None:
    match = re.search(_TIME.format(kind=kind), raw)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else None
