"""Generate the bundled sample guidance PDFs and DOCX files from scripts/sample_text/.

Run from the repository root:  python scripts/make_sample_guidance.py

Deterministic: dates and metadata are fixed, and DOCX zip entries get a fixed timestamp, so
rerunning produces byte-identical files. The HTML and Markdown samples are hand-written and live
directly in sample_guidance/guidance/.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import docx
from docx.shared import Pt
from fpdf import FPDF

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = Path(__file__).resolve().parent / "sample_text"
OUT_DIR = ROOT / "sample_guidance" / "guidance"
DEPARTMENT = "Department for Household Support"
PDF_SOURCES = ("paternity-leave-and-pay", "overpayment-recovery")
DOCX_SOURCES = ("annual-leave-and-carry-over", "sickness-absence-reporting")
ZIP_TIMESTAMP = (2025, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Block:
    """One piece of source text: a heading, paragraph, bullet list or table."""

    kind: str  # "h1", "h2", "p", "ul", "table"
    lines: tuple[str, ...]


@dataclass(frozen=True)
class SourceDoc:
    """A parsed source file: metadata header plus body blocks."""

    title: str
    reference: str
    owner: str
    updated: date
    blocks: tuple[Block, ...]

    @property
    def updated_text(self) -> str:
        """The update date as GOV.UK writes it, e.g. '14 March 2025'."""
        return f"{self.updated.day} {self.updated:%B %Y}"

    @property
    def timestamp(self) -> datetime:
        """A fixed, timezone-aware timestamp for file metadata."""
        return datetime(self.updated.year, self.updated.month, self.updated.day, 9, 0, tzinfo=UTC)


def parse_source(path: Path) -> SourceDoc:
    """Parse 'key: value' header lines, '---', then blank-line separated blocks."""
    header_text, body = path.read_text(encoding="utf-8").split("\n---\n", 1)
    meta = dict(line.split(": ", 1) for line in header_text.splitlines())
    blocks = tuple(b for chunk in body.strip().split("\n\n") for b in _parse_chunk(chunk))
    return SourceDoc(
        title=meta["title"],
        reference=meta["reference"],
        owner=meta["owner"],
        updated=date.fromisoformat(meta["updated"]),
        blocks=blocks,
    )


def _parse_chunk(chunk: str) -> list[Block]:
    """Split a blank-line separated chunk into headings, paragraphs, lists and tables."""
    blocks: list[Block] = []
    for line in (line.rstrip() for line in chunk.strip().splitlines()):
        kind, text = _line_kind(line)
        if kind in ("h1", "h2") or not blocks or blocks[-1].kind != kind:
            blocks.append(Block(kind, (text,)))
        elif kind == "p":
            blocks[-1] = Block("p", (f"{blocks[-1].lines[0]} {text}",))
        else:
            blocks[-1] = Block(kind, (*blocks[-1].lines, text))
    return blocks


def _line_kind(line: str) -> tuple[str, str]:
    if line.startswith("## "):
        return "h2", line[3:]
    if line.startswith("# "):
        return "h1", line[2:]
    if line.startswith("- "):
        return "ul", line[2:]
    if line.startswith("| "):
        return "table", line
    return "p", line


def table_rows(block: Block) -> list[list[str]]:
    """Cells of a '| a | b |' table block; the first row is the header."""
    return [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in block.lines]


class GuidancePdf(FPDF):
    """A PDF with a running header, 'Page n of N' footers and the update date."""

    def __init__(self, doc: SourceDoc) -> None:
        super().__init__(format="A4")
        self.doc = doc
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(auto=True, margin=22)

    def header(self) -> None:
        self.set_font("Helvetica", "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"{DEPARTMENT} | {self.doc.reference}", align="L")
        self.ln(10)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"Last updated {self.doc.updated_text}", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)


def build_pdf(doc: SourceDoc) -> bytes:
    """Render ``doc`` as a multi-page PDF with headings in its outline (bookmarks)."""
    pdf = GuidancePdf(doc)
    pdf.set_title(doc.title)
    pdf.set_author(DEPARTMENT)
    pdf.set_subject(doc.reference)
    pdf.set_creator("scripts/make_sample_guidance.py")
    pdf.set_producer("fpdf2")
    pdf.set_creation_date(doc.timestamp)
    pdf.add_page()
    pdf.start_section(doc.title, level=0)
    pdf.set_font("Helvetica", "B", 20)
    pdf.multi_cell(0, 9, doc.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 6, f"Reference {doc.reference}. Owner: {doc.owner}.",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, f"Last updated: {doc.updated_text}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for block in doc.blocks:
        _render_pdf_block(pdf, block)
    return bytes(pdf.output())


def _render_pdf_block(pdf: FPDF, block: Block) -> None:
    if block.kind in ("h1", "h2"):
        size, level = (15, 1) if block.kind == "h1" else (12, 2)
        if pdf.will_page_break(20):
            pdf.add_page()
        pdf.ln(2)
        pdf.start_section(block.lines[0], level=level)
        pdf.set_font("Helvetica", "B", size)
        pdf.multi_cell(0, 7, block.lines[0], new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    elif block.kind == "ul":
        pdf.set_font("Helvetica", "", 11)
        for item in block.lines:
            pdf.set_x(pdf.l_margin + 4)
            pdf.multi_cell(0, 5.5, f"- {item}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    elif block.kind == "p":
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 5.5, block.lines[0], new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2.5)
    else:
        raise ValueError(f"PDF sources do not support {block.kind} blocks")


def build_docx(doc: SourceDoc) -> bytes:
    """Render ``doc`` as a DOCX using Title/Heading styles, bullet lists and tables."""
    document = docx.Document()
    document.styles["Normal"].font.size = Pt(11)
    document.add_heading(doc.title, level=0)
    document.add_paragraph(f"{DEPARTMENT}. Reference {doc.reference}. Owner: {doc.owner}.")
    document.add_paragraph(f"Last updated: {doc.updated_text}")
    for block in doc.blocks:
        _render_docx_block(document, block)
    props = document.core_properties
    props.title = doc.title
    props.author = DEPARTMENT
    props.subject = doc.reference
    props.last_modified_by = DEPARTMENT
    props.revision = 1
    props.created = doc.timestamp.replace(tzinfo=None)
    props.modified = doc.timestamp.replace(tzinfo=None)
    buffer = io.BytesIO()
    document.save(buffer)
    return _fix_zip_timestamps(buffer.getvalue())


def _render_docx_block(document: docx.document.Document, block: Block) -> None:
    if block.kind == "h1":
        document.add_heading(block.lines[0], level=1)
    elif block.kind == "h2":
        document.add_heading(block.lines[0], level=2)
    elif block.kind == "ul":
        for item in block.lines:
            document.add_paragraph(item, style="List Bullet")
    elif block.kind == "table":
        rows = table_rows(block)
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        table.style = "Table Grid"
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                cell = table.cell(r, c)
                cell.text = text
                if r == 0:
                    cell.paragraphs[0].runs[0].bold = True
    else:
        document.add_paragraph(block.lines[0])


def _fix_zip_timestamps(data: bytes) -> bytes:
    """Rewrite a zip with a fixed timestamp on every entry, so output is reproducible."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(item.filename))
    return out.getvalue()


def main() -> None:
    """Write every generated sample file and print its size."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    jobs = [(name, "pdf", build_pdf) for name in PDF_SOURCES]
    jobs += [(name, "docx", build_docx) for name in DOCX_SOURCES]
    for name, ext, build in jobs:
        target = OUT_DIR / f"{name}.{ext}"
        target.write_bytes(build(parse_source(SOURCE_DIR / f"{name}.txt")))
        print(f"{target.relative_to(ROOT)}: {target.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
