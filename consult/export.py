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
from consult.report import summarise

Cell = str | int | float
THEME_COLUMNS = [
    "question", "theme_id", "label", "description", "origin", "responses", "share",
    "agree", "disagree", "unclear", "evidence_rich", "quote_ids", "quotes", "signed_off_by",
]  # fmt: skip
MAPPING_COLUMNS = [
    "question", "response_id", "status", "theme_ids", "theme_labels", "position",
    "position_basis", "evidence", "reviewed", "response",
]  # fmt: skip
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
        texts = {r.response_id: r.text for r in result.question.responses}
        for s in summarise(result):
            quotes = " | ".join(texts[i][:300] for i in s.quotes)
            rows.append([
                result.question.text, s.theme.theme_id, s.theme.label, s.theme.description,
                s.theme.origin, s.count, round(s.share, 4), s.by_position["agree"],
                s.by_position["disagree"], s.by_position["unclear"], s.evidence_rich,
                ", ".join(s.quotes), quotes, result.signed_off_by,
            ])  # fmt: skip
    return rows


def mapping_rows(results: Sequence[QuestionResult]) -> list[list[Cell]]:
    """One row per response per question, including those set aside (see ``MAPPING_COLUMNS``)."""
    rows: list[list[Cell]] = []
    for result in results:
        labels = {t.theme_id: t.label for t in result.themes}
        unmatched = set(result.unmatched())
        for i, response in enumerate(result.question.responses):
            ids = result.assignments[i]
            status = "unmatched" if i in unmatched else "themed"
            basis = describe_basis(result.position_worded()[i], result.positions[i],
                                   response.response_id in result.position_corrections)
            rows.append([
                result.question.text, response.response_id, status, ", ".join(ids),
                "; ".join(labels.get(t, t) for t in ids), result.positions[i], basis,
                ", ".join(result.evidence[i]), "yes" if result.corrected(response.response_id)
                else "no", response.original,
            ])  # fmt: skip
        for item in result.question.excluded:
            rows.append(
                [
                    result.question.text,
                    item.response_id,
                    item.reason,
                    "",
                    "",
                    "",
                    "",
                    "",
                    "no",
                    item.text,
                ]
            )
    return rows


def export_xlsx(results: Sequence[QuestionResult], path: Path) -> None:
    """Write a workbook with a Themes sheet and a Mappings sheet."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, header, rows in (
        ("Themes", THEME_COLUMNS, theme_rows(results)),
        ("Mappings", MAPPING_COLUMNS, mapping_rows(results)),
    ):
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append([xlsx_cell(sheet, v) for v in row])
    _save(lambda: book.save(path), path)


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
