"""Fonts' character maps are parsed once per PDF (``ingest.loaders.pdf_fonts``), text unchanged."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pypdf._cmap
import pytest
from pypdf.generic import _font

import ingest.loaders.pdf as pdf_loader
from ingest.loaders import load_document
from ingest.loaders.pdf_fonts import INSTALLED, fonts_read_once
from tests.ingest.test_loaders import make_pdf

PAGES = [f"Section {n}. Employees must give {n + 14} days' notice of leave." for n in range(6)]


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts pypdf's parses of a font's ToUnicode map (the work the cache saves)."""
    calls: list[int] = []
    real = pypdf._cmap._parse_to_unicode

    def counting(font):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(font)

    monkeypatch.setattr(pypdf._cmap, "_parse_to_unicode", counting)
    return calls


def test_the_wrapper_is_installed_in_the_pinned_pypdf() -> None:
    assert INSTALLED
    assert getattr(_font.get_encoding, "_reads_once", False)


def test_a_font_shared_by_every_page_is_parsed_once_per_document(
        tmp_path: Path, parses: list[int]) -> None:
    path = make_pdf(tmp_path / "notice.pdf", PAGES)
    load_document(path)
    once = len(parses)
    parses.clear()
    load_document(path)
    assert len(parses) == once  # a new document starts a new cache
    parses.clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_loader, "fonts_read_once", contextlib.nullcontext)
        load_document(path)
    assert once >= 1 and len(parses) >= len(PAGES) * once  # without it: every page again


def test_the_text_is_the_same_with_and_without_the_cache(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "notice.pdf", PAGES, title="Notice of leave", outline=True)
    cached = load_document(path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_loader, "fonts_read_once", contextlib.nullcontext)
        plain = load_document(path)
    assert cached == plain
    assert "19 days' notice" in " ".join(s.text for s in cached.sections)


def test_outside_a_document_pypdf_is_not_cached(tmp_path: Path, parses: list[int]) -> None:
    from pypdf import PdfReader

    reader = PdfReader(make_pdf(tmp_path / "notice.pdf", PAGES))
    for page in reader.pages:
        page.extract_text()
    assert len(parses) >= len(PAGES)
    parses.clear()
    with fonts_read_once():
        for page in reader.pages:
            page.extract_text()
    once = len(parses)
    assert 1 <= once < len(PAGES)
    with fonts_read_once():  # the same reader's fonts again: each block starts a new cache
        for page in reader.pages:
            page.extract_text()
    assert len(parses) == 2 * once


def test_a_call_with_more_arguments_goes_straight_to_pypdf(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[object, ...]] = []
    from pypdf.generic import DictionaryObject

    monkeypatch.setattr(pypdf._cmap, "_parse_to_unicode",
                        lambda font: seen.append((font,)) or ({}, []))
    with fonts_read_once():
        _font.get_encoding(DictionaryObject())
        _font.get_encoding(DictionaryObject())
    assert len(seen) == 2  # distinct fonts: parsed each
    with fonts_read_once(), pytest.raises(TypeError):
        _font.get_encoding(DictionaryObject(), "extra")  # pypdf 7.1.1 takes one: its own error
