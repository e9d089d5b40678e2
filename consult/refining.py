"""Model stages after offline discovery, as in i.AI's Themefinder: generate, condense, refine, map.

Each stage sends one prompt from ``prompts`` and parses a JSON reply. A reply that is not the JSON
asked for leaves the themes as they were (the offline ones are always usable); a failing endpoint
raises ``ModelError`` with advice, as every ChatModel does. Respondents' e-mail addresses, phone
and NI numbers and postcodes are masked in every prompt (``redaction``); results keep the text.
What came from the consultation file is written inside the prompt's fences as one JSON value a
line (``as_data``), so a response, an id cell or a label can never close a fence.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from assistant.ports import ChatModel
from consult.prompts import CONDENSE, GENERATE, MAP, REFINE, SYSTEM
from consult.redaction import redact
from consult.themes import Theme

QUOTES_PER_GROUP = 5
MAP_BATCH = 20
_PLAIN_ID = re.compile(r"[\w.-]{1,64}")  # written as it is; any other id as a JSON string
# characters that could end a fence or a line if written raw: escaped as JSON reads them back
_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "\x85": "\\u0085", "\u2028": "\\u2028",
           "\u2029": "\\u2029"}
_UNSAFE_CHARS = re.compile("[<>\x85\u2028\u2029]")


def ask_json(llm: ChatModel, prompt: str) -> Any:
    """Send ``prompt``; return the parsed JSON in the reply, or None if there is none."""
    reply = "".join(llm.stream([("system", SYSTEM), ("user", prompt)]))
    span = _json_span(reply)
    if span is None:
        return None
    try:
        return json.loads(span)
    except ValueError:
        return None


def _json_span(reply: str) -> str | None:
    """From the first "[" (or "{") to the last "]" (or "}") after it, whichever starts first:
    what the greedy pattern ``[.*]|{.*}`` (escaped) found, in one pass; the pattern rescanned the
    rest of the reply from every "[" (1.2 s for 20,000 of them)."""
    spans = [(start, end) for start, end in ((reply.find("["), reply.rfind("]")),
                                            (reply.find("{"), reply.rfind("}")))
             if 0 <= start < end]
    if not spans:
        return None
    start, end = min(spans)
    return reply[start:end + 1]


def as_data(value: object) -> str:
    """``value`` as one line of JSON with no "<" or ">": text from a consultation cannot close
    a prompt's fence (``</responses>``) or start a line of its own, and reads back unchanged."""
    text = json.dumps(value, ensure_ascii=False)
    return _UNSAFE_CHARS.sub(lambda m: _UNSAFE[m.group(0)], text)


def _prompt_id(rid: str) -> str:
    """A respondent id as written in a prompt: as it is when plain ("r12"), else a JSON string
    (an id cell may hold newlines, tags or a colon); the model's reply names it the same way."""
    return rid if _PLAIN_ID.fullmatch(rid) else as_data(rid)


def refine_themes(
    question: str, themes: Sequence[Theme], texts: Sequence[str], llm: ChatModel,
    quotes: dict[str, list[str]] | None = None,
) -> list[Theme]:  # fmt: skip
    """Name the discovered themes from their quotes, condense overlaps, then refine wording."""
    quotes = quotes or {t.theme_id: [t.description] for t in themes}
    groups = "\n".join(
        as_data({"theme_id": t.theme_id, "quotes": [
            redact(q)[:300] for q in quotes.get(t.theme_id, [])[:QUOTES_PER_GROUP]]})
        for t in themes
    )
    asked = as_data(question)
    current = _themes_from(
        ask_json(llm, GENERATE.substitute(question=asked, groups=groups)), themes
    )
    current = _themes_from(
        ask_json(llm, CONDENSE.substitute(question=asked, themes=_listing(current))),
        current,
        drop=True,
    )
    return _themes_from(
        ask_json(llm, REFINE.substitute(question=asked, themes=_listing(current))), current
    )


def _listing(themes: Sequence[Theme]) -> str:
    # discovered labels and descriptions are respondents' words: one JSON object a line
    return "\n".join(as_data({"theme_id": t.theme_id, "label": redact(t.label),
                               "description": redact(t.description)}) for t in themes)


def _themes_from(data: Any, previous: Sequence[Theme], drop: bool = False) -> list[Theme]:
    if not isinstance(data, list):
        return list(previous)
    by_id = {t.theme_id: t for t in previous}
    updated: dict[str, Theme] = {}
    for item in data:
        if isinstance(item, dict) and str(item.get("theme_id")) in by_id and item.get("label"):
            theme_id = str(item["theme_id"])
            updated[theme_id] = Theme(
                theme_id, str(item["label"])[:80], str(item.get("description", ""))[:400], "model"
            )
    if not updated:
        return list(previous)
    return [updated.get(t.theme_id, t) for t in previous if not drop or t.theme_id in updated]


def map_with_model(
    question: str, themes: Sequence[Theme], responses: Sequence[tuple[str, str]], llm: ChatModel
) -> dict[str, list[str]]:
    """Theme ids per response id, asked of the model in batches.

    Unknown theme ids are dropped; responses the model did not answer for are left out.
    """
    known = {t.theme_id for t in themes}
    out: dict[str, list[str]] = {}
    for start in range(0, len(responses), MAP_BATCH):
        batch = responses[start : start + MAP_BATCH]
        lines = "\n".join(
            f"{_prompt_id(rid)}: {as_data(redact(text)[:1000])}" for rid, text in batch
        )
        data = ask_json(llm, MAP.substitute(question=as_data(question), themes=_listing(themes),
                                            responses=lines))
        answered = data if isinstance(data, dict) else {}
        for rid, _ in batch:
            if rid in answered:
                ids = answered[rid] if isinstance(answered[rid], list) else []
                out[rid] = [str(i) for i in ids if str(i) in known]
    return out
