"""Export results to XLSX (sheets Themes and Mappings) or two CSV files.

Nothing a respondent wrote is executed. A text cell that a spreadsheet could read as a formula
(starting with =, +, -, @, tab or carriage return) is, in a CSV file, prefixed with an apostrophe
(the usual guard: CSV has no cell types); in a workbook it is written as a string cell with
Excel's quote-prefix style, so Excel shows exactly what was typed and never evaluates it. A
workbook cell holds at most 32,767 characters: longer answers are cut there, saying so (the CSV
files and the saved review hold them whole).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from consult.analysis import QuestionResult
from consult.errors import ConsultError
from consult.positions import describe_basis
from consult.report import quote_line, repeat_counts, summarise
from consult.responses import NO_REASON

Cell = str | int | float
THEME_COLUMNS = [
    "question", "theme_id", "label", "description", "origin", "responses", "share",
    "agree", "agree_by_default", "disagree", "unclear", "evidence_rich", "repeats", "quote_ids",
    "quotes", "signed_off_by",
]  # fmt: skip
MAPPING_COLUMNS = [
    "question", "response_id", "status", "theme_ids", "theme_labels", "position",
    "position_basis", "evidence", "reviewed", "repeated_text", "response",
]  # fmt: skip
QUOTE_CHARS = 300
# the workbook's column widths (characters; others XLSX_WIDTH) and the columns of long text,
# wrapped so that a row shows all of it
XLSX_WIDTHS = {"question": 40, "label": 30, "description": 45, "quotes": 80, "quote_ids": 20,
               "theme_labels": 35, "position_basis": 22, "response": 80, "response_id": 16,
               "signed_off_by": 18}
XLSX_WIDTH = 12
XLSX_WRAPPED = frozenset({"question", "label", "description", "quotes", "theme_labels",
                          "response"})
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_CELL_CHARS = 32_767  # Excel's limit for one cell
_CUT_NOTE = " […cut at Excel's cell limit; the CSV export holds all {n:,} characters]"


def neutralise(value: Cell) -> Cell:
    """Make a cell safe to open in a spreadsheet: text that looks like a formula gets a ' prefix."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def theme_rows(results: Sequence[QuestionResult]) -> list[list[Cell]]:
    """One row per theme per question (see ``THEME_COLUMNS``)."""
    rows: list[list[Cell]] = []
    for result in results:
        for s in summarise(result):
            quotes = " | ".join(quote_line(result, i, QUOTE_CHARS) for i in s.quotes)
            rows.append([
                result.question.text, s.theme.theme_id, s.theme.label, s.theme.description,
                s.theme.origin, s.count, round(s.share, 4), s.by_position["agree"],
                s.agree_by_default, s.by_position["disagree"], s.by_position["unclear"],
                s.evidence_rich,
                s.repeats, ", ".join(s.quotes), quotes, result.signed_off_by,
            ])  # fmt: skip
    return rows


def mapping_rows(results: Sequence[QuestionResult]) -> list[list[Cell]]:
    """One row per response per question, including those set aside (see ``MAPPING_COLUMNS``);
    ``repeated_text`` is how many responses share the row's text (blank when none other does)."""
    rows: list[list[Cell]] = []
    for result in results:
        labels = {t.theme_id: t.label for t in result.themes}
        unmatched = set(result.unmatched())
        repeats = repeat_counts(result)
        for i, response in enumerate(result.question.responses):
            ids = result.assignments[i]
            basis = describe_basis(result.position_worded()[i], result.positions[i],
                                   response.response_id in result.position_corrections)
            rows.append([
                result.question.text, response.response_id, _status(result, i, unmatched),
                ", ".join(ids), "; ".join(labels.get(t, t) for t in ids), result.positions[i],
                basis, ", ".join(result.evidence[i]),
                "yes" if result.corrected(response.response_id) else "no",
                repeats[i] if repeats[i] > 1 else "", response.original,
            ])  # fmt: skip
        for item in result.question.excluded:
            rows.append([result.question.text, item.response_id, item.reason, "", "", "", "",
                         "", "no", "", item.text])
    return rows


def _status(result: QuestionResult, row: int, unmatched: set[int]) -> str:
    if result.question.responses[row].no_reason and not result.assignments[row]:
        return NO_REASON
    return "unmatched" if row in unmatched else "themed"


def export_xlsx(results: Sequence[QuestionResult], path: Path) -> None:
    """Write a workbook with a Themes sheet and a Mappings sheet, laid out to be read: column
    widths, long text wrapped, the header frozen and filtered, shares as percentages."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, header, rows in (
        ("Themes", THEME_COLUMNS, theme_rows(results)),
        ("Mappings", MAPPING_COLUMNS, mapping_rows(results)),
    ):
        sheet = book.create_sheet(title)
        _lay_out(sheet, header, len(rows))
        sheet.append([_header_cell(sheet, name) for name in header])
        for row in rows:
            sheet.append([_styled(sheet, name, xlsx_cell(sheet, v))
                          for name, v in zip(header, row, strict=True)])
    _save(lambda: book.save(path), path)


def _lay_out(sheet: Any, header: list[str], rows: int) -> None:
    from openpyxl.utils import get_column_letter

    for at, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(at)].width = XLSX_WIDTHS.get(name, XLSX_WIDTH)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{rows + 1}"


def _header_cell(sheet: Any, name: str) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cell = WriteOnlyCell(sheet, value=name)
    cell.font = Font(bold=True)
    return cell


def _styled(sheet: Any, column: str, value: Any) -> Any:
    """``value`` (as ``xlsx_cell`` made it) wrapped if its column holds long text, or shown as
    a percentage if it is the share."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell as SheetCell
    from openpyxl.styles import Alignment

    if column not in XLSX_WRAPPED and column != "share":
        return value
    cell = value if isinstance(value, SheetCell) else WriteOnlyCell(sheet, value=value)
    if column == "share":
        cell.number_format = "0.0%"
    else:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def xlsx_cell(sheet: Any, value: Cell) -> Any:
    """A workbook cell showing ``value`` as typed: formula-like text is a string cell with the
    quote prefix (never a formula), and text past Excel's cell limit is cut with a note."""
    from openpyxl.cell import WriteOnlyCell

    if not isinstance(value, str):
        return value
    if len(value) > XLSX_CELL_CHARS:
        note = _CUT_NOTE.format(n=len(value))
        value = value[: XLSX_CELL_CHARS - len(note)] + note
    if not value.startswith(_FORMULA_START):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl reads a leading "=" as a formula
    cell.quotePrefix = True  # Excel keeps it text when the cell is edited
    return cell


def export_csv(results: Sequence[QuestionResult], path: Path) -> tuple[Path, Path]:
    """Write ``<stem>_themes.csv`` and ``<stem>_mappings.csv`` beside ``path``; return both."""
    themes = path.with_name(f"{path.stem}_themes.csv")
    mappings = path.with_name(f"{path.stem}_mappings.csv")
    for target, header, rows in (
        (themes, THEME_COLUMNS, theme_rows(results)),
        (mappings, MAPPING_COLUMNS, mapping_rows(results)),
    ):
        _save(partial(_write_csv, target, header, rows), target)
    return themes, mappings


def _write_csv(path: Path, header: list[str], rows: list[list[Cell]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([neutralise(v) for v in row] for row in rows)


def _save(write: Callable[[], object], path: Path) -> None:
    try:
        write()
    except OSError as exc:
        raise ConsultError(
            f"Could not write {path} ({exc.strerror}). Close the file if it is open in Excel, "
            "or choose another folder."
        ) from exc
