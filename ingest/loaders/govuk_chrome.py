"""Generic removal of GOV.UK page chrome left in scraped pages (cookie banner, menus, feedback).

Works on a flat list of blocks (headings and text blocks) in reading order, so it serves any
format converted to blocks. Three rules, all keyed on GOV.UK's fixed interface wording rather
than on any one page: sections under chrome headings are dropped; chrome lines are dropped
wherever they appear; everything after the "Is this page useful?" feedback prompt is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    """A heading (level 1-6) or a text block (level 0) of a page."""

    level: int
    text: str
    part_title: bool = False  # a GOV.UK guide's part heading (``markdown.guide_parts``)

    @property
    def is_heading(self) -> bool:
        return self.level > 0


def _exact(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"^(?:" + "|".join(phrases) + r")$", re.IGNORECASE)


# Headings whose whole section is interface, not content.
CHROME_HEADINGS = _exact(
    r"cookies on gov\.uk", r"cwcis ar gov\.uk", r"navigation menu", r"services and information",
    r"government activity", r"search", r"search gov\.uk", r"support links",
    r"help us improve gov\.uk", r"is this page useful\?", r"related content", r"explore the topic",
    r"get emails about this page", r"print this page",
)
# Where the page's own content has certainly ended.
END_OF_CONTENT = _exact(r"is this page useful\?", r"ydy'r dudalen hon yn ddefnyddiol\?")
# Single lines (or whole blocks) of interface text.
CHROME_LINES = _exact(
    r"skip to (?:main )?content", r"hide (?:this|cookie) message", r"print this page",
    r"print entire guide", r"search this manual", r"search", r"show all sections",
    r"hide all sections", r"back to contents", r"(?:\d+\.\s*)?back to contents",
    r"accept additional cookies.*", r"reject additional cookies.*", r"menu\s*menu", r"menu",
    r"search gov\.uk.*", r"view cookies", r"report a problem with this page",
    r"thank you for your feedback", r"(?:from|o):.*(?:published|updated|cyhoeddwyd).*",
    r"all content is available under the open government licence.*", r"© crown copyright",
    r"when search suggestions are available.*", r"send cancel", r"=+", r"-+",
    r".+ - gov\.uk", r"\[\]\(.*\)",
)
COOKIE_SENTENCES = re.compile(
    r"^(we use some essential cookies|we[’']d like to set additional cookies|we also use cookies"
    r" set by other sites|you have (accepted|rejected) additional cookies)",
    re.IGNORECASE,
)
_SHOW_SUFFIX = re.compile(r",\s*show$", re.IGNORECASE)
_GOVUK_TITLE = re.compile(r"\s+-\s+GOV\.UK$")
_BREADCRUMB = re.compile(r"^(?:1\.|-)\s+home\s*(?:\n|$)", re.IGNORECASE)
UPDATED_LINE = re.compile(
    r"^(?:from:.*?)?(?:last )?(?:updated|diweddarwyd)[:\s]+(\d{1,2}\s+\w+\s+\d{4})",
    re.IGNORECASE | re.MULTILINE,
)


def strip_chrome(blocks: list[Block]) -> list[Block]:
    """The blocks without GOV.UK interface sections and lines."""
    kept: list[Block] = []
    dropping_at: int | None = None  # heading level of the chrome section being dropped
    for block in blocks:
        if block.is_heading:
            if END_OF_CONTENT.match(block.text.strip()):
                break
            if dropping_at is not None and block.level > dropping_at:
                continue
            dropping_at = block.level if CHROME_HEADINGS.match(block.text.strip()) else None
            if dropping_at is None and not _GOVUK_TITLE.search(block.text):
                kept.append(Block(block.level, _SHOW_SUFFIX.sub("", block.text.strip()),
                                  block.part_title))
            continue
        if dropping_at is None:
            text = _clean_text_block(block.text)
            if text:
                kept.append(Block(0, text))
    return kept


def _clean_text_block(text: str) -> str:
    if _BREADCRUMB.match(text.strip()):
        return ""
    lines = [
        line
        for line in text.split("\n")
        if not CHROME_LINES.match(line.strip()) and not COOKIE_SENTENCES.match(line.strip())
    ]
    return "\n".join(lines).strip()
