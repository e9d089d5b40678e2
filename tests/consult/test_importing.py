"""Importing CSV, XLSX and the Themefinder layout; counting what is set aside."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from consult import importing
from consult.errors import ConsultError
from consult.importing import MAX_ANSWER_CHARS, list_columns, load_consultation, load_table
from tests.consult.helpers import SPREADSHEET_MAIN, hand_built_workbook, write_csv


def test_csv_counts_empty_na_duplicates_and_long(tmp_path: Path) -> None:
    rows = [
        ["1", "Good idea"], ["2", ""], ["3", "N/A"], ["4", "good   IDEA"], ["1", "again"],
        ["5", "x" * (MAX_ANSWER_CHARS + 5)],
    ]  # fmt: skip
    path = write_csv(tmp_path / "r.csv", ["ID", "Q"], rows)
    question = load_consultation(path, "ID", ["Q"]).questions[0]
    counts = question.counts()
    assert counts == {
        "themed": 3, "no reason given": 0, "empty": 1, "not applicable": 1, "duplicate id": 1,
        "duplicate text": 1, "truncated": 1,
    }  # fmt: skip
    assert question.responses[1].duplicate_of == "1"
    assert len(question.responses) + len(question.excluded) == len(rows)


def test_multi_line_answers_keep_their_line_breaks(tmp_path: Path) -> None:
    answer = "First line.\nSecond line\u2028with a separator."
    path = write_csv(tmp_path / "r.csv", ["ID", "Q"], [["1", answer], ["2", "next"]])
    question = load_consultation(path, "ID", ["Q"]).questions[0]
    assert [r.text for r in question.responses] == [answer, "next"]


def test_windows_1252_csv_is_read(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", ["ID", "Q"], [["1", "Costs £5 – too much"]], "cp1252")
    assert (
        load_consultation(path, "ID", ["Q"]).questions[0].responses[0].text == "Costs £5 – too much"
    )


def test_utf16_csv_gives_clear_message(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", ["ID", "Q"], [["1", "hello"]], "utf-16")
    with pytest.raises(ConsultError, match="CSV UTF-8"):
        load_consultation(path, "ID", ["Q"])


def test_missing_column_names_the_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", ["ID", "Q"], [["1", "a"]])
    with pytest.raises(ConsultError, match="no column named 'Nope'.*'Q'"):
        load_consultation(path, "ID", ["Nope"])


def test_too_many_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "MAX_ROWS", 10)
    path = write_csv(tmp_path / "r.csv", ["ID", "Q"], [[str(i), "text"] for i in range(11)])
    with pytest.raises(ConsultError, match="more than 10 rows"):
        load_consultation(path, "ID", ["Q"])


def test_xlsx_formulas_are_read_as_text(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Response ID", "Explain"])
    sheet.append(["a1", '=HYPERLINK("http://x","click")'])
    sheet.append(["a2", "Plain answer"])
    path = tmp_path / "r.xlsx"
    book.save(path)
    assert list_columns(path) == ["Response ID", "Explain"]
    texts = [
        r.text for r in load_consultation(path, "Response ID", ["Explain"]).questions[0].responses
    ]
    assert texts == ['=HYPERLINK("http://x","click")', "Plain answer"]


def test_xlsx_sheet_is_chosen_by_name_and_an_empty_first_sheet_names_the_others(
        tmp_path: Path) -> None:
    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "Cover"
    answers = book.create_sheet("Answers")
    answers.append(["id", "Q1"])
    answers.append(["r1", "More buses please"])
    path = tmp_path / "export.xlsx"
    book.save(path)
    assert importing.list_sheets(path) == ["Cover", "Answers"]
    assert importing.list_sheets(tmp_path / "any.csv") == []
    (tmp_path / "plain.csv").write_text("id,Q1\nr1,yes\n")
    with pytest.raises(ConsultError, match="CSV file, which has no sheets"):
        load_consultation(tmp_path / "plain.csv", "id", ["Q1"], sheet="Answers")
    with pytest.raises(ConsultError, match=r"The first sheet of export.xlsx is empty .*"
                                           r"Choose another sheet \('Answers'\)"):
        list_columns(path)
    assert list_columns(path, "Answers") == ["id", "Q1"]
    data = load_consultation(path, "id", ["Q1"], sheet="Answers")
    assert [r.text for r in data.questions[0].responses] == ["More buses please"]
    with pytest.raises(ConsultError, match=r"no sheet named 'Sheet9'. Its sheets are: 'Cover', "
                                           r"'Answers'"):
        load_consultation(path, "id", ["Q1"], sheet="Sheet9")


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    path.write_text("not a zip")
    with pytest.raises(ConsultError, match="could not be opened as an Excel workbook"):
        load_consultation(path, "ID", ["Q"])


def test_themefinder_folder(tmp_path: Path) -> None:
    part = tmp_path / "inputs" / "question_part_1"
    part.mkdir(parents=True)
    (part / "question.json").write_text(json.dumps({"question_text": "Should we?"}))
    lines = [{"response_id": 1, "response": "Yes"}, {"response_id": 2, "response": ""}]
    (part / "responses.jsonl").write_text("\n".join(json.dumps(x) for x in lines))
    question = load_consultation(tmp_path).questions[0]
    assert (question.text, [r.response_id for r in question.responses]) == ("Should we?", ["1"])
    assert question.counts()["empty"] == 1


def test_real_export_layouts(shared_data: Path) -> None:
    folder = shared_data / "consult" / "dhsc_export_layout"
    columns = ["Please explain your answer_1", "Please explain your answer_2"]
    for name in ("responses_2024-01-09.xlsx", "responses_all_2024_06_05.csv"):
        consultation = load_consultation(folder / name, "Response ID", columns)
        for question in consultation.questions:
            assert len(question.responses) + len(question.excluded) == consultation.rows
        assert consultation.questions[0].responses


def test_repeated_column_names_stay_separate_and_choosable(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "export.csv", ["id", "Please explain", "Please explain"],
                     [["r1", "first answer", "second answer"]])
    assert list_columns(path) == ["id", "Please explain", "Please explain (2)"]
    data = load_table(path, "id", ["Please explain", "Please explain (2)"])
    assert [q.responses[0].text for q in data.questions] == ["first answer", "second answer"]


def test_a_workbook_with_a_wrong_stored_size_keeps_every_column(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["id", "answer"])
    book.active.append(["r1", "Bus routes were cut."])
    good = tmp_path / "good.xlsx"
    book.save(good)
    stale = tmp_path / "stale.xlsx"  # as some exporters write it: <dimension ref="A1"/>
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(stale, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', data)
            out.writestr(item, data)
    assert list_columns(stale) == ["id", "answer"]
    data = load_table(stale, "id", ["answer"])
    assert data.questions[0].responses[0].text == "Bus routes were cut."


def test_semicolon_csv_and_a_byte_order_mark_are_read(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffid;answer\nr1;Buses, trams and trains\n".encode())
    assert list_columns(path) == ["id", "answer"]
    assert load_table(path, "id", ["answer"]).questions[0].responses[0].text == \
        "Buses, trams and trains"
    part = tmp_path / "tf" / "question_part_1"
    part.mkdir(parents=True)
    (part / "question.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(
        {"question_text": "Do you agree?"}).encode())
    (part / "responses.jsonl").write_bytes(b"\xef\xbb\xbf" + json.dumps(
        {"response_id": "1", "response": "Yes, fully."}).encode() + b"\n")
    data = load_consultation(tmp_path / "tf")
    assert data.questions[0].responses[0].text == "Yes, fully."


def test_a_repeated_id_keeps_its_real_answer() -> None:
    from consult.importing import build_question

    question = build_question("q1", "Comments?", [("r1", ""), ("r2", "Fine."), ("r1", "N/A"),
                                                  ("r1", "Buses were cut."), ("r1", "Again.")])
    assert [(r.response_id, r.text) for r in question.responses] == [
        ("r2", "Fine."), ("r1", "Buses were cut.")]
    assert sorted((e.response_id, e.reason) for e in question.excluded) == [
        ("r1", "duplicate id")] * 3


def test_a_comma_csv_with_semicolons_in_its_header_stays_comma_separated(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "q.csv", ["id", "Do you agree? Give reasons; examples; evidence"],
                     [["r1", "Yes; because buses matter"]])
    assert list_columns(path) == ["id", "Do you agree? Give reasons; examples; evidence"]


def _workbook_with_shared_strings(path: Path, strings: int) -> Path:
    """A valid one-sheet workbook whose shared-string table repeats one string ``strings``
    times: a small version of a zip bomb (the table deflates about 300:1)."""
    item = "<si><t>" + "A" * 80 + "</t></si>"
    return hand_built_workbook(
        path, linked=True, compresslevel=9,
        cells='<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="s"><v>2</v></c></row>',
        strings=f'<sst xmlns="{SPREADSHEET_MAIN}"><si><t>id</t></si><si><t>Q</t></si>'
        "<si><t>More buses please</t></si>" + item * strings + "</sst>")


def test_a_workbook_that_unpacks_to_far_more_than_its_size_is_refused(tmp_path: Path) -> None:
    bomb = _workbook_with_shared_strings(tmp_path / "bomb.xlsx", 15_000)  # 1.4 MB from ~5 KB
    assert bomb.stat().st_size < 20_000
    for read in (importing.list_sheets, lambda p: load_table(p, "id", ["Q"])):
        with pytest.raises(ConsultError, match=r"^bomb.xlsx holds a part that unpacks to over "
                                               r"200 times its stored size.*save it as .xlsx"):
            read(bomb)


def test_a_workbook_declaring_more_than_the_limit_unpacked_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _workbook_with_shared_strings(tmp_path / "big.xlsx", 100)  # a modest ratio
    assert importing.list_sheets(path) == ["Answers"]
    assert load_table(path, "id", ["Q"]).questions[0].responses[0].text == "More buses please"
    monkeypatch.setattr(importing, "MAX_UNPACKED_BYTES", 10_000)
    with pytest.raises(ConsultError, match=r"^big.xlsx unpacks to more than .*Split it"):
        importing.list_sheets(path)
    with pytest.raises(ConsultError, match="unpacks to more than"):
        list_columns(path)


def test_a_zip_declaring_too_many_parts_is_refused_from_its_end_record(tmp_path: Path) -> None:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(30):
            archive.writestr(f"p{i}.xml", "<x/>")
    data = buffer.getvalue()
    importing.check_zip_parts(data, "ok.xlsx")  # 30 parts: fine
    end = data.rfind(b"PK\x05\x06")
    forged = data[:end + 10] + (60_000).to_bytes(2, "little") + data[end + 12:]
    with pytest.raises(ConsultError, match=r"^many.xlsx holds 60,000 or more parts"):
        importing.check_zip_parts(forged, "many.xlsx")
    (tmp_path / "many.xlsx").write_bytes(forged)
    with pytest.raises(ConsultError, match="60,000 or more parts"):
        importing.list_sheets(tmp_path / "many.xlsx")
