"""Answer text made safe to render as Markdown (in the app and in exported Markdown files)."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

# a citation marker, "[2]" or "[1, 3]": the one definition (citations, the page's links)
CITATION_MARKER = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")
_MARKER = CITATION_MARKER
_MARKER_SPLIT = re.compile(r"(\[\d{1,3}(?:\s*,\s*\d{1,3})*\])")
_IMAGE = re.compile(r"!\[([^\[\]\n]{0,999})\]\(([^)\n]{0,2000})\)")  # bounded: linear
# (a label holds no bracket: a line of "[" took seconds; what this leaves, the CommonMark check
# at the end of ``defuse`` catches)
_LINK = re.compile(r"(?<!!)\[([^\[\]\n]{1,999})\]\(([^)\s]{1,2000})(?:\s+[^)\n]{0,999})?\)")
# "]( " and "][" anywhere, and a link definition "[label]: url" at the start of a line, also
# inside quotes and list items ("> - [label]: url"): it would make "[label]" elsewhere a link
# (any depth of quote and list markers: "- - [x]: url", "- > [x]: url"; a label may run over
# lines; spaces only within a line: "\s" there made runs of blank lines quadratic)
_LINK_SYNTAX = re.compile(
    r"\]\(|\]\[|^((?:[ \t]{0,3}(?:>|[-*+][ \t]|\d{1,9}[.)][ \t]))*[ \t]*)\[([^\]]{1,999})\]:",
    re.MULTILINE)
# an autolink of any scheme ("<https://...>", "<ircs://...>", "<xmpp:...>")
_AUTOLINK = re.compile(r"(\\*)<([a-z][a-z0-9+.-]{1,31}:[^>\s]*)>", re.IGNORECASE)


def _inert_autolink(match: re.Match[str]) -> str:
    """"<scheme:...>" with its "<" escaped, counting the backslashes before it: after one
    it is escaped already, after two ("\\\\<") it is live and needs a third."""
    slashes = match.group(1)
    return slashes + ("" if len(slashes) % 2 else "\\") + f"<{match.group(2)}\\>"
_DIRECTIVE = re.compile(r":([a-z][a-z-]*(?:/[a-z_]+)?)([\[:])")
_QUOTE_SPECIAL = re.compile(r"([*_`~|])")
# a heading in a model's reply ("# Answer", "## Rates") would be drawn larger than the page's own
# headings; an "===" or "---" line under text makes that text a heading too (setext)
# (also after list markers and quote marks: "- # Rates", "1. ## Pay", "># Note"). Read by
# ``_heading`` in one pass: a pattern with nested repeats over the markers' spaces took minutes
# on a line of 28 "> " (and held the interpreter's lock, freezing every session)
_LIST_NUMBER = re.compile(r"\d{1,9}[.)][ \t]")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
# addresses GitHub-flavoured Markdown (as Streamlit renders it) links by itself: web addresses
# and e-mail addresses, without the punctuation that ends a sentence after them
# (as GFM does: a web address after anything but a letter, an e-mail address after anything but
# a word character, dot, plus, slash or hyphen; trailing punctuation and emphasis left outside)
BARE_ADDRESS = re.compile(
    r"(?<![A-Za-z])(?:https?://|www\.)[^\s<>()\[\]`\\\x00]*[^\s<>()\[\]`\\\x00.,;:!?'\"*_~]"
    r"|(?<![\w.+/-])[\w+-][\w.+-]*@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)


def as_code(address: str) -> str:
    """A web or e-mail address as a code span: readable and copyable, never a live link."""
    return "`" + address.replace("`", "") + "`"


def defuse(text: str, allowed_urls: set[str]) -> str:
    """Answer text made safe to render as Markdown.

    An answer (a model's, or extracts quoting documents) may carry syntax planted in a document:
    an image would be fetched by the reader's browser as soon as it is shown (sending data in its
    address), a link may lead anywhere, and Streamlit directives (``:red[...]``), strikethrough
    and emphasis inside quotes would change what the guidance says. Images become text; links to
    anything but the cited sources' own addresses become text, and bare web and e-mail addresses
    become code (Streamlit would otherwise link them by themselves); directives, backticks and
    ``~~`` are escaped everywhere, and emphasis markers inside quoted lines (``> ...``).
    """
    text = text.replace("\x00", "")  # the set-aside marker below: never taken from the input

    def image(match: re.Match[str]) -> str:
        return f"{match.group(1)} (image not shown: {match.group(2)})".replace("[", "\\[")

    kept: list[str] = []

    def link(match: re.Match[str]) -> str:
        target = match.group(2)
        if target in allowed_urls:  # a cited source's own address: set aside, restored below
            kept.append(match.group(0))
            return f"\x00{len(kept) - 1}\x00"
        return f"{match.group(1)} ({target})"

    def inert(match: re.Match[str]) -> str:
        """Whatever link syntax is left (reference links, nested brackets) shown as text."""
        if match.group(0).startswith("]"):
            return "\\" + match.group(0)
        return f"{match.group(1)}\\[{match.group(2)}\\]:"

    def plain(part: str) -> str:
        return _DIRECTIVE.sub(r"\\:\1\2", part).replace("~~", "\\~\\~").replace("`", "\\`")

    def quoted(part: str) -> str:
        return _DIRECTIVE.sub(r"\\:\1\2", _QUOTE_SPECIAL.sub(r"\\\1", part))

    def flat_heading(line: str, bold: bool = True) -> str:
        """A Markdown heading shown as a (bold) line of the answer, not as a page heading."""
        found = _heading(line)
        if found is None:
            return line
        prefix, words = found
        words = words.strip("*").strip()
        return prefix + (f"**{words}**" if words and bold else words)

    def unset(text: str) -> list[str]:
        """Lines, with an "===" or "---" line under text escaped (it would make a heading)."""
        lines = text.split("\n")
        for i in range(1, len(lines)):
            previous = lines[i - 1].removeprefix("> ").strip()
            current = lines[i].removeprefix("> ")
            if previous and _SETEXT_UNDERLINE.match(current):
                lines[i] = lines[i].replace(current, "\\" + current.lstrip(), 1)
        return lines

    def bare(match: re.Match[str]) -> str:
        """A bare address: Streamlit would make it a live link. Only a cited source's own
        address stays one; any other is shown as code, readable and copyable, not clickable."""
        address = match.group(0)
        kept.append(address if address in allowed_urls else as_code(address))
        return f"\x00{len(kept) - 1}\x00"

    text = _LINK.sub(link, _IMAGE.sub(image, text)).replace("![", "!\\[")
    text = _AUTOLINK.sub(_inert_autolink, _LINK_SYNTAX.sub(inert, text))
    text = BARE_ADDRESS.sub(bare, text)
    text = "\n".join(
        "> " + "".join(part if _MARKER.fullmatch(part) else quoted(part)
                       for part in _MARKER_SPLIT.split(flat_heading(line[2:], bold=False)))
        if line.startswith("> ") else plain(flat_heading(line)) for line in unset(text))
    # set-aside links and addresses go back last, so no escaping above touches them
    final = _restore(text, kept)
    if _renders_a_link(final, allowed_urls):  # a shape the rules above missed: then no
        # bracket makes a link (each gets a backslash of its own, whatever stands before it)
        text = "".join(part if _MARKER.fullmatch(part) else _BRACKETS.sub(_escaped, part)
                       for part in _MARKER_SPLIT.split(text))
        final = _restore(text, kept)
    return final


def _restore(text: str, kept: list[str]) -> str:
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], text)


_COMMONMARK = MarkdownIt("commonmark")
_BRACKETS = re.compile(r"(\\*)([\[\]<])")  # a bracket and the backslashes before it


def _escaped(match: re.Match[str]) -> str:
    """A bracket made literal: "<" as "&lt;"; "[" and "]" after an even number of backslashes
    (an odd number already escapes them) with one more."""
    slashes, bracket = match.group(1), match.group(2)
    if bracket == "<":
        return slashes + "&lt;"
    return slashes + ("" if len(slashes) % 2 else "\\") + bracket


def _renders_a_link(text: str, allowed_urls: set[str]) -> bool:
    """Whether CommonMark would draw an image, or a link to anything but ``allowed_urls``,
    from ``text``."""
    def found(tokens: list[Token]) -> bool:
        return any(t.type == "image" or (t.type == "link_open"
                                         and str(t.attrGet("href")) not in allowed_urls)
                   or (t.children and found(t.children)) for t in tokens)
    return found(_COMMONMARK.parse(text))


def _heading(line: str) -> tuple[str, str] | None:
    """(the quote and list markers before it, its words) when ``line`` is an ATX heading
    ("> - ## Rates ##" gives ("> - ", "Rates")), else None. Linear in the line's length."""
    n, start = len(line), 0
    while True:  # markers: up to 3 spaces, then ">", "-", "*", "+" or "1." / "1)", then spaces
        at = start
        while at < n and at - start < 3 and line[at] in " \t":
            at += 1
        if line.startswith(">", at) or (line[at:at + 1] in ("-", "*", "+")
                                        and line[at + 1:at + 2] in (" ", "\t")):
            at += 1
        elif (number := _LIST_NUMBER.match(line, at)) is not None:
            at = number.end() - 1
        else:
            break
        while at < n and line[at] in " \t":
            at += 1
        start = at
    at = start
    while at < n and at - start < 3 and line[at] in " \t":
        at += 1
    hashes = at
    while at < n and line[at] == "#":
        at += 1
    if not 1 <= at - hashes <= 6 or (at < n and line[at] not in " \t"):
        return None
    words = line[at:].strip(" \t")
    closing = words.rstrip("#")  # a closing sequence: "## Rates ##"
    if closing != words and (not closing or closing[-1] in " \t"):
        words = closing.rstrip(" \t")
    return line[:start], words
