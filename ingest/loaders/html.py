"""HTML via BeautifulSoup and lxml: main content only, h1-h6 build the section path."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PageElement
from readability import Document

from assistant.errors import LoadError
from assistant.types import LoadedDocument
from ingest.loaders.sections import SectionBuilder, first_heading, first_line, one_line, to_iso_date

_MAIN_SELECTORS = ("main", "[role=main]", ".govuk-main-wrapper", "#content", "article")
_CHROME_TAGS = (
    "nav", "header", "footer", "script", "style", "form", "noscript", "template",
    "svg", "iframe", "button", "input", "select", "textarea", "object", "embed",
)
_CHROME_SELECTORS = (
    "[role=navigation]", "[role=banner]", "[role=contentinfo]", "[role=search]", "[hidden]",
    "[class*=cookie]", "[id*=cookie]", "[class*=breadcrumb]", "[class*=skip-link]",
    ".govuk-skip-link", ".gem-c-print-link", ".gem-c-feedback", ".gem-c-contextual-sidebar",
    ".gem-c-related-navigation", ".gem-c-step-nav-header", ".govuk-phase-banner",
    "[class*=share-links]", "[class*=sr-only]", ".govuk-visually-hidden",
)
# an <aside> is usually a sidebar of links, but GOV.UK also puts headline figures and call-outs
# in one (<aside class="stat-headline">): those are content and stay
_CONTENT_ASIDE = re.compile(r"stat|headline|callout|call-out|highlight|key-fact|figure|notice",
                            re.IGNORECASE)
_SKIP_LINK = re.compile(r"^\s*skip to (main )?content\s*$", re.IGNORECASE)
_UPDATED_META = (
    "govuk:public-updated-at", "govuk:updated-at", "article:modified_time", "dcterms.modified",
    "dc.date.modified", "last-modified", "govuk:first-published-at", "article:published_time",
)
# a declared address becomes a link in answers: web addresses only (no javascript:, data:, file:
# or relative ones), with a host and no spaces
_WEB_URL = re.compile(r"https?://[^\s/?#]+\S*", re.IGNORECASE)
_BLOCKS = {"p", "blockquote", "pre", "dt", "dd", "caption", "figcaption", "address", "summary"}
_HEADINGS = {f"h{n}": n for n in range(1, 7)}


def load_html(path: Path) -> LoadedDocument:
    """An HTML page's main content as sections, with title, canonical URL and updated date."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # bs4 warns about odd markup; we take what parses
        soup = BeautifulSoup(path.read_bytes(), "lxml")
    url, updated, page_title = _metadata(soup)
    root = _main_content(soup)
    builder = SectionBuilder()
    _walk(root, builder)  # pulls nested lists out of their items, so find h1 after
    sections = builder.build()
    if not sections:
        raise LoadError("no text: the page has no readable main content")
    h1 = root.find("h1")
    heading = one_line(_text(h1)) if isinstance(h1, Tag) else ""
    title = heading or page_title or first_heading(sections) or first_line(sections) or path.stem
    return LoadedDocument(title=title, doc_type="html", sections=sections, url=url, updated=updated)


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    for name in names:
        tag = soup.find("meta", attrs={"name": name}) or soup.find("meta", attrs={"property": name})
        if isinstance(tag, Tag) and tag.get("content"):
            return str(tag["content"]).strip()
    return None


def web_url(value: str | None) -> str | None:
    """``value`` trimmed if it is an http or https address, else None (the document is still
    indexed, without a link)."""
    url = (value or "").strip()
    return url if _WEB_URL.fullmatch(url) else None


def _metadata(soup: BeautifulSoup) -> tuple[str | None, str | None, str | None]:
    canonical = soup.find("link", rel="canonical")
    url = str(canonical["href"]) if isinstance(canonical, Tag) and canonical.get("href") else None
    url = web_url(url) or web_url(_meta(soup, "og:url"))
    base_path = _meta(soup, "govuk:base_path", "govuk:base-path")
    if not url and base_path and base_path.startswith("/"):
        url = f"https://www.gov.uk{base_path}"
    updated = next(filter(None, (to_iso_date(_meta(soup, name)) for name in _UPDATED_META)), None)
    title_tag = soup.find("title")
    title = one_line(title_tag.get_text()) if isinstance(title_tag, Tag) else ""
    title = re.sub(r"\s+[-–|]\s+GOV\.UK$", "", title)
    return url, updated, title or None


def _main_content(soup: BeautifulSoup) -> Tag:
    for tag in soup.find_all(_CHROME_TAGS):
        tag.decompose()
    for aside in soup.find_all("aside"):
        if aside.decomposed:  # inside an aside already removed
            continue
        if not _CONTENT_ASIDE.search(" ".join(aside.get("class") or [])):
            aside.decompose()
    for selector in _CHROME_SELECTORS:
        for tag in soup.select(selector):
            if not tag.decomposed and tag.name not in ("html", "body", "main"):
                tag.decompose()
    for selector in _MAIN_SELECTORS:
        found = soup.select_one(selector)
        if found is not None and found.get_text(strip=True):
            return found
    return _densest(soup)


def _densest(soup: BeautifulSoup) -> Tag:
    """A page with no main-content element (an intranet built of plain <div>s): the block of
    running text that readability (Mozilla's algorithm, ``readability-lxml``) picks, without
    the menus, trails and news widgets around it; the whole body if it finds nothing."""
    body = soup.body or soup
    try:
        summary = Document(str(body)).summary(html_partial=True)
    except Exception:  # readability gives up on odd markup: keep everything rather than fail
        return body
    found = BeautifulSoup(summary, "lxml")
    return found.body or found if found.get_text(strip=True) else body


# elements whose text runs on into the words around it ("renew it <a>online</a>." reads
# "online.", not "online ."): no space is put at their edges, as for every other element
_INLINE = frozenset({
    "a", "abbr", "acronym", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em",
    "font", "i", "ins", "kbd", "label", "mark", "q", "s", "samp", "small", "span", "strong",
    "sub", "sup", "time", "u", "var", "wbr",
})


def _text(tag: Tag) -> str:
    """The text of ``tag`` as a reader sees it: inline elements run into the words around
    them; any other element (and <br>) is set apart by spaces. Iterative: no recursion limit."""
    parts: list[str] = []
    stack: list[Iterator[PageElement] | str] = [iter(tag.children)]
    while stack:
        top = stack[-1]
        if isinstance(top, str):  # the space closing a block element
            parts.append(stack.pop())  # type: ignore[arg-type]
            continue
        child = next(top, None)
        if child is None:
            stack.pop()
        elif isinstance(child, Tag):
            if child.name not in _INLINE:
                parts.append(" ")
                stack.append(" ")
            stack.append(iter(child.children))
        elif type(child) is NavigableString:  # not a comment or a declaration
            parts.append(str(child))
    return "".join(parts)


def _walk(node: Tag, builder: SectionBuilder) -> None:
    loose: list[str] = []  # inline text directly inside a container
    for child in node.children:
        if isinstance(child, NavigableString):
            if type(child) is NavigableString:
                loose.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        if child.name in ("a", "span", "strong", "em", "b", "i", "code", "abbr", "small", "br"):
            loose.append(" " if child.name == "br" else _text(child))
            continue
        _add_loose(loose, builder)
        _walk_block(child, builder)
    _add_loose(loose, builder)


def _add_loose(loose: list[str], builder: SectionBuilder) -> None:
    text = one_line("".join(loose))
    if text and not _SKIP_LINK.match(text):
        builder.add(text)
    loose.clear()


def _walk_block(tag: Tag, builder: SectionBuilder) -> None:
    if tag.name in _HEADINGS:
        builder.heading(_HEADINGS[tag.name], _text(tag))
    elif tag.name in _BLOCKS:
        text = tag.get_text("\n") if tag.name == "pre" else _text(tag)
        builder.add(text if tag.name == "pre" else one_line(text))
    elif tag.name in ("ul", "ol"):
        builder.add("\n".join(_list_lines(tag, 0)))
    elif tag.name == "table":
        builder.add(_table_text(tag))
    else:
        _walk(tag, builder)


def _list_lines(tag: Tag, depth: int) -> list[str]:
    lines: list[str] = []
    ordered = tag.name == "ol"
    for number, item in enumerate(tag.find_all("li", recursive=False), start=1):
        nested = item.find_all(["ul", "ol"], recursive=False)
        for sub in nested:
            sub.extract()
        text = one_line(_text(item))
        marker = f"{number}." if ordered else "-"
        if text:
            lines.append(f"{'  ' * depth}{marker} {text}")
        for sub in nested:
            lines.extend(_list_lines(sub, depth + 1))
    return lines


def _table_text(table: Tag) -> str:
    lines = []
    for row in table.find_all("tr"):
        cells = [one_line(_text(cell)) for cell in row.find_all(["th", "td"])]
        if any(cells):
            lines.append(" | ".join(cells))
    return "\n".join(lines)
