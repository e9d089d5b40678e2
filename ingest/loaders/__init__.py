"""Document loaders: a file on disk becomes a LoadedDocument, or a LoadError with a specific reason.

``sniff_type`` decides the type by content; ``load_document`` dispatches to one small loader per
format. Loaders raise ``LoadError`` only; anything unexpected is turned into one here, so a caller
can show every failure to an administrator as a per-file reason.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant.errors import LoadError
from assistant.types import DocType, LoadedDocument
from ingest.loaders.docx import load_docx
from ingest.loaders.html import load_html
from ingest.loaders.markdown import load_markdown
from ingest.loaders.pdf import load_pdf
from ingest.loaders.rtf import load_rtf
from ingest.loaders.sections import EMPTY_FILE, bounded_document, brief, valid_document
from ingest.loaders.sniffing import sniff_type
from ingest.loaders.text import load_text

SUPPORTED_TYPES: tuple[DocType, ...] = ("pdf", "docx", "html", "markdown", "text", "rtf")
SUPPORTED_SUFFIXES: tuple[str, ...] = (
    ".pdf", ".docx", ".html", ".htm", ".md", ".markdown", ".txt", ".rtf",
)
OUT_OF_MEMORY = "ran out of memory while reading (a decompression bomb or a very large file?)"

_LOADERS: dict[DocType, Callable[[Path], LoadedDocument]] = {
    "pdf": load_pdf,
    "docx": load_docx,
    "html": load_html,
    "markdown": load_markdown,
    "text": load_text,
    "rtf": load_rtf,
}

__all__ = ["DATA_SUFFIXES", "OUT_OF_MEMORY", "SUPPORTED_SUFFIXES", "SUPPORTED_TYPES",
           "load_document", "sniff_type"]


def load_document(path: Path) -> LoadedDocument:
    """Read ``path`` as whatever its content says it is; raise LoadError(reason) if we cannot."""
    try:
        if path.stat().st_size == 0:
            raise LoadError(EMPTY_FILE)
        if path.suffix.lower() in DATA_SUFFIXES:
            raise LoadError(_data_reason(path))
        doc_type = sniff_type(path)
        if doc_type is None:
            raise LoadError(_unsupported_reason(path))
        return bounded_document(valid_document(_LOADERS[doc_type](path)))
    except LoadError:
        raise
    except MemoryError as exc:
        raise LoadError(OUT_OF_MEMORY) from exc
    except RecursionError as exc:
        raise LoadError("too deeply nested to read (damaged file?): re-save it and retry") from exc
    except OSError as exc:
        raise LoadError(f"could not open the file: {exc.strerror or brief(exc)}") from exc
    except Exception as exc:
        raise LoadError(f"could not be read ({brief(exc)}): re-save it and retry") from exc


_KINDS = {".pdf": "a PDF", ".docx": "a Word .docx document", ".rtf": "RTF"}
# data, not prose: a spreadsheet export or a manifest read as text is a wall of cells that search
# then offers as guidance (a folder's manifest.csv ranked in the top 5 for real questions)
DATA_SUFFIXES = frozenset({".csv", ".tsv", ".json", ".jsonl", ".xml", ".yaml", ".yml", ".xls",
                           ".xlsx", ".ods"})


def _data_reason(path: Path) -> str:
    return (f"not indexed: {path.suffix.lower()} is a data file, not guidance. If it holds "
            "guidance text, save it as PDF, Word .docx, HTML, Markdown or text and add that")


def _unsupported_reason(path: Path) -> str:
    suffix = path.suffix.lower() or "no extension"
    if suffix in _KINDS:
        return (
            f"unsupported file type: named {suffix} but the content is not {_KINDS[suffix]} "
            "(damaged or renamed?); re-export it and retry"
        )
    return (
        f"unsupported file type ({suffix}; content is not PDF, Word .docx, HTML, Markdown, "
        "RTF or text): convert it to one of those"
    )
