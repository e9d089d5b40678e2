"""Follow-up questions ('and if she is self-employed?') rewritten into standalone search queries.

With a model, the model rewrites the question from the conversation. Offline, a heuristic spots
follow-ups (a leading connective, a pronoun with little else, or very few content words) and
prefixes the earlier user questions the follow-up depends on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant import prompts
from assistant.ports import ChatModel
from assistant.words import terms

_CONNECTIVE = re.compile(
    r"^\s*(?:and|but|or|so|also|then|what about|how about|what if|and if|if so|same for|"
    r"in that case|does that|is that|what else)\b",
    re.IGNORECASE,
)
_PRONOUN = re.compile(
    r"\b(?:she|he|they|it|this|that|these|those|her|his|their|them|there|one)\b", re.IGNORECASE
)
# a chatty model's lead-in to its rewrite ("Sure! Here is the standalone question:"), and a
# label before it ("Standalone question: How much...")
_LEAD_IN = re.compile(r":\s*$|^(?:sure|certainly|of course|okay|ok)[!,.]|^here(?: is|'s)\b",
                      re.IGNORECASE)
_LABEL = re.compile(r"^(?:standalone |rewritten |search )?(?:question|query)\s*:\s*", re.IGNORECASE)
MAX_CHAIN = 3  # earlier user questions a follow-up may carry
MAX_HISTORY_TURNS = 6


def is_follow_up(question: str) -> bool:
    """Whether ``question`` probably depends on earlier turns to make sense."""
    content = terms(question)
    if _CONNECTIVE.match(question) or len(content) <= 1:
        return True
    return bool(_PRONOUN.search(question)) and len(content) <= 3


# someone or something named earlier: "he", "her", "reclaim it", "this scheme", "these
# payments"; not "is there", "when is it paid", "how long does it take", "IT equipment", "that
# the", "this year"
_THINGS = ("scheme|schemes|payment|payments|benefit|benefits|allowance|grant|loan|case|one|rule|"
           "rules|situation|person|claim|application|amount|rate|leave|change|money|debt|letter|"
           "decision|form|visa|route|policy|job|employee|customer|claimant|child|baby")
_POINTS_BACK = re.compile(
    r"\b(?i:she|he|they|her|his|hers|their|them|him|its)\b"
    r"|(?<!\b[Ii]s )(?<!\b[Ww]as )(?<!\b[Ww]ill )(?<!\b[Dd]oes )(?<!\b[Dd]id )(?<!\b[Dd]o )"
    r"\bit\b(?!\s+(?i:is|was|will|would|has|can|must|should|takes?|matters?)\b)"
    rf"|\b(?i:this|that|these|those)\s+(?i:{_THINGS})\b")


def refers_back(question: str) -> bool:
    """Whether ``question`` points at someone or something named earlier ("How much notice does
    he need to give?"); "Who approves a consolatory payment of £300?" and "Is there a limit on
    consolatory payments?" stand alone."""
    return bool(_POINTS_BACK.search(question)) or bool(_CONNECTIVE.match(question))


def rewrite_heuristically(question: str, history: Sequence[tuple[str, str]]) -> str:
    """Prefix the earlier user questions a follow-up depends on (offline)."""
    if not is_follow_up(question):
        return question
    return with_history(question, history)


def with_history(question: str, history: Sequence[tuple[str, str]]) -> str:
    """``question`` after the earlier user questions it would follow on from (the last one that
    stands alone and any follow-ups since), whether or not it looks like a follow-up."""
    earlier: list[str] = []
    for role, text in reversed(history):
        if role != "user":
            continue
        earlier.insert(0, text.strip())
        if not is_follow_up(text) or len(earlier) >= MAX_CHAIN:
            break
    return " ".join([*earlier, question.strip()])


def standalone_query(
    question: str, history: Sequence[tuple[str, str]], llm: ChatModel | None = None
) -> str:
    """The query to search for ``question`` given the conversation ``history``."""
    if not any(role == "user" for role, _ in history):
        return question
    if llm is None:
        return rewrite_heuristically(question, history)
    recent = history[-MAX_HISTORY_TURNS:]
    transcript = "\n".join(f"{role}: {' '.join(text.split())[:500]}" for role, text in recent)
    messages = [
        ("system", prompts.render("followup_system")),
        ("user", prompts.render("followup_user", history=transcript, question=question)),
    ]
    lines = [_LABEL.sub("", line.strip()).strip("\"'").strip() for line in
             "".join(llm.stream(messages)).strip().splitlines() if line.strip()]
    # a chatty model may lead in ("Sure! Here is the standalone question:") or sign off ("Would
    # you like me to rephrase it?"): the rewrite is the first line that is not a lead-in
    candidate = next((line for line in lines if not _LEAD_IN.search(line)), "")
    if not candidate or len(candidate) > 500:
        return rewrite_heuristically(question, history)
    return candidate
