"""Export, report and CLI."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook

from assistant.testing import FakeEmbedder
from consult.__main__ import main
from consult.analysis import analyse_question
from consult.export import export_csv, export_xlsx, neutralise
from consult.importing import build_question
from consult.report import bar_chart, summarise
from consult.review import rename_theme
from tests.consult.helpers import topical_answers, write_csv

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PAYLOAD = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize("value", ["=1+1", "+44", "-2", "@SUM(A1)", "\tx", "\r=1+1"])
def test_neutralise(value: str) -> None:
    assert neutralise(value) == "'" + value


def test_xlsx_and_csv_exports_neutralise_formulas(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    pairs = [*topical_answers(3), ("evil", '=HYPERLINK("http://x","y") bus routes'), ("e", "")]
    result = analyse_question(build_question("q1", "Q?", pairs), fake_embedder, k=3)
    export_xlsx([result], tmp_path / "out.xlsx")
    book = load_workbook(tmp_path / "out.xlsx", read_only=False)
    assert book.sheetnames == ["Themes", "Mappings"]
    mappings = list(book["Mappings"].iter_rows(values_only=True))
    evil = next(r for r in mappings if r[1] == "evil")
    # as typed, in a string cell (never a formula) that Excel keeps as text when edited
    assert evil[-1] == '=HYPERLINK("http://x","y") bus routes'
    cell = next(row for row in book["Mappings"].iter_rows() if row[1].value == "evil")[-1]
    assert cell.data_type == "s" and cell.quotePrefix
    assert any(r[2] == "empty" for r in mappings)
    assert sum(r[5] for r in list(book["Themes"].iter_rows(values_only=True))[1:]) >= 10
    themes_csv, mappings_csv = export_csv([result], tmp_path / "out.csv")
    with mappings_csv.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert any(r[-1].startswith("'=HYPERLINK") for r in rows) and themes_csv.exists()


def test_every_text_cell_of_both_sheets_and_both_csvs_is_neutralised(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    result = analyse_question(build_question("q1", "Q?", topical_answers(3)), fake_embedder, k=3)
    # a reviewer's hostile theme label, and answers (so quotes) starting with a carriage return
    # (import strips answers, so it is planted after analysis)
    rename_theme(result, result.themes[0].theme_id, PAYLOAD)
    planted = tuple(replace(r, text="\r=1+2 " + r.text) for r in result.question.responses)
    result.question = replace(result.question, responses=planted)
    export_xlsx([result], tmp_path / "out.xlsx")
    book = load_workbook(tmp_path / "out.xlsx")
    sheets = {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}
    themes_csv, mappings_csv = export_csv([result], tmp_path / "out.csv")
    for path in (themes_csv, mappings_csv):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            sheets[path.name] = list(csv.reader(handle))
    assert list(sheets) == ["Themes", "Mappings", "out_themes.csv", "out_mappings.csv"]
    for name, rows in sheets.items():
        cells = [c for row in rows for c in row if isinstance(c, str)]
        # CSV has no cell types: an apostrophe guards it; a workbook holds the text as typed in
        # string cells, never formulas
        guard = "'" if name.endswith(".csv") else ""
        if guard:
            assert not [c for c in cells if c.startswith(FORMULA_START)], name
        assert guard + PAYLOAD in cells or any(c.startswith(guard + PAYLOAD + ";") for c in cells)
        if name in ("Mappings", "out_mappings.csv"):  # quotes open with id and position
            assert any(c.startswith(guard + "\r=1+2 ") for c in cells), name
    assert not [c for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
    # every formula-like workbook cell, in either sheet, is text Excel keeps as text
    risky = [c for ws in book for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith(FORMULA_START)]
    assert {c.parent.title for c in risky} == {"Themes", "Mappings"}
    assert [c.coordinate for c in risky if not (c.data_type == "s" and c.quotePrefix)] == []


def test_summary_and_chart(fake_embedder: FakeEmbedder) -> None:
    result = analyse_question(build_question("q1", "Q?", topical_answers(4)), fake_embedder, k=3)
    rows = summarise(result)
    assert sum(r.count for r in rows) >= 12 and all(len(r.quotes) <= 3 for r in rows)
    assert rows[0].count >= rows[-1].count
    assert bar_chart(rows).count("\n") == len(rows) - 1


def test_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fake_embedder: FakeEmbedder
) -> None:
    path = write_csv(tmp_path / "r.csv", ["id", "q"], [list(p) for p in topical_answers(3)])
    code = main(
        [str(path), "--id", "id", "--question", "q", "--out", str(tmp_path / "o.xlsx")],
        fake_embedder,
    )
    assert code == 0 and (tmp_path / "o.xlsx").exists()
    assert "q1: q" in capsys.readouterr().out
    assert main([str(path), "--id", "nope", "--question", "q"], fake_embedder) == 2
    assert "no column named 'nope'" in capsys.readouterr().err
    framework = tmp_path / "f.json"
    framework.write_text('[{"topic_id": "A", "topic_label": "Bus routes"}]')
    args = [str(path), "--id", "id", "--question", "q", "--themes", str(framework)]
    assert main([*args, "--json"], fake_embedder) == 0
    saved = json.loads(capsys.readouterr().out)
    assert [t[1] for t in saved[0]["themes"]] == ["Bus routes"]
    assert main([*args, "--themes", str(framework)], fake_embedder) == 2
    assert "once per question" in capsys.readouterr().err
