"""Abbreviations a caseworker types ("ssmg amount", "ILR") and the names the guidance spells out.

Guidance defines most abbreviations once ("Statutory Sick Pay (SSP)") and then uses either form;
some it never defines ("Freepost DWP SSMG" is the only "SSMG" beside many "Sure Start Maternity
Grant"). A question that uses only the abbreviation finds the one chunk that happens to use it,
or nothing. ``Acronyms.expansions`` proposes, for each abbreviation of a query, the name the
index spells out, to be *added* to the search text (like a spelling correction, never
substituted):

- *defined*: the run of words right before "(ABBR)" whose initials spell ABBR
  ("Department for Work and Pensions (DWP)": connecting words such as "for" and "and" may be
  skipped; "a subject access request (SAR)"); the most frequent definition wins;
- *implied*: an abbreviation the index uses in capitals but never defines, whose letters are the
  initials of a capitalised name the index uses at least ``MIN_IMPLIED`` times ("SSMG");
- *listed*: otherwise, the name ``data/abbreviations.txt`` gives for an abbreviation caseworkers
  type and guidance rarely defines ("ILR": "indefinite leave to remain", "NRPF": "no recourse
  to public funds"), when typed in capitals or written so by the index.

A query word counts as an abbreviation when typed in capitals and defined by the index, or typed
in capitals or lower case and written in capitals by the index at least ``UPPER_SHARE`` of the
time ("pip" and "ssmg" are; "may", "can" and "Dr" are not). Its name is searched for too only
when the index spells the name out at least ``SPELT_OUT_RATIO`` times as often as it uses the
abbreviation: "SSMG" (once) against "Sure Start Maternity Grant" (23 times) gains; "UK" against
"United Kingdom", or "HPI" against "High Potential Individual", would only add noise, as the
abbreviation alone already finds its passages.
The map is built from the indexed texts on first need (well under a second for 9,000 chunks).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

_LIST_FILE = Path(__file__).parent / "data" / "abbreviations.txt"
MIN_IMPLIED = 2  # a name seen fewer times is not trusted to spell an undefined abbreviation
UPPER_SHARE = 0.9  # an index word written in capitals this often is an abbreviation
MAX_EXPANSIONS = 3
# searched for by its name only when the index spells the name out this many times as often as
# it writes the abbreviation: "HPI" (75 times, the name 128) finds its rules by itself, and adding
# the name pulled in the partner's section, whose headings repeat it
SPELT_OUT_RATIO = 2
_CONNECTORS = frozenset({"and", "of", "for", "to", "the", "on", "in", "&"})
_WORD = r"[A-Z][a-z]+(?:['’]s)?"
# up to 6 capitalised words, connecting words between them, then "(ABBR)"
# a definition may be in lower case ("This is called a subject access request (SAR)"): the
# shortest run of words before "(ABBR)" whose initials spell it is taken
_ABBREVIATION_AFTER = re.compile(r" \(([A-Z]{2,6})s?\)")
_ANY_WORD = re.compile(r"[A-Za-z][a-z]+(?:['’]s)?|&")
_NAME_RUN = re.compile(rf"{_WORD}(?: (?:(?:and|of|for|to|the|on|in|&) )?{_WORD}){{1,5}}")
# capitalised because they open a sentence, not because they name anything: an undefined
# abbreviation is not spelt by "This Budget" ("TB") or "If You" ("IY")
_OPENER_TEXT = (
    "a an the this that these those if when where what which who how why you your yours it its "
    "we our they their he she his her i my there here in on at for to from by with as and or "
    "but not no all any some each every can could will would should may might must do does did "
    "is are was were be has have had after before during under over")
_OPENERS = frozenset(_OPENER_TEXT.split())
_TOKEN = re.compile(r"\b[A-Za-z]{2,6}\b")
_LETTERS = re.compile(r"[A-Za-z]+")
_AFTER_NUMBER = re.compile(r"\d\s?$")


@lru_cache(maxsize=1)
def listed_names() -> dict[str, str]:
    """``data/abbreviations.txt`` as {abbreviation in lower case: name} (comments skipped)."""
    out: dict[str, str] = {}
    for line in _LIST_FILE.read_text(encoding="utf-8").splitlines():
        key, sep, name = line.partition("=")
        if sep and not line.lstrip().startswith("#") and key.strip() and name.strip():
            out[key.strip().lower()] = name.strip()
    return out


class _Entry(NamedTuple):
    name: str
    seen: int


def initials(words: Iterable[str], *, connectors: bool) -> str:
    """The upper-case first letters of ``words`` (with or without the connecting words)."""
    return "".join(w[0].upper() for w in words if connectors or w.lower() not in _CONNECTORS)


def _spelt_by(name: str, abbreviation: str) -> str | None:
    """The shortest end of ``name`` whose initials spell ``abbreviation``, if any."""
    words = name.split()
    for start in range(len(words) - 1, -1, -1):
        tail = words[start:]
        if tail[0].lower() in _CONNECTORS:
            continue
        if abbreviation in (initials(tail, connectors=False), initials(tail, connectors=True)):
            return " ".join(tail)
    return None


class Acronyms:
    """Abbreviations of one index, and the names they stand for."""

    def __init__(self, texts: Callable[[], Iterable[str]],
                 texts_with: Callable[[str], Sequence[str] | None] | None = None) -> None:
        """``texts`` gives every indexed text; ``texts_with(word)``, when given, the texts that
        use a word (lower case), or None when it cannot tell (a stopword)."""
        self._texts = texts
        self._texts_with = texts_with
        self._names: dict[str, str] | None = None
        self._defined: frozenset[str] = frozenset()
        self._listed: frozenset[str] = frozenset()
        self._name_counts: dict[str, int] = {}
        self._upper: Counter[str] = Counter()
        self._lower: Counter[str] = Counter()
        self._lock = threading.Lock()

    def expansions(self, query: str) -> list[tuple[str, str]]:
        """(abbreviation as typed, name to search for too) for each abbreviation of ``query``
        whose name the query does not already spell out."""
        names = self._map()
        said = " ".join(_LETTERS.findall(query.lower()))
        out: list[tuple[str, str]] = []
        # typed in capitals ("DOES HE NEED A FIT NOTE?"): every word looks like an abbreviation.
        # Counted over the longer words the index does not write in capitals, so "SSMG" or
        # "Can I get PIP UC and ESA?" still count as typed normally
        plain = [w for w in _LETTERS.findall(query)
                 if len(w) >= 3 and not self._mostly_upper(w.lower())]
        if len(plain) >= 3 and sum(w.isupper() for w in plain) > len(plain) / 2:
            return out
        for found in _TOKEN.finditer(query):
            word, key = found.group(0), found.group(0).lower()
            if len(key) == 2 and (not word.isupper() or _AFTER_NUMBER.search(
                    query[:found.start()])):  # "dr", "mp" are words; "6 PM" is a time
                continue
            name = names.get(key)
            if name is None or not self._is_abbreviation(word) \
                    or " ".join(_LETTERS.findall(name.lower())) in said \
                    or (self._upper[key] == 0 and key not in self._listed) \
                    or self._spelt_out(name) < max(1, SPELT_OUT_RATIO * self._upper[key]):
                continue
            if any(typed.lower() == key for typed, _ in out):
                continue
            out.append((word, name))
            if len(out) == MAX_EXPANSIONS:
                break
        return out

    def name_of(self, abbreviation: str) -> str | None:
        """The name ``abbreviation`` stands for in this index, if known."""
        return self._map().get(abbreviation.lower())

    def prepare(self) -> None:
        """Build the map now rather than on the first query."""
        self._map()

    def _is_abbreviation(self, word: str) -> bool:
        """Typed in capitals and defined by the index, or written in capitals by the index
        nearly always (a heading in capitals, "HOW TO APPLY", makes no abbreviation of "how")."""
        key = word.lower()
        if word.isupper() and (key in self._defined or key in self._listed):
            return True
        return (word.isupper() or word.islower()) and self._mostly_upper(key)

    def _mostly_upper(self, key: str) -> bool:
        upper, lower = self._upper[key], self._lower[key]
        return upper > 0 and upper >= UPPER_SHARE * (upper + lower)

    def _map(self) -> dict[str, str]:
        with self._lock:
            if self._names is None:
                self._names = self._build()
            return self._names

    def _build(self) -> dict[str, str]:
        defined: dict[str, Counter[str]] = {}
        names: Counter[str] = Counter()
        for text in self._texts():
            for match in _ABBREVIATION_AFTER.finditer(text):
                before = text[max(0, match.start() - 120):match.start()]
                words = _ANY_WORD.findall(before.rsplit("\n", 1)[-1])[-7:]
                name = _spelt_by(" ".join(words), match.group(1)) if words else None
                if name is not None:
                    defined.setdefault(match.group(1).lower(), Counter())[name] += 1
            for run in _NAME_RUN.finditer(text):  # "The Sure Start Maternity Grant" names
                words = run.group(0).split()  # "Sure Start Maternity Grant", but "Statutory
                while words and words[0].lower() in _CONNECTORS | _OPENERS:  # Maternity Pay"
                    words = words[1:]  # names no "Maternity Pay"
                if len(words) >= 2:
                    names[" ".join(words)] += 1
            for token in _TOKEN.findall(text):
                if token.isupper():
                    self._upper[token.lower()] += 1
                elif token.islower():
                    self._lower[token] += 1
        out = {key: counts.most_common(1)[0][0] for key, counts in defined.items()}
        self._defined = frozenset(out)
        by_initials: dict[str, _Entry] = {}
        for name, count in names.items():
            if count < MIN_IMPLIED:
                continue
            for key in {initials(name.split(), connectors=False),
                        initials(name.split(), connectors=True)}:
                best = by_initials.get(key.lower())
                if best is None or count > best.seen:
                    by_initials[key.lower()] = _Entry(name, count)
        implied = {key: by_initials[key].name for key in self._upper
                   # two letters ("MP", "CT") spell too many names to guess
                   if len(key) >= 3 and key not in out and key in by_initials
                   and self._mostly_upper(key)}
        out.update(self._seen_together(implied))
        listed = {key: name for key, name in listed_names().items() if key not in out}
        self._listed = frozenset(listed)
        out.update(listed)
        return out

    def _seen_together(self, implied: dict[str, str]) -> dict[str, str]:
        """The implied names that some passage writes beside their abbreviation ("Freepost DWP
        SSMG" in the Sure Start Maternity Grant guide): "IRA" once, in a history page, is no
        "Immigration Rules Appendix", however often the rules name themselves."""
        wanted = {key.upper(): name.lower() for key, name in implied.items()}
        together: set[str] = set()
        for text in self._texts():
            present = {t for t in _TOKEN.findall(text) if t in wanted and t.lower() not in together}
            if present:
                lowered = text.lower()
                together |= {t.lower() for t in present if wanted[t] in lowered}
        return {key: name for key, name in implied.items() if key in together}

    def _texts_using(self, name: str) -> Iterable[str]:
        """The texts that may spell ``name`` out: those that use its least used whole word
        (the last word may end a longer one, "Grant" in "Grants", so it is not asked for), or
        every text (a scan of all 9,000 guidance chunks took 0.23 s a name; this 8 ms)."""
        best: Sequence[str] | None = None
        for word in (w.lower() for w in name.split()[:-1] if w.isalpha()):
            found = self._texts_with(word) if self._texts_with else None
            if found is not None and (best is None or len(found) < len(best)):
                best = found
        return self._texts() if best is None else best

    def _spelt_out(self, name: str) -> int:
        """How often the index spells ``name`` out, in any case ("Subject access requests");
        counted on first need, as only the names of abbreviations asked about matter."""
        known = self._name_counts.get(name)
        if known is not None:
            return known
        # counted outside the lock: another question need not wait for this scan
        # not glued to an apostrophe: "Neill Hardship Fund" is not spelt out in "O'Neill
        # Hardship Fund" (whose "oneill" the BM25 index would not find under "neill" either)
        whole = re.compile(rf"(?<!['’])\b{re.escape(name.lower())}", re.IGNORECASE)
        count = sum(len(whole.findall(text)) for text in self._texts_using(name))
        with self._lock:
            self._name_counts[name] = count
        return count
