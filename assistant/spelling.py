"""Query spelling: typos and US spellings mapped to words the indexed guidance uses.

"Will I be descriminated against?" finds nothing by BM25 and little by embedding, because no
chunk says "descriminated"; "neighbor" and "enrollment" miss guidance written in UK English.
``Speller.corrections`` proposes, for each such word of a query, the word the index uses:

- *UK spelling*: a word the index does not know whose UK form it does know ("realize" ->
  "realise", "neighbor" -> "neighbour", "enrollment" -> "enrolment", "program" -> "programme");
- *typo*: a word of at least 5 letters that is neither in the index nor an English word (the
  82,765-word frequency list shipped in ``symspellpy``) -> the most frequent index word of the same
  first letter within one edit (a transposition is one edit), found by SymSpell.

Correct English words the index happens not to use ("percent", "nervous", "Medicare") and place
names in the English list are left alone, so a near-miss question keeps its meaning. Corrections
are *added* to the search text, never substituted (``expand``): a wrong one costs a little noise,
not the user's word. The typo dictionary is built from the indexed texts (with titles and
headings) on first need (about 0.5 s for 9,000 chunks) and rebuilt when the index changes (a new
``Bm25Index``).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

from assistant.names import question_sentences

MIN_TYPO_LENGTH = 5  # shorter words have too many neighbours one edit away
MIN_WORD_COUNT = 3  # an index word seen fewer times is not trusted as a correction
# One edit (a transposition counts as one) covers most typos ("descriminated", "recieve",
# "goverment"); two would triple the dictionary's memory and make more wrong guesses.
MAX_EDITS = 1
MAX_CORRECTIONS = 5  # a long pasted case gains nothing from dozens of guesses
# the words of asking rather than of a topic: never reported as unused by the guidance
_CHATTY = frozenset({
    "hello", "hiya", "thanks", "thank", "please", "wondering", "wonder", "could", "would",
    "should", "might", "whether", "really", "maybe", "perhaps", "anyone", "someone", "somebody",
    "anybody", "advice", "question", "questions", "know", "knows", "want", "wants", "wanted",
    "need", "needs", "needed", "tell", "told", "like", "also", "okay", "dear", "regards", "sorry",
    "grateful", "appreciate", "help", "helps", "helping", "possible", "currently", "actually",
    "basically", "information", "details", "situation"
})
# the grammar of a question, not its topic: a small index may never use "much" or "whose"
_FUNCTION = frozenset({
    "much", "many", "more", "most", "less", "least", "fewer", "does", "doing", "done", "have",
    "having", "been", "being", "were", "what", "whatever", "when", "whenever", "where", "which",
    "whichever", "while", "whom", "whose", "their", "theirs", "there", "these", "those", "your",
    "yours", "them", "they", "into", "onto", "from", "with", "about", "after", "before", "during",
    "within", "without", "every", "each", "some", "other", "another", "again", "ever", "never",
    "only", "very", "still", "than", "then", "this", "that", "will", "shall", "must", "cannot",
    "able", "else", "such", "same", "here", "just", "even", "enough", "soon", "often", "once",
    "over", "under", "since", "until", "upon", "towards", "toward", "through", "because",
    "though", "although", "unless", "either", "neither", "both", "anything", "something",
    "nothing", "everything", "somewhere", "anywhere", "myself", "yourself", "himself", "herself",
    "itself", "ourselves", "themselves", "mine", "ours", "hers", "among", "across", "against",
    "along", "around", "behind", "below", "above", "beyond", "already", "yet", "instead",
})
# contractions typed without their apostrophe ("whats the rate", "dont have a P45")
_CONTRACTED = frozenset({
    "whats", "whos", "hows", "wheres", "whens", "whys", "thats", "theres", "heres", "dont",
    "doesnt", "didnt", "cant", "couldnt", "wont", "wouldnt", "shouldnt", "mustnt", "isnt",
    "arent", "wasnt", "werent", "hasnt", "havent", "hadnt", "youre", "youve", "youll", "youd",
    "theyre", "theyve", "theyll", "theyd", "shes", "hes", "weve", "ive", "itll",
    "shouldve", "wouldve", "couldve",
})
_NOT_TOPICS = _CHATTY | _FUNCTION | _CONTRACTED
PREFIX = 5  # an unused word sharing this many first letters with an index word is a form of it
_WORD = re.compile(r"[^\W\d_]+")  # runs of letters, accented ones included
# a capitalised word of five letters or more after "the", "a" or "an": a thing's name ("the
# Schengen rule"); a person's name rarely follows one ("Can Aisha apply?")
_TERM = re.compile(r"(?<=\b[Tt]he )[A-Z][a-z]{4,}\b|(?<=\b[Aa] )[A-Z][a-z]{4,}\b"
                   r"|(?<=\b[Aa]n )[A-Z][a-z]{4,}\b")
# US -> UK spelling rewrites, each tried alone on a word (regex, replacement). They may
# over-generate ("doctor" -> "doctour"): a form is used only when the index has it.
_UK_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl) for pattern, repl in (
        (r"iz(e|es|ed|ing|ation|ations|er|ers)$", r"is\1"),  # realize, organization
        (r"yz(e|es|ed|ing)$", r"ys\1"),  # analyze
        (r"or(s|ed|ing|ite|ites|able|al|hood)?$", r"our\1"),  # neighbor, labor, behavior
        (r"er(s)?$", r"re\1"),  # center, theater
        (r"([aeiou])ll(ment|ments|s)$", r"\1l\2"),  # enrollment, fulfills
        (r"([aeiou])l(ed|ing|er|ers)$", r"\1ll\2"),  # traveled, canceling
        (r"ense(s)?$", r"ence\1"),  # defense, license
        (r"^program(s)?$", r"programme\1"),  # program
        (r"([ao])log(s)?$", r"\1logue\2"),  # catalog, dialog
    ))
_SINGLE_L = {"enroll": "enrol", "fulfill": "fulfil", "instill": "instil", "distill": "distil"}


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The English word list shipped in ``symspellpy`` (82,765 words, lower case)."""
    text = resources.files("symspellpy").joinpath(
        "frequency_dictionary_en_82_765.txt").read_text(encoding="utf-8")
    return frozenset(line.split(" ", 1)[0] for line in text.splitlines() if line)


def uk_forms(word: str) -> list[str]:
    """UK spellings a US-spelt ``word`` might have (possibly none)."""
    if word in _SINGLE_L:
        return [_SINGLE_L[word]]
    forms = []
    for pattern, repl in _UK_RULES:
        form = pattern.sub(repl, word)
        if form != word:
            forms.append(form)
    return forms


class Speller:
    """Spelling corrections for queries against one index's vocabulary.

    ``known(word)`` says whether the index has the word (the BM25 vocabulary, through its stemmer);
    ``texts()`` gives the texts the typo dictionary is built from (the chunks with their titles
    and section headings, as BM25 indexes them), only when first needed.
    Safe to share between threads.
    """

    def __init__(self, known: Callable[[str], bool], texts: Callable[[], Iterable[str]]) -> None:
        self._known = known
        self._texts = texts
        self._symspell: Any = None
        self._prefixes: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def corrections(self, query: str) -> list[tuple[str, str]]:
        """(word as typed, word the index uses) for each word of ``query`` worth correcting."""
        out: list[tuple[str, str]] = []
        seen: set[str] = set()
        for word in (w.lower() for w in _WORD.findall(query)):
            if len(out) >= MAX_CORRECTIONS:
                break
            # words with accents ("Universität", "Pôle") are names or other languages
            if word in seen or len(word) < 4 or not word.isascii() or self._known(word) \
                    or word in _CONTRACTED:
                continue
            seen.add(word)
            fix = self._uk_form(word) or (self._typo_fix(word)
                                          if len(word) >= MIN_TYPO_LENGTH else None)
            if fix:
                out.append((word, fix))
        return out

    def unknown_words(self, query: str) -> list[str]:
        """English words of ``query`` the index never uses (and that are no typo or US spelling
        of one it does): "maternity" against guidance that only covers paternity leave. The
        passages found for such a query may be about something close to it, not it."""
        out: list[str] = []
        for word in dict.fromkeys(w.lower() for w in _WORD.findall(query)):
            if len(word) >= 4 and word.isascii() and word not in _NOT_TOPICS \
                    and not self._known(word) and word in english_words() \
                    and not self._uk_form(word) and not self._known_form(word):
                out.append(word)
        return out + [w for w in self._unknown_terms(question_sentences(query)) if w not in out]

    def _unknown_terms(self, asked: str) -> list[str]:
        """Capitalised terms inside the question's sentences that are no English word, that the
        index never uses and that are no typo of a word it does: "Does the Schengen rule
        apply?" (an immigration caseworker's review saw it answered from the UK's own absence
        rules, with no warning)."""
        out: list[str] = []
        for found in _TERM.finditer(asked):
            word = found.group(0).lower()
            # "the Ahmeds": a family, not a thing
            if word not in english_words() and word not in _NOT_TOPICS and not word.endswith("s") \
                    and not self._known(word) and not self._known_form(word) \
                    and not self._uk_form(word) and self._typo_fix(word) is None:
                out.append(word)
        return list(dict.fromkeys(out))

    def _known_form(self, word: str) -> bool:
        """Whether the index has another form of ``word`` ("treated" and "treatment")."""
        self._dictionary()
        return len(word) > PREFIX and word[:PREFIX] in self._prefixes

    def _uk_form(self, word: str) -> str | None:
        return next((form for form in uk_forms(word) if self._known(form)), None)

    def _typo_fix(self, word: str) -> str | None:
        if word in english_words():
            return None
        from symspellpy import Verbosity

        found = self._dictionary().lookup(word, Verbosity.CLOSEST, max_edit_distance=MAX_EDITS)
        same_start = [s for s in found if s.term[0] == word[0] and s.term != word]
        return max(same_start, key=lambda s: s.count).term if same_start else None

    def prepare(self) -> None:
        """Build the typo dictionary now rather than on the first misspelt query."""
        self._dictionary()

    def _dictionary(self) -> Any:
        with self._lock:
            if self._symspell is None:
                from symspellpy import SymSpell

                counts: Counter[str] = Counter()
                for text in self._texts():
                    counts.update(w.lower() for w in _WORD.findall(text) if w.isascii())
                symspell = SymSpell(max_dictionary_edit_distance=MAX_EDITS)
                for word, count in counts.items():
                    if count >= MIN_WORD_COUNT and len(word) >= 4:
                        symspell.create_dictionary_entry(word, count)
                self._prefixes = frozenset(w[:PREFIX] for w in counts if len(w) > PREFIX)
                self._symspell = symspell
            return self._symspell


def expand(query: str, corrections: Sequence[tuple[str, str]]) -> str:
    """``query`` with the corrected words appended (the words as typed are kept)."""
    if not corrections:
        return query
    return f"{query} {' '.join(fix for _typed, fix in corrections)}"
