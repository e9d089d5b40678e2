"""Markdown via markdown-it-py: YAML front matter as metadata, headings as the path."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from assistant.errors import LoadError
from assistant.types import LoadedDocument
from ingest.loaders.govuk_chrome import UPDATED_LINE, Block, strip_chrome
from ingest.loaders.html import web_url
from ingest.loaders.sections import SectionBuilder, first_line, one_line, to_iso_date
from ingest.loaders.sniffing import decode_text

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_PREAMBLE = re.compile(r"^(Title|URL Source|Published Time|Warning|Markdown Content):[ \t]*(.*)$")
_HTTP_ERROR = re.compile(r"error (4\d\d|5\d\d)|^page not found$", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")
_ITEM_START = re.compile(r"^\s*(\d{1,3}[.)]|[-*+•]|\(?[a-z]{1,4}\))\s")
_TITLE_KEYS = ("title", "part_name", "name")
_URL_KEYS = ("url", "canonical_url", "source_url", "link")
_UPDATED_KEYS = ("public_updated_at", "updated", "last_updated", "updated_at", "modified", "date")
PSEUDO_HEADING_LEVEL = 7  # a paragraph that is all bold acts as a heading below h6
# markdown-it stops reading at its nesting limit (20 by default: a list nested 10 deep) and
# drops the rest of the document without a word; deeper still, ``markdown_blocks`` reads on
MAX_NESTING = 100
_PARSER = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable("table")
_LEAVES = frozenset({"inline", "fence", "code_block", "html_block", "hr"})


def load_markdown(path: Path) -> LoadedDocument:
    """A Markdown file as sections; front matter and any scraper preamble give the metadata."""
    text = decode_text(path.read_bytes())
    if text is None:
        raise LoadError("unsupported file type: the Markdown file is not readable text")
    meta, body = split_front_matter(text.replace("\r\n", "\n"))
    preamble, body = _split_preamble(body)
    if any(_HTTP_ERROR.search(preamble.get(key, "")) for key in ("Warning", "Title")):
        raise LoadError("no text: this is a saved 'page not found' error page; fetch it again")
    updated_match = UPDATED_LINE.search(body)
    blocks = strip_chrome(markdown_blocks(body))
    parted = guide_parts(meta, blocks)
    builder = SectionBuilder()
    for block in blocks:
        if block.is_heading:
            builder.heading(block.level, block.text)
            if parted and block.level <= 2:
                builder.part = one_line(block.text) if block.part_title else \
                    builder.part if block.level == 2 else ""
        else:
            builder.add(block.text)
    sections = builder.build()
    if not sections:
        raise LoadError("no text: the Markdown file has no readable content")
    first_h1 = next((b.text for b in blocks if b.level == 1), None)
    title = _first(meta, _TITLE_KEYS) or first_h1 or preamble.get("Title") or first_line(sections)
    updated = to_iso_date(_first_raw(meta, _UPDATED_KEYS)) or (
        to_iso_date(updated_match.group(1)) if updated_match else None
    )
    return LoadedDocument(
        title=title or path.stem,
        doc_type="markdown",
        sections=sections,
        url=web_url(_first(meta, _URL_KEYS)) or web_url(preamble.get("URL Source")),
        updated=updated or to_iso_date(preamble.get("Published Time")),
    )


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """YAML front matter as a dict (empty if absent or invalid) and the text after it."""
    text = text.lstrip("\ufeff")
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        # an alias (*name) can expand a 2 KB header to gigabytes ("billion laughs"): such a
        # header is read line by line, as one that is not valid YAML is
        if any(isinstance(event, yaml.AliasEvent)
               for event in yaml.parse(match.group(1), Loader=yaml.SafeLoader)):
            raise yaml.YAMLError("aliases in front matter")
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError:  # e.g. an unquoted 'title: Part 1: scope'; read it line by line
        meta = _simple_front_matter(match.group(1))
    return (meta if isinstance(meta, dict) else {}), text[match.end() :]


def _simple_front_matter(text: str) -> dict[str, Any]:
    pairs = (line.split(":", 1) for line in text.split("\n") if ":" in line)
    # not an alias or anchor ("*a7", "&t"): YAML syntax, no title
    return {key.strip(): value.strip().strip("'\"") for key, value in pairs
            if key.strip() and not value.strip().startswith(("*", "&"))}


def _split_preamble(body: str) -> tuple[dict[str, str], str]:
    """Strip a web reader's 'Title: / URL Source:' header; keep its values."""
    found: dict[str, str] = {}
    lines = body.split("\n")
    index = 0
    while index < len(lines):
        match = _PREAMBLE.match(lines[index].strip())
        if match:
            found[match.group(1)] = match.group(2).strip()
        elif lines[index].strip():
            break
        index += 1
    if "Title" in found:
        found["Title"] = re.sub(r"\s+-\s+GOV\.UK$", "", found["Title"])
    return found, "\n".join(lines[index:])


def _first_raw(meta: dict[str, Any], keys: tuple[str, ...]) -> object:
    return next((meta[key] for key in keys if meta.get(key)), None)


def _first(meta: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    value = _first_raw(meta, keys)
    return one_line(str(value)) or None if value is not None else None


def guide_parts(meta: dict[str, Any], blocks: list[Block]) -> bool:
    """Whether a document is a GOV.UK guide in parts (chapters). The guides' Markdown export
    writes a part's title as "## Eligibility " (a trailing space) and the part's own headings at
    the same level, "## Statutory Maternity Leave": 388 part titles in 76 of the 157 guides
    here, no other heading so written. Only a guide (front matter ``document_type: guide``) is
    read so; a section whose own path names its part (every heading written so) has none."""
    if str(meta.get("document_type", "")).strip().lower() != "guide":
        return False
    return any(b.part_title for b in blocks if b.level == 2)


def markdown_blocks(text: str) -> list[Block]:
    """Headings and text blocks in reading order; lists and tables become one block each.

    Text nested deeper than the parser reads (MAX_NESTING) is not lost: the parser's last
    content line is found, and what follows it is read again from the left margin."""
    lines = text.split("\n")
    blocks: list[Block] = []
    while True:
        walker = _BlockWalker(lines)
        tokens = _PARSER.parse("\n".join(lines))
        for token in tokens:
            walker.feed(token)
        walker.flush()
        blocks.extend(walker.blocks)
        read = max((t.map[1] for t in tokens if t.map and t.type in _LEAVES), default=0)
        rest = lines[read:]
        if not read or not any(line.strip() for line in rest):
            return blocks
        lines = [line.lstrip(" \t>") for line in rest]


class _BlockWalker:
    """Turns markdown-it's flat token stream into Blocks."""

    def __init__(self, lines: list[str] | None = None) -> None:
        self._source = lines or []
        self._part_title = False  # the open heading's line ends in a space (``guide_parts``)
        self.blocks: list[Block] = []
        self._lines: list[str] = []  # the open list or table
        self._lists: list[int | None] = []  # per open list: item counter, None for bullets
        self._marker: str | None = None
        self._row: list[str] | None = None
        self._heading = 0

    def feed(self, token: Token) -> None:
        kind = token.type
        if kind == "heading_open":
            self._heading = int(token.tag[1])
            line = self._source[token.map[0]] if token.map and token.map[0] < len(
                self._source) else ""
            self._part_title = line.startswith("#") and line.endswith(" ")
        elif kind == "heading_close":
            self._heading = 0
        elif kind in ("bullet_list_open", "ordered_list_open"):
            start = token.attrGet("start")
            self._lists.append(int(start) - 1 if isinstance(start, int | str) else 0)
            if kind == "bullet_list_open":
                self._lists[-1] = None
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self._lists.pop()
            if not self._lists:
                self.flush()
        elif kind == "list_item_open":
            counter = self._lists[-1]
            if counter is not None:
                self._lists[-1] = counter + 1
            self._marker = "-" if counter is None else f"{counter + 1}."
        elif kind == "tr_open":
            self._row = []
        elif kind == "tr_close" and self._row is not None:
            if any(self._row):
                self._lines.append(" | ".join(self._row))
            self._row = None
        elif kind == "table_close":
            self.flush()
        elif kind in ("fence", "code_block"):
            self.blocks.append(Block(0, token.content))
        elif kind == "html_block":
            self._text(one_line(_TAGS.sub(" ", token.content)), token)
        elif kind == "inline":
            self._text(inline_text(token), token)

    def _text(self, text: str, token: Token) -> None:
        if not text:
            return
        if self._heading:
            self.blocks.append(Block(self._heading, text, self._part_title))
        elif self._row is not None:
            self._row.append(text)
        elif self._lists:
            indent = "  " * (len(self._lists) - 1)
            prefix = f"{self._marker} " if self._marker else "  "
            self._lines.append(f"{indent}{prefix}{text}")
            self._marker = None
        elif _all_bold(token) and len(text) <= 150:
            self.blocks.append(Block(PSEUDO_HEADING_LEVEL, text))
        else:
            self.blocks.append(Block(0, text))

    def flush(self) -> None:
        if self._lines:
            self.blocks.append(Block(0, "\n".join(self._lines)))
            self._lines = []


def inline_text(token: Token) -> str:
    """An inline token's readable text: link text kept, URLs, images and markup dropped."""
    parts: list[str] = []
    children = token.children or []
    for index, child in enumerate(children):
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "softbreak":
            following = children[index + 1].content if index + 1 < len(children) else ""
            # a list item, or a table row of a table markdown-it could not parse (a scraped
            # page's rule row with fewer cells than its header), stays on a line of its own
            parts.append("\n" if _ITEM_START.match(following) or following.startswith("|")
                         else " ")
        elif child.type == "hardbreak":
            parts.append("\n")
    return "\n".join(one_line(line) for line in "".join(parts).split("\n")).strip()


def _all_bold(token: Token) -> bool:
    children = [c for c in token.children or [] if not (c.type == "text" and not c.content.strip())]
    return (
        len(children) >= 3
        and children[0].type == "strong_open"
        and children[-1].type == "strong_close"
        and all(c.type != "strong_open" for c in children[1:])
    )
