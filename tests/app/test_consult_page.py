"""The Consult page with fake services: upload, import counts, analyse, review, export, safety."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from app_pages import state
from app_pages.consult_results import csv_bytes, plain, xlsx_bytes
from app_pages.services import AppServices
from assistant.errors import EmbedderError
from assistant.ports import Vectors
from assistant.testing import FakeEmbedder
from consult.review import review_to_json
from tests.app.conftest import ROOT, open_app, texts

CONSULT_PAGE = "app_pages/consult.py"
TOPICS = ("Parking permits cost far too much for families on low incomes.",
          "Bus services are unreliable and the routes to the hospital were cut.",
          "Cycle lanes on the high street would make cycling safer for children.")
HOSTILE = "=cmd|' /C calc'!A0 <script>alert('x')</script> **bold** [link](http://x.test)"


def responses_csv(extra: list[list[str]] | None = None) -> bytes:
    """A small consultation: 24 answers on three topics plus empty, N/A and repeated ids."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["respondent_id", "region", "Do you agree with the plan?"])
    for n in range(24):
        writer.writerow([f"r{n + 1}", "North", f"{TOPICS[n % 3]} Point {n}."])
    writer.writerows([["r25", "South", ""], ["r26", "South", "N/A"],
                      ["r1", "East", "A repeated respondent id."], *(extra or [])])
    return out.getvalue().encode()


def consult_page(fake_app: AppServices) -> AppTest:
    at = open_app()
    return at.switch_page(CONSULT_PAGE).run()


def upload(at: AppTest, data: bytes, name: str = "responses.csv") -> AppTest:
    at.file_uploader(key=state.CONSULT_UPLOAD).set_value((name, data, "text/csv"))
    return at.run()


def imported(fake_app: AppServices, data: bytes | None = None) -> AppTest:
    at = upload(consult_page(fake_app), data or responses_csv())
    assert at.selectbox(key=state.CONSULT_ID_COLUMN).value == "respondent_id"
    at.multiselect(key=state.CONSULT_QUESTION_COLUMNS).select("Do you agree with the plan?")
    at.run()
    button(at, "Import").click()
    return at.run()


def analysed(fake_app: AppServices, data: bytes | None = None) -> AppTest:
    at = imported(fake_app, data)
    at.number_input(key=state.CONSULT_THEMES_COUNT).set_value(3).run()
    button(at, "Analyse responses").click()
    return at.run()


def button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label.startswith(label))


def submit(at: AppTest, label: str) -> AppTest:
    return next(b for b in at.get("form_submit_button") if b.label == label).click().run()


def results(at: AppTest) -> dict:  # type: ignore[type-arg]
    return at.session_state[state.CONSULT_RESULTS]


def test_consult_is_in_the_navigation_for_every_user(fake_app: AppServices) -> None:
    at = consult_page(fake_app)
    assert not at.exception
    assert at.title[0].value.startswith("Consult")
    assert at.file_uploader(key=state.CONSULT_UPLOAD).allowed_type == [".csv", ".xlsx", ".zip"]


def test_import_counts_what_is_set_aside(fake_app: AppServices) -> None:
    at = imported(fake_app)
    assert not at.exception
    assert "Imported 27 rows" in texts(at)
    counts = at.table[0].value
    row = counts.iloc[0]
    assert (row["To theme"], row["Empty"], row["N/A"], row["Repeated respondent id"]) == \
        (24, 1, 1, 1)
    set_aside = at.dataframe[0].value
    assert sorted(set_aside["Reason"]) == ["duplicate id", "empty", "not applicable"]


def test_analyse_shows_themes_table_chart_quotes_and_downloads(fake_app: AppServices) -> None:
    at = analysed(fake_app)
    assert not at.exception
    assert "Analysed 1 question(s)" in texts(at)
    themes = at.table[1].value
    assert list(themes.columns[:4]) == ["Theme", "Description", "Responses", "Share"]
    assert themes["Responses"].sum() >= 24
    assert {"Agree", "Disagree", "Unclear", "Evidence-rich"} <= set(themes.columns)
    assert at.get("vega_lite_chart"), "a bar chart of themes"
    assert any("Point" in t.value for t in at.text), "representative quotes shown as text"
    labels = {b.label for b in at.download_button}
    assert labels == {"Download Excel (.xlsx)", "Download themes (.csv)",
                      "Download mappings (.csv)", "Save review (.json)"}


def test_rename_and_merge_themes(fake_app: AppServices) -> None:
    at = analysed(fake_app)
    result = next(iter(results(at).values()))
    first, second = result.themes[0].theme_id, result.themes[1].theme_id
    at.selectbox(key=state.consult_key("rename_theme")).select(first)
    at.text_input(key=state.consult_key("rename_label")).input("Cost of parking")
    at = submit(at, "Rename theme")
    assert not at.exception
    assert "Theme renamed to" in texts(at)
    assert "Cost of parking" in list(at.table[1].value["Theme"])
    at.multiselect(key=state.consult_key("merge_themes")).select(first).select(second)
    at.text_input(key=state.consult_key("merge_label")).input("Transport costs")
    at = submit(at, "Merge themes")
    assert "2 themes merged" in texts(at)
    result = next(iter(results(at).values()))
    assert [t.label for t in result.themes].count("Transport costs") == 1
    assert first not in {t.theme_id for t in result.themes}


class BrokenEmbedder(FakeEmbedder):
    """FAKE: an embedder whose model cannot be loaded."""

    def embed(self, texts: Sequence[str]) -> Vectors:
        raise EmbedderError("The embedding model could not be loaded. Ask whoever runs this app.")


def test_analysis_failure_explains_and_keeps_the_import(fake_app: AppServices) -> None:
    at = imported(fake_app)
    fake_app.services.embedder = BrokenEmbedder()
    button(at, "Analyse responses").click()
    at.run()
    assert not at.exception
    [error] = at.error
    assert "could not be analysed" in error.value and "embedding model" in error.value
    assert at.session_state[state.CONSULT_DATA].questions[0].responses  # import kept
    fake_app.services.embedder = FakeEmbedder()
    button(at, "Analyse responses").click()
    at.run()
    assert results(at)


def test_refused_review_action_explains_and_keeps_the_review(fake_app: AppServices) -> None:
    at = analysed(fake_app)
    before = [t.label for t in next(iter(results(at).values())).themes]
    at.multiselect(key=state.consult_key("merge_themes")).select(
        next(iter(results(at).values())).themes[0].theme_id)
    at = submit(at, "Merge themes")
    assert "at least two different themes" in " ".join(e.value for e in at.error)
    assert [t.label for t in next(iter(results(at).values())).themes] == before


def test_move_a_response_is_kept_through_remapping_and_sign_off(fake_app: AppServices) -> None:
    at = analysed(fake_app)
    result = next(iter(results(at).values()))
    target = result.themes[-1].theme_id
    at.multiselect(key=state.consult_key("move_responses")).select("r1")
    at.selectbox(key=state.consult_key("move_to")).select(target)
    at = submit(at, "Move responses")
    assert "1 response(s) moved" in texts(at)
    button(at, "Update mapping from my corrections").click()
    at.run()
    result = next(iter(results(at).values()))
    assert target in result.assignments[0] and "r1" in result.corrections
    # what re-mapping did is said, never silent
    assert re.search(r"Mapping updated from your corrections: (no response changed theme\.|"
                     r"\d+ responses? now ha(s|ve) different themes: r\d+)", texts(at))
    at.text_input(key=state.consult_key("sign_off_name")).input("Pat Reviewer")
    at = submit(at, "Sign off framework")
    assert not at.exception
    assert "no response was re-mapped" in texts(at)  # signing off records what is on screen
    assert "Framework signed off by Pat Reviewer" in texts(at)
    assert "Download the framework (JSON)" in {b.label for b in at.download_button}
    assert target in next(iter(results(at).values())).assignments[0]


def test_response_lists_are_filtered_by_theme_and_words_and_capped(
        fake_app: AppServices, monkeypatch: pytest.MonkeyPatch) -> None:
    at = analysed(fake_app)
    result = next(iter(results(at).values()))
    every = [r.response_id for r in result.question.responses]
    assert at.multiselect(key=state.consult_key("move_responses")).options == [
        f"{rid}: {' '.join(r.text.split())[:80]}"
        for rid, r in zip(every, result.question.responses, strict=True)]
    theme = result.themes[0].theme_id
    at.selectbox(key=state.consult_key("move_filter_theme")).select(theme).run()
    listed = at.multiselect(key=state.consult_key("move_responses")).options
    members = [rid for rid, ids in zip(every, result.assignments, strict=True) if theme in ids]
    assert [o.split(":")[0] for o in listed] == members
    assert at.selectbox(key=state.consult_key("move_from")).value == theme  # moves from it
    at.text_input(key=state.consult_key("position_filter_words")).input("HOSPITAL").run()
    options = at.selectbox(key=state.consult_key("position_response")).options
    assert options and all("hospital" in o.lower() for o in options)
    at.text_input(key=state.consult_key("position_filter_words")).input("no such words").run()
    assert at.selectbox(key=state.consult_key("position_response")).options == []
    assert "No response matches the filter." in texts(at)
    import app_pages.consult_review as page

    monkeypatch.setattr(page, "MAX_CHOICES", 5)
    at.text_input(key=state.consult_key("position_filter_words")).input("").run()
    assert len(at.selectbox(key=state.consult_key("position_response")).options) == 5
    assert f"{len(every)} responses match; the first 5 are listed." in texts(at)
    assert not at.exception


def test_add_split_delete_and_position(fake_app: AppServices) -> None:
    at = analysed(fake_app)
    at.text_input(key=state.consult_key("add_label")).input("Road safety")
    at = submit(at, "Add theme")
    assert "Road safety" in [t.label for t in next(iter(results(at).values())).themes]
    biggest = max(next(iter(results(at).values())).themes,
                  key=lambda t: sum(t.theme_id in ids for ids in
                                    next(iter(results(at).values())).assignments))
    at.selectbox(key=state.consult_key("split_theme")).select(biggest.theme_id)
    at = submit(at, "Split theme")
    assert "Theme split into 2" in texts(at)
    doomed = next(iter(results(at).values())).themes[0]
    at.selectbox(key=state.consult_key("delete_theme")).select(doomed.theme_id)
    at = submit(at, "Delete theme")
    assert "Tick the box" in texts(at)
    at.selectbox(key=state.consult_key("delete_theme")).select(doomed.theme_id)
    at.checkbox(key=state.consult_key("delete_sure")).check()
    at = submit(at, "Delete theme")
    assert doomed not in next(iter(results(at).values())).themes
    at.selectbox(key=state.consult_key("position_response")).select("r2").run()
    at.radio(key=state.consult_key("position_value_r2")).set_value("disagree")
    at = submit(at, "Set position")
    assert next(iter(results(at).values())).positions[1] == "disagree"
    assert not at.exception


@pytest.mark.parametrize(("name", "data", "message"), [
    ("utf16.csv", "respondent_id,answer\nr1,hello\n".encode("utf-16"), "UTF-16 or binary"),
    ("broken.xlsx", b"not a workbook", "could not be opened as an Excel workbook"),
    ("empty.csv", b"", "empty or has no header row"),
])
def test_malformed_files_get_a_clear_message(fake_app: AppServices, name: str, data: bytes,
                                             message: str) -> None:
    at = upload(consult_page(fake_app), data, name)
    assert not at.exception
    [error] = at.error
    assert message in error.value and "Could not read" in error.value
    # no column pickers or Import for an unreadable file
    assert not at.selectbox and not [b for b in at.button if b.label.startswith("Import")]


def test_too_many_rows_is_refused_and_earlier_import_kept(fake_app: AppServices,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    import consult.importing

    at = imported(fake_app)
    monkeypatch.setattr(consult.importing, "MAX_ROWS", 10)
    at = upload(at, responses_csv() + b"r90,North,one more\n", "bigger.csv")
    at.multiselect(key=state.CONSULT_QUESTION_COLUMNS).select("Do you agree with the plan?")
    at.run()
    button(at, "Import again").click()
    at.run()
    assert "more than 10 rows" in at.error[0].value
    assert at.session_state[state.CONSULT_DATA].rows == 27  # the earlier import is kept


def test_respondent_text_is_shown_as_text_never_markup(fake_app: AppServices) -> None:
    extra = [[f"x{n}", "West", HOSTILE] for n in range(8)]
    at = analysed(fake_app, responses_csv(extra))
    assert not at.exception
    assert any(HOSTILE in t.value for t in at.text), "quotes are st.text: shown exactly as written"
    everything = at.dataframe[-1].value
    assert HOSTILE in list(everything["Response"]), "tables hold the text as typed"
    markdown = [m.value for m in at.markdown] + [e.label for e in at.expander]
    markdown += [str(v) for v in at.table[1].value["Theme"]]
    assert all("<script>" not in m for m in markdown), "escaped wherever Markdown is rendered"
    assert not at.get("html") or all("script" not in h.proto.body for h in at.get("html"))


def test_plain_escapes_markdown_and_html() -> None:
    assert plain("<b>hi</b> **x** [a](b) :red[c] $x$") == (
        r"\<b\>hi\<\/b\> \*\*x\*\* \[a\]\(b\) \:red\[c\] \$x\$".replace(r"\/", "/"))
    assert plain("line one\nline two") == "line one line two"


def test_exports_have_two_sheets_and_neutralise_formulas(fake_app: AppServices,
                                                         tmp_path: Path) -> None:
    at = analysed(fake_app, responses_csv([["x1", "West", HOSTILE]]))
    label = "=cmd|' /C calc'!A0"  # a reviewer's label is as dangerous as a respondent's answer
    at.selectbox(key=state.consult_key("rename_theme")).select(
        results(at)["q1"].themes[0].theme_id)
    at.text_input(key=state.consult_key("rename_label")).input(label)
    at = submit(at, "Rename theme")
    result_list = list(results(at).values())
    (tmp_path / "out.xlsx").write_bytes(xlsx_bytes(result_list))
    book = load_workbook(tmp_path / "out.xlsx")
    assert book.sheetnames == ["Themes", "Mappings"]
    tables = {name: [list(row) for row in book[name].iter_rows(values_only=True)]
              for name in book.sheetnames}
    for which, name in enumerate(("themes.csv", "mappings.csv")):
        tables[name] = list(csv.reader(io.StringIO(
            csv_bytes(result_list, which).decode("utf-8-sig"), newline="")))
    assert tables["themes.csv"][0][:2] == ["question", "theme_id"]
    for name, rows in tables.items():
        cells = [c for row in rows for c in row if isinstance(c, str)]
        guard = "'" if name.endswith(".csv") else ""  # a workbook holds typed string cells
        assert guard + (HOSTILE if name.lower().startswith("mappings") else label) in cells, name
        if guard:
            assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert not [c for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
    risky = [c for ws in book for row in ws.iter_rows() for c in row  # kept as text by Excel
             if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert {c.parent.title for c in risky} == {"Themes", "Mappings"}
    assert [c.coordinate for c in risky if not (c.data_type == "s" and c.quotePrefix)] == []
    assert zipfile.is_zipfile(io.BytesIO(xlsx_bytes(result_list)))


def test_page_run_directly_needs_no_admin(fake_app: AppServices) -> None:
    at = AppTest.from_file(str(ROOT / CONSULT_PAGE), default_timeout=30).run()
    assert not at.exception
    assert at.file_uploader(key=state.CONSULT_UPLOAD)


def test_xlsx_formulas_are_imported_as_text(fake_app: AppServices, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["id", "answer"])
    for n in range(12):
        sheet.append([f"r{n}", f"{TOPICS[n % 3]} Point {n}."])
    sheet.append(["f1", "=SUM(1,2)"])
    book.save(tmp_path / "formulas.xlsx")
    at = consult_page(fake_app)
    at.file_uploader(key=state.CONSULT_UPLOAD).set_value(
        ("formulas.xlsx", (tmp_path / "formulas.xlsx").read_bytes(), "application/octet-stream"))
    at.run()
    at.multiselect(key=state.CONSULT_QUESTION_COLUMNS).select("answer").run()
    button(at, "Import").click()
    at.run()
    assert not at.exception
    [question] = at.session_state[state.CONSULT_DATA].questions
    assert question.responses[-1].text == "=SUM(1,2)"  # the formula's text, never its value


def test_a_workbook_with_several_sheets_offers_the_sheet(fake_app: AppServices,
                                                         tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "About this export"  # type: ignore[union-attr]
    answers = book.create_sheet("Responses")
    answers.append(["id", "answer"])
    for n in range(12):
        answers.append([f"r{n}", f"{TOPICS[n % 3]} Point {n}."])
    book.save(tmp_path / "export.xlsx")
    at = consult_page(fake_app)
    at.file_uploader(key=state.CONSULT_UPLOAD).set_value(
        ("export.xlsx", (tmp_path / "export.xlsx").read_bytes(), "application/octet-stream"))
    at.run()
    assert at.selectbox(key=state.CONSULT_SHEET).options == ["About this export", "Responses"]
    assert "is empty or has no header row" in at.error[0].value  # the first sheet: no table
    at.selectbox(key=state.CONSULT_SHEET).set_value("Responses").run()
    assert not at.error
    at.multiselect(key=state.CONSULT_QUESTION_COLUMNS).select("answer").run()
    button(at, "Import").click()
    at.run()
    [question] = at.session_state[state.CONSULT_DATA].questions
    assert len(question.responses) == 12 and question.text == "answer"


def themefinder_zip(prefix: str = "gambling_XS/inputs/") -> bytes:
    """A zip of a tiny folder in the Themefinder layout: two questions."""
    import json

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for part, text in ((1, "Do you agree with the plan?"), (2, "What else should we do?")):
            folder = f"{prefix}question_part_{part}/"
            archive.writestr(folder + "question.json", json.dumps({"question_text": text}))
            lines = [{"response_id": n, "response": f"{TOPICS[n % 3]} Point {n}."}
                     for n in range(12)] + [{"response_id": 99, "response": "N/A"}]
            archive.writestr(folder + "responses.jsonl",
                             "\n".join(json.dumps(line) for line in lines))
        archive.writestr(f"{prefix}README.md", "not read")
    return out.getvalue()


@pytest.mark.parametrize("prefix", ["gambling_XS/inputs/", "", "../../"])
def test_themefinder_zip_imports_each_part_as_a_question(fake_app: AppServices, prefix: str,
                                                        tmp_path: Path) -> None:
    at = upload(consult_page(fake_app), themefinder_zip(prefix), "gambling.zip")
    assert not at.multiselect  # the layout names its questions: no column pickers
    button(at, "Import").click()
    at.run()
    assert not at.exception
    data = at.session_state[state.CONSULT_DATA]
    assert [q.text for q in data.questions] == ["Do you agree with the plan?",
                                                "What else should we do?"]
    assert [len(q.responses) for q in data.questions] == [12, 12]
    assert list(at.table[0].value["N/A"]) == [1, 1]
    button(at, "Analyse responses").click()
    at.run()
    assert set(results(at)) == {"question_part_1", "question_part_2"}
    assert not list(tmp_path.parent.glob("question_part_*"))  # nothing escaped the temp folder


def test_zip_that_is_not_themefinder_gets_a_clear_message(fake_app: AppServices) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    at = upload(consult_page(fake_app), out.getvalue(), "notes.zip")
    button(at, "Import").click()
    at.run()
    assert "not in the Themefinder layout" in at.error[0].value
    at = upload(at, b"PK not really", "broken.zip")
    button(at, "Import").click()
    at.run()
    assert "is not a zip file" in at.error[0].value


def test_a_second_import_replaces_the_first_analysis(fake_app: AppServices) -> None:
    at = analysed(fake_app)
    at = upload(at, themefinder_zip(), "second.zip")
    button(at, "Import again").click()
    at.run()
    assert results(at) == {}
    button(at, "Analyse responses").click()
    at.run()
    assert not at.exception
    assert at.selectbox(key=state.CONSULT_QUESTION).value == "question_part_1"
    at.selectbox(key=state.CONSULT_QUESTION).select("question_part_2").run()
    assert not at.exception


def test_a_saved_review_resumes_in_a_new_session(fake_app: AppServices) -> None:
    at = analysed(fake_app)
    result = next(iter(results(at).values()))
    target = result.themes[-1].theme_id
    at.selectbox(key=state.consult_key("rename_theme")).select(result.themes[0].theme_id)
    at.text_input(key=state.consult_key("rename_label")).input("Costs of permits")
    at = submit(at, "Rename theme")
    at.multiselect(key=state.consult_key("move_responses")).select("r1")
    at.selectbox(key=state.consult_key("move_to")).select(target)
    at = submit(at, "Move responses")
    at.text_input(key=state.consult_key("sign_off_name")).input("Pat Reviewer")
    at = submit(at, "Sign off framework")
    assert "Save review (.json)" in {b.label for b in at.download_button}
    data = at.session_state[state.CONSULT_DATA]
    saved = review_to_json(list(results(at).values()), data.source, data.rows).encode()

    fresh = consult_page(fake_app)  # a new browser session: nothing in session state
    fresh.file_uploader(key=state.CONSULT_RESUME).set_value(
        ("consultation-review.json", saved, "application/json"))
    fresh.run()
    button(fresh, "Resume").click()
    fresh.run()
    assert not fresh.exception
    assert "Resumed the review of 1 question(s)" in texts(fresh)
    resumed = next(iter(results(fresh).values()))
    assert "Costs of permits" in [t.label for t in resumed.themes]
    assert "r1" in resumed.corrections and target in resumed.assignments[0]
    assert "Framework signed off by Pat Reviewer" in texts(fresh)
    assert "Download the framework (JSON)" in {b.label for b in fresh.download_button}


def test_resuming_a_file_that_is_not_a_review_explains_and_keeps_the_analysis(
        fake_app: AppServices) -> None:
    at = analysed(fake_app)
    before = dict(results(at))
    at.file_uploader(key=state.CONSULT_RESUME).set_value(
        ("notes.json", b'{"hello": "world"}', "application/json"))
    at.run()
    button(at, "Resume").click()
    at.run()
    assert not at.exception
    assert "is not a saved Consult review" in texts(at)
    assert results(at) == before


def test_an_uploaded_framework_is_applied_to_every_response(fake_app: AppServices) -> None:
    framework = {"signed_off": True, "signed_off_by": "Policy Lead", "themes": [
        {"theme_id": "P", "label": "Parking costs", "description": "permits cost too much"},
        {"theme_id": "B", "label": "Bus routes", "description": "unreliable buses, cut routes"},
        {"theme_id": "C", "label": "Cycling safety", "description": "cycle lanes for children"},
    ]}
    at = imported(fake_app)
    at.file_uploader(key=state.CONSULT_FRAMEWORK_UPLOAD).set_value(
        ("framework.json", json.dumps(framework).encode(), "application/json"))
    at.run()
    shown = texts(at).replace("\\", "")  # captions are Markdown-escaped: framework\.json
    assert "Using 3 themes from framework.json, signed off by Policy Lead" in shown
    button(at, "Analyse responses").click()
    at.run()
    assert not at.exception
    result = next(iter(results(at).values()))
    assert [t.label for t in result.themes] == ["Parking costs", "Bus routes", "Cycling safety"]
    assert all(ids for ids in result.assignments)  # every response mapped onto the framework
    assert "Framework signed off by Policy Lead" in texts(at)


def two_questions_imported(fake_app: AppServices, comments: list[str]) -> AppTest:
    """A two-question file imported: topical answers, then ``comments`` (one per respondent)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["respondent_id", "Do you agree with the plan?", "Any other comments?"])
    for n, comment in enumerate(comments):
        writer.writerow([f"r{n + 1}", f"{TOPICS[n % 3]} Point {n}.", comment])
    at = upload(consult_page(fake_app), out.getvalue().encode())
    at.multiselect(key=state.CONSULT_QUESTION_COLUMNS).select("Do you agree with the plan?")
    at.multiselect(key=state.CONSULT_QUESTION_COLUMNS).select("Any other comments?")
    at.run()
    button(at, "Import").click()
    return at.run()


def test_a_framework_maps_only_the_questions_chosen_for_it(fake_app: AppServices) -> None:
    at = two_questions_imported(fake_app, [f"{TOPICS[(n + 1) % 3]} Comment {n}."
                                           for n in range(24)])
    framework = {"signed_off": True, "signed_off_by": "Policy Lead", "themes": [
        {"theme_id": "P", "label": "Parking costs", "description": "permits cost too much"},
        {"theme_id": "B", "label": "Bus routes", "description": "unreliable buses, cut routes"},
    ]}
    at.file_uploader(key=state.CONSULT_FRAMEWORK_UPLOAD).set_value(
        ("framework.json", json.dumps(framework).encode(), "application/json"))
    at.run()
    chooser = at.multiselect(key=state.CONSULT_FRAMEWORK_QUESTIONS)
    assert len(chooser.value) == 2  # every question by default
    first, second = chooser.value
    chooser.unselect(second)
    at.run()
    assert at.number_input(key=state.CONSULT_THEMES_COUNT).disabled is False
    at.number_input(key=state.CONSULT_THEMES_COUNT).set_value(3).run()
    button(at, "Analyse responses").click()
    at.run()
    assert not at.exception
    done = results(at)
    assert [t.label for t in done[first].themes] == ["Parking costs", "Bus routes"]
    assert len(done[second].themes) == 3  # discovered, not the framework's two
    assert "Parking costs" not in [t.label for t in done[second].themes]
    assert set(at.session_state[state.CONSULT_FRAMEWORKS]) == {first}
    # importing again starts from every question, not the last file's choice
    button(at, "Import again").click()
    at.run()
    assert len(at.multiselect(key=state.CONSULT_FRAMEWORK_QUESTIONS).value) == 2


def test_an_unreadable_framework_blocks_analysis_with_a_reason(fake_app: AppServices) -> None:
    at = imported(fake_app)
    at.file_uploader(key=state.CONSULT_FRAMEWORK_UPLOAD).set_value(
        ("themes.json", b'{"themes": []}', "application/json"))
    at.run()
    assert "holds no themes" in texts(at)
    assert button(at, "Analyse responses").disabled
    assert not results(at)


def test_a_question_with_no_answers_still_reaches_the_downloads(fake_app: AppServices) -> None:
    at = two_questions_imported(fake_app, ["N/A" if n % 2 else "" for n in range(12)])
    button(at, "Analyse responses").click()
    at.run()
    assert not at.exception
    done = list(results(at).values())
    assert len(done) == 2 and not done[1].themes and len(done[1].question.excluded) == 12
    mappings = csv_bytes(done, 1).decode("utf-8-sig")
    assert mappings.count("Any other comments?") == 12  # every set-aside answer is listed
    assert "has no answers to theme" in texts(at)
    assert [o for o in at.selectbox(key=state.CONSULT_QUESTION).options] == \
        ["Do you agree with the plan?"]


def errors(at: AppTest) -> str:
    return " ".join(e.value for e in at.error)


def test_a_review_form_without_a_theme_says_so_and_keeps_what_was_typed(
        fake_app: AppServices) -> None:
    at = analysed(fake_app)
    before = [t.label for t in results(at)["q1"].themes]
    at.text_input(key=state.consult_key("rename_label")).input("Costs of permits")
    at.text_area(key=state.consult_key("rename_description")).input("Permits cost too much.")
    at = submit(at, "Rename theme")
    assert not at.exception
    assert "Choose a theme first" in errors(at) and "There is no theme" not in errors(at)
    assert [t.label for t in results(at)["q1"].themes] == before
    first = results(at)["q1"].themes[0].theme_id
    at.selectbox(key=state.consult_key("rename_theme")).select(first)
    at = submit(at, "Rename theme")  # the label and description typed before still count
    assert not at.exception and not at.error
    renamed = results(at)["q1"].theme(first)
    assert renamed is not None
    assert (renamed.label, renamed.description) == ("Costs of permits", "Permits cost too much.")
    assert at.text_input(key=state.consult_key("rename_label")).value == ""  # emptied after
    assert at.selectbox(key=state.consult_key("rename_theme")).value is None
    at = submit(at, "Split theme")
    assert "Choose a theme first" in errors(at)


def rename_first_theme(at: AppTest, label: str = "Costs of permits") -> AppTest:
    at.selectbox(key=state.consult_key("rename_theme")).select(results(at)["q1"].themes[0].theme_id)
    at.text_input(key=state.consult_key("rename_label")).input(label)
    return submit(at, "Rename theme")


def labels(at: AppTest) -> list[str]:
    return [t.label for t in results(at)["q1"].themes]


def test_analysing_again_asks_before_discarding_a_review(fake_app: AppServices) -> None:
    at = analysed(fake_app)
    button(at, "Analyse again (discards your review)").click()
    at.run()  # nothing reviewed yet: analysed again at once
    assert "You have reviewed these themes" not in texts(at)
    at = rename_first_theme(at)
    button(at, "Analyse again (discards your review)").click()
    at.run()
    assert not at.exception
    assert "Analysing again replaces the analysis, and your review is lost" in texts(at)
    assert "Costs of permits" in labels(at)
    button(at, "Keep my review").click()
    at.run()
    assert "your review is lost" not in texts(at) and "Costs of permits" in labels(at)
    button(at, "Analyse again (discards your review)").click()
    at.run()
    button(at, "Analysing again and discard my review").click()
    at.run()
    assert not at.exception
    assert "Costs of permits" not in labels(at) and not results(at)["q1"].reviewed
    assert "your review is lost" not in texts(at)


def test_importing_again_asks_before_discarding_a_review(fake_app: AppServices) -> None:
    at = rename_first_theme(analysed(fake_app))
    at.multiselect(key=state.consult_key("move_responses")).select("r1")
    at.selectbox(key=state.consult_key("move_to")).select(results(at)["q1"].themes[-1].theme_id)
    at = submit(at, "Move responses")
    button(at, "Import again (replaces the current analysis)").click()
    at.run()
    assert "Importing again replaces the analysis, and your review is lost" in texts(at)
    assert "r1" in results(at)["q1"].corrections
    button(at, "Importing again and discard my review").click()
    at.run()
    assert not at.exception
    assert results(at) == {} and "Imported 27 rows" in texts(at)


def test_positions_read_by_default_are_counted_and_shown(fake_app: AppServices) -> None:
    at = analysed(fake_app)
    assert not at.exception
    assert "24 of 24 positions rest on no stance word and were read as agree" in texts(at)
    frames = [d.value for d in at.dataframe if "Position read from" in d.value.columns]
    assert frames and set(frames[0]["Position read from"]) == {"no stance words (read as agree)"}


def test_theme_pickers_list_themes_as_the_table_does_and_a_lone_column_is_chosen(
        fake_app: AppServices) -> None:
    # from a browser review: the rename picker listed themes in another order than the table,
    # and the only answer column had to be found and chosen by hand
    from consult.report import summarise

    at = analysed(fake_app)
    result = next(iter(results(at).values()))
    largest_first = [row.theme.theme_id for row in summarise(result)
                     if row.theme.theme_id in {t.theme_id for t in result.themes}]
    assert at.selectbox(key=state.consult_key("rename_theme")).options == [
        next(t.label for t in result.themes if t.theme_id == i) for i in largest_first]
    two = b"id,answer\n" + b"".join(f"r{n},{TOPICS[n % 3]}\n".encode() for n in range(12))
    at = upload(consult_page(fake_app), two, "two.csv")
    assert at.multiselect(key=state.CONSULT_QUESTION_COLUMNS).value == ["answer"]
    at.selectbox(key=state.CONSULT_ID_COLUMN).select("answer").run()  # then made the id
    assert not at.exception
    assert at.multiselect(key=state.CONSULT_QUESTION_COLUMNS).value == ["id"]
