"""Loaders over the real shared GOV.UK material: chrome gone, rule text kept, metadata read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.errors import LoadError
from assistant.types import LoadedDocument
from ingest.loaders import load_document

pytestmark = pytest.mark.integration

_MARKER = re.compile(r"^\s*(\d+\.|-)\s+")
_MARKUP = re.compile(r"\]\([^)]*\)|[*_\[\]]")
CHROME = (
    "We use some essential cookies",
    "Accept additional cookies",
    "Skip to main content",
    "Navigation menu",
    "Services and information",
    "Is this page useful?",
    "Help us improve GOV.UK",
    "Support links",
    "Crown copyright",
    "Print this page",
    "Search this manual",
    "Markdown Content:",
    "URL Source:",
)


def _all_text(doc: LoadedDocument) -> str:
    return "\n".join(f"{s.path_text}\n{s.text}" for s in doc.sections)


def _rules(shared_data: Path) -> list[Path]:
    return sorted((shared_data / "guidance" / "immigration_rules").glob("*.md"))


def test_immigration_rules_sample_loses_chrome_and_keeps_rules(shared_data: Path) -> None:
    paths = _rules(shared_data)
    sample = [p for p in paths if p.name.startswith("-")] + paths[::9]
    assert len(sample) >= 14
    for path in sample:
        raw = path.read_text(encoding="utf-8")
        doc = load_document(path)
        text = _all_text(doc)
        for phrase in CHROME:
            assert phrase not in text, (path.name, phrase)
        assert doc.url and doc.url.startswith("https://www.gov.uk/"), path.name
        if "Cookies on GOV.UK" in raw:
            assert doc.updated, path.name  # from the "Updated: 25 November 2025" line
        flat = " ".join(_MARKUP.sub("", raw).split())
        body = "\n".join(section.text for section in doc.sections)
        kept = [_MARKER.sub("", line)[:40] for line in body.split("\n") if len(line) > 60]
        found = sum(line in flat for line in kept)
        assert kept and found >= 0.8 * len(kept), (path.name, found, len(kept))


def test_adoption_appendix_reads_as_rules(shared_data: Path) -> None:
    path = shared_data / "guidance" / "immigration_rules" / "appendix-adoption.md"
    doc = load_document(path)
    assert doc.title == "Immigration Rules Appendix Adoption"
    assert doc.updated == "2025-11-25"
    first = doc.sections[0]
    assert first.heading_path == ("Immigration Rules Appendix Adoption",)
    assert first.text.startswith("The adoption routes are for a child under the age of 18")
    last = doc.sections[-1]
    assert last.text.endswith("3. (c) no access to public funds.")
    assert "AD 47.1. An applicant applying for entry clearance" in _all_text(doc)


def test_every_immigration_rules_page_loads_or_is_a_saved_error_page(shared_data: Path) -> None:
    failures = {}
    for path in _rules(shared_data):
        try:
            doc = load_document(path)
        except LoadError as exc:
            failures[path.name] = str(exc)
            continue
        assert "We use some essential cookies" not in _all_text(doc), path.name
    assert set(failures) == {
        "appendix-statelessness.md",
        "appendix-domestic-workers-who-is-a-victim-of-modern-slavery.md",
    }, failures
    assert all("page not found" in reason for reason in failures.values())


def test_govuk_guides_load_with_front_matter_including_welsh(shared_data: Path) -> None:
    paths = sorted((shared_data / "guidance" / "govuk_guides").glob("*.md"))
    docs = [load_document(p) for p in paths[::8]]
    assert all(doc.updated and doc.url and doc.title for doc in docs)
    welsh = [p for p in paths if "Cymraeg" in p.read_text(encoding="utf-8")[:400]]
    for path in welsh[:3]:
        assert load_document(path).sections


def test_govuk_html_examples_load_main_content(shared_data: Path) -> None:
    paths = sorted((shared_data / "guidance" / "govuk_html_examples").glob("*.html"))
    loaded = 0
    for path in paths[::6]:
        try:
            doc = load_document(path)
        except LoadError as exc:
            assert str(exc).startswith("no text"), (path.name, str(exc))
            continue
        loaded += 1
        assert doc.doc_type == "html" and doc.url and doc.url.startswith("https://www.gov.uk/")
    assert loaded >= len(paths[::6]) * 0.8
