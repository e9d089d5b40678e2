"""Model stages after offline discovery, as in i.AI's Themefinder: generate, condense, refine, map.

Each stage sends one prompt from ``prompts`` and parses a JSON reply. A reply that is not the JSON
asked for leaves the themes as they were (the offline ones are always usable); a failing endpoint
raises ``ModelError`` with advice, as every ChatModel does. Respondents' e-mail addresses, phone
and NI numbers and postcodes are masked in every prompt (``redaction``); results keep the text.
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
_JSON = re.compile(r"(\[.*\]|\{.*\})", re.DOTALL)


def ask_json(llm: ChatModel, prompt: str) -> Any:
    """Send ``prompt``; return the parsed JSON in the reply, or None if there is none."""
    reply = "".join(llm.stream([("system", SYSTEM), ("user", prompt)]))
    match = _JSON.search(reply)
    if match is None:
        return None
    try:
        return json.loads(match.group(1))
    except ValueError:
        return None


def refine_themes(
    question: str, themes: Sequence[Theme], texts: Sequence[str], llm: ChatModel,
    quotes: dict[str, list[str]] | None = None,
) -> list[Theme]:  # fmt: skip
    """Name the discovered themes from their quotes, condense overlaps, then refine wording."""
    quotes = quotes or {t.theme_id: [t.description] for t in themes}
    groups = "\n\n".join(
        f"Group {t.theme_id}:\n"
        + "\n".join(f"- {redact(q)[:300]}" for q in quotes.get(t.theme_id, [])[:QUOTES_PER_GROUP])
        for t in themes
    )
    current = _themes_from(
        ask_json(llm, GENERATE.substitute(question=question, groups=groups)), themes
    )
    current = _themes_from(
        ask_json(llm, CONDENSE.substitute(question=question, themes=_listing(current))),
        current,
        drop=True,
    )
    return _themes_from(
        ask_json(llm, REFINE.substitute(question=question, themes=_listing(current))), current
    )


def _listing(themes: Sequence[Theme]) -> str:
    # discovered labels and descriptions are respondents' words
    return "\n".join(f"{t.theme_id}: {redact(t.label)}: {redact(t.description)}" for t in themes)


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
            f"{rid}: {json.dumps(redact(text)[:1000], ensure_ascii=False)}" for rid, text in batch
        )
        data = ask_json(
            llm, MAP.substitute(question=question, themes=_listing(themes), responses=lines)
        )
        answered = data if isinstance(data, dict) else {}
        for rid, _ in batch:
            if rid in answered:
                ids = answered[rid] if isinstance(answered[rid], list) else []
                out[rid] = [str(i) for i in ids if str(i) in known]
    return out
