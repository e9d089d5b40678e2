"""Old guidance: a warning when an answer quotes a figure from a dated source, or anything
from a source so old that its policy may have changed.

Rates, limits and fees change (most benefit and pay rates every April), so an amount quoted from
guidance last updated years ago may no longer be right, even when the passage answers the
question. A source counts when an amount appears in what the answer takes from it (its quote, or
the answer's sentences citing it) and its last-updated date is older than ``max_age_days``. The
warning names the date, so the reader can judge. A source with no date is not flagged: whole
libraries carry none (HTML bodies, text files), and a warning under every amount they give would
teach readers to skip warnings; the citation shows when a date is known. An undated source whose
title names a year ("Summer Budget 2015", "Rates for 2023 to 2024") is taken to be as old as the
end of the latest year it names: its "£20,000 cap" is flagged like a dated source's.

A source older still (``outdated_after_days``, three years by default: a leaflet from 2011, not
a guide updated last year) is cautioned whatever it is quoted for: procedures, conditions and
deadlines change with the law too. Its amounts then need no second warning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Protocol

from assistant.types import Citation

# "£1,234.56", "£5 million", "12.5%", "25 per cent", "45p"; not years, ages or clause numbers
AMOUNT = re.compile(
    r"£\s?\d|(?<![\w,.])\d[\d,]{0,15}(?:\.\d{1,6})?\s?(?:%|per\s?cent\b|percent\b)"
    r"|(?<![\d.])\b\d{1,3}p\b",
    re.IGNORECASE,
)


def has_amount(text: str) -> bool:
    """Whether ``text`` quotes a sum of money or a percentage."""
    return AMOUNT.search(text) is not None


def stale_amount_warnings(
    citations: Sequence[Citation],
    claims: Mapping[int, str] | None = None,
    *,
    today: date | None = None,
    max_age_days: int = 365,
) -> list[str]:
    """One warning naming each cited source that supplies an amount and is old.

    ``claims`` maps a citation number to the answer's text citing it (generative answers); the
    citation's quote is always read too.
    """
    with_amounts = [c for c in citations
                    if has_amount(f"{c.quote}\n{(claims or {}).get(c.n, '')}")]
    said = _older_than(with_amounts, today or date.today(), max_age_days)
    if not said:
        return []
    return [f"Amounts quoted may be out of date: {said}. Rates and limits change, often each "
            "April: check the current figures before relying on them."]


def old_source_warnings(
    citations: Sequence[Citation], *, today: date | None = None, max_age_days: int = 1095
) -> list[str]:
    """One warning naming each cited source last updated longer ago than ``max_age_days``."""
    said = _older_than(citations, today or date.today(), max_age_days)
    if not said:
        return []
    return [f"Old guidance: {said}. The rules, amounts and procedures it describes may have "
            "changed since: check the current guidance before relying on it."]


def staleness_warnings(
    citations: Sequence[Citation],
    claims: Mapping[int, str] | None = None,
    *,
    today: date | None = None,
    stale_after_days: int = 365,
    outdated_after_days: int = 1095,
) -> list[str]:
    """Warnings for sources older than ``outdated_after_days`` (whatever is quoted), then for
    amounts from the other sources older than ``stale_after_days``."""
    today = today or date.today()
    outdated = old_source_warnings(citations, today=today, max_age_days=outdated_after_days)
    rest = [c for c in citations if not outdated or not _older(c, today, outdated_after_days)]
    return outdated + stale_amount_warnings(rest, claims, today=today,
                                            max_age_days=stale_after_days)


def _older(citation: Citation, today: date, max_age_days: int) -> bool:
    updated = _dated(citation, today)[0]
    return updated is not None and (today - updated).days > max_age_days


class _Dated(Protocol):
    """A citation or a chunk: what tells how old a source is."""

    @property
    def updated(self) -> str | None: ...

    @property
    def title(self) -> str: ...


def source_date(source: _Dated, today: date | None = None) -> date | None:
    """When ``source`` (a citation or a chunk) was last updated, or else the end of the latest
    year its title names; None when neither says."""
    return _dated(source, today or date.today())[0]


def title_date(source: _Dated, today: date | None = None) -> date | None:
    """For an undated source whose title names a year ("Summer Budget 2015", "Rates for 2023 to
    2024": a publication of its time, not a guide kept up to date), the end of that year."""
    day, titled = _dated(source, today or date.today())
    return day if titled else None


def _dated(citation: _Dated, today: date) -> tuple[date | None, bool]:
    """The source's last-updated date, or else the end of the latest year its title names (and
    whether it came from the title)."""
    updated = _parse(citation.updated)
    if updated is not None or citation.updated:
        return updated, False
    years = []
    for found in _YEAR.finditer(_NOT_ITS_AGE.sub(" ", citation.title or "")):
        year = int(found.group(1))
        if found.group(2):  # a tax or academic year, "2025/26": in force until 2026
            year = year // 100 * 100 + int(found.group(2))
        years.append(year)
    # a span into the future ("Plan 2015 to 2030") is no sign of age
    if not years or max(years) > today.year or min(years) < 1990:
        return None, False
    return date(max(years), 12, 31), True


# a year in a title: not "£2000", "1990A", "2,000", "the 1990's"
_YEAR = re.compile(r"(?<![\w£.,])((?:19|20)\d\d)(?:[/-](\d\d))?(?![\w,%'’])")
# nor a law's year or a cut-off date ("Equality Act 2010", "discharged before 1 July 1997"),
# which say nothing of when the guidance was written
_NOT_ITS_AGE = re.compile(r"\b(?:Act|Regulations|Order|Rules|before|after|since|until|from)\s+"
                          r"(?:\d{1,2}\s+)?(?:[A-Z][a-z]+\s+)?(?:19|20)\d\d\b")


def _older_than(citations: Sequence[Citation], today: date, max_age_days: int) -> str:
    """"source [1] was last updated on 14 March 2025, more than a year ago" for the sources
    older than ``max_age_days``, grouped by document; "" when there are none."""
    # per document: its numbers, its date, whether the date is only its title's year
    old: dict[str, tuple[list[int], date, bool]] = {}
    for citation in citations:
        updated, titled = _dated(citation, today)
        if updated is not None and (today - updated).days > max_age_days:
            key = citation.doc_id or citation.title
            old.setdefault(key, ([], updated, titled))[0].append(citation.n)
    if not old:
        return ""
    age = _age(max_age_days)
    if len(old) == 1:
        [(numbers, day, titled)] = old.values()
        if titled:
            return (f"{_sources(numbers)} {'is' if len(numbers) == 1 else 'are'} undated, and "
                    f"{'its' if len(numbers) == 1 else 'their'} title names {day.year}, more "
                    f"than {age} ago")
        return (f"{_sources(numbers)} {'was' if len(numbers) == 1 else 'were'} last updated on "
                f"{_spoken(day)}, more than {age} ago")
    listed = _join([f"{_cited(numbers)} "
                    f"({f'undated, titled {day.year}' if titled else _spoken(day)})"
                    for numbers, day, titled in old.values()])
    if any(titled for _, _, titled in old.values()):
        return f"sources {listed} date from more than {age} ago"
    return f"sources {listed} were last updated more than {age} ago"


def _cited(numbers: Sequence[int]) -> str:
    return "[" + ", ".join(str(n) for n in numbers) + "]"


def _sources(numbers: Sequence[int]) -> str:
    return f"source{'' if len(numbers) == 1 else 's'} {_cited(numbers)}"


def _parse(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _spoken(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _age(days: int) -> str:
    years, rest = divmod(days, 365)
    if rest == 0 and years >= 1:
        return "a year" if years == 1 else f"{years} years"
    return f"{days} days"


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
