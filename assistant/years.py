"""Years a question or a heading names: tax, financial and academic years ("2024 to 2025",
"2024/25") and years asked about ("for 2025"), in every form a source may write them.

Used to warn when no source quoted mentions the year asked about (``assistant.answering``) and to
quote the block for the case's year when guidance gives one per year (``assistant.extractive``).
"""

from __future__ import annotations

import re

# a tax, financial or academic year ("2013/14", "2013-14", "2013 to 2014": two years in a row,
# not an ISO date's "2025-03" nor "1961-1965"), or a year asked about ("for 2025", "from April
# 2011"; not "for 2000 miles", "1950s", nor a fact of the case, "born in 2019")
_YEAR_PAIR = re.compile(r"\b((?:19|20)\d\d)(?:\s?[/–-]\s?((?:19|20)?\d\d)|\s+to\s+((?:19|20)\d\d))"
                        r"\b(?![/–-]\d)")
_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|"
           "december")
_ONE_YEAR = re.compile(rf"\b(?:for|from|year)\s+(?:(?:{_MONTHS})\s+)?((?:19|20)\d\d)\b"
                       r"(?!s\b|\s*[/–-]\s*\d|\s+(?!tax\b|financial\b|academic\b|school\b)[a-z])",
                       re.IGNORECASE)


def year_pairs(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """(as written, the forms a source may write it in) for each tax, financial or academic year
    ``text`` names ("2024 to 2025": "2024/25", "2024-2025", ...)."""
    found = []
    for pair in _YEAR_PAIR.finditer(text):
        first = int(pair.group(1))
        second = pair.group(2) or pair.group(3)
        if int(second) % (100 if len(second) == 2 else 10_000) != (first + 1) % (
                100 if len(second) == 2 else 10_000):
            continue  # "2025 - 20 March", "1961-1965": not one tax or academic year
        short, full = f"{(first + 1) % 100:02d}", str(first + 1)
        found.append((pair.group(0), tuple(f"{first}{sep}{end}" for sep in ("/", "-", "–", " to ")
                                           for end in (short, full))))
    return found


def asked_years(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """(as typed, the forms a source may write it in) for each year the question asks about."""
    found = year_pairs(text)
    for year in _ONE_YEAR.finditer(text):
        if not any(year.group(1) in said for said, _ in found):
            found.append((year.group(1), (year.group(1),)))
    return found


def of_another_year(heading: str, forms: set[str]) -> bool:
    """Whether ``heading`` names one tax or academic year ("2023 to 2024 academic year") and it
    is not one of ``forms`` (the year the case is about, as ``year_pairs`` writes it)."""
    named = year_pairs(heading)
    # a span of years ("2010-11 to 2020-21") may hold the one asked about: not another year
    return len(named) == 1 and not any(said in forms or set(written) & forms
                                       for said, written in named)
