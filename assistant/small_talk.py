"""Greetings and thanks: messages that ask nothing of the guidance.

"hi" or "thanks, that's really helpful!" searched as questions came back "not covered" with
unrelated closest documents ("History of 10 Downing Street"; a browser review). A message made
only of such words, with at least one greeting or thanks, gets a short reply instead.
"""

from __future__ import annotations

import re

from assistant import prompts

_OPENERS = frozenset({
    "hi", "hello", "hey", "hiya", "morning", "afternoon", "evening", "thanks", "thank", "thx",
    "cheers", "ta", "bye", "goodbye", "ok", "okay", "great", "brilliant", "perfect", "lovely",
})
_GREETINGS = frozenset({"hi", "hello", "hey", "hiya", "morning", "afternoon", "evening"})
_GOODBYES = frozenset({"bye", "goodbye"})
_FILLER = frozenset({
    "good", "you", "very", "much", "so", "many", "that", "that's", "thats", "it", "it's", "is",
    "was", "really", "helpful", "useful", "excellent", "again", "for", "the", "help", "there",
    "all", "a", "lot", "everyone", "team", "assistant", "guidance", "oh", "yes", "no", "got",
    "i", "see", "fine", "sounds", "and", "now", "then", "day", "have", "nice", "bot",
})
_WORD = re.compile(r"[a-z]+(?:['’][a-z]+)?")
MAX_WORDS = 10


def small_talk(message: str) -> str | None:
    """"greeting", "goodbye" or "thanks" (thanks or an acknowledgement: "ok", "great") when
    ``message`` is only that, else None."""
    words = [w.replace("’", "'") for w in _WORD.findall(message.lower())]
    if not words or len(words) > MAX_WORDS or "?" in message and not set(words) <= _OPENERS:
        return None
    if re.search(r"[\d£$€%]", message):  # "ok, 16?", "thanks £500": a figure is a question
        return None
    if not set(words) & _OPENERS or not set(words) <= _OPENERS | _FILLER:
        return None
    if set(words) & _GOODBYES:
        return "goodbye"
    return "greeting" if set(words) & _GREETINGS and not set(words) & (_OPENERS - _GREETINGS) \
        else "thanks"


KINDS = ("greeting", "goodbye", "thanks")


def reply(kind: str) -> str:
    """The reply to a message of this kind (``small_talk``)."""
    return prompts.render(f"small_talk_{kind}")


def is_reply(text: str) -> bool:
    """Whether ``text`` is one of the replies to small talk (shown as a reply, not a warning)."""
    return any(text == reply(kind) for kind in KINDS)
