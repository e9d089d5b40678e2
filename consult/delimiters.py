"""Which character separates a CSV file's columns: comma, semicolon or tab.

Excel saves "CSV" with semicolons where the decimal mark is a comma; splitting on the header alone
failed when such a file's header held a comma ("Q1. Do you agree, ...").
"""

from __future__ import annotations

import csv
import io


class _Semicolon(csv.excel):
    delimiter = ";"


SNIFF_ROWS = 20  # records read to tell a comma CSV from a semicolon or tab one
_DIALECTS: tuple[type[csv.Dialect], ...] = (csv.excel, _Semicolon, csv.excel_tab)


def sniff_dialect(text: str) -> type[csv.Dialect]:
    """The dialect whose delimiter splits the first SNIFF_ROWS records most consistently into
    the same number (over one) of columns, the wider on a tie, else comma. Quotes are honoured,
    so a comma inside a quoted answer does not count (what ``csv.Sniffer`` guesses from
    character counts, which prose answers mislead)."""
    best: type[csv.Dialect] = csv.excel
    best_score = (0.0, 0)
    for dialect in _DIALECTS:
        widths = [len(row) for row in _first_records(text, dialect)]
        if not widths or widths[0] < 2:
            continue
        score = (sum(w == widths[0] for w in widths) / len(widths), widths[0])
        if score > best_score:
            best, best_score = dialect, score
    return best


def _first_records(text: str, dialect: type[csv.Dialect]) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        return [row for _, row in zip(range(SNIFF_ROWS), reader, strict=False) if row]
    except csv.Error:
        return []
