"""A document's declared address becomes a link in answers: only web addresses are kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.loaders import load_document

NOT_WEB = ["javascript:alert(document.cookie)", "JavaScript:alert(1)",
           "data:text/html,<script>alert(1)</script>", "file:///etc/passwd",
           "/guidance/sick-pay", "sick-pay.html", "https://", "https:// x", ""]
BODY = "<main><h1>Sick pay</h1><p>Statutory sick pay is paid for up to 28 weeks.</p></main>"


def html_page(tmp_path: Path, head: str) -> Path:
    path = tmp_path / "sick-pay.html"
    path.write_text(f"<html><head>{head}</head><body>{BODY}</body></html>", encoding="utf-8")
    return path


def markdown_page(tmp_path: Path, front_matter: str) -> Path:
    path = tmp_path / "sick-pay.md"
    path.write_text(f"---\n{front_matter}\n---\n# Sick pay\n\nStatutory sick pay is paid.\n",
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("url", NOT_WEB)
def test_html_drops_a_canonical_or_og_url_that_is_not_a_web_address(
        tmp_path: Path, url: str) -> None:
    for head in (f'<link rel="canonical" href="{url}">',
                 f'<meta property="og:url" content="{url}">'):
        doc = load_document(html_page(tmp_path, head))
        assert doc.url is None and doc.title == "Sick pay" and doc.sections


def test_html_keeps_a_web_address_trimmed_and_falls_back_past_a_bad_one(tmp_path: Path) -> None:
    doc = load_document(html_page(tmp_path, '<link rel="canonical" href=" HTTPS://www.gov.uk/x ">'))
    assert doc.url == "HTTPS://www.gov.uk/x"
    doc = load_document(html_page(tmp_path, '<link rel="canonical" href="javascript:alert(1)">'
                                            '<meta property="og:url" content="http://a.test/y">'))
    assert doc.url == "http://a.test/y"


@pytest.mark.parametrize("url", NOT_WEB)
def test_markdown_drops_a_front_matter_url_that_is_not_a_web_address(
        tmp_path: Path, url: str) -> None:
    doc = load_document(markdown_page(tmp_path, f"url: '{url}'"))
    assert doc.url is None and doc.title == "Sick pay" and doc.sections


def test_markdown_keeps_a_web_address_trimmed(tmp_path: Path) -> None:
    doc = load_document(markdown_page(tmp_path, "url: '  https://www.gov.uk/statutory-sick-pay '"))
    assert doc.url == "https://www.gov.uk/statutory-sick-pay"


def test_markdown_drops_a_scraped_url_source_that_is_not_a_web_address(tmp_path: Path) -> None:
    path = tmp_path / "scraped.md"
    path.write_text("Title: Sick pay\n\nURL Source: javascript:alert(1)\n\nMarkdown Content:\n"
                    "# Sick pay\n\nStatutory sick pay is paid.\n", encoding="utf-8")
    doc = load_document(path)
    assert doc.url is None and doc.sections
