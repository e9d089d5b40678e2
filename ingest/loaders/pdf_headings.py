"""Headings of a PDF without bookmarks, found from how its lines are typeset.

Most real PDFs have no outline, so without this every section of theirs is just "page N". pypdf's
``extract_text(visitor_text=...)`` reports each piece of text with its font and text matrices; from
them :class:`LineCollector` rebuilds the page's lines with their printed size and boldness. A
heading is a short line (or two or three wrapped lines in one style) set clearly larger than the
document's body text, or wholly bold at body size, that reads like a heading rather than a
sentence. Levels follow size (the largest first). The result is rejected as a whole when it looks
like a form (many labels per page) or finds almost nothing: a page-based document is better than
one cut at the wrong places.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from ingest.loaders.pdf_text import decode_glyph_names, mark_symbols

BIGGER = 1.15  # a heading's size against the body text's
MAX_LEVELS = 3
MAX_HEADINGS_PER_PAGE = 6  # more than this on average: a form's labels, not headings
MAX_WRAPPED_LINES = 3
MAX_WORDS = 16
MAX_BOLD_WORDS = 10  # a bold line at body size longer than this is an emphasised sentence
MAX_CHARS = 120
MAX_TITLE_LINES = 4
MAX_TITLE_WORDS = 30
REPEATS_AS_RUNNING = 3  # the same heading on this many pages (and half of them) is a running header
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_NOT_HEADING = re.compile(
    r"[\u25a0-\u25ff\x80-\x9f\u2022\u25cf\u25aa\u25e6\ue000-\uf8ff\x1e]"  # boxes, bullets, glyphs
    r"|https?:|www\.|@"  # addresses and e-mails
    r"|\bpage\s+\d+$|\.{3,}",  # contents-page lines: "Fee grant ....... 12", "Fees Page 4"
    re.IGNORECASE,
)
# a chapter number set beside its heading: "Introduction1", "1Section 1 personal details"
_GLUED_NUMBER = re.compile(r"(?<=[a-z?)])\d{1,2}$|^\d{1,2}(?=[A-Z])")
# numbered section headings, bullets, salutations and labels are not a document's title
_NOT_TITLE = re.compile(
    r"^(dear\b|\d{1,2}(\.\d{1,2})*[.):]?\s|[*•\-–(]|(part|section|step)\s+\w{1,2}\s*[:.–-])|[:,;]$",
    re.IGNORECASE)
_VERSION = re.compile(r"\bv\d+\.\d+|\dv\d", re.IGNORECASE)  # "v2.1", "0410v20"
_WORD4 = re.compile(r"(?<![\w/])[^\W\d_]{4,}(?![\w/])")  # a word: four or more letters alone
# a row of two or more amounts: "53.90 55.55", "£72.50 £75.00 2.5%"
_FIGURES_ROW = re.compile(r"^[£$€]?\d[\d,.]*%?(\s+[£$€]?\d[\d,.]*%?)+$")
_CONTENTS = re.compile(r"^(table of )?contents$|^index$|^cynnwys$", re.IGNORECASE)
# "Part 2", "Annex 12", "Step 3: apply": numbered divisions, headings despite their digits
_NUMBERED = re.compile(
    r"^(?:part|chapter|section|annex|appendix|schedule|step|stage)\s+\d+\b", re.IGNORECASE)
_TRAILING_FUNCTION_WORD = re.compile(
    r"\b(a|about|after|an|and|are|as|at|be|before|between|by|can|could|does|for|from|has|have|"
    r"if|in|into|is|its|may|must|not|of|on|onto|or|our|should|than|that|the|their|through|"
    r"to|was|were|which|who|will|with|within|without|would|your)$",
    re.IGNORECASE,
)


@dataclass
class StyledLine:
    """One printed line: its text, how many letters were set in each size and in bold, and how
    many separate runs of text (table cells) it is made of."""

    y: float
    parts: list[str] = field(default_factory=list)
    sizes: Counter[float] = field(default_factory=Counter)
    bold_chars: int = 0
    chars: int = 0
    cells: int = 1
    right: float | None = None  # where the last run of text is estimated to end

    @property
    def text(self) -> str:
        return " ".join(decode_glyph_names("".join(self.parts)).split())

    @property
    def size(self) -> float:
        return self.sizes.most_common(1)[0][0] if self.sizes else 0.0

    @property
    def bold(self) -> bool:
        return self.chars > 0 and self.bold_chars >= 0.9 * self.chars


class LineCollector:
    """A ``visitor_text`` for :meth:`pypdf.PageObject.extract_text` that records styled lines.

    It also keeps the page's text with glyphs drawn in symbol fonts (bullets set in Wingdings or
    ZapfDingbats come out as "G", "n" or "l") marked as :data:`SYMBOL`. It never raises: a page
    whose matrices or fonts it cannot read simply yields fewer lines.
    """

    def __init__(self) -> None:
        self.lines: list[StyledLine] = []
        self._current: StyledLine | None = None
        self._raw: list[str] = []
        self._marked: list[str] = []

    def __call__(self, text: str, cm: object, tm: object, font: object, size: object) -> None:
        marked = mark_symbols(text, font)
        self._raw.append(text)
        self._marked.append(marked)
        try:
            self._visit(marked, cm, tm, font, size)
        except Exception:  # odd matrices or fonts in a damaged file: skip the styling only
            self._current = None

    def text(self, extracted: str) -> str:
        """The page's text with symbol glyphs marked, if it is the text pypdf ``extracted``."""
        return "".join(self._marked) if "".join(self._raw) == extracted else extracted

    def _visit(self, text: str, cm: object, tm: object, font: object, size: object) -> None:
        if not text:
            return
        letters = sum(ch.isalnum() for ch in text)
        if letters:
            matrix = _multiply(_six(tm), _six(cm))
            printed = round(float(size) * math.hypot(matrix[2], matrix[3]) * 2) / 2  # type: ignore[arg-type]
            x, y = matrix[4], matrix[5]
            current = self._current
            if current is None or abs(y - current.y) > max(1.0, 0.3 * printed):
                current = StyledLine(y)
                self.lines.append(current)
                self._current = current
            elif current.right is not None and x > current.right + 2.5 * printed:
                current.cells += 1  # a gap wider than a few spaces: the next cell of a table row
            current.right = x + len(text.rstrip()) * printed * 0.55
            name = str(font.get("/BaseFont", "")) if isinstance(font, dict) else ""
            current.sizes[printed] += letters
            current.chars += letters
            current.bold_chars += letters if _BOLD_FONT.search(name) else 0
        if self._current is not None:
            self._current.parts.append(text)
        if text.endswith("\n"):
            self._current = None


@dataclass(frozen=True)
class Heading:
    page: int  # 0-based
    level: int
    title: str


@dataclass(frozen=True)
class Headings:
    """What the typesetting says: a title (the first heading, largest on page 1) and the rest."""

    title: str | None
    headings: list[Heading]


def find_headings(pages: list[list[StyledLine]]) -> Headings:
    """The title and headings of a document's pages, in reading order.

    The title is the largest title-like line on the first page with text; it and the lines set
    with it (a letterhead, a subtitle) are not headings. No headings when they look unreliable (a
    form's labels, or fewer than two).
    """
    title = _find_title(pages)
    runs = _heading_runs(pages)
    if title is not None:
        body = _body_size(pages)
        runs = [run for run in runs if not _in_title_block(run, title, pages[title.page], body)]
    if not runs or len(runs) > MAX_HEADINGS_PER_PAGE * len(pages):
        return Headings(title.text if title else None, [])  # nothing, or a form's labels
    runs = _without_repeats(runs, len(pages))
    if len(runs) < 2:
        return Headings(title.text if title else None, [])
    styles = sorted({(run.size, run.bold) for run in runs}, key=lambda s: (-s[0], not s[1]))
    level = {style: min(i + 1, MAX_LEVELS) for i, style in enumerate(styles)}
    headings = [Heading(run.page, level[(run.size, run.bold)], run.text) for run in runs]
    return Headings(title.text if title else None, headings)


def _find_title(pages: list[list[StyledLine]]) -> _Run | None:
    """The largest title-like run of lines on the first page with text, the first of equals."""
    number = next((i for i, lines in enumerate(pages) if any(ln.chars for ln in lines)), None)
    body = _body_size(pages)
    if number is None or body <= 0:
        return None
    runs = _wrapped_runs([pages[number]], body, MAX_TITLE_LINES)
    candidates = [run for run in runs if reads_like_title(run.text)]
    # a lone word in capitals ("ITALY") gives way to words set as large
    best = max(candidates, key=lambda run: (run.size, len(run.text.split()) > 1
                                            or not run.text.isupper()), default=None)
    if best is not None:
        best.page = number
    return best


def reads_like_title(text: str) -> bool:
    """Whether a line could be a document's title: not a code ("V900", "SFE_CB1_1112"), a
    contents page's heading, a numbered section, a bullet, a salutation, a label or a sentence."""
    words = text.split()
    if not words or len(words) > MAX_TITLE_WORDS or _CONTENTS.match(text) or text[0].islower():
        return False
    if _NOT_TITLE.search(text):
        return False
    if _NOT_HEADING.search(text) or _TRAILING_FUNCTION_WORD.search(text):
        return False
    if text.endswith("!") or text.endswith(".") and not re.search(r"\b(etc|[A-Z])\.$", text):
        return False  # a sentence or an exhortation ("Do it online!")
    return not looks_like_code(text)


def looks_like_code(text: str) -> bool:
    """A file name, form code or version rather than words: "CC1_0410v20", "S/EUCO1F/1011 1"."""
    return looks_like_file_name(text) or not _WORD4.search(text)


def looks_like_file_name(text: str) -> bool:
    """Whether a title is a file's name or version ("CC1_Notes_0410v23", "Form v2.1")."""
    return "_" in text or bool(_VERSION.search(text))


def _in_title_block(run: _Run, title: _Run, lines: list[StyledLine], body: float) -> bool:
    """Whether a heading run is set with the title, no body text between: a letterhead above it
    ("GENERAL REGISTER OFFICE") or a line at least as large below it."""
    if run.page != title.page:
        return False
    plain = [i for i, line in enumerate(lines)
             if line.chars and line.size < body * BIGGER and not line.bold]
    start = max((i for i in plain if i < title.first), default=-1)
    end = min((i for i in plain if i > title.last), default=len(lines))
    return start < run.first < end and (run.first <= title.last or run.size >= title.size)


def _heading_runs(pages: list[list[StyledLine]]) -> list[_Run]:
    body = _body_size(pages)
    if body <= 0:
        return []
    runs = _wrapped_runs(pages, body)
    return _without_contents_pages([run for run in runs if _reads_like_heading(run, body)])


@dataclass
class _Run:
    page: int
    size: float
    bold: bool
    text: str
    y: float
    first: int  # the index of its first and last line on the page
    last: int
    lines: int = 1
    in_table: bool = False


def _body_size(pages: list[list[StyledLine]]) -> float:
    sizes: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            sizes.update(line.sizes)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _wrapped_runs(
    pages: list[list[StyledLine]], body: float, max_lines: int = MAX_WRAPPED_LINES
) -> list[_Run]:
    """Lines set larger than the body or wholly bold, wrapped lines of one style joined; a table's
    cells (a line of several separate runs of text, or one followed by such a row or by figures)
    are left out."""
    runs: list[_Run] = []
    for number, lines in enumerate(pages):
        previous: _Run | None = None
        for index, line in enumerate(lines):
            size, bold = line.size, line.bold
            if not line.chars or not (size >= body * BIGGER or (bold and size >= body * 0.95)):
                previous = None
                continue
            text = line.text
            gap = previous.y - line.y if previous else 0.0
            if (
                previous is not None
                and (previous.size, previous.bold) == (size, bold)
                and 0 < gap <= size * 1.8
                and previous.lines < max_lines
                and _capitals(previous.text) == _capitals(text)
            ):
                previous.text = f"{previous.text} {text}"
                previous.y = line.y
                previous.lines += 1
                previous.last = index
                previous.in_table = previous.in_table or _in_table(line, lines[index + 1:])
                continue
            previous = _Run(number, size, bold, text, line.y, index, index)
            previous.in_table = _in_table(line, lines[index + 1:])
            runs.append(previous)
    for run in runs:
        run.text = _GLUED_NUMBER.sub("", run.text)
    return [run for run in runs if not run.in_table]


def _capitals(text: str) -> bool:
    """Whether a line is set in capitals: a line in capitals after one in mixed case starts
    another element (a letterhead under a title), not a wrapped line."""
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


def _in_table(line: StyledLine, following: list[StyledLine]) -> bool:
    """Whether a line is a table's cell: one of several runs of text on its baseline, or directly
    above a row of figures ("53.90 55.55") or of such cells in its own style (a wrapped header)."""
    if line.cells > 1:
        return True
    after = next((other for other in following if other.chars), None)
    if after is None:
        return False
    text = after.text
    header_row = after.cells > 1 and (after.size, after.bold) == (line.size, line.bold)
    return header_row or bool(_FIGURES_ROW.match(text))


def _reads_like_heading(run: _Run, body: float) -> bool:
    text = run.text
    words = text.split()
    bigger = run.size >= body * BIGGER
    if not words or len(words) > MAX_WORDS or len(text) > MAX_CHARS:
        return False
    if not bigger and len(words) > MAX_BOLD_WORDS:
        return False
    if text[-1] in ",;" or (text[-1] == ":" and not bigger):
        return False
    if text.endswith(".") and not re.search(r"\b(etc|[A-Z])\.$", text):
        return False  # a sentence, unless it ends in "etc." or an initial
    if not (text[0].isupper() or text[0].isdigit()):
        return False
    if _NOT_HEADING.search(text) or _TRAILING_FUNCTION_WORD.search(text):
        return False
    if re.search(r",\s*\w+$", text):  # a clause cut after its comma: "If you live there, you"
        return False
    compact = text.replace(" ", "")
    if not _NUMBERED.match(text) and sum(ch.isalpha() for ch in compact) < 0.75 * len(compact):
        return False  # form fields and figures: "DD MM YYYY", "£ 0.00"
    return any(len(word) >= 4 for word in re.findall(r"[^\W\d_]+", text))


def _without_contents_pages(runs: list[_Run]) -> list[_Run]:
    """A contents page's entries are not headings of the page they are printed on."""
    contents_pages = {run.page for run in runs if _CONTENTS.match(run.text)}
    return [run for run in runs if run.page not in contents_pages]


def _without_repeats(runs: list[_Run], pages: int) -> list[_Run]:
    """A heading printed on most pages is a running header: dropped. A chapter heading repeated
    at the top of each of its pages ("Introduction 1") is kept where it first appears; the same
    heading in another chapter ("How to apply" in each) is kept every time."""
    shapes = Counter(_shape(run.text) for run in runs)
    running = {shape for shape, n in shapes.items() if n >= max(REPEATS_AS_RUNNING, pages / 2)}
    kept: list[_Run] = []
    last_page: dict[str, int] = {}  # where each heading was last printed, kept or not
    first_on_page: set[int] = set()
    for run in runs:
        shape = _shape(run.text)
        top = run.page not in first_on_page
        first_on_page.add(run.page)
        carried = top and last_page.get(shape) == run.page - 1  # atop the next page again
        last_page[shape] = run.page
        if shape in running or carried:
            continue
        kept.append(run)
    return kept


def _shape(text: str) -> str:
    """A heading as a running header repeats it: its numbers as # (a page number), except in a
    numbered division ("Part 2" is not "Part 3")."""
    return text.lower() if _NUMBERED.match(text) else re.sub(r"\d+", "#", text.lower())


def _six(matrix: object) -> tuple[float, float, float, float, float, float]:
    values = [float(v) for v in matrix]  # type: ignore[attr-defined]
    return (values[0], values[1], values[2], values[3], values[4], values[5])


def _multiply(
    m: tuple[float, float, float, float, float, float],
    n: tuple[float, float, float, float, float, float],
) -> tuple[float, float, float, float, float, float]:
    return (
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    )
