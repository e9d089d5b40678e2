"""Showing an answer: its text with clickable [n] markers, warnings, and its numbered sources."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import streamlit as st

from assistant.answering import spelling_note
from assistant.conversations import Message
from assistant.hashing import file_changed_since
from assistant.markdown_safety import BARE_ADDRESS, as_code, defuse
from assistant.markdown_safety import CITATION_MARKER as _MARKER
from assistant.small_talk import is_reply
from assistant.types import Citation, DocumentRecord

REDRAW_S = 0.1  # streaming text (answers, letter sections) is redrawn at most this often
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~$])")
_WORD = re.compile(r"[A-Za-z0-9£%']+")
_STOP = frozenset({"about", "after", "also", "does", "from", "have", "into", "must", "that",
                   "them", "then", "there", "these", "they", "this", "what", "when", "where",
                   "which", "while", "will", "with", "would", "your"})


def streamed(text: str) -> str:
    """Model text as it streams, made safe as the final answer is (``defuse``, no LaTeX)."""
    return defuse(text, set()).replace("$", "\\$")


def escape_markdown(text: str, special: re.Pattern[str] = _MD_SPECIAL) -> str:
    """Document text shown literally (on one line): no Markdown, HTML or LaTeX from the source
    survives (each ``special`` character is backslash-escaped), and a web or e-mail address is
    shown as code (Streamlit would link it by itself, escaped or not)."""
    flat = " ".join(text.split())
    out: list[str] = []
    last = 0
    for match in BARE_ADDRESS.finditer(flat):
        out += [special.sub(r"\\\1", flat[last:match.start()]), as_code(match.group(0))]
        last = match.end()
    return "".join([*out, special.sub(r"\\\1", flat[last:])])


def anchor(message_id: int, n: int) -> str:
    """The HTML id of source n of one answer."""
    return f"src-{message_id}-{n}"


def plain_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Table rows whose text cells show as typed (``st.table`` renders Markdown in cells: a
    Word file's part named "![](https://...)" in a failure reason would load an image)."""
    return [{key: escape_markdown(value) if isinstance(value, str) else value
             for key, value in row.items()} for row in rows]


def link_markers(text: str, message_id: int, known: set[int]) -> str:
    """Turn each [n] with a known source into a link that jumps to that source."""
    def linked(match: re.Match[str]) -> str:
        numbers = [int(x) for x in match.group(1).split(",")]
        if not all(n in known for n in numbers):
            return match.group(0)
        return "".join(f"[\\[{n}\\]](#{anchor(message_id, n)} \"Show source {n}\")"
                       for n in numbers)

    return _MARKER.sub(linked, text.replace("$", "\\$"))


def highlight(quote: str, question: str) -> str:
    """The quote, escaped, with runs of the question's key words highlighted."""
    keys = {w.lower()[:5] for w in _WORD.findall(question) if len(w) > 3 and w.lower() not in _STOP}
    runs: list[tuple[bool, list[str]]] = []
    for token in " ".join(quote.split()).split(" "):
        core = _WORD.search(token)
        hit = bool(core and len(core.group(0)) > 3 and core.group(0).lower()[:5] in keys)
        if runs and runs[-1][0] == hit:
            runs[-1][1].append(token)
        else:
            runs.append((hit, [token]))
    return " ".join(f":orange-background[**{escape_markdown(' '.join(words))}**]" if hit
                    else escape_markdown(" ".join(words)) for hit, words in runs)


def show_answer(message: Message, question: str, records: Mapping[str, DocumentRecord]) -> None:
    """An answer from the conversation store, with its sources (or the closest documents)."""
    if message.spelling:
        st.caption(escape_markdown(spelling_note(message.spelling)),
                   help="The search also used the spelling the guidance uses for these words.")
    if not message.answered and is_reply(message.content):  # "hi", "thanks": a plain reply
        st.markdown(escape_markdown(message.content))
        return
    if not message.answered:
        closest = {c.url for c in message.closest if c.url}
        st.warning(defuse(message.content, closest).replace("$", "\\$"),
                   icon=":material/search_off:")
        for warning in message.warnings:  # a search narrowed by the sidebar's filters
            st.caption(f":material/filter_alt: {escape_markdown(warning)}")
        show_closest(message, question, records)
        return
    known = {c.n for c in message.citations}
    cited = {c.url for c in message.citations if c.url}
    st.markdown(link_markers(defuse(message.content, cited), message.id, known))
    if message.mode == "extractive":  # a model's answer carries its check's notes in its text
        for warning in message.warnings:
            st.caption(f":material/warning: {escape_markdown(warning)}")
    if message.citations:
        show_sources(message.id, message.citations, question, records)


def show_closest(message: Message, question: str,
                 records: Mapping[str, DocumentRecord]) -> None:
    """What the closest documents say, folded away under a "not covered" answer: when the
    search fell just short of the right guide, its passage is one click away; it is labelled
    as no answer, so nobody takes an unrelated passage for one."""
    quoted = [c for c in message.closest if c.quote]
    if not quoted:
        return
    with st.expander("What the closest documents say (not an answer to your question)",
                     icon=":material/find_in_page:"):
        st.caption("These passages were the nearest the search found. They did not match "
                   "closely enough to answer from: read them as leads, not as guidance on your "
                   "question.")
        for c in quoted:
            with st.container(border=True):
                show_source(message.id, c, question, records.get(c.doc_id))


def show_sources(message_id: int, citations: Sequence[Citation], question: str,
                 records: Mapping[str, DocumentRecord]) -> None:
    """The numbered sources under an answer."""
    st.markdown(f"**Sources ({len(citations)})**")
    for c in citations:
        with st.container(border=True):
            show_source(message_id, c, question, records.get(c.doc_id))


def show_source(message_id: int, c: Citation, question: str,
                record: DocumentRecord | None) -> None:
    """One source: title, section, page, quoted passage, GOV.UK link and file download."""
    title = escape_markdown(c.title)
    st.markdown(f'<span id="{anchor(message_id, c.n)}"></span>**[{c.n}] {title}**',
                unsafe_allow_html=True)
    details = [escape_markdown(c.section)] if c.section and c.section != c.title else []
    details += [f"page {escape_markdown(c.page)}"] if c.page else []
    details += [f"updated {escape_markdown(c.updated)}"] if c.updated else []
    if details:
        st.caption(" · ".join(details))
    if c.quote:
        st.markdown(f"> {highlight(c.quote, question)}")
    if c.suspicious:
        st.caption("This passage contains text that reads like instructions; it was treated as "
                   "data only.")
    if record is None and c.doc_id:
        st.caption(":material/info: This document is no longer in the index: it was removed "
                   "after this answer was given, so the quote may no longer be current guidance.")
    elif record is not None and c.doc_version and record.version \
            and record.version != c.doc_version:
        st.caption(":material/update: This document has changed since this answer was given: "
                   "check the current version before relying on the quote.")
    links = st.columns([1, 1, 2]) if c.url else st.columns([1, 3])
    if c.url and c.url.startswith(("https://", "http://")):
        host = urlsplit(c.url).hostname or ""
        where = "GOV.UK" if host == "gov.uk" or host.endswith(".gov.uk") else "the web"
        links[0].link_button(f"Open on {where}", c.url, icon=":material/open_in_new:")
    file = _source_file(record)
    if file is not None:
        changed = record is not None and file_changed_since(file, record.version)
        if changed:
            st.caption(":material/warning: The file on disk has changed since it was indexed: "
                       "the download is the new file, not the text quoted above. Ask an "
                       "administrator to reindex it.")
        links[-2].download_button(
            "Download source file (changed since indexed)" if changed else
            "Download source file", data=_reader(file), file_name=file.name,
            key=f"ga_download_{message_id}_{c.n}", icon=":material/download:",
            on_click="ignore")


def _source_file(record: DocumentRecord | None) -> Path | None:
    if record is None or not record.source_path:
        return None
    path = Path(record.source_path)
    return path if path.is_file() else None


def _reader(path: Path) -> Callable[[], bytes]:
    return path.read_bytes
