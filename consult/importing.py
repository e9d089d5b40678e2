"""Import responses from CSV, XLSX or the Themefinder JSONL layout, counting what is set aside.

Nothing a respondent wrote is interpreted: cells are read as text (an XLSX formula arrives as its
text, e.g. ``=SUM(A1)``, and is never evaluated). Empty answers, "N/A", repeated respondent ids
and very long answers are counted and listed, never silently dropped; so are answers that give no
reason ("Agree", "?"), which keep their position but are not themed.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from consult.delimiters import sniff_dialect
from consult.errors import ConsultError
from consult.responses import Consultation, Excluded, Question, Response
from consult.scale import gives_no_reason
from consult.workbooks import check_shared_strings

MAX_ROWS = 200_000
MAX_ANSWER_CHARS = 10_000
MAX_FILE_MB = 200
# a workbook is a zip: what its parts declare they unpack to bounds what openpyxl can expand
MAX_UNPACKED_BYTES = MAX_FILE_MB * 1024 * 1024
MAX_ZIP_PARTS = 10_000  # a workbook has dozens; millions would cost memory to even list
MAX_RATIO = 200  # unpacked : stored, for parts over RATIO_FROM_BYTES (text packs 3-20 : 1)
RATIO_FROM_BYTES = 1024 * 1024
MAX_QUESTION_BYTES = 1024 * 1024  # a Themefinder question.json holds one question's text
MAX_LINE_CHARS = 1_000_000  # one responses.jsonl line: a response, its id and JSON quoting
MAX_BLANK_LINES = 10_000  # blank lines in responses.jsonl skipped before the file is refused
_NOT_APPLICABLE = re.compile(
    r"^\s*(n\s*/?\s*a|none|nil|no comment|no comments|-+|\.+|not applicable|nothing)\s*[.!]?\s*$",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")
# header words: "Response ID", "respondent_id", "RespondentID", "Ref." all split into words
_HEADER_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_ID_WORDS = {"id", "ids", "identifier", "ref", "reference", "uuid", "urn"}
_ID_HEADER_WORDS = 4  # "Do you currently hold a photo ID?" is a question, not an id column
# a header that is all id ("Response ID", "RespondentID", "Respondent number", "Ref.", "URN");
# each run of separators has one place to go (``\W*[\s_-]*`` split a run of 20,000 hyphens
# every possible way: 55 s for one header cell)
_ID_HEADER = re.compile(
    r"^\W*(?:(?:respon(?:se|dent)|submission|record|row|participant|case|unique)[\s_-]*"
    r"|_[\s_-]*)?(?:id|ids|identifier|ref|reference|number|no|num|urn|uuid|key)\W*$",
    re.IGNORECASE,
)
MAX_ID_HEADER_CHARS = 200  # a longer header cell is a question or junk, never an id column
_ID_VALUE = re.compile(r"^\S{1,64}$")  # ids are short and have no spaces; answers are prose
ID_SAMPLE_ROWS = 5_000  # rows read to see whether an id-like column's values are unique
MAX_BLANK_ID_SHARE = 0.10  # an id column may miss a few ids (their rows become "row-N")
REPEATED_ID_SHARE = 0.10  # more repeats than this suggests the wrong id column was chosen


def list_sheets(path: Path, book: Any = None) -> list[str]:
    """The worksheet names of an XLSX file, in workbook order ([] for a CSV file); ``book``,
    from ``open_workbook``, saves opening the file again."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return []
    if book is not None:
        return list(book.sheetnames)
    book = _open_book(path)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def list_columns(path: Path, sheet: str | None = None, book: Any = None) -> list[str]:
    """The header row of a CSV or XLSX file (``sheet``, or the first), for choosing the id and
    question columns."""
    header, _ = _open_table(path, sheet, book)
    return header


def is_id_like(column: str) -> bool:
    """True for a short header naming an identifier ("Response ID", "respondent_id",
    "RespondentID", "Response IDs"); never for a question ("Do you hold a photo ID?")."""
    if len(column) > MAX_ID_HEADER_CHARS:
        return False
    if _ID_HEADER.match(column):
        return True
    words = _HEADER_WORD.findall(column.replace("IDs", "Ids"))
    return ("?" not in column and len(words) <= _ID_HEADER_WORDS
            and any(w.lower() in _ID_WORDS for w in words))


def guess_id_column(path: Path, sheet: str | None = None, book: Any = None) -> str:
    """The likeliest respondent-id column: the first named all-id ("Response ID") whose values
    (in the first ID_SAMPLE_ROWS rows) are unique ids, else the first such column merely named
    like an id ("Email reference"), else the first column."""
    header, rows = _open_table(path, sheet, book)
    named = sorted((at for at, column in enumerate(header) if column and is_id_like(column)),
                   key=lambda at: not _ID_HEADER.match(header[at]))
    if not named:
        return header[0]
    values: list[list[str]] = [[] for _ in named]
    for _, row in zip(range(ID_SAMPLE_ROWS), rows, strict=False):
        for n, at in enumerate(named):
            values[n].append(_cell(row, at))
    return next((header[at] for n, at in enumerate(named) if _holds_ids(values[n])), header[0])


def _holds_ids(values: list[str]) -> bool:
    """True when ``values`` are short, space-free and all different (a few may be blank)."""
    present = [v for v in values if v]
    return (bool(present) and len(values) - len(present) <= MAX_BLANK_ID_SHARE * len(values)
            and len(set(present)) == len(present) and all(map(_ID_VALUE.match, present)))


def repeated_id_warning(consultation: Consultation) -> str | None:
    """A warning when over REPEATED_ID_SHARE of the rows repeat a respondent id (None if not):
    usually the id column chosen holds answers ("In what capacity…"), not ids."""
    repeats = max((sum(e.reason == "duplicate id" for e in q.excluded)
                   for q in consultation.questions), default=0)
    if not consultation.rows or repeats / consultation.rows <= REPEATED_ID_SHARE:
        return None
    return (f"{repeats:,} of {consultation.rows:,} rows ({repeats / consultation.rows:.0%}) "
            "repeat a respondent id, so only the first answer for each id is themed. Check that "
            "the right respondent-id column was chosen, and import again if not.")


def load_consultation(
    path: Path,
    id_column: str | None = None,
    question_columns: Sequence[str] = (),
    sheet: str | None = None,
    book: Any = None,
) -> Consultation:
    """Read a CSV/XLSX file (naming its columns; ``sheet`` of a workbook, else its first) or a
    folder in the Themefinder JSONL layout."""
    if path.is_dir():
        return load_themefinder(path)
    if not path.is_file():
        raise ConsultError(f"{path} does not exist. Check the path and try again.")
    if id_column is None or not question_columns:
        raise ConsultError(
            "Name the respondent-id column and at least one question column "
            f"(columns in {path.name}: {', '.join(list_columns(path, sheet)[:20])})."
        )
    return load_table(path, id_column, question_columns, sheet, book)


def load_table(
    path: Path, id_column: str, question_columns: Sequence[str], sheet: str | None = None,
    book: Any = None,
) -> Consultation:
    """Read the id column and each question column of a CSV or XLSX file (``sheet``, or the
    workbook's first; ``book``, from ``open_workbook``, saves opening the file again)."""
    header, rows = _open_table(path, sheet, book)
    missing = [c for c in [id_column, *question_columns] if c not in header]
    if missing:
        raise ConsultError(
            f"{path.name} has no column named {', '.join(repr(m) for m in missing)}. "
            f"Its columns are: {', '.join(repr(h) for h in header[:30])}."
        )
    id_at = header.index(id_column)
    at = [header.index(c) for c in question_columns]
    answers: list[list[tuple[str, str]]] = [[] for _ in question_columns]
    count = 0
    for count, row in enumerate(rows, start=1):
        rid = _cell(row, id_at) or f"row-{count + 1}"
        for column, position in enumerate(at):
            answers[column].append((rid, _cell(row, position)))
    if count == 0:
        raise ConsultError(f"{path.name} has a header row but no responses under it: nothing "
                           "was imported. Check that it is the right file (or sheet).")
    questions = tuple(
        build_question(f"q{i + 1}", name, pairs)
        for i, (name, pairs) in enumerate(zip(question_columns, answers, strict=True))
    )
    return Consultation(source=str(path), questions=questions, rows=count)


def load_themefinder(folder: Path) -> Consultation:
    """Read each ``question_part_*`` folder (question.json, responses.jsonl) under ``folder``."""
    root = folder / "inputs" if (folder / "inputs").is_dir() else folder
    parts = sorted(p for p in root.glob("question_part_*") if p.is_dir())
    parts.sort(key=lambda p: int(re.sub(r"\D", "", p.name) or 0))
    if not parts:
        raise ConsultError(
            f"{folder} has no question_part_* folders: it is not in the Themefinder layout. "
            "Give a CSV or XLSX file with --id and --question instead."
        )
    questions = tuple(_load_part(part) for part in parts)
    rows = max((len(q.responses) + len(q.excluded) for q in questions), default=0)
    return Consultation(source=str(folder), questions=questions, rows=rows)


def _load_part(part: Path) -> Question:
    try:
        if (part / "question.json").stat().st_size > MAX_QUESTION_BYTES:
            raise ConsultError(f"{part.name}/question.json is over {MAX_QUESTION_BYTES:,} bytes, "
                               "far more than a question. Check the folder's files.")
        # utf-8-sig: files saved by Windows tools often start with a byte-order mark
        meta = json.loads((part / "question.json").read_text(encoding="utf-8-sig"))
        pairs = list(_read_responses(part))
    except (OSError, ValueError) as exc:
        raise ConsultError(f"Could not read {part}: {exc}. Check the folder's files.") from exc
    if not isinstance(meta, dict):
        raise ConsultError(f"{part.name}/question.json holds no question_text. Check the "
                           "folder's files.")
    return build_question(part.name, str(meta.get("question_text", part.name)), pairs)


def _read_responses(part: Path) -> Iterator[tuple[str, str]]:
    """(id, answer) from responses.jsonl, a line at a time: it stops at MAX_ROWS + 1 records,
    MAX_BLANK_LINES blank lines or a line over MAX_LINE_CHARS, so a file of millions of tiny
    lines (a 190 KB zip held 66 million) is never read whole, split or parsed."""
    blank = 0
    with (part / "responses.jsonl").open(encoding="utf-8-sig") as handle:
        for count, line in enumerate(iter(lambda: handle.readline(MAX_LINE_CHARS + 1), "")):
            if len(line) > MAX_LINE_CHARS:
                raise ConsultError(f"{part.name}/responses.jsonl has a line over "
                                   f"{MAX_LINE_CHARS:,} characters (line {count + 1:,}), "
                                   "more than one response holds. Check the folder's files.")
            if not line.strip():
                blank += 1
                if blank > MAX_BLANK_LINES:
                    raise ConsultError(f"{part.name}/responses.jsonl has over {MAX_BLANK_LINES:,} "
                                       "blank lines. Check the folder's files.")
                continue
            if count + 1 - blank > MAX_ROWS:
                raise ConsultError(_too_many_rows(part.name))
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError(f"line {count + 1:,} is not a JSON object")
            yield str(record.get("response_id", "")), str(record.get("response") or "")


def build_question(question_id: str, text: str, pairs: Sequence[tuple[str, str]]) -> Question:
    """Sort answers into those to theme and those set aside (empty, N/A, repeated id)."""
    kept: list[Response] = []
    excluded: list[Excluded] = []
    pairs = list(pairs)
    # a repeated id keeps its first real answer (an empty or "N/A" row before it is the repeat)
    chosen: dict[str, int] = {}
    for at, (rid, raw) in enumerate(pairs):
        if rid not in chosen or (_is_real(raw) and not _is_real(pairs[chosen[rid]][1])):
            chosen[rid] = at
    seen_text: dict[str, str] = {}
    for at, (rid, raw) in enumerate(pairs):
        answer = raw.strip()
        if chosen[rid] != at:
            excluded.append(Excluded(rid, answer, "duplicate id"))
            continue
        if not is_visible(answer):
            excluded.append(Excluded(rid, answer, "empty"))
        elif _NOT_APPLICABLE.match(answer):
            excluded.append(Excluded(rid, answer, "not applicable"))
        elif gives_no_reason(answer):  # "Agree", "?": kept for its position, not themed
            kept.append(response_for(rid, answer))
        else:
            key = _SPACE.sub(" ", answer.lower())
            kept.append(response_for(rid, answer, seen_text.get(key)))
            seen_text.setdefault(key, rid)
    return Question(question_id, text, tuple(kept), tuple(excluded))


def is_visible(text: str) -> bool:
    """True when ``text`` shows something: not only spaces, control or format characters
    (a zero-width space, a byte-order mark, a direction mark)."""
    return any(not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc", "Zs")
               for ch in text)


def _is_real(raw: str) -> bool:
    return is_visible(raw) and not _NOT_APPLICABLE.match(raw.strip())


def response_for(rid: str, answer: str, duplicate_of: str | None = None) -> Response:
    """A Response themed on at most MAX_ANSWER_CHARS of ``answer``, keeping the whole answer
    (an answer that gives no reason is marked so, and never themed)."""
    if len(answer) <= MAX_ANSWER_CHARS:
        return Response(rid, answer, duplicate_of=duplicate_of, no_reason=gives_no_reason(answer))
    return Response(rid, answer[:MAX_ANSWER_CHARS] + " […]", truncated=True,
                    duplicate_of=duplicate_of, full_text=answer)


def _cell(row: Sequence[object], at: int) -> str:
    value = row[at] if at < len(row) else None
    return "" if value is None else str(value).strip()


def _too_many_rows(name: str) -> str:
    return (
        f"{name} has more than {MAX_ROWS:,} rows, more than Consult handles at once. "
        "Split the file (e.g. by question or by date) and import each part."
    )


def _open_table(
    path: Path, sheet: str | None = None, book: Any = None
) -> tuple[list[str], Iterator[Sequence[object]]]:
    if path.stat().st_size > MAX_FILE_MB * 1024 * 1024:
        raise ConsultError(f"{path.name} is larger than {MAX_FILE_MB} MB. Split it and try again.")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        header, rows = _open_xlsx(path, sheet, book)
        return _unique(header), rows
    if suffix in (".csv", ".txt", ".tsv"):
        if sheet is not None:
            raise ConsultError(f"{path.name} is a CSV file, which has no sheets: leave out "
                               "the sheet (--sheet is for Excel workbooks).")
        header, rows = _open_csv(path)
        return _unique(header), rows
    raise ConsultError(
        f"{path.name} is not a CSV or XLSX file. Save it as .csv or .xlsx and try again."
    )


def _unique(header: list[str]) -> list[str]:
    """Column names made unique: exports often repeat one ("Please explain your answer"), and
    each must stay choosable; the second becomes "Please explain your answer (2)"."""
    seen: dict[str, int] = {}
    out = []
    for name in header:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 or not name else f"{name} ({seen[name]})")
    return out


def _open_csv(path: Path) -> tuple[list[str], Iterator[Sequence[object]]]:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise ConsultError(
            f"{path.name} does not look like a text CSV file (it may be UTF-16 or binary). "
            "Save it from your spreadsheet as 'CSV UTF-8' and try again."
        )
    text = _decode(data, path.name)
    dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else sniff_dialect(text)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    header = [h.strip() for h in next(reader, [])]
    if not any(header):
        raise ConsultError(f"{path.name} is empty or has no header row.")
    return header, _limited(reader, path.name)


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ConsultError(
        f"{name} is not in a text encoding Consult can read (tried UTF-8 and Windows-1252). "
        "Save it from your spreadsheet as 'CSV UTF-8' and try again."
    )


def _limited(rows: Iterator[Sequence[object]], name: str) -> Iterator[Sequence[object]]:
    try:
        for count, row in enumerate(rows, start=1):
            if count > MAX_ROWS:
                raise ConsultError(_too_many_rows(name))
            yield row
    except csv.Error as exc:
        raise ConsultError(f"{name} is not a well-formed CSV file ({exc}).") from exc


def open_workbook(path: Path) -> Any:
    """An XLSX file opened, after the checks below, from a copy in memory: the page keeps it
    for the upload's every step, so openpyxl parses its shared strings once, and it outlives
    the temporary file."""
    return _open_book(path, in_memory=True)


def _open_book(path: Path, in_memory: bool = False) -> Any:
    from openpyxl import load_workbook

    try:
        _check_unpacked_size(path)
        source = io.BytesIO(path.read_bytes()) if in_memory else path
        return load_workbook(source, read_only=True, data_only=False)
    except zipfile.BadZipFile as exc:
        raise ConsultError(_not_a_workbook(path)) from exc
    except (KeyError, OSError, ValueError) as exc:
        raise ConsultError(
            f"{path.name} could not be opened as an Excel workbook ({exc}). "
            "Open it in Excel, save it as .xlsx and try again."
        ) from exc


def _not_a_workbook(path: Path) -> str:
    """Why a file named .xlsx is no workbook, in words: often a CSV file renamed."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head and b"\x00" not in head:
        return (f"{path.name} could not be opened as an Excel workbook: it is not one but a "
                "text file, perhaps a CSV file saved with an .xlsx name. Rename it to .csv and "
                "upload it again, or open it in Excel and save it as .xlsx.")
    return (f"{path.name} could not be opened as an Excel workbook: it is not an .xlsx file "
            "(it may be an older .xls workbook, or damaged). Open it in Excel, save it as .xlsx "
            "or CSV and try again.")


def check_zip_parts(data: bytes, name: str) -> None:
    """Refuse a zip that declares more than MAX_ZIP_PARTS parts, from its end record alone,
    before zipfile builds an object for every part."""
    tail = data[-(65_536 + 22):]
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 > len(tail):
        return  # not a zip: zipfile says so with its own error
    parts = int.from_bytes(tail[end + 10:end + 12], "little")
    if parts > MAX_ZIP_PARTS:  # 0xFFFF (a zip64 archive) counts as too many
        raise ConsultError(
            f"{name} holds {parts:,} or more parts, far more than a workbook or a consultation "
            "folder does. Check it is the right file, re-save it and try again."
        )


def packed_too_tightly(part: zipfile.ZipInfo) -> bool:
    """True when a zip part over RATIO_FROM_BYTES unpacks to over MAX_RATIO times its stored
    size: text packs 3-20 : 1, a zip bomb 1,000 : 1 and more."""
    return part.file_size > max(RATIO_FROM_BYTES, MAX_RATIO * part.compress_size)


def _check_unpacked_size(path: Path) -> None:
    """Refuse a workbook whose parts would unpack to far more than a real one (a zip bomb), or
    whose shared strings are too many to parse, before openpyxl expands any of them: zipfile
    never yields more than a part declares."""
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - (65_536 + 22)))
        check_zip_parts(handle.read(), path.name)
    with zipfile.ZipFile(path) as archive:
        _check_parts(archive.infolist(), path.name)
        check_shared_strings(archive, path.name)


def _check_parts(parts: list[zipfile.ZipInfo], name: str) -> None:
    if sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
        raise ConsultError(
            f"{name} unpacks to more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MB, more "
            "than Consult reads at once. Split it into smaller workbooks (or save each sheet "
            "as CSV) and try again."
        )
    if any(map(packed_too_tightly, parts)):
        raise ConsultError(
            f"{name} holds a part that unpacks to over {MAX_RATIO} times its stored size, "
            "far more than a workbook of responses does. Open it in Excel, save it as .xlsx "
            "and try again."
        )


def _open_xlsx(
    path: Path, name: str | None, book: Any = None
) -> tuple[list[str], Iterator[Sequence[object]]]:
    book = _open_book(path) if book is None else book
    names = list(book.sheetnames)
    if name is not None and name not in names:
        raise ConsultError(
            f"{path.name} has no sheet named {name!r}. Its sheets are: "
            f"{', '.join(repr(n) for n in names[:30])}."
        )
    if not names:
        raise ConsultError(f"{path.name} has no worksheets. Open it in Excel and check it.")
    sheet = book[name] if name is not None else book[names[0]]
    which = f"The sheet {sheet.title!r}" if name is not None else "The first sheet"
    if not hasattr(sheet, "iter_rows"):  # a chart sheet
        raise ConsultError(f"{which} of {path.name} is a chart, not a table.")
    if (sheet.max_row or 0) > MAX_ROWS + 1:
        raise ConsultError(_too_many_rows(path.name))
    # some writers store a wrong size ("A1"); read-only mode would trust it and drop columns
    sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True)
    header = [("" if h is None else str(h)).strip() for h in next(rows, ())]
    if not any(header):
        others = [n for n in names if n != sheet.title]
        hint = (f" Choose another sheet ({', '.join(repr(n) for n in others[:10])}): on the "
                "Consult page, or with --sheet NAME." if others else "")
        raise ConsultError(f"{which} of {path.name} is empty or has no header row.{hint}")
    return header, _limited(rows, path.name)
