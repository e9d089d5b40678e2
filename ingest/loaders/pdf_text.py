"""Repairs to the text pypdf extracts from a PDF: bullets drawn in symbol fonts, private-use
and control characters, glyph names, and words split in two ("statutor y", "self- employed");
and a measure of whether the text is words at all (fonts without a character map)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from assistant.spelling import english_words

SYMBOL = "\x1e"  # stands for a glyph drawn in a symbol font until the page text is cleaned
_SYMBOL_FONT = re.compile(r"dingbat|wingding|webding|symbol|marlett|monotypesorts", re.I)
_GLYPH_MARKS = re.compile(r"[\x1e\x80-\x9f\ue000-\uf8ff]")  # symbols, C1 controls, private use
_GLYPH_NAMES = re.compile(r"(?:/MT\d{2,3})+")  # glyphs without text: "/MT65/MT32" is "A "


def mark_symbols(text: str, font: object) -> str:
    """``text`` with glyphs drawn in a symbol font marked: all of a dingbat font's, and a Symbol
    font's private-use characters and letters (its bullets), but not its digits or Greek."""
    name = str(font.get("/BaseFont", "")) if isinstance(font, dict) else ""
    if not _SYMBOL_FONT.search(name):
        return text
    if "symbol" in name.lower():
        return re.sub(r"[\ue000-\uf8ff\x80-\x9f]+|(?<![A-Za-z])[A-Za-z](?![A-Za-z])", SYMBOL, text)
    return re.sub(r"[^\s]+", SYMBOL, text)


def decode_glyph_names(text: str) -> str:
    """Runs of "/MTnn" glyph names (text drawn without a text encoding) as the characters."""
    return _GLYPH_NAMES.sub(
        lambda m: "".join(chr(int(n)) for n in re.findall(r"\d+", m.group()) if int(n) >= 32),
        text)


def clean_glyphs(text: str) -> str:
    """A page's text with bullets as "•": symbol-font glyphs (marked), private-use characters
    and C1 control bytes leading a line become "•", a symbol glyph inside a line starts a new
    item, and any other such character is dropped. Glyph names are decoded."""
    text = decode_glyph_names(text)
    glyph = _GLYPH_MARKS.pattern
    text = re.sub(rf"(?m)^[ \t]*{glyph}+[ \t]*\n(?=[ \t]*\w)", SYMBOL, text)  # bullet above item
    text = re.sub(rf"(?m)^[ \t]*{glyph}+[ \t]*", "• ", text)
    text = re.sub(rf"[ \t]*{SYMBOL}+[ \t]*(?=\S)", "\n• ", text)
    return _GLYPH_MARKS.sub("", text)


# words so short that a fragment equal to one may still be a word of its own ("a way")
_SHORT_WORDS = frozenset({
    "a", "i", "am", "an", "as", "at", "be", "by", "do", "go", "he", "if", "in", "is", "it", "me",
    "my", "no", "of", "on", "or", "so", "to", "up", "us", "we"})
# web and e-mail addresses (bounded: linear on any input), whose run-together words
# ("bonavacantia" in www.bonavacantia.gov.uk) are no evidence that two words are one
_ADDRESS = re.compile(r"(?:https?://|www\.)[^\s]{1,2000}|[\w.+-]{1,64}@[\w.-]{1,255}", re.I)
_LEFT = re.compile(r"([(\"'‘“]?)([^\W\d_]+)")
# a fragment, with what may follow a word: punctuation, or "/" and another ("ravan/trailer")
_RIGHT = re.compile(r"([a-z]+)([.,;:!?)'’\"”]*|/[^\s]{1,100})")
# a hyphenated word broken at a line's end: "self-" then "employed" on the next line
_LINE_END_HYPHEN = re.compile(
    r"(?<=[^\W\d_])-[ \t]*\n[ \t]*(?!(?:and|or|to)\b)([a-z][^\s]*)[ \t]*\n?")


def join_broken_words(pages: list[str]) -> list[str]:
    """Pages with words that pypdf split ("statutor y", "ch ild", "self- employed") joined.

    Two fragments on a line are joined when together they make a word used elsewhere in the
    document (outside web and e-mail addresses) or an English word, and they are not both words
    themselves ("tell us", "may be"). A capital or a word in capitals never starts a join
    ("C or D", "the UN it"), and a word is not joined to a fragment that belongs with the next
    one ("can al so" is "can also", "the e xpiry" is "the expiry"). Only in a document mostly in
    English.
    """
    vocabulary = Counter(word.lower() for text in pages
                         for word in re.findall(r"\w+", _ADDRESS.sub(" ", text)))
    english = english_words()
    if sum(n for word, n in vocabulary.items() if word in english) < 0.5 * vocabulary.total():
        return pages  # not English (Welsh: "alla i" is not "allai"), or a font without a map

    def is_word(fragment: str) -> bool:
        return fragment in english and (len(fragment) > 2 or fragment in _SHORT_WORDS)

    def known(text: str) -> bool:
        return vocabulary[text.lower()] > 0 or text.lower() in english

    def joins(left: str, right: str, following: str) -> bool:
        if left.isupper() or (len(left) == 1 and (is_word(left) or len(right) > 2
                                                  and is_word(right))) \
                or not known(left + right):
            return False  # "C or D", "the UN it", "a way", "a or b and c"
        if not is_word(left.lower()):
            return True
        # a word before a fragment: join only when the fragment cannot go with the next one
        return not is_word(right) and len(right) > 1 and not (following
                                                            and known(right + following))

    def repair(line: str) -> str:
        tokens = line.split(" ")
        out: list[str] = []
        for i, token in enumerate(tokens):
            left = _LEFT.fullmatch(out[-1]) if out else None
            right = _RIGHT.fullmatch(token)
            after = _RIGHT.match(tokens[i + 1]) if i + 1 < len(tokens) else None
            following = after.group(1) if after and right and not right.group(2) else ""
            if left and right and joins(left.group(2), right.group(1), following):
                out[-1] += token
            else:
                out.append(token)
        return " ".join(out)

    joined = [_LINE_END_HYPHEN.sub(r"-\1\n", text) for text in pages]
    return ["\n".join(repair(line) for line in text.split("\n")) for text in joined]


# a word (any script; "don't", "self-employed", "gov.uk"), a number, an amount or a range
# ("£1,234.56", "9am", "30%", "1st", "21-25", "£210-£309"), a reference ("3(1)(a)", "s.13(2)(b)",
# "SA100"), a word with an optional ending ("Forename(s)"), with the punctuation that may wrap it
_READABLE = re.compile(
    r"[(\[\"'‘“「『]*(?:[^\W\d_]+(?:['’.\-/][^\W\d_]+)*(?:\([^\W\d_]{1,3}\))?|[£$€]?\d[\d,.:/%£$€–-]*[^\W\d_]{0,3}"
    r"|[^\W\d_]{0,3}\.?\d{1,6}(?:\([^\W_]{1,4}\)){1,4}|[A-Z]{1,4}\d{1,6}[A-Za-z]{0,2})"
    r"[)\]\"'’”.,;:!?%。、」』]*")
_RUN_TOGETHER = re.compile(r"[A-Za-z]{26}")  # "NtheNHospiceNmovement": a space drawn as a letter
_NO_TEXT = re.compile(r"[^\w]+")  # leaders, rules and marks ("……", "____", "•", "&"): no words


def readable_share(text: str) -> float:
    """The share of ``text``'s characters (outside spaces) in tokens that read as words or
    numbers: about 0.9 for ordinary prose or forms in any script, under 0.3 for the text of a
    font without a character map ("cG4?7Vw’7V’n)4G30", "Brson9is9against9the9lawR")."""
    # accents and vowel signs typed as combining marks ("حَبيبي") are part of their letter
    letters = "".join(ch for ch in text if not unicodedata.category(ch).startswith("M"))
    # a form's fill-in lines and leaders count neither way
    tokens = [t for t in letters.split() if not _NO_TEXT.fullmatch(t.replace("_", "-"))]
    total = sum(len(token) for token in tokens)
    readable = sum(len(token) for token in tokens
                   if _READABLE.fullmatch(token) and not _RUN_TOGETHER.search(token))
    return readable / total if total else 0.0
