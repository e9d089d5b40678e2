"""The bundled sample guidance: the mix of formats, each file valid, smoke questions answerable."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import docx
import pytest
import yaml
from bs4 import BeautifulSoup
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_guidance"
GUIDANCE = SAMPLE / "guidance"
FILES = sorted(p for p in GUIDANCE.iterdir() if p.is_file())


def normalise(text: str) -> str:
    """Collapse whitespace and curly quotes so phrases match across line wraps."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n".join(parts)


def html_main_text(path: Path) -> str:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    main = soup.find("main")
    assert main is not None, f"{path.name} has no <main>"
    return main.get_text(" ")


def split_front_matter(path: Path) -> tuple[dict[str, Any], str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{path.name} has no YAML front matter"
    _, header, body = text.split("---\n", 2)
    return yaml.safe_load(header), body


def document_text(path: Path) -> str:
    readers = {
        ".pdf": pdf_text,
        ".docx": docx_text,
        ".html": html_main_text,
        ".md": lambda p: split_front_matter(p)[1],
    }
    return normalise(readers[path.suffix](path))


def load_questions() -> list[dict[str, Any]]:
    lines = (SAMPLE / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_sample_guidance", ROOT / "scripts" / "make_sample_guidance.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


def test_one_collection_with_two_files_of_each_format() -> None:
    assert Counter(p.suffix for p in FILES) == {".pdf": 2, ".docx": 2, ".html": 2, ".md": 2}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_file_is_small_and_the_right_length(path: Path) -> None:
    assert path.stat().st_size < 200_000
    words = len(document_text(path).split())
    assert 600 <= words <= 2500, f"{path.name}: {words} words"


@pytest.mark.parametrize("path", [p for p in FILES if p.suffix == ".pdf"], ids=lambda p: p.name)
def test_pdfs_have_pages_outline_page_numbers_and_a_date(path: Path) -> None:
    reader = PdfReader(path)
    pages = len(reader.pages)
    assert pages >= 2
    assert len(reader.outline) >= 1 and isinstance(reader.outline[1], list), "nested outline"
    assert f"Page 1 of {pages}" in reader.pages[0].extract_text()
    assert reader.metadata is not None and reader.metadata.title
    assert "Last updated" in pdf_text(path)


@pytest.mark.parametrize("path", [p for p in FILES if p.suffix == ".docx"], ids=lambda p: p.name)
def test_docx_files_use_heading_styles_and_tables(path: Path) -> None:
    document = docx.Document(str(path))
    styles = {p.style.name for p in document.paragraphs if p.style is not None}
    assert {"Title", "Heading 1", "Heading 2"} <= styles
    assert document.tables, "at least one table"
    assert document.core_properties.title
    assert "Last updated" in docx_text(path)


@pytest.mark.parametrize("path", [p for p in FILES if p.suffix == ".html"], ids=lambda p: p.name)
def test_html_pages_have_chrome_outside_main(path: Path) -> None:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    assert soup.find(id="global-cookie-message") is not None
    assert soup.find("header") is not None and soup.find("footer") is not None
    assert soup.find("meta", attrs={"name": "govuk:public-updated-at"}) is not None
    main = html_main_text(path)
    assert "Last updated" in main
    assert "Accept additional cookies" not in main and "Crown copyright" not in main


@pytest.mark.parametrize("path", [p for p in FILES if p.suffix == ".md"], ids=lambda p: p.name)
def test_markdown_front_matter(path: Path) -> None:
    meta, body = split_front_matter(path)
    assert {"title", "url", "public_updated_at"} <= set(meta)
    assert str(meta["public_updated_at"]).startswith("20")
    assert body.lstrip().startswith(f"# {meta['title']}")


def test_questions_cover_answerable_and_out_of_scope() -> None:
    questions = load_questions()
    answerable = [q for q in questions if q["expected_doc"] is not None]
    assert len(answerable) == 15
    assert len(questions) - len(answerable) == 5
    assert len({q["id"] for q in questions}) == len(questions)
    assert {q["expected_doc"] for q in answerable} == {p.name for p in FILES}


@pytest.mark.parametrize(
    "question",
    [q for q in load_questions() if q["expected_doc"]],
    ids=lambda q: q["id"],
)
def test_expected_phrase_is_in_expected_doc(question: dict[str, Any]) -> None:
    text = document_text(GUIDANCE / question["expected_doc"])
    assert normalise(question["expected_phrase"]) in text


def test_generator_reproduces_committed_files() -> None:
    generator = load_generator()
    for name in generator.PDF_SOURCES:
        source = generator.parse_source(generator.SOURCE_DIR / f"{name}.txt")
        assert generator.build_pdf(source) == (GUIDANCE / f"{name}.pdf").read_bytes()
    for name in generator.DOCX_SOURCES:
        source = generator.parse_source(generator.SOURCE_DIR / f"{name}.txt")
        assert generator.build_docx(source) == (GUIDANCE / f"{name}.docx").read_bytes()
