"""Mask personal details in response text before it is sent to a language model.

E-mail addresses, UK phone numbers, National Insurance numbers and UK postcodes become
"[email]", "[phone]", "[NI number]" and "[postcode]". Only prompts are masked: the stored
responses, the review and the exports keep what respondents wrote. Names and street addresses
are not detected, and unusual layouts can slip through: this lowers the risk, it does not end it.
"""

from __future__ import annotations

import re

_MASKS = [
    # the part before the @ is at most 64 characters (the mail standard's limit): unbounded, each
    # start in a long run of word characters scanned to its end (1.7 s for a 10,000-character
    # answer); bounded, only the 64 starts before an @ reach the domain
    (re.compile(r"[\w.%+'-]{1,64}@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE), "[email]"),
    # two letters, six digits (often in pairs), a final A-D; lenient on the prefix (QQ examples)
    (re.compile(r"\b[a-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[a-d]\b", re.IGNORECASE), "[NI number]"),
    # 0 or +44 (with an optional "(0)"), then 9 or 10 digits with spaces, dashes or brackets
    (
        re.compile(r"(?<![\w+])(?:\+ ?44 ?(?:\(0\) ?)?|\(?0)\d(?:[ ().-]{0,2}\d){8,9}(?!\d)"),
        "[phone]",
    ),
    # outward code, inward code (digit, two letters never C, I, K, M, O, V); "B2 4th" is no postcode
    (
        re.compile(
            r"\b(?:[a-z]{1,2}\d[a-z\d]?|gir) ?(?-i:(?!1st|2nd|3rd|\dth))\d[abd-hjlnp-uw-z]{2}\b",
            re.IGNORECASE,
        ),
        "[postcode]",
    ),
]


def redact(text: str) -> str:
    """``text`` with e-mail addresses, UK phone and NI numbers and postcodes masked."""
    for pattern, mask in _MASKS:
        text = pattern.sub(mask, text)
    return text
